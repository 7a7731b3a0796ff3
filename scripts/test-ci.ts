/**
 * The test run behind `npm test` (after compile, gen:abi and lint), and so behind CI:
 *
 * 1. The mocha files that skip tests under coverage (they call `underCoverage()`: gas snapshot, bytecode size
 *    limit, griefing gas bounds), on plain bytecode, so those checks still run. They go first, while the
 *    plain build from `hardhat compile` is current: the coverage build replaces it, and running them after
 *    it would recompile every contract (about 2 minutes here).
 * 2. `hardhat --build-profile coverage test --coverage`: every Solidity and mocha test once, on instrumented contracts
 *    built by the legacy pipeline (the `coverage` profile in hardhat.config.ts; the deployed build is via-IR). Its output is
 *    streamed to the console and saved to `coverage/report.txt` (Hardhat prints the statement figures only
 *    there); it writes `coverage/lcov.info`. A failing test fails the run with Hardhat's exit code.
 * 3. `scripts/coverage-floor.ts --floor 95 --require-statements`: every file of `contracts/` (mocks in
 *    `contracts/test/` left out) at 95 % of lines and of statements or more, and the statement table must
 *    be there.
 * 4. The summary: the source files over 400 lines (`scripts/file-sizes.ts`, report only), then one closing
 *    line `test-ci: N passed, 0 failed`.
 *
 * Steps run in order and the first failure stops the run with its exit code. `--coverage-only` (what
 * `npm run test:coverage` passes) runs steps 2 and 3.
 *
 * Usage: `tsx scripts/test-ci.ts [--coverage-only]` (after `hardhat compile && npm run gen:abi`).
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { formatSizeReport, measure } from "./file-sizes.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "node_modules", ".bin");
export const FLOOR = 95;
export const REPORT = join("coverage", "report.txt");

/** Mocha test files (relative, `/`-separated, sorted) whose source calls `underCoverage()`. */
export function plainOnlyFiles(dir = join(ROOT, "test", "ts")): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith(".test.ts") && /\bunderCoverage\(\)/.test(readFileSync(p, "utf8"))) {
        out.push(relative(ROOT, p).split("\\").join("/"));
      }
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Passed and failed counts from a test run's closing summary: the last `N passing` and `N failing` lines
 * (Hardhat's combined summary after a mixed run, mocha's own after `hardhat test mocha`).
 */
export function countResults(output: string): { passed: number; failed: number } {
  // eslint-disable-next-line no-control-regex -- the summary carries ANSI colour escapes
  const plain = output.replace(/\u001b\[[0-9;]*m/g, "");
  const last = (word: string): number => {
    const all = [...plain.matchAll(new RegExp(`^\\s*(\\d+) ${word}\\b`, "gm"))];
    return all.length === 0 ? 0 : Number(all[all.length - 1][1]);
  };
  return { passed: last("passing"), failed: last("failing") };
}

interface RunResult {
  code: number;
  output: string;
}

/**
 * Runs a command from the project root with `node_modules/.bin` on PATH, streaming its output; when `capture`
 * is set, also returns stdout and stderr as they arrived. Resolves with the exit code (1 when the command
 * was killed by a signal).
 */
function run(cmd: string, args: string[], capture = false): Promise<RunResult> {
  console.log(`\ntest-ci: $ ${[cmd, ...args].join(" ")}`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...process.env, PATH: `${BIN}${delimiter}${process.env.PATH ?? ""}` },
      stdio: ["inherit", capture ? "pipe" : "inherit", capture ? "pipe" : "inherit"],
    });
    const chunks: Buffer[] = [];
    if (capture) {
      child.stdout?.on("data", (b: Buffer) => {
        chunks.push(b);
        process.stdout.write(b);
      });
      child.stderr?.on("data", (b: Buffer) => {
        chunks.push(b);
        process.stderr.write(b);
      });
    }
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    const onInt = forward("SIGINT");
    const onTerm = forward("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    child.on("error", reject);
    // "close" fires after the child's output streams are drained, so `chunks` is complete.
    child.on("close", (code, signal) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      if (signal !== null) console.error(`test-ci: ${cmd} killed by ${signal}`);
      resolvePromise({ code: code ?? 1, output: Buffer.concat(chunks).toString("utf8") });
    });
  });
}

/** The file-size report (`npm run report:sizes`); it only informs, so a failure to list files is a note. */
function printSizeReport(): void {
  try {
    console.log(`test-ci: ${formatSizeReport(measure(ROOT))}`);
  } catch (err) {
    console.log(`test-ci: no file-size report (${(err as Error).message})`);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const coverageOnly = args.includes("--coverage-only");
  const unknown = args.filter((a) => a !== "--coverage-only");
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown.join(" ")}`);
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;

  let passed = 0;
  if (!coverageOnly) {
    const plain = plainOnlyFiles();
    if (plain.length > 0) {
      const result = await run("hardhat", ["test", "mocha", ...plain], true);
      if (result.code !== 0) process.exit(result.code);
      passed += countResults(result.output).passed;
      console.log(`\ntest-ci: plain-bytecode checks passed after ${elapsed()}`);
    }
  }

  const covered = await run("hardhat", ["--build-profile", "coverage", "test", "--coverage"], true);
  mkdirSync(join(ROOT, "coverage"), { recursive: true });
  writeFileSync(join(ROOT, REPORT), covered.output);
  console.log(`\ntest-ci: coverage run exited ${covered.code} after ${elapsed()}; output saved to ${REPORT}`);
  if (covered.code !== 0) process.exit(covered.code);
  passed += countResults(covered.output).passed;

  const floor = await run("tsx", [
    "scripts/coverage-floor.ts",
    "--floor",
    String(FLOOR),
    "--report",
    REPORT,
    "--require-statements",
  ]);
  if (floor.code !== 0) process.exit(floor.code);
  console.log(`\ntest-ci: done in ${elapsed()}, coverage floor ${FLOOR} % of lines and statements met`);
  printSizeReport();
  // One closing line in the plain "N passed, N failed" form; tests of both runs, each run counted.
  console.log(`test-ci: ${passed} passed, 0 failed`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
