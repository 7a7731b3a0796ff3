/**
 * `atf`: the command-line interface for traders and operators, on top of the SDK. `run(argv, io)`
 * parses and runs one command and returns its exit code (0 ok, 1 failed or reverted, 2 bad input).
 */
import { Command, CommanderError, Option } from "commander";

import { registerCollateral } from "./commands/collateral.js";
import { registerCreateMarket } from "./commands/create-market.js";
import { registerHistory } from "./commands/history.js";
import { registerIndex } from "./commands/index-verify.js";
import { registerMarkets } from "./commands/markets.js";
import { registerOrder } from "./commands/order.js";
import { registerPositions } from "./commands/positions.js";
import { registerRelay } from "./commands/relay.js";
import { registerSettle } from "./commands/settle.js";
import { describeError, EXIT_BAD_INPUT, EXIT_OK, type ErrorUnits } from "./errors.js";
import { cliHelpers, type CliHelpers, type CliIo } from "./helpers.js";
import { DEFAULT_RELAY_URL } from "./relay.js";

export type { CliIo } from "./helpers.js";
export { RELAY_COMMAND } from "./commands/relay.js";

/** Each command (or group) registers itself; the order is the order `atf --help` lists them in. */
const COMMANDS: readonly ((program: Command, h: CliHelpers) => void)[] = [
  registerMarkets,
  registerPositions,
  registerCollateral,
  registerHistory,
  registerSettle,
  registerRelay,
  registerOrder,
  registerCreateMarket,
  registerIndex,
];

/** Builds the program: the global options, then every command. */
function buildProgram(io: CliIo, units: ErrorUnits): Command {
  const program = new Command("atf");
  const helpers = cliHelpers(io, units);

  program
    .description(
      "AI token futures: trade and operate the protocol from the command line.\n" +
        "Signing commands read the key from ATF_PRIVATE_KEY (never a flag). Amounts are human units:\n" +
        "collateral in tokens (100.5), prices in dollars per index unit (2.35), sizes in contracts.\n" +
        "Exit codes: 0 ok, 1 failed or reverted (the contract's error is printed), 2 bad input.",
    )
    .addOption(
      new Option("--deployment <file>", "address book written by the deployment")
        .default("deployments/localhost.json")
        .env("ATF_DEPLOYMENT"),
    )
    .addOption(
      new Option("--rpc-url <url>", "JSON-RPC endpoint (default http://127.0.0.1:8545)").env("ATF_RPC_URL"),
    )
    .addOption(
      new Option("--orders-file <file>", "use the file matcher's orders file (JSON) instead of the relay")
        .default(".stack/orders.json")
        .env("ATF_ORDERS_FILE"),
    )
    .addOption(
      new Option("--relay-url <url>", "the order relay for order place/list/cancel")
        .default(DEFAULT_RELAY_URL)
        .env("ATF_RELAY_URL"),
    )
    .addOption(
      new Option("--state-file <file>", "the CLI's nonce counters")
        .default(".atf/state.json")
        .env("ATF_STATE_FILE"),
    )
    .option("--json", "read commands print one JSON document instead of lines")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, "")),
      writeErr: (s) => io.err(s.replace(/\n$/, "")),
    });

  for (const register of COMMANDS) register(program, helpers);
  return program;
}

/** Runs one command line (without `node atf`), returns the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const units: ErrorUnits = {};
  const program = buildProgram(io, units);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; every parse error is bad input
      return err.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
    }
    const { code, lines } = describeError(err, units);
    for (const line of lines) io.err(line);
    return code;
  }
}
