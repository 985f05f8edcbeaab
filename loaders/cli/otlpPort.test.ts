import assert from "node:assert/strict";
import {test} from "node:test";
import {parseOtlpPort, withOtlpPortDefault} from "./siteCommand.js";

const port = (args: string[]) => {
  const i = withOtlpPortDefault(args).findIndex((a) => a.startsWith("--otlp-port"));
  if (i === -1) return parseOtlpPort(undefined);
  const arg = withOtlpPortDefault(args)[i]!;
  return parseOtlpPort(arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[i + 1]);
};

test("--otlp-port alone is OTLP's port 4318, with a number that port, and absent no OTLP port", () => {
  assert.equal(port(["--otlp-port"]), 4318);
  assert.equal(port(["--otlp-port", "--no-open"]), 4318);
  assert.deepEqual(withOtlpPortDefault(["--otlp-port", "--no-open"]), ["--otlp-port=", "--no-open"]);
  assert.equal(port(["--otlp-port", "5000"]), 5000);
  assert.equal(port(["--otlp-port=0"]), 0);
  assert.equal(port(["--port", "3001"]), null);
});

test("an --otlp-port that is not a port is a usage error that names it", () => {
  assert.throws(() => parseOtlpPort("70000"), /invalid --otlp-port: 70000/);
  assert.throws(() => parseOtlpPort("http"), /invalid --otlp-port: http/);
});
