// Two screenshot runs write the same files: the overview page of the demo workspace, built twice as a screenshot
// run builds it (the kept workspace, the pages built and shown as of its time), gives byte-identical PNGs. Slow
// (two builds), so it runs only when screenshots are asked for: `SCREENSHOTS=1 node scripts/test.mjs screenshotsStable`.
import assert from "node:assert/strict";
import {createHash} from "node:crypto";
import {readFileSync, rmSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {ensureDemoWorkspace} from "../cli/demoCommand.js";
import {NOW_ENV} from "../site/pagesClock.js";
import {tempDir} from "../fixtures/tempDir.js";
import {openBuiltSite} from "./openBuiltSite.js";
import {screenshot, screenshotOptions, screenshotPage, screenshotWorkspace} from "./screenshots.js";

/** Builds the overview from the kept demo workspace and returns the SHA-256 of its screenshot. */
async function overviewShot(dir: string): Promise<string> {
  const env: Record<string, string> = {};
  let now: string | undefined;
  const site = await openBuiltSite(
    "stable-shot",
    async (workspace) => {
      now = await screenshotWorkspace(
        workspace,
        async (into) => void (await ensureDemoWorkspace(into, true, () => {}))
      );
      env[NOW_ENV] = now;
    },
    ["index.md"],
    env
  );
  try {
    const page = await screenshotPage(site.browser, now);
    await page.goto(`${site.server.url}/`);
    await page.locator(".pl-cards").waitFor({timeout: 60_000});
    await page.waitForTimeout(300);
    const path = await screenshot(page, "overview", {dir});
    await page.context().close();
    return createHash("sha256").update(readFileSync(path!)).digest("hex");
  } finally {
    await site.close();
  }
}

describe("screenshots", {skip: screenshotOptions.dir ? false : "only when SCREENSHOTS=1", timeout: 900_000}, () => {
  it("are the same, byte for byte, from two runs on the same code and demo data", async () => {
    const dir = tempDir("stable-shots");
    try {
      const first = await overviewShot(join(dir, "first"));
      const second = await overviewShot(join(dir, "second"));
      assert.equal(second, first);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});
