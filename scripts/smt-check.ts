/**
 * Runs the compiler's SMTChecker on the harness contracts in `test/sol/smt/*.sol`, which call the math
 * libraries (`WadMath`, `CheckpointLib`, `MedianLib`, `MarketParamsLib`, `PositionMath` and the pure parts
 * of `MarginLogic`) and `assert` their documented properties under `require`d input ranges.
 *
 * The compiler is the npm `solc` WebAssembly build; it hands its SMT-LIB2 queries to a `z3` binary on
 * `PATH` through `solc/smtchecker` + `solc/smtsolver` (Debian: `apt-get install -y z3`). Every target
 * (each `assert`, and each checked-arithmetic overflow, underflow, division by zero and out-of-bounds
 * access on the analysed paths) is printed as `proved`, `unproved` (the solver gave up or timed out) or
 * `COUNTEREXAMPLE`. A harness file may select its engine with a `// smt-engine: bmc|chc|all` line (BMC
 * unrolls loops, which CHC may not prove), or `// smt-engine: skip` to run only when named. The script exits 1 on any counterexample, on a compilation error, or when no
 * solver is available; unproved targets are reported, not failed (see docs/SECURITY.md for which
 * libraries terminate).
 *
 * Usage: `tsx scripts/smt-check.ts [--engine chc|bmc|all] [--timeout ms] [file.sol ...]`
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

interface SolcError {
  severity: "error" | "warning" | "info";
  type: string;
  message: string;
  sourceLocation?: { file: string; start: number; end: number };
}
interface SolcOutput {
  errors?: SolcError[];
  contracts?: Record<string, Record<string, unknown>>;
}
interface Solc {
  compile(input: string, callbacks: Record<string, unknown>): string;
}
interface SmtSolverModule {
  smtSolver: (query: string, solver?: unknown) => string;
  availableSolvers: { name: string }[];
}

const solc = require("solc") as Solc;
const { smtCallback } = require("solc/smtchecker") as {
  smtCallback: (solve: SmtSolverModule["smtSolver"], solver: unknown) => unknown;
};
const { smtSolver, availableSolvers } = require("solc/smtsolver") as SmtSolverModule;

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const HARNESS_DIR = "test/sol/smt";

export type Status = "proved" | "unproved" | "counterexample";

export interface TargetResult {
  file: string;
  line: number;
  status: Status;
  message: string;
}

/** Classifies one SMTChecker message: `null` when it is not about a verification target. */
export function classify(message: string): Status | null {
  if (!/^(CHC|BMC):/.test(message)) return null;
  if (/ happens here/.test(message)) return "counterexample";
  if (/ might happen here|could not be proved|might not/.test(message)) return "unproved";
  if (/ is safe|check is safe|proved safe/i.test(message)) return "proved";
  return null;
}

/**
 * With both engines a target is reported twice: keep one entry per (location, check), a counterexample from
 * either engine first, then a proof from either, else unproved.
 */
export function mergeEngines(results: TargetResult[]): TargetResult[] {
  const rank: Record<Status, number> = { counterexample: 2, proved: 1, unproved: 0 };
  const check = (m: string) =>
    m.replace(/^(CHC|BMC): /, "").replace(/ (check is safe!|might happen here\.|happens here\.)$/, "");
  const best = new Map<string, TargetResult>();
  for (const r of results) {
    const key = `${r.file}:${r.line}:${check(r.message)}`;
    const seen = best.get(key);
    if (seen === undefined || rank[r.status] > rank[seen.status]) best.set(key, r);
  }
  return [...best.values()];
}

function findImport(path: string): { contents: string } | { error: string } {
  const candidates = [join(ROOT, path), join(ROOT, "node_modules", path)];
  for (const file of candidates) {
    try {
      return { contents: readFileSync(file, "utf8") };
    } catch {
      // try the next location
    }
  }
  return { error: `not found: ${path}` };
}

function lineOf(source: string, offset: number): number {
  return source.slice(0, offset).split("\n").length;
}

/** Runs the SMTChecker on one harness file and returns its targets. */
export function checkFile(
  file: string,
  engine: string,
  timeoutMs: number,
): { results: TargetResult[]; errors: string[]; engineUsed: string } {
  const source = readFileSync(join(ROOT, file), "utf8");
  // A harness may ask for another engine with a `// smt-engine: bmc|chc|all` line (loops over arrays).
  const marker = /^\/\/ smt-engine: (chc|bmc|all)$/m.exec(source);
  if (marker !== null && engine === "chc") engine = marker[1];
  const contractNames = [...source.matchAll(/^contract\s+(\w+)/gm)].map((m) => m[1]);
  const input = {
    language: "Solidity",
    sources: { [file]: { content: source } },
    settings: {
      optimizer: { enabled: false },
      evmVersion: "cancun",
      modelChecker: {
        contracts: { [file]: contractNames },
        engine,
        targets: ["assert", "underflow", "overflow", "divByZero", "outOfBounds"],
        timeout: timeoutMs,
        // BMC unrolls each loop this many times: enough for the harnesses' arrays of three (sound for them).
        ...(engine === "chc" ? {} : { bmcLoopIterations: 4 }),
        solvers: ["smtlib2"],
        showProvedSafe: true,
        showUnproved: true,
        showUnsupported: true,
      },
      outputSelection: { "*": { "": [] } },
    },
  };
  const output = JSON.parse(
    solc.compile(JSON.stringify(input), {
      import: findImport,
      smtSolver: smtCallback(smtSolver, availableSolvers[0]),
    }),
  ) as SolcOutput;
  const results: TargetResult[] = [];
  const errors: string[] = [];
  for (const e of output.errors ?? []) {
    if (e.severity === "error") {
      errors.push(e.message);
      continue;
    }
    const status = classify(e.message);
    if (status === null) continue;
    const where = e.sourceLocation;
    const text = where ? (findImport(where.file) as { contents?: string }).contents : undefined;
    results.push({
      file: where?.file ?? file,
      line: where && text !== undefined ? lineOf(text, where.start) : 0,
      status,
      message: e.message.split("\n")[0],
    });
  }
  return { results: mergeEngines(results), errors, engineUsed: engine };
}

function main(): void {
  const args = process.argv.slice(2);
  let engine = "chc";
  let timeoutMs = 20_000;
  const files: string[] = [];
  for (let i = 0; i < args.length; ++i) {
    if (args[i] === "--engine") engine = args[++i];
    else if (args[i] === "--timeout") timeoutMs = Number(args[++i]);
    else files.push(relative(ROOT, join(process.cwd(), args[i])));
  }
  if (!["chc", "bmc", "all"].includes(engine)) throw new Error(`unknown engine ${engine}`);
  if (availableSolvers.length === 0) {
    console.error("smt-check: no SMT solver on PATH (install z3: apt-get install -y z3)");
    process.exit(1);
  }
  // A harness marked `// smt-engine: skip` (no engine finishes it here) runs only when named explicitly.
  const harnesses =
    files.length > 0
      ? files
      : readdirSync(join(ROOT, HARNESS_DIR))
          .filter((f) => f.endsWith(".sol"))
          .sort()
          .map((f) => `${HARNESS_DIR}/${f}`)
          .filter((f) => {
            const skip = /^\/\/ smt-engine: skip$/m.test(readFileSync(join(ROOT, f), "utf8"));
            if (skip) console.log(`${f}: skipped (marked \`smt-engine: skip\`; name it to run it)`);
            return !skip;
          });
  console.log(`smt-check: engine ${engine}, solver ${availableSolvers[0].name}, ${timeoutMs} ms per query`);
  let failed = false;
  for (const file of harnesses) {
    const started = Date.now();
    const { results, errors, engineUsed } = checkFile(file, engine, timeoutMs);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const count = (s: Status) => results.filter((r) => r.status === s).length;
    console.log(
      `\n${file}: ${count("proved")} proved, ${count("unproved")} unproved, ` +
        `${count("counterexample")} counterexamples (${engineUsed}, ${seconds} s)`,
    );
    for (const e of errors) console.log(`  compile error: ${e}`);
    const sorted = [...results].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
    for (const r of sorted) {
      const tag = r.status === "counterexample" ? "COUNTEREXAMPLE" : r.status;
      console.log(`  ${tag.padEnd(14)} ${r.file}:${r.line}  ${r.message}`);
    }
    if (errors.length > 0 || results.some((r) => r.status === "counterexample")) failed = true;
  }
  if (failed) {
    console.error("\nsmt-check: FAILED (counterexample or compilation error)");
    process.exit(1);
  }
  console.log("\nsmt-check: no counterexample");
}

main();
