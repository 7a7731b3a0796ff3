/**
 * `npm start`'s command line: the options of the local stack (scripts/start.ts), parsed into
 * `StackOptions`. See docs/local-stack.md.
 */
import { Command, InvalidArgumentError, Option } from "commander";

import type { StackOptions } from "./stack.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** The longest `--settler-grace`, seconds (a year). */
export const MAX_SETTLER_GRACE_SECONDS = 365 * 86_400;

/** `--settler-grace`: whole seconds, at most a year; anything else is an `InvalidArgumentError` naming it. */
export function parseSettlerGrace(v: string): number {
  if (!/^[0-9]+$/.test(v) || Number(v) > MAX_SETTLER_GRACE_SECONDS)
    throw new InvalidArgumentError(`--settler-grace: "${v}" is not a whole number of seconds up to a year`);
  return Number(v);
}

/** Parses `npm start`'s arguments (commander exits with its message on a bad one). */
export function parseStartOptions(argv: string[]): StackOptions {
  const port = (name: string) => (v: string) => {
    if (!/^[0-9]+$/.test(v) || Number(v) > 65535) throw new Error(`${name}: "${v}" is not a port number`);
    return Number(v);
  };
  const program = new Command("start")
    .description("Run the local stack: node, deployment, markets, keepers.")
    .addOption(
      new Option("--port <n>", "JSON-RPC port on 127.0.0.1 (0: any free port)")
        .default(8545)
        .argParser(port("--port"))
        .env("STACK_PORT"),
    )
    .addOption(
      new Option("--metrics-port-base <n>", "first keeper metrics port, the others follow (0: free ports)")
        .default(9460)
        .argParser(port("--metrics-port-base"))
        .env("STACK_METRICS_PORT_BASE"),
    )
    .addOption(
      new Option("--state-dir <dir>", "working directory, wiped at start")
        .default(".stack")
        .env("STACK_STATE_DIR"),
    )
    .addOption(
      new Option("--out-dir <dir>", "where localhost.json (the address book) is written")
        .default("deployments")
        .env("STACK_OUT_DIR"),
    )
    .addOption(
      new Option("--log-level <level>", "keepers' log level")
        .choices(LOG_LEVELS)
        .default("warn")
        .env("STACK_LOG_LEVEL"),
    )
    .addOption(new Option("--period <seconds>", "reporter observation period").default(60).argParser(Number))
    .addOption(
      new Option("--block-interval <ms>", "mine a block this often (0: only on transactions)")
        .default(2000)
        .argParser(Number),
    )
    .addOption(
      new Option(
        "--settler-grace <seconds>",
        "after a market's expiry, leave positions and claims to their traders this long before the settler " +
          "keeper settles them (it still proposes and finalizes the price at once)",
      )
        .default(0)
        .argParser(parseSettlerGrace)
        .env("STACK_SETTLER_GRACE"),
    )
    .parse(argv, { from: "user" });
  const o = program.opts<{
    port: number;
    metricsPortBase: number;
    stateDir: string;
    outDir: string;
    logLevel: StackOptions["logLevel"];
    period: number;
    blockInterval: number;
    settlerGrace: number;
  }>();
  return {
    host: "127.0.0.1",
    port: o.port,
    metricsPortBase: o.metricsPortBase,
    stateDir: o.stateDir,
    outDir: o.outDir,
    logLevel: o.logLevel,
    periodSeconds: o.period,
    blockIntervalMs: o.blockInterval,
    settlerGraceSeconds: o.settlerGrace,
    traderFunding: 1_000_000n,
    log: (line) => console.log(`[stack] ${line}`),
  };
}
