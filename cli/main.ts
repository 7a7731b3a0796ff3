/**
 * `atf`, the protocol's command-line interface for traders and operators (see docs/cli.md).
 * Launched by `cli/bin.js` (tsx, no build step; `scripts/atf.js` forwards to it): `npm run atf -- --help`. `atf relay …` starts the
 * order relay (the same process as `npm run relay -- …`).
 */
import { pathToFileURL } from "node:url";

import { run, RELAY_COMMAND } from "./program.js";

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  if (argv[0] === RELAY_COMMAND) {
    // `atf relay …` is the order relay's own process (relay/cli.ts) with its own options: it runs until
    // SIGINT or SIGTERM. Its embedded database's warning filter loads before node:sqlite does.
    await import("../relay/store/quiet-sqlite.js");
    const relay = await import("../relay/cli.js");
    await relay.main(argv.slice(1));
    return;
  }
  process.exitCode = await run(argv, {
    out: (line) => process.stdout.write(line + "\n"),
    err: (line) => process.stderr.write(line + "\n"),
    env: process.env,
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
