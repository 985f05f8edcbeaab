// The local OpenAI-compatible server in a process of its own, so that a benchmark measures the judge runner's
// cost and not the server's: prints its base URL as JSON, then serves until its parent closes standard input.
import {startFakeOpenAI} from "../loaders/judge/fakeOpenAI.js";

const server = await startFakeOpenAI({latencyMs: Number(process.env.FAKE_LATENCY_MS ?? 50)});
process.stdout.write(`${JSON.stringify({baseURL: server.baseURL})}\n`);
process.stdin.resume();
process.stdin.on("end", () => void server.close().then(() => process.exit(0)));
