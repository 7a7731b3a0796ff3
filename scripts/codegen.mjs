#!/usr/bin/env node
/* global process, console, URL */
/**
 * Makes what the scripts import from generated sources exist and be current, so every README command
 * works on a fresh clone: compiles the contracts (artifacts, `typechain-types/`), then runs
 * `scripts/gen-abi.ts` (the SDK's `sdk/abi/generated/` and `sdk/core/errors/generated.ts`) when those are
 * missing or older than the artifacts. Checks the Node version first (one line and exit 1 when too old).
 *
 * Plain JavaScript with no dependencies of its own, so it runs before anything is generated.
 *
 * Usage: `node scripts/codegen.mjs [--if-stale]`. `--if-stale` (the CLI and keeper scripts) skips the
 * compiler too when every generated file is newer than every contract source.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const { isSupported, message } = require("./check-node.cjs");

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const GENERATED = [
  join(ROOT, "sdk", "abi", "generated", "index.ts"),
  join(ROOT, "sdk", "core", "errors", "generated.ts"),
  join(ROOT, "typechain-types", "index.ts"),
];

/** Newest modification time (ms) of the files under `dir` whose name passes `keep`; 0 when none. */
function newest(dir, keep) {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path, keep));
    else if (keep(entry.name)) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

/** Oldest modification time (ms) of the generated files; 0 when one is missing. */
function oldestGenerated() {
  if (!GENERATED.every((f) => existsSync(f))) return 0;
  return Math.min(...GENERATED.map((f) => statSync(f).mtimeMs));
}

function run(label, cmd, args) {
  console.log(`codegen: ${label}`);
  const result = spawnSync(cmd, args, {
    cwd: ROOT,
    stdio: "inherit",
    env: {
      ...process.env,
      PATH: `${join(ROOT, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`,
    },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!isSupported(process.versions.node)) {
  console.error(message(`v${process.versions.node}`));
  process.exit(1);
}

const ifStale = process.argv.includes("--if-stale");
const sources = Math.max(
  newest(join(ROOT, "contracts"), (n) => n.endsWith(".sol")),
  statSync(join(ROOT, "scripts", "gen-abi.ts")).mtimeMs,
);
if (ifStale && oldestGenerated() >= sources) process.exit(0);

const firstBuild = !existsSync(join(ROOT, "artifacts"));
run(
  firstBuild
    ? "compiling the contracts (first build: about 8 minutes, the via-IR pipeline of the WebAssembly compiler)…"
    : "compiling the contracts (only what changed)…",
  "hardhat",
  ["compile", "--quiet"],
);
const artifacts = newest(join(ROOT, "artifacts", "contracts"), (n) => n.endsWith(".json"));
if (oldestGenerated() < Math.max(artifacts, sources)) {
  run("generating the SDK's ABIs and error classes…", "tsx", [join("scripts", "gen-abi.ts")]);
}
