/**
 * `keepers reporter|relayer|matcher|liquidator|settler [options]`. Every option can also come from a `--config` JSON file
 * (same names) or from the environment as `KEEPER_<NAME_IN_SNAKE_CASE>`; flags win over the
 * environment, which wins over the file. Keys come from the environment (`KEEPER_PRIVATE_KEY`), an
 * encrypted keystore or a remote signer; a private key given as a flag is refused.
 */
import { Command, Option } from "commander";

import {
  liquidatorConfigSchema,
  matcherConfigSchema,
  relayerConfigSchema,
  reporterConfigSchema,
  settlerConfigSchema,
} from "./configs.js";
import { runLiquidator, runMatcher, runRelayer, runReporter, runSettler } from "./app.js";
import { isPrintOnly, printDryRun } from "./reporter/cli.js";
import { ConfigError, loadConfig } from "./shell/config.js";
import { KeyError } from "./shell/keys.js";
import { StartupError } from "./shell/startup.js";

function common(command: Command): Command {
  return command
    .option("--config <file>", "JSON file with any of these options (flags and environment override it)")
    .option(
      "--deployment <file|network>",
      "address book (a file, or deployments/<network>.json) filling the contract addresses (env KEEPER_DEPLOYMENT)",
    )
    .option("--rpc-url <url>", "JSON-RPC endpoint (env KEEPER_RPC_URL)")
    .addOption(new Option("--private-key <hex>").hideHelp())
    .option(
      "--keystore <file>",
      "encrypted keystore (Web3 Secret Storage JSON) of the key (env KEEPER_KEYSTORE)",
    )
    .option(
      "--keystore-password-file <file>",
      "file whose first line is the keystore password; without it the password is asked at a prompt",
    )
    .option(
      "--remote-signer <url>",
      "remote signer JSON-RPC URL (Web3Signer, Clef) (env KEEPER_REMOTE_SIGNER)",
    )
    .option("--signer-address <address>", "address the remote signer signs for")
    .option("--dry-run", "decide and simulate, never sign or send (env KEEPER_DRY_RUN=true)")
    .option("--http-host <host>", "host of the /metrics and /healthz server (default 127.0.0.1)")
    .option(
      "--http-port <port>",
      "port of the /metrics and /healthz server (default: reporter 9480, relayer 9481, matcher 9482, liquidator 9483, settler 9484; 0 = any free port)",
    )
    .option("--poll-interval-ms <ms>", "milliseconds between block polls (default 4000)")
    .option("--health-stale-ms <ms>", "/healthz fails once the last tick is older than this (default 120000)")
    .option(
      "--job-store-path <file>",
      "persist jobs here so a restart never sends a duplicate (default: memory)",
    )
    .option("--log-level <level>", "trace|debug|info|warn|error|fatal|silent (default info)")
    .option("--retry-attempts <n>", "attempts per RPC call on transient errors (default 5)")
    .option("--retry-base-ms <ms>", "first backoff cap, doubled each retry, with full jitter (default 250)")
    .option("--retry-max-ms <ms>", "largest backoff cap (default 10000)")
    .option("--rpc-timeout-ms <ms>", "timeout of one RPC call (default 15000)")
    .option("--stuck-after-ms <ms>", "replace an unmined transaction after this long (default 60000)")
    .option("--fee-bump-percent <n>", "fee increase per replacement, at least 10 (default 20)")
    .option("--max-fee-bumps <n>", "replacements before the job waits for the next tick (default 3)");
}

/** Options of the keepers that read Clearinghouse events. */
function events(command: Command): Command {
  return command
    .option("--clearinghouse-address <address>", "(required unless --deployment) Clearinghouse address")
    .option(
      "--from-block <n>",
      "first block of the event backfill: the Clearinghouse's deployment (default 0)",
    )
    .option("--log-chunk-size <n>", "blocks per eth_getLogs request (default 2000)");
}

/** Where the program writes its one-line errors and reads its environment (tests pass their own). */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  stderr: (text: string) => void;
  /** Set to the exit code on a configuration or start-up error. */
  exit: { code: number };
}

const processIo = (): CliIo => ({
  env: process.env,
  stderr: (text) => process.stderr.write(text),
  exit: { code: 0 },
});

async function start<T>(
  io: CliIo,
  schema: Parameters<typeof loadConfig>[0],
  opts: Record<string, unknown>,
  run: (c: T) => Promise<void>,
) {
  const { config: file, deployment, ...flags } = opts;
  if (flags.privateKey !== undefined || flags.reportSigningKey !== undefined) {
    io.stderr(
      "a private key on the command line shows in the process list: use KEEPER_PRIVATE_KEY, --keystore or --remote-signer\n",
    );
    io.exit.code = 2;
    return;
  }
  try {
    const config = loadConfig(schema, {
      deployment: deployment as string | undefined,
      file: file as string | undefined,
      env: io.env,
      flags,
    }) as T;
    await run(config);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StartupError || error instanceof KeyError) {
      io.stderr(`${error.message}\n`);
      io.exit.code = 2;
      return;
    }
    throw error;
  }
}

/** The command-line program (exported for tests). */
export function buildProgram(io: CliIo = processIo()): Command {
  const program = new Command()
    .name("keepers")
    .description(
      "Off-chain keepers of the AI token futures protocol. Each runs a loop: read state, decide (a pure function), " +
        "simulate, send; JSON logs on stdout, Prometheus metrics at /metrics and a health check at /healthz.",
    );

  common(
    program
      .command("reporter")
      .description(
        "Compute an index from public prices (a CSV, or genai-prices data for the ATPI 2.0.0 indices) with the index " +
          "methodology, sign the EIP-712 report, and publish it at GET /report/<indexName> (and in " +
          "--report-dir/<indexName>/<signer>.json). Sends no transactions. --dry-run alone (no index, oracle or " +
          "config) prints today's ATPI 2.0.0 values and constituent tables from --prices (default bundled).",
      )
      .option(
        "--index-name <name>",
        "(required) index to report: ATPI-FRONTIER-V2, ATPI-SMALL-V2, ATPI-FRONTIER, ATPI-SMALL or GPU-H100",
      )
      .option(
        "--source <path|url>",
        "price CSV (ATPI 1.0.0, GPU-H100): a file path or an http(s) URL serving it",
      )
      .option(
        "--prices <bundled|path|url>",
        "genai-prices data (ATPI 2.0.0): bundled (default), a data.json or snapshot CSV path, or a URL",
      )
      .option(
        "--oracle-address <address>",
        "(required unless --deployment) IndexOracle address (EIP-712 verifying contract)",
      )
      .option("--chain-id <id>", "chain id of the EIP-712 domain (read from --rpc-url when absent)")
      .option("--period-seconds <s>", "observation period; observedAt is aligned to it (default 3600)")
      .option("--report-dir <dir>", "also write each signed report to this shared directory")
      .addOption(new Option("--report-signing-key <hex>").hideHelp())
      .option(
        "--report-keystore <file>",
        "keystore of the report-signing key when it differs from the keeper's key (env KEEPER_REPORT_SIGNING_KEY for a raw key)",
      )
      .option("--report-keystore-password-file <file>", "password file of --report-keystore")
      .option("--report-remote-signer <url>", "remote signer of the report-signing key")
      .option("--report-signer-address <address>", "address --report-remote-signer signs for"),
  ).action((opts: Record<string, unknown>) =>
    isPrintOnly(opts) ? printDryRun(opts) : start(io, reporterConfigSchema, opts, runReporter),
  );

  common(
    program
      .command("relayer")
      .description(
        "Collect reporters' signed reports and call IndexOracle.submit when a quorum of fresh reports agrees, " +
          "on the heartbeat or on a deviation; never resubmits a round already accepted.",
      )
      .option("--index-name <name>", "(required) index to relay")
      .option("--oracle-address <address>", "(required unless --deployment) IndexOracle address")
      .option("--reporter-urls <urls>", "comma-separated reporter base URLs (GET <url>/report/<indexName>)")
      .option("--report-dir <dir>", "shared directory the reporters write to")
      .option("--heartbeat-seconds <s>", "submit when this long passed since the last round (default 3600)")
      .option("--deviation-bps <bps>", "submit when the value moved this much (default 50 = 0.5 %)")
      .option("--agreement-bps <bps>", "reports within this of the median agree (default 10)")
      .option(
        "--freshness-margin-seconds <s>",
        "skip reports this close to the oracle's maxAge (default 30)",
      ),
  ).action((opts: Record<string, unknown>) => start(io, relayerConfigSchema, opts, runRelayer));

  common(
    program
      .command("matcher")
      .description(
        "Read signed orders, find crossing buy and sell orders per market in price-time priority, and call " +
          "Exchange.matchOrders (one taker, several makers); orders that fail simulation are dropped with the reason.",
      )
      .option("--exchange-address <address>", "(required unless --deployment) Exchange address")
      .option("--orders-file <file>", "(required) JSON array of { order, signature }, re-read every tick")
      .option("--max-makers <n>", "makers per matchOrders call (default 8)")
      .option("--expiry-margin-seconds <s>", "leave orders expiring within this alone (default 10)"),
  ).action((opts: Record<string, unknown>) => start(io, matcherConfigSchema, opts, runMatcher));

  common(
    events(
      program
        .command("liquidator")
        .description(
          "Track accounts from Clearinghouse events, value them with the SDK's Clearinghouse math, and liquidate " +
            "accounts below maintenance margin when the keeper's margin allows and the penalty share beats the gas " +
            "cost; deleverage bankrupt accounts the insurance fund cannot cover, most profitable counterparties first.",
        ),
    )
      .option("--min-profit <units>", "smallest reward minus gas cost, collateral units (default 0)")
      .option("--gas-units <n>", "gas one liquidation is assumed to use (default 250000)")
      .option(
        "--native-token-price-usd <dollars>",
        "dollars per native token, for the gas cost (default 3000)",
      )
      .option("--slippage-bps <bps>", "price limit beyond the mark (default 50 = 0.5 %)")
      .option("--expiry-margin-seconds <s>", "leave markets expiring within this alone (default 60)")
      .option("--margin-buffer-bps <bps>", "keep equity above initial margin by this much (default 1000)")
      .option("--max-counterparties <n>", "counterparties per deleverage call (default 8)")
      .option(
        "--dry-run-margin <tokens>",
        "dry run without a key: collateral the keeper is assumed to hold, whole tokens (default 100000)",
      ),
  ).action((opts: Record<string, unknown>) => start(io, liquidatorConfigSchema, opts, runLiquidator));

  common(
    events(
      program
        .command("settler")
        .description(
          "Walk expired markets to the end: proposeSettlement after expiry, finalizeSettlement after the dispute " +
            "window (or the fallback after its deadline), then settleMany in batches until no position is open, " +
            "then settleMany again for accounts whose claims are unpaid.",
        ),
    )
      .option("--markets <ids>", "comma-separated market ids (default: every market of the Clearinghouse)")
      .option("--batch-size <n>", "accounts per settleMany (default 50)")
      .option("--max-batches-per-tick <n>", "settleMany calls per market per tick (default 4)")
      .option(
        "--trader-grace-seconds <n>",
        "seconds after expiry that positions and claims are left to their traders before settleMany (default 0)",
      ),
  ).action((opts: Record<string, unknown>) => start(io, settlerConfigSchema, opts, runSettler));

  return program;
}

/**
 * Runs the program on `argv` (node-style: the first two entries are skipped) until the keeper stops;
 * returns the exit code: 2 for a bad configuration or a failed start-up check, with one line on stderr.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  await buildProgram(io).parseAsync([...argv]);
  return io.exit.code;
}

/** Parses `argv` and runs the chosen keeper until it is stopped. */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const code = await runCli(argv);
  if (code !== 0) process.exitCode = code;
}

// run directly (`tsx keepers/cli.ts …`); `keepers/bin.js` calls `main` itself
if (process.argv[1] !== undefined && /cli\.ts$/.test(process.argv[1])) await main();
