/**
 * The file-size report of `npm run report:sizes` and of `scripts/test-ci.ts`'s summary
 * (`scripts/file-sizes.ts`): line counting, which files count as source, the report and the command.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import {
  countLines,
  filesOver,
  formatSizeReport,
  isSourceFile,
  measure,
  parseOver,
} from "../../../scripts/file-sizes.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

describe("scripts/file-sizes", function () {
  it("countLines_countsAsWcDoesAndAnUnterminatedLastLine", function () {
    expect(countLines("")).to.equal(0);
    expect(countLines("a\n")).to.equal(1);
    expect(countLines("a\n\nb\n")).to.equal(3);
    expect(countLines("a\nb")).to.equal(2);
  });

  it("isSourceFile_keepsTypeScriptJavaScriptAndSolidityButNotGeneratedFiles", function () {
    for (const p of ["sdk/index.ts", "cli/bin.js", "scripts/codegen.mjs", "contracts/Exchange.sol"]) {
      expect(isSourceFile(p), p).to.equal(true);
    }
    for (const p of ["docs/testing.md", "package.json", "sdk/viem/clearinghouse/lens.generated.ts"]) {
      expect(isSourceFile(p), p).to.equal(false);
    }
  });

  it("filesOver_keepsFilesAboveTheLimitLongestFirst", function () {
    const sizes = [
      { path: "b.ts", lines: 401 },
      { path: "a.sol", lines: 400 },
      { path: "c.ts", lines: 900 },
      { path: "a.ts", lines: 401 },
    ];
    expect(filesOver(sizes).map((f) => f.path)).to.deep.equal(["c.ts", "a.ts", "b.ts"]);
    expect(filesOver(sizes, 800)).to.deep.equal([{ path: "c.ts", lines: 900 }]);
    expect(formatSizeReport(sizes).split("\n")).to.deep.equal([
      "file sizes: 3 of 4 source files over 400 lines",
      "  900  c.ts",
      "  401  a.ts",
      "  401  b.ts",
    ]);
    expect(formatSizeReport([])).to.equal("file sizes: 0 of 0 source files over 400 lines");
  });

  it("measure_countsThisRepositorysFilesAndSkipsIgnoredOnes", function () {
    const sizes = measure(ROOT);
    const self = sizes.find((f) => f.path === "scripts/file-sizes.ts");
    expect(self?.lines).to.equal(countLines(readFileSync(join(ROOT, "scripts/file-sizes.ts"), "utf8")));
    for (const f of sizes) expect(f.path).to.not.match(/^(node_modules|artifacts|typechain-types|dist)\//);
  });

  it("command_printsTheReportAndRejectsUnknownArguments", function () {
    this.timeout(60_000); // each case starts node with tsx
    expect(parseOver([])).to.equal(400);
    expect(parseOver(["--over", "250"])).to.equal(250);
    expect(() => parseOver(["--over"])).to.throw("usage");
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "file-sizes.ts"), ...args], {
        cwd: ROOT,
        encoding: "utf8",
      });
    const ok = cli("--over", "100000");
    expect(ok.status).to.equal(0);
    expect(ok.stdout).to.match(/^file sizes: 0 of \d+ source files over 100000 lines\n$/);
    const bad = cli("--under", "3");
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.contain("usage");
  });
});
