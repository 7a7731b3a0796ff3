/**
 * `atf relay …`: listed in the help here; `cli/main.ts` runs the order relay's own process
 * (relay/cli.ts) before this program parses anything.
 */
import type { Command } from "commander";

import { InputError } from "../errors.js";

/** `atf relay …` starts the order relay's process (handled by cli/main.ts, listed in the help here). */
export const RELAY_COMMAND = "relay";

export function registerRelay(program: Command): void {
  program
    .command(RELAY_COMMAND)
    .description(
      "Start the order relay (docs/relay.md), as npm run relay does, with the relay's own options\n" +
        "(atf relay --help lists them; atf's global options do not apply): runs until SIGINT or SIGTERM.",
    )
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      // cli/main.ts hands `atf relay …` to relay/cli.ts before this program parses anything; only
      // options given before `relay` reach here
      throw new InputError(
        "atf relay takes only the relay's own options, after the word relay: atf relay --port 8600 …",
      );
    });
}
