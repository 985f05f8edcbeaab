import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {parseByteSize} from "./body.js";
import {hostAllowed, parseHostHeader} from "./hosts.js";

describe("the Host check", () => {
  test("reads names, IPv6 literals and ports, and nothing that is not a host", () => {
    assert.deepEqual(parseHostHeader("Example.test:8080"), {name: "example.test", port: 8080});
    assert.deepEqual(parseHostHeader("[::1]:3000"), {name: "[::1]", port: 3000});
    assert.deepEqual(parseHostHeader("127.0.0.1"), {name: "127.0.0.1", port: null});
    for (const bad of ["", "a b", "user@host", "host/path", "::1", "[::1", "host:port"])
      assert.equal(parseHostHeader(bad), null, bad);
  });

  test("loopback names on any port, the bound address and allowed names on the server's port only", () => {
    const policy = {host: "192.0.2.7", port: 3000, allowedHosts: ["lab.test"]};
    for (const ok of ["127.0.0.1:9", "127.1.2.3", "localhost:3000", "[::1]:1", "192.0.2.7:3000", "LAB.test:3000"])
      assert.equal(hostAllowed(ok, policy), true, ok);
    for (const no of [
      undefined,
      "evil.example:3000",
      "192.0.2.7:3001",
      "192.0.2.7",
      "lab.test:80",
      "localhost.evil.example",
      "127.0.0.1.evil.example"
    ]) {
      assert.equal(hostAllowed(no, policy), false, String(no));
    }
    assert.equal(hostAllowed("[2001:db8::1]:3000", {host: "2001:db8::1", port: 3000}), true);
  });
});

describe("body sizes", () => {
  test("are read in bytes or binary units, and nonsense is refused", () => {
    assert.equal(parseByteSize("1048576"), 1048576);
    assert.equal(parseByteSize("512KiB"), 512 * 1024);
    assert.equal(parseByteSize("4 mb"), 4 * 1024 * 1024);
    for (const bad of ["", "0", "-1", "1.5MiB", "4GB", "lots"]) assert.equal(parseByteSize(bad), null, bad);
  });
});
