/**
 * @module The page server's process, started by `startServer`: reads the secret from the first line of standard
 * input, starts the page server, and reports its port as `listening <port>` on standard output.
 */
import {startPagesServer, portOf} from "./pagesServer.js";

async function firstLine(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) {
    text += String(chunk);
    const end = text.indexOf("\n");
    if (end >= 0) return text.slice(0, end).trim();
  }
  return text.trim();
}

const secret = await firstLine();
process.stdin.destroy();
const server = await startPagesServer(secret);
process.stdout.write(`listening ${portOf(server)}\n`);
