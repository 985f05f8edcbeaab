import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {sameCoverage} from "./suiteCoverage.js";

describe("the same coverage as an earlier commit's suite", () => {
  const current = [
    "loaders/bundle/build.test.ts",
    "loaders/bundle/command.test.ts",
    "loaders/cli/main.test.ts",
    "loaders/cli/newVerb.test.ts",
    "src/core/calibration/judgeAgreement.test.ts"
  ];
  const nameStatus = [
    "D\tloaders/bundle/bundle.test.ts",
    "R099\tsrc/core/calibration/agreement.test.ts\tsrc/core/calibration/judgeAgreement.test.ts",
    "M\tloaders/cli/main.test.ts",
    "A\tloaders/cli/newVerb.test.ts"
  ].join("\n");

  it("keeps a file still at its path, follows a rename, and takes a split file's folder", () => {
    const coverage = sameCoverage(
      ["loaders/bundle/bundle.test.ts", "loaders/cli/main.test.ts", "src/core/calibration/agreement.test.ts"],
      nameStatus,
      current
    );
    assert.deepEqual(coverage.files, [
      "loaders/bundle/build.test.ts",
      "loaders/bundle/command.test.ts",
      "loaders/cli/main.test.ts",
      "src/core/calibration/judgeAgreement.test.ts"
    ]);
    assert.deepEqual(coverage.followed, [
      {
        from: "loaders/bundle/bundle.test.ts",
        to: ["loaders/bundle/build.test.ts", "loaders/bundle/command.test.ts"],
        how: "folder"
      },
      {
        from: "src/core/calibration/agreement.test.ts",
        to: ["src/core/calibration/judgeAgreement.test.ts"],
        how: "renamed"
      }
    ]);
    assert.deepEqual(coverage.lost, []);
  });

  it("leaves out the files added since, and names an old file nothing stands for", () => {
    const coverage = sameCoverage(["loaders/gone/old.test.ts", "loaders/cli/main.test.ts"], nameStatus, current);
    assert.deepEqual(coverage.files, ["loaders/cli/main.test.ts"]);
    assert.deepEqual(coverage.lost, ["loaders/gone/old.test.ts"]);
  });
});
