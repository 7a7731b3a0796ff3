#!/usr/bin/env node
/* global process, console, URL */
/**
 * Builds the SDK package output (run after `node scripts/codegen.mjs`):
 *
 * - `dist/sdk/`, `dist/typechain-types/`: ES modules and declarations (`tsconfig.build.json`);
 * - `dist/cjs/sdk/`, `dist/cjs/typechain-types/`: CommonJS and declarations (`tsconfig.build.cjs.json`),
 *   with `dist/cjs/package.json` saying `"type": "commonjs"` so Node and TypeScript read them as such.
 *
 * package.json `exports` sends `import` to the first and `require` to the second.
 *
 * Usage: `node scripts/build-sdk.mjs`
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

rmSync(join(ROOT, "dist"), { recursive: true, force: true });
for (const project of ["tsconfig.build.json", "tsconfig.build.cjs.json"]) {
  const result = spawnSync(process.execPath, [tsc, "-p", project], { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
mkdirSync(join(ROOT, "dist", "cjs"), { recursive: true });
writeFileSync(join(ROOT, "dist", "cjs", "package.json"), '{ "type": "commonjs" }\n');
console.log("build-sdk: dist/sdk (ESM) and dist/cjs/sdk (CommonJS), with declarations");
