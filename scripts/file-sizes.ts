/**
 * `npm run report:sizes`: the source files over 400 lines, longest first, so a file's growth shows the way
 * gas does (issue 19). `scripts/test-ci.ts` prints the same report at the end of its summary.
 *
 * Source files are the TypeScript, JavaScript and Solidity files git tracks or would track (untracked ones
 * that `.gitignore` does not exclude), less generated ones (`*.generated.*`; the SDK's ABIs and error
 * classes are git-ignored already). Lines are counted as `wc -l` does on a file ending in a newline, blank
 * and comment lines included.
 *
 * Usage: `tsx scripts/file-sizes.ts [--over N]` (default 400). It only reports: the exit code is 0 unless
 * the arguments are wrong (2) or git cannot list the files (1).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const DEFAULT_OVER = 400;
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs|sol)$/;
const GENERATED = /\.generated\./;

export interface FileSize {
  path: string;
  lines: number;
}

/** Lines in `text`: its newlines, plus one for a last line without one. */
export function countLines(text: string): number {
  if (text === "") return 0;
  const newlines = text.split("\n").length - 1;
  return text.endsWith("\n") ? newlines : newlines + 1;
}

/** Whether `path` (relative, `/`-separated) is a hand-written source file. */
export function isSourceFile(path: string): boolean {
  return SOURCE.test(path) && !GENERATED.test(path);
}

/** The source files under `root` (relative, `/`-separated, sorted), as git lists them. */
export function sourceFiles(root = ROOT): string[] {
  const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return [...new Set(listed.split("\0").filter((p) => p !== "" && isSourceFile(p)))].sort();
}

/** The files of `sizes` over `over` lines, longest first (ties by path). */
export function filesOver(sizes: readonly FileSize[], over = DEFAULT_OVER): FileSize[] {
  return sizes
    .filter((f) => f.lines > over)
    .sort((a, b) => b.lines - a.lines || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The report: a heading line with the counts, then one `  lines  path` line per file over the limit. */
export function formatSizeReport(sizes: readonly FileSize[], over = DEFAULT_OVER): string {
  const large = filesOver(sizes, over);
  const heading = `file sizes: ${large.length} of ${sizes.length} source files over ${over} lines`;
  const width = Math.max(0, ...large.map((f) => String(f.lines).length));
  return [heading, ...large.map((f) => `  ${String(f.lines).padStart(width)}  ${f.path}`)].join("\n");
}

/** Every source file under `root` with its line count. */
export function measure(root = ROOT): FileSize[] {
  return sourceFiles(root).map((path) => ({
    path,
    lines: countLines(readFileSync(join(root, path), "utf8")),
  }));
}

/** Parses `[--over N]`; throws on anything else. */
export function parseOver(args: readonly string[]): number {
  if (args.length === 0) return DEFAULT_OVER;
  if (args.length === 2 && args[0] === "--over" && /^[0-9]+$/.test(args[1])) return Number(args[1]);
  throw new Error(`usage: tsx scripts/file-sizes.ts [--over N] (got ${args.join(" ")})`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let over: number;
  try {
    over = parseOver(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  try {
    console.log(formatSizeReport(measure(), over));
  } catch (err) {
    console.error(`file-sizes: ${(err as Error).message}`);
    process.exit(1);
  }
}
