/**
 * `atf`, the protocol's command-line interface for traders and operators (see docs/cli.md).
 * Launched by `scripts/atf.js` (tsx, no build step): `npm run atf -- --help`.
 */
import { pathToFileURL } from "node:url";

import { run } from "./cli/program.js";

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await run(argv, {
    out: (line) => process.stdout.write(line + "\n"),
    err: (line) => process.stderr.write(line + "\n"),
    env: process.env,
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
