/** @module `plumbline start` and `plumbline build`: the pages, served live or built as a static site. */
import {spawn} from "node:child_process";
import {join} from "node:path";
import {addCspMeta} from "../site/csp.js";
import {generateToken, isLoopbackHost} from "../server/auth.js";
import {DEFAULT_MAX_BODY_BYTES, formatBytes, parseByteSize} from "../server/body.js";
import {startServer} from "../server/serve.js";
import {failureModeRoutes} from "../failureModes/routes.js";
import {startOnlineInBackground} from "../online/background.js";
import {CliError, parseVerbArgs, usageError} from "./error.js";
import {parseDuration} from "./duration.js";
import type {Command, Io} from "./command.js";
import {onInterrupt} from "./interrupt.js";
import {PROJECT_ROOT} from "../workspace/changed.js";
import {prepareWorkspace, sitePlan} from "./siteWorkspace.js";

const OBSERVABLE = join(PROJECT_ROOT, "node_modules", "@observablehq", "framework", "dist", "bin", "observable.js");

function runObservable(args: string[], io: Io, workspace: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [OBSERVABLE, ...args], {
      cwd: PROJECT_ROOT,
      stdio: "inherit",
      // Data loaders are TypeScript run by tsx; the workspace reaches them through the environment.
      env: {
        ...io.env,
        PLUMBLINE_WORKSPACE: workspace,
        PATH: `${join(PROJECT_ROOT, "node_modules", ".bin")}:${io.env.PATH ?? ""}`
      }
    });
    // Every signal is passed on: the child decides when it has stopped, and this process waits for it.
    const release = onInterrupt({
      stop: () => child.kill("SIGINT"),
      again: () => child.kill("SIGINT"),
      signals: ["SIGINT", "SIGTERM"]
    });
    child.on("error", (error) => {
      release();
      reject(error);
    });
    child.on("exit", (code, signal) => {
      release();
      resolve(code ?? (signal ? 0 : 1));
    });
  });
}

const startHelp = `Usage: plumbline start [options]

Serves the environment at http://127.0.0.1:3000 (the next free port when taken): the pages, and the JSON API
under /api/ that the annotation page writes through. On first run in the default workspace (data/, where
\`npm start\` looks) it builds the demo workspace from data/demo, so it works with no network and no API key.
A workspace named by --workspace or $PLUMBLINE_WORKSPACE that has no store yet starts empty (add traces with
\`plumbline ingest FILE --workspace <dir>\`), unless --demo asks for the demo there. Labels are appended to
<workspace>/annotations/events.jsonl.
OpenTelemetry exporters send traces to POST /v1/traces (protobuf or JSON); each request is written to
<workspace>/intake/ before it is answered, and the store catches up in the background.
Apps send end-user feedback (thumbs, scores, comments) to POST /api/feedback (see docs/live.md, "Feedback from a
running app"). When a spec in evaluators/ has an \`online\` block, the online evaluators run in the background
as \`plumbline online run\` does.

Options:
  --workspace <dir>    the workspace folder (default: $PLUMBLINE_WORKSPACE or data/)
  --demo               build the bundled demo into the workspace when it has no store yet (always so in data/)
  --port <n>           the port (default 3000)
  --host <address>     the address to bind (default 127.0.0.1). Any other address requires an access token
  --token <token>      the access token; when another address is bound without one, a token is generated and
                       printed once (also read from $PLUMBLINE_TOKEN)
  --allowed-host <name>
                       a further name the server answers to (repeatable); it answers only to 127.0.0.1,
                       localhost, [::1] and --host (with --host 0.0.0.0: this machine's addresses and name)
  --otlp-port [port]   also receive OpenTelemetry traces on this port (default 4318, OTLP/HTTP's own), at
                       /v1/traces, on the same address and token; /v1/traces is served on the main port too
  --max-body <size>    the largest request body accepted, e.g. 4MiB (default ${formatBytes(DEFAULT_MAX_BODY_BYTES)})
  --receiving-window <duration>
                       how long after its last span a trace is shown as receiving on the Traces page, e.g. 30s,
                       2m or 500ms (default 30s)
  --quiet-period <duration>
                       how long a trace (a thread, for thread-scoped rules) must go without a span before the
                       online evaluators judge it, for every online spec, in place of its quietSeconds
  --no-open            do not open a browser
  -h, --help           show this help`;

export const startCommand: Command = {
  name: "start",
  summary: "serve the environment on 127.0.0.1",
  help: startHelp,
  async run(args, io) {
    const options = parseStartArgs(args);
    let token = options.token ?? io.env.PLUMBLINE_TOKEN ?? null;
    const exposed = !isLoopbackHost(options.host);
    if (exposed && !token) {
      token = generateToken();
      io.err(`access token (shown once; pass --token to choose your own): ${token}`);
    }
    const workspace = await prepareWorkspace(sitePlan(options.workspace, options.demo, io.env), io);
    const {port, maxBodyBytes, otlpPort, receivingMs, quietMs} = options;
    // Writes from other pages mount beside the annotation API, behind the same token.
    const subApps = [{path: "/api/failure-modes", app: failureModeRoutes({workspace})}];
    const server = await startServer({
      workspace,
      host: options.host,
      port,
      token,
      env: io.env,
      log: (line) => io.err(line),
      subApps,
      allowedHosts: options["allowed-host"] ?? [],
      maxBodyBytes,
      otlpPort,
      ...(receivingMs !== undefined ? {receivingMs} : {})
    });
    const url = token ? `${server.url}/?token=${encodeURIComponent(token)}` : `${server.url}/`;
    io.err(`Plumbline is serving ${workspace} at ${token ? `${server.url}/ (open ${url} once to sign in)` : url}`);
    io.err(
      `OpenTelemetry traces: POST ${server.url}/v1/traces` +
        (server.otlpPort === null ? "" : ` (and on port ${server.otlpPort})`) +
        (token ? " with Authorization: Bearer <token>" : "")
    );
    // Online evaluators run beside the server when a spec asks to (`plumbline online run` without a terminal).
    const online = startOnlineInBackground({
      workspace,
      env: io.env,
      log: (line) => io.err(line),
      ...(quietMs !== undefined ? {quietMs} : {})
    });
    const open = options.open && !options["no-open"] && !io.env.CI;
    if (open) openBrowser(url);
    let release = () => {};
    await new Promise<void>((resolve) => {
      release = onInterrupt({
        stop: resolve,
        again: () => io.err("already stopping: closing the open connections"),
        signals: ["SIGINT", "SIGTERM"]
      });
    });
    try {
      await online?.stop();
      await server.close();
    } finally {
      release();
    }
    return 0;
  }
};

export interface StartArgs {
  workspace: string | undefined;
  /** `--demo`: build the demo into a named workspace that has no store yet. */
  demo: boolean;
  port: number;
  host: string;
  token: string | undefined;
  "allowed-host": string[] | undefined;
  maxBodyBytes: number;
  otlpPort: number | null;
  /** `--receiving-window`, in ms; absent: the receiver's default. */
  receivingMs: number | undefined;
  /** `--quiet-period`, in ms; absent: each spec's quietSeconds. */
  quietMs: number | undefined;
  open: boolean;
  "no-open": boolean;
}

/** `plumbline start`'s arguments, checked: each bad value is a usage error that names its option. */
export function parseStartArgs(args: readonly string[]): StartArgs {
  const {values} = parseVerbArgs("start", {
    args: withOtlpPortDefault(args),
    options: {
      workspace: {type: "string"},
      demo: {type: "boolean", default: false},
      port: {type: "string", default: "3000"},
      host: {type: "string", default: "127.0.0.1"},
      token: {type: "string"},
      "allowed-host": {type: "string", multiple: true},
      "max-body": {type: "string"},
      "otlp-port": {type: "string"},
      "receiving-window": {type: "string"},
      "quiet-period": {type: "string"},
      open: {type: "boolean", default: true},
      "no-open": {type: "boolean", default: false}
    }
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`invalid port: ${values.port}`, "start");
  const maxBodyBytes = values["max-body"] === undefined ? DEFAULT_MAX_BODY_BYTES : parseByteSize(values["max-body"]);
  if (maxBodyBytes === null)
    throw usageError(`invalid --max-body: ${values["max-body"]} (a size such as 1048576, 512KiB or 4MiB)`, "start");
  return {
    workspace: values.workspace,
    demo: values.demo,
    port,
    host: values.host,
    token: values.token,
    "allowed-host": values["allowed-host"],
    maxBodyBytes,
    otlpPort: parseOtlpPort(values["otlp-port"]),
    receivingMs: durationOption(values["receiving-window"], "receiving-window", true),
    quietMs: durationOption(values["quiet-period"], "quiet-period", false),
    open: values.open,
    "no-open": values["no-open"]
  };
}

/** A duration option in ms, undefined when absent; `positive` refuses 0 (a window of 0 would mark nothing). */
function durationOption(value: string | undefined, name: string, positive: boolean): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === null || (positive && ms === 0))
    throw usageError(`invalid --${name}: ${value} (a duration such as 30s, 2m or 500ms)`, "start");
  return ms;
}

/** `--otlp-port` may stand alone (OTLP's port): it then takes no value, whatever follows it. */
export function withOtlpPortDefault(args: readonly string[]): string[] {
  return args.map((arg, i) => (arg === "--otlp-port" && !/^\d+$/.test(args[i + 1] ?? "") ? "--otlp-port=" : arg));
}

/** `--otlp-port` with no number (or an empty one) is OTLP/HTTP's own port. */
export function parseOtlpPort(value: string | undefined): number | null {
  if (value === undefined) return null;
  if (value === "") return 4318;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`invalid --otlp-port: ${value}`, "start");
  return port;
}

function openBrowser(url: string): void {
  const command = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  spawn(command, [url], {stdio: "ignore", detached: true})
    .on("error", () => {
      // No desktop to open it on; the URL is printed above.
    })
    .unref();
}

const buildHelp = `Usage: plumbline build [options]

Builds the static, read-only report site into dist/ from the workspace: Plumbline's pages and your own
notebooks (src/notebooks/*.md). The site needs no network and runs under a strict Content-Security-Policy,
carried by each page itself; every link names its .html file, so no server rewriting is needed.

Publishing: copy dist/ as it is to any static host.
  look at it locally    python3 -m http.server -d dist 8000   (then open http://127.0.0.1:8000/)
  GitHub Pages          publish dist/ (e.g. actions/upload-pages-artifact with path: dist)
  an object store       upload dist/ (e.g. aws s3 sync dist s3://<bucket>/report); link to .../index.html
The report is read-only: labelling and decisions need \`plumbline start\`. See docs/publishing.md.
As with \`plumbline start\`, the demo is built only into the default workspace (data/) or with --demo; a named
workspace with no store yet gives an empty report.

Options:
  --workspace <dir>    the workspace folder (default: $PLUMBLINE_WORKSPACE or data/)
  --demo               build the bundled demo into the workspace when it has no store yet (always so in data/)
  -h, --help           show this help`;

export const buildCommand: Command = {
  name: "build",
  summary: "build the static report site into dist/",
  help: buildHelp,
  async run(args, io) {
    const {values} = parseVerbArgs("build", {
      args,
      options: {workspace: {type: "string"}, demo: {type: "boolean", default: false}}
    });
    const workspace = await prepareWorkspace(sitePlan(values.workspace, values.demo, io.env), io);
    const status = await runObservable(["build"], io, workspace);
    if (status !== 0) throw new CliError(`the site build failed (exit status ${status})`);
    // Each page's inline scripts change with every build; pin them by hash so the site runs under a strict policy.
    const pages = addCspMeta(join(PROJECT_ROOT, "dist"));
    io.err(`built ${pages.length} pages into dist/ with a Content-Security-Policy that allows only their own scripts`);
    return 0;
  }
};
