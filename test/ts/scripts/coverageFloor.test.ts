/**
 * The coverage gate of `npm test`: `scripts/coverage-floor.ts` (LCOV and Hardhat console-table parsing, the
 * per-file floor, the exit code of the command) and the plain-bytecode file list of `scripts/test-ci.ts`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import {
  evaluateFloor,
  isProtocolFile,
  parseLcov,
  parseStatementTable,
  ranges,
} from "../../../scripts/coverage-floor.js";
import { countResults, plainOnlyFiles } from "../../../scripts/test-ci.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/** One LCOV record: `hits[i]` is the execution count of line `i + 1`. */
function record(file: string, hits: number[]): string {
  const da = hits.map((h, i) => `DA:${i + 1},${h}`).join("\n");
  const hit = hits.filter((h) => h > 0).length;
  return `TN:\nSF:${file}\n${da}\nLH:${hit}\nLF:${hits.length}\nend_of_record\n`;
}

/** `n` lines, the first `hit` of them executed. */
function lines(n: number, hit: number): number[] {
  return Array.from({ length: n }, (_, i) => (i < hit ? 3 : 0));
}

/** Hardhat 3's console table as `hardhat test --coverage` prints it (box drawing, ANSI colours). */
function consoleTable(rows: [string, number, number][]): string {
  const y = (s: string) => `\u001b[33m${s}\u001b[39m`;
  const body = rows.map(([f, l, s]) => `║ ${f} │ ${l.toFixed(2)} │ ${s.toFixed(2)} │ - ║`);
  return [
    "  ✔ some test (12ms)",
    "╔══════════════════════════════════╗",
    "║ \u001b[1mCoverage Report\u001b[22m ║",
    "╟──────────────────────────────────╢",
    `║ ${y("File Path")} │ ${y("Line %")} │ ${y("Statement %")} │ ${y("Uncovered Lines")} ║`,
    "╟──────────────────────────────────╢",
    ...body,
    "╟──────────────────────────────────╢",
    `║ ${y("Total")} │ 99.00 │ 98.00 │  ║`,
    "╚══════════════════════════════════╝",
  ].join("\n");
}

const LCOV_OK =
  record("contracts/A.sol", lines(100, 100)) +
  record("contracts/libraries/B.sol", lines(40, 39)) +
  record("contracts/test/MockC.sol", lines(10, 0));

describe("scripts/coverage-floor", function () {
  it("parseLcov_countsLinesHitAndListsUncovered", function () {
    const [a, b] = parseLcov(record("contracts/A.sol", [1, 0, 0, 5, 0]) + record("contracts/B.sol", [2]));
    expect(a).to.deep.equal({ file: "contracts/A.sol", linesFound: 5, linesHit: 2, uncovered: [2, 3, 5] });
    expect(b).to.deep.equal({ file: "contracts/B.sol", linesFound: 1, linesHit: 1, uncovered: [] });
  });

  it("isProtocolFile_keepsContractsButNotMocks", function () {
    expect(isProtocolFile("contracts/Clearinghouse.sol")).to.equal(true);
    expect(isProtocolFile("./contracts/libraries/WadMath.sol")).to.equal(true);
    expect(isProtocolFile("contracts/test/MockIndexOracle.sol")).to.equal(false);
    expect(isProtocolFile("test/sol/Exchange.t.sol")).to.equal(false);
  });

  it("ranges_compressesConsecutiveLines", function () {
    expect(ranges([3, 4, 5, 9, 11, 12])).to.equal("3-5, 9, 11-12");
    expect(ranges([])).to.equal("");
  });

  it("parseStatementTable_readsTheStatementColumnAndStripsColours", function () {
    const table = parseStatementTable(
      consoleTable([
        ["contracts/A.sol", 100, 99.5],
        ["…/libraries/B.sol", 97.5, 96.25],
      ]),
    );
    expect([...table.entries()]).to.deep.equal([
      ["contracts/A.sol", 99.5],
      ["…/libraries/B.sol", 96.25],
    ]);
  });

  it("parseStatementTable_readsHardhatsBoxTableAsPrinted", function () {
    // An excerpt of `hardhat test --coverage` output (Hardhat 3.18) from this project's CI run.
    const printed = [
      "╔══════════════════════════════════════════╤════════╤═════════════╤════════════════════╗",
      "║ File Path                                │ Line % │ Statement % │ Uncovered Lines    ║",
      "╟──────────────────────────────────────────┼────────┼─────────────┼────────────────────╢",
      "║ contracts/Clearinghouse.sol              │ 98.90  │ 98.95       │ 173, 208, 436, 536 ║",
      "║ contracts/libraries/LiquidationLogic.sol │ 98.01  │ 97.60       │ 252-253, 339       ║",
      "╟──────────────────────────────────────────┼────────┼─────────────┼────────────────────╢",
      "║ Total                                    │ 99.08  │ 99.11       │                    ║",
      "╚══════════════════════════════════════════╧════════╧═════════════╧════════════════════╝",
    ].join("\n");
    expect([...parseStatementTable(printed).entries()]).to.deep.equal([
      ["contracts/Clearinghouse.sol", 98.95],
      ["contracts/libraries/LiquidationLogic.sol", 97.6],
    ]);
  });

  it("evaluateFloor_passesWhenEveryFileMeetsTheFloorAndMatchesShortenedPaths", function () {
    const report = consoleTable([
      ["contracts/A.sol", 100, 100],
      ["…/libraries/B.sol", 97.5, 95],
      ["contracts/test/MockC.sol", 0, 0],
    ]);
    const r = evaluateFloor({ floor: 95, lcov: LCOV_OK, report, requireStatements: true });
    expect(r.ok, r.messages.join("; ")).to.equal(true);
    expect(r.files.map((f) => [f.file, f.statementPct])).to.deep.equal([
      ["contracts/A.sol", 100],
      ["contracts/libraries/B.sol", 95],
    ]);
  });

  it("evaluateFloor_failsWhenLinesAreBelowTheFloor", function () {
    const lcov = record("contracts/A.sol", lines(100, 94)) + record("contracts/B.sol", lines(10, 10));
    const r = evaluateFloor({ floor: 95, lcov, requireStatements: false });
    expect(r.ok).to.equal(false);
    expect(r.messages.join("\n")).to.contain("below 95 %: contracts/A.sol");
    expect(r.table).to.match(/contracts\/A\.sol +94\/100 +94\.00 +n\/a +BELOW +95-100/);
  });

  it("evaluateFloor_failsWhenStatementsAreBelowTheFloorThoughLinesMeetIt", function () {
    const report = consoleTable([
      ["contracts/A.sol", 100, 94.99],
      ["…/libraries/B.sol", 97.5, 97],
    ]);
    const r = evaluateFloor({ floor: 95, lcov: LCOV_OK, report, requireStatements: true });
    expect(r.ok).to.equal(false);
    expect(r.messages).to.deep.equal(["below 95 %: contracts/A.sol"]);
  });

  it("evaluateFloor_failsWithoutAStatementTableOnlyWhenRequired", function () {
    const required = evaluateFloor({ floor: 95, lcov: LCOV_OK, requireStatements: true });
    expect(required.ok).to.equal(false);
    expect(required.messages.join("\n")).to.contain("statements cannot be gated");

    const noTable = evaluateFloor({
      floor: 95,
      lcov: LCOV_OK,
      report: "5 passing\n",
      requireStatements: true,
    });
    expect(noTable.ok).to.equal(false);
    expect(noTable.messages.join("\n")).to.contain("holds no statement table");

    const optional = evaluateFloor({ floor: 95, lcov: LCOV_OK, requireStatements: false });
    expect(optional.ok).to.equal(true);
  });

  it("evaluateFloor_failsWhenAProtocolFileHasNoStatementFigure", function () {
    const report = consoleTable([["contracts/A.sol", 100, 100]]);
    const r = evaluateFloor({ floor: 95, lcov: LCOV_OK, report, requireStatements: true });
    expect(r.ok).to.equal(false);
    expect(r.messages).to.deep.equal([
      "no statement figure in the console report for: contracts/libraries/B.sol",
    ]);
  });

  it("evaluateFloor_failsOnAnLcovWithoutProtocolFiles", function () {
    const r = evaluateFloor({
      floor: 95,
      lcov: record("contracts/test/MockC.sol", [1]),
      requireStatements: false,
    });
    expect(r.ok).to.equal(false);
    expect(r.messages).to.deep.equal(["no protocol files in the LCOV report"]);
  });

  describe("command", function () {
    this.timeout(60_000); // each case starts node with tsx

    const dir = mkdtempSync(join(tmpdir(), "coverage-floor-"));
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "coverage-floor.ts"), ...args], {
        cwd: ROOT,
        encoding: "utf8",
      });
    const write = (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };

    it("exitsZeroWhenLinesAndStatementsMeetTheFloor", function () {
      const lcov = write("ok.info", LCOV_OK);
      const report = write(
        "ok.txt",
        consoleTable([
          ["contracts/A.sol", 100, 100],
          ["…/libraries/B.sol", 97.5, 96],
        ]),
      );
      const r = cli("--floor", "95", "--lcov", lcov, "--report", report, "--require-statements");
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.contain("every protocol file at or above 95 %");
    });

    it("exitsOneWhenAFileIsBelowTheFloor", function () {
      const lcov = write("low.info", record("contracts/A.sol", lines(100, 90)));
      const r = cli("--floor", "95", "--lcov", lcov, "--report", join(dir, "absent.txt"));
      expect(r.status).to.equal(1);
      expect(r.stderr).to.contain("below 95 %: contracts/A.sol");
      expect(r.stderr).to.contain("FAILED");
    });

    it("exitsOneWhenStatementsAreRequiredAndTheReportIsMissing", function () {
      const lcov = write("ok2.info", LCOV_OK);
      const r = cli("--lcov", lcov, "--report", join(dir, "absent.txt"), "--require-statements");
      expect(r.status).to.equal(1);
      expect(r.stderr).to.contain("not found");
      expect(r.stderr).to.contain("statements cannot be gated");
    });

    it("exitsOneWhenTheLcovFileIsMissing", function () {
      const r = cli("--lcov", join(dir, "absent.info"));
      expect(r.status).to.equal(1);
      expect(r.stderr).to.contain("not found");
    });

    it("exitsTwoOnAnUnknownArgument", function () {
      const r = cli("--flor", "95");
      expect(r.status).to.equal(2);
      expect(r.stderr).to.contain("unknown argument --flor");
    });
  });
});

describe("scripts/test-ci", function () {
  it("plainOnlyFiles_listsTheSuitesThatSkipUnderCoverage", function () {
    const files = plainOnlyFiles();
    expect(files).to.include.members([
      "test/ts/clearinghouse.test.ts",
      "test/ts/gasSnapshot.test.ts",
      "test/ts/security/griefing.test.ts",
    ]);
    for (const f of files) expect(f).to.match(/^test\/ts\/.+\.test\.ts$/);
    expect(files).to.not.include("test/ts/scripts/coverageFloor.test.ts");
  });

  it("countResults_readsTheClosingSummaryOfAMixedAndAMochaRun", function () {
    const mixed = [
      "  700 passing (4m)",
      "  3 pending",
      "",
      "\u001b[32m843 passing\u001b[39m (140 solidity, 703 mocha)",
    ].join("\n");
    expect(countResults(mixed)).to.deep.equal({ passed: 843, failed: 0 });
    const failed = [
      "  693 passing (3m)",
      "  1 failing",
      "",
      "842 passing (140 solidity, 702 mocha)",
      "1 failing (1 mocha)",
    ];
    expect(countResults(failed.join("\n"))).to.deep.equal({ passed: 842, failed: 1 });
    expect(countResults("  78 passing (11s)\n")).to.deep.equal({ passed: 78, failed: 0 });
    expect(countResults("nothing ran\n")).to.deep.equal({ passed: 0, failed: 0 });
  });
});
