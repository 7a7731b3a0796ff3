/**
 * Coverage floor: fails (exit 1) when any protocol source file is below the floor, printing a per-file table.
 *
 * Reads `coverage/lcov.info`, written by `hardhat test --coverage`, and keeps the files under `contracts/`
 * except `contracts/test/` (mocks; hardhat.config.ts skips them too). For each file it reports line coverage
 * from the `DA` records and the uncovered lines.
 *
 * Statements: Hardhat 3 computes statement counts but writes them only to the console table it prints at the
 * end of the run ("Statement %"); `lcov.info` has lines only (its statement-as-branch records are disabled)
 * and the HTML report maps each line to one statement. So statements are gated from that console output,
 * saved to a file: `scripts/test-ci.ts` (what `npm test` runs) saves it as `coverage/report.txt`. Pass it with
 * `--report <file>`, or leave it at `coverage/report.txt`, where it is picked up automatically.
 * `--require-statements` (used by CI) fails when the report is missing or lacks a figure for any protocol
 * file; without it a missing report only prints a note and lines alone are gated.
 *
 * Usage: `tsx scripts/coverage-floor.ts [--floor 95] [--lcov coverage/lcov.info] [--report coverage/report.txt]
 * [--require-statements]`
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface FileCoverage {
  file: string;
  linesFound: number;
  linesHit: number;
  uncovered: number[];
  statementPct?: number;
}

/** Parses an LCOV tracefile into per-file line coverage. */
export function parseLcov(text: string): FileCoverage[] {
  const files: FileCoverage[] = [];
  let current: FileCoverage | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("SF:")) {
      current = { file: line.slice(3), linesFound: 0, linesHit: 0, uncovered: [] };
    } else if (line.startsWith("DA:") && current) {
      const [lineNo, count] = line.slice(3).split(",").map(Number);
      current.linesFound += 1;
      if (count > 0) current.linesHit += 1;
      else current.uncovered.push(lineNo);
    } else if (line === "end_of_record" && current) {
      files.push(current);
      current = undefined;
    }
  }
  return files;
}

/** The protocol's own sources: under `contracts/`, not `contracts/test/`. */
export function isProtocolFile(file: string): boolean {
  const f = file.replace(/\\/g, "/").replace(/^\.\//, "");
  return f.startsWith("contracts/") && !f.startsWith("contracts/test/");
}

/**
 * Reads the "Statement %" column of Hardhat's console coverage table (`║ path │ line % │ statement % │ … ║`),
 * keyed by path. Colour codes are stripped; shortened paths (`…`) are matched by suffix later.
 */
export function parseStatementTable(text: string): Map<string, number> {
  // eslint-disable-next-line no-control-regex -- the console table carries ANSI colour escapes
  const plain = text.replace(/\u001b\[[0-9;]*m/g, "");
  const out = new Map<string, number>();
  for (const line of plain.split("\n")) {
    const cells = line
      .split(/[|│║]/)
      .map((c) => c.trim())
      .filter((c) => c !== "");
    if (cells.length < 3) continue;
    const pct = Number(cells[2].replace("%", ""));
    if (!cells[0].endsWith(".sol") || Number.isNaN(pct)) continue;
    out.set(cells[0], pct);
  }
  return out;
}

function statementFor(file: string, table: Map<string, number>): number | undefined {
  if (table.has(file)) return table.get(file);
  for (const [key, pct] of table) {
    const tail = key.split("…").pop() ?? key;
    if (tail.length > 0 && file.endsWith(tail.replace(/^\.*/, ""))) return pct;
  }
  return undefined;
}

/** Compresses sorted line numbers into ranges: `[3,4,5,9]` → `3-5, 9`. */
export function ranges(lines: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < lines.length;) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1] === lines[j] + 1) ++j;
    out.push(i === j ? `${lines[i]}` : `${lines[i]}-${lines[j]}`);
    i = j + 1;
  }
  return out.join(", ");
}

export function pct(hit: number, found: number): number {
  return found === 0 ? 100 : (hit * 100) / found;
}

export interface FloorOptions {
  /** Minimum line and statement percentage per protocol file. */
  floor: number;
  /** Text of `coverage/lcov.info`. */
  lcov: string;
  /** Text of the saved console output of `hardhat test --coverage`, when there is one. */
  report?: string;
  /** Fail when the statement table is missing or has no figure for some protocol file. */
  requireStatements: boolean;
}

export interface FloorResult {
  /** True when every protocol file meets the floor (and statements are present when required). */
  ok: boolean;
  /** The protocol files, sorted, with their statement figures filled in. */
  files: FileCoverage[];
  /** The printable per-file table. */
  table: string;
  /** Why the check failed (empty when `ok`), or notes when it passed. */
  messages: string[];
}

/** Applies the floor to an LCOV text and, when given, Hardhat's console coverage table. */
export function evaluateFloor(opts: FloorOptions): FloorResult {
  const { floor } = opts;
  if (!Number.isFinite(floor) || floor < 0 || floor > 100)
    throw new Error(`floor ${floor} is not a percentage`);
  const statements = opts.report === undefined ? new Map<string, number>() : parseStatementTable(opts.report);
  const messages: string[] = [];
  let ok = true;
  const files = parseLcov(opts.lcov)
    .filter((f) => isProtocolFile(f.file))
    .sort((a, b) => a.file.localeCompare(b.file));
  if (files.length === 0) {
    return { ok: false, files, table: "", messages: ["no protocol files in the LCOV report"] };
  }
  if (opts.report === undefined) {
    if (opts.requireStatements) {
      ok = false;
      messages.push("no coverage console report: statements cannot be gated");
    } else {
      messages.push(
        "statement %: n/a (Hardhat prints statement figures only to the console; save that output to " +
          "coverage/report.txt or pass --report to gate them too)",
      );
    }
  } else if (statements.size === 0 && opts.requireStatements) {
    ok = false;
    messages.push("the coverage console report holds no statement table: statements cannot be gated");
  }
  const rows: string[][] = [["file", "lines", "line %", "statement %", "status", "uncovered lines"]];
  const below: string[] = [];
  const missing: string[] = [];
  for (const f of files) {
    f.statementPct = statementFor(f.file, statements);
    const linePct = pct(f.linesHit, f.linesFound);
    const isBelow = linePct < floor || (f.statementPct !== undefined && f.statementPct < floor);
    const isMissing = f.statementPct === undefined && opts.requireStatements && statements.size > 0;
    if (isBelow) below.push(f.file);
    if (isMissing) missing.push(f.file);
    rows.push([
      f.file,
      `${f.linesHit}/${f.linesFound}`,
      linePct.toFixed(2),
      f.statementPct === undefined ? "n/a" : f.statementPct.toFixed(2),
      isBelow ? "BELOW" : isMissing ? "NO STATEMENTS" : "ok",
      ranges(f.uncovered),
    ]);
  }
  const totalFound = files.reduce((s, f) => s + f.linesFound, 0);
  const totalHit = files.reduce((s, f) => s + f.linesHit, 0);
  rows.push(["total", `${totalHit}/${totalFound}`, pct(totalHit, totalFound).toFixed(2), "", "", ""]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const table = rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
  if (below.length > 0) {
    ok = false;
    messages.push(`below ${floor} %: ${below.join(", ")}`);
  }
  if (missing.length > 0) {
    ok = false;
    messages.push(`no statement figure in the console report for: ${missing.join(", ")}`);
  }
  return { ok, files, table, messages };
}

function main(): void {
  const args = process.argv.slice(2);
  let floor = 95;
  let lcovPath = join(ROOT, "coverage", "lcov.info");
  let reportPath = join(ROOT, "coverage", "report.txt");
  let requireStatements = false;
  for (let i = 0; i < args.length; ++i) {
    if (args[i] === "--floor") floor = Number(args[++i]);
    else if (args[i] === "--lcov") lcovPath = args[++i];
    else if (args[i] === "--report") reportPath = args[++i];
    else if (args[i] === "--require-statements") requireStatements = true;
    else {
      console.error(`coverage-floor: unknown argument ${args[i]}`);
      process.exit(2);
    }
  }
  if (!existsSync(lcovPath)) {
    console.error(`coverage-floor: ${lcovPath} not found; run \`hardhat test --coverage\` first`);
    process.exit(1);
  }
  const report = existsSync(reportPath) ? readFileSync(reportPath, "utf8") : undefined;
  if (report === undefined && requireStatements)
    console.error(`coverage-floor: report ${reportPath} not found`);
  const result = evaluateFloor({ floor, lcov: readFileSync(lcovPath, "utf8"), report, requireStatements });
  if (result.table !== "") console.log(result.table);
  if (!result.ok) {
    for (const m of result.messages) console.error(`coverage-floor: ${m}`);
    console.error(`\ncoverage-floor: FAILED (floor ${floor} % of lines and statements per file)`);
    process.exit(1);
  }
  for (const m of result.messages) console.log(`\n${m}`);
  console.log(`\ncoverage-floor: every protocol file at or above ${floor} %`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
