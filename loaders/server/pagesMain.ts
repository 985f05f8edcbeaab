/**
 * @module The page server's process, started by `startServer`: reads the secret from the first line of standard
 * input, starts the page server, and reports its port as `listening <port>` on standard output. The front server
 * keeps standard input open; when it closes (the front server exited, however it ended), this process exits too.
 */
import {startPagesServer, portOf} from "./pagesServer.js";

const secret = await new Promise<string>((resolve, reject) => {
  let text = "";
  const read = (chunk: Buffer) => {
    text += chunk.toString();
    const end = text.indexOf("\n");
    if (end < 0) return;
    process.stdin.off("data", read);
    resolve(text.slice(0, end).trim());
  };
  process.stdin.on("data", read);
  process.stdin.once("end", () => reject(new Error("the page server was started without its secret")));
});
process.stdin.on("data", () => {});
process.stdin.once("end", () => process.exit(0));
const server = await startPagesServer(secret);
process.stdout.write(`listening ${portOf(server)}\n`);
