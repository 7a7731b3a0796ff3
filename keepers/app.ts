/**
 * Wires a keeper from its validated configuration: real clock, JSON logs, metrics, job store, retrying
 * HTTP transport, sender, HTTP server, loop, and shutdown on SIGTERM/SIGINT.
 */
import { createPublicClient, type LocalAccount, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { INDEX_SPECS } from "../index/index.js";
import { exchangeDomain } from "../sdk/core/eip712/orders.js";
import { oracleDomain } from "../sdk/core/eip712/reports.js";
import type { MarketId } from "../sdk/core/ids.js";
import type {
  LiquidatorConfigInput,
  MatcherConfigInput,
  RelayerConfigInput,
  ReporterConfigInput,
  SettlerConfigInput,
} from "./configs.js";
import { LiquidatorKeeper } from "./liquidator/keeper.js";
import { MatcherKeeper } from "./matcher/keeper.js";
import { jsonFileOrderSource } from "./matcher/orders.js";
import { directoryReportSource, httpReportSource, RelayerKeeper } from "./relayer/keeper.js";
import { BUNDLED_PRICES, priceSourceOf, ReporterKeeper } from "./reporter/keeper.js";
import { SettlerKeeper } from "./settler/keeper.js";
import { systemClock, type Clock } from "./shell/clock.js";
import type { CommonConfig } from "./shell/config.js";
import { JobStore } from "./shell/jobs.js";
import { createLogger, type Logger } from "./shell/log.js";
import { KeeperMetrics } from "./shell/metrics.js";
import {
  abortOnSignals,
  KeeperRunner,
  type ChainDeps,
  type ShellDeps,
  type TickSource,
} from "./shell/runner.js";
import { TxSender } from "./shell/sender.js";
import { KeeperServer, type RouteHandler } from "./shell/server.js";
import { httpProvider, resilientTransport } from "./shell/transport.js";

const BPS_TO_WAD = 10n ** 14n;

/**
 * How an embedding process runs a keeper: by default the keeper stops on SIGTERM/SIGINT; with
 * `signal` it stops when that signal aborts instead (and installs no process handlers), so one
 * process can run several keepers and stop them in its own order (`scripts/start.ts`).
 */
export interface RunOptions {
  signal?: AbortSignal;
  /** Called with the metrics/health server's bound port once it listens (useful with port 0). */
  onListening?: (port: number) => void;
}

interface Runtime {
  clock: Clock;
  log: Logger;
  metrics: KeeperMetrics;
  jobs: JobStore;
  controller: AbortController;
  client?: PublicClient;
  account?: LocalAccount;
}

function runtime(name: string, config: CommonConfig): Runtime {
  const clock = systemClock;
  const log = createLogger(name, config.logLevel);
  const metrics = new KeeperMetrics(name, { defaultMetrics: true });
  const client =
    config.rpcUrl === undefined
      ? undefined
      : (createPublicClient({
          transport: resilientTransport(httpProvider(config.rpcUrl), {
            clock,
            timer: systemClock,
            timeoutMs: config.rpcTimeoutMs,
            attempts: config.retryAttempts,
            baseMs: config.retryBaseMs,
            maxMs: config.retryMaxMs,
            metrics,
            onRetry: (method, attempt, delayMs, error) =>
              log.warn({ method, attempt, delayMs, err: error }, "RPC call failed, retrying"),
          }),
        }) as PublicClient);
  const account = config.privateKey === undefined ? undefined : privateKeyToAccount(config.privateKey);
  return {
    clock,
    log,
    metrics,
    jobs: new JobStore(config.jobStorePath),
    controller: new AbortController(),
    client,
    account,
  };
}

function senderFor(rt: Runtime, config: CommonConfig, chainId: number): TxSender {
  if (rt.client === undefined) throw new Error("rpcUrl is required");
  return new TxSender({
    client: rt.client,
    // dry-run without a key simulates from a throwaway address and never signs anything
    account: rt.account ?? privateKeyToAccount(generatePrivateKey()),
    chainId,
    jobs: rt.jobs,
    clock: rt.clock,
    log: rt.log,
    metrics: rt.metrics,
    options: {
      dryRun: config.dryRun,
      stuckAfterMs: config.stuckAfterMs,
      feeBumpPercent: config.feeBumpPercent,
      maxFeeBumps: config.maxFeeBumps,
      receiptPollMs: Math.min(config.pollIntervalMs, 2_000),
    },
    signal: rt.controller.signal,
  });
}

async function serve(
  rt: Runtime,
  config: CommonConfig,
  keeper: TickSource,
  options: { routes?: RouteHandler[]; sender?: TxSender },
  run: RunOptions = {},
): Promise<void> {
  const runner = new KeeperRunner({
    keeper,
    clock: rt.clock,
    log: rt.log,
    metrics: rt.metrics,
    pollIntervalMs: config.pollIntervalMs,
    blocks: options.sender === undefined ? undefined : rt.client,
  });
  const server = new KeeperServer({
    host: config.httpHost,
    port: config.httpPort,
    metrics: rt.metrics,
    health: runner,
    clock: rt.clock,
    staleMs: config.healthStaleMs,
    routes: options.routes,
  });
  const port = await server.start();
  rt.log.info({ host: config.httpHost, port, dryRun: config.dryRun }, "metrics and health server listening");
  run.onListening?.(port);
  const removeHandlers =
    run.signal === undefined ? abortOnSignals(rt.controller, rt.log) : linkAbort(run.signal, rt);
  try {
    await options.sender?.recover();
    await runner.run(rt.controller.signal);
  } finally {
    removeHandlers();
    await server.close();
    rt.log.info("server closed");
  }
}

/** Aborts the keeper's controller when `signal` aborts; returns the unlink function. */
function linkAbort(signal: AbortSignal, rt: Runtime): () => void {
  const onAbort = () => {
    rt.log.info("shutdown requested");
    rt.controller.abort();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  return () => signal.removeEventListener("abort", onAbort);
}

/** What a keeper kind's constructor gets from the runtime, beside its own configuration. */
interface Wiring {
  chainId: number;
  account?: LocalAccount;
  jobs: JobStore;
  shell: ShellDeps;
}

/** A built keeper and the extra routes its HTTP server serves. */
interface Built {
  keeper: TickSource;
  routes?: RouteHandler[];
}

/**
 * One row of the keeper table: how to build a keeper of this kind from its validated configuration.
 * A kind that `sends` gets a `TxSender` (recovered before the loop starts) and ticks on new blocks;
 * one that does not ticks on the poll interval only.
 */
type KeeperKind<C extends CommonConfig> = {
  /** Logger and metrics name. */
  name: string;
  /** The chain id when the configuration gives it; otherwise it is read from the RPC. */
  chainId?: (config: C) => number | undefined;
} & (
  | { sends: false; create: (config: C, wiring: Wiring) => Built }
  | { sends: true; create: (config: C, wiring: Wiring & { chain: ChainDeps }) => Built }
);

async function runKeeper<C extends CommonConfig>(
  kind: KeeperKind<C>,
  config: C,
  run: RunOptions,
): Promise<void> {
  const rt = runtime(kind.name, config);
  const client = rt.client as PublicClient;
  const chainId = kind.chainId?.(config) ?? (await client.getChainId());
  const wiring: Wiring = {
    chainId,
    account: rt.account,
    jobs: rt.jobs,
    shell: { clock: rt.clock, log: rt.log, metrics: rt.metrics },
  };
  if (!kind.sends) {
    const { keeper, routes } = kind.create(config, wiring);
    await serve(rt, config, keeper, { routes }, run);
    return;
  }
  const sender = senderFor(rt, config, chainId);
  const { keeper, routes } = kind.create(config, { ...wiring, chain: { client, sender } });
  await serve(rt, config, keeper, { routes, sender }, run);
}

const reporter: KeeperKind<ReporterConfigInput> = {
  name: "reporter",
  sends: false,
  chainId: (config) => config.chainId,
  create: (config, w) => {
    const keeper = new ReporterKeeper({
      spec: INDEX_SPECS[config.indexName],
      periodSeconds: config.periodSeconds,
      source: priceSourceOf(
        INDEX_SPECS[config.indexName].kind === "atpi-list"
          ? (config.prices ?? BUNDLED_PRICES)
          : config.source!,
      ),
      account: config.dryRun ? undefined : w.account,
      domain: oracleDomain(w.chainId, config.oracleAddress),
      reportDir: config.reportDir,
      dryRun: config.dryRun,
      jobs: w.jobs,
      ...w.shell,
    });
    return { keeper, routes: [keeper.route] };
  },
};

const relayer: KeeperKind<RelayerConfigInput> = {
  name: "relayer",
  sends: true,
  create: (config, w) => ({
    keeper: new RelayerKeeper({
      indexName: config.indexName,
      oracle: config.oracleAddress,
      domain: oracleDomain(w.chainId, config.oracleAddress),
      sources: [
        ...config.reporterUrls.map((u) => httpReportSource(u, config.indexName)),
        ...(config.reportDir === undefined
          ? []
          : [directoryReportSource(config.reportDir, config.indexName)]),
      ],
      decide: {
        heartbeatSeconds: BigInt(config.heartbeatSeconds),
        deviationThreshold: BigInt(config.deviationBps) * BPS_TO_WAD,
        agreementTolerance: BigInt(config.agreementBps) * BPS_TO_WAD,
        freshnessMarginSeconds: BigInt(config.freshnessMarginSeconds),
      },
      ...w.chain,
      ...w.shell,
    }),
  }),
};

const matcher: KeeperKind<MatcherConfigInput> = {
  name: "matcher",
  sends: true,
  create: (config, w) => ({
    keeper: new MatcherKeeper({
      exchange: config.exchangeAddress,
      domain: exchangeDomain(w.chainId, config.exchangeAddress),
      source: jsonFileOrderSource(config.ordersFile),
      decide: { maxMakers: config.maxMakers, expiryMarginSeconds: BigInt(config.expiryMarginSeconds) },
      ...w.chain,
      ...w.shell,
    }),
  }),
};

const liquidator: KeeperKind<LiquidatorConfigInput> = {
  name: "liquidator",
  sends: true,
  create: (config, w) => ({
    keeper: new LiquidatorKeeper({
      clearinghouse: config.clearinghouseAddress,
      fromBlock: config.fromBlock,
      chunkSize: BigInt(config.logChunkSize),
      decide: {
        minProfit: config.minProfit,
        gasUnits: BigInt(config.gasUnits),
        nativePrice: config.nativeTokenPriceUsd,
        slippage: BigInt(config.slippageBps) * BPS_TO_WAD,
        expiryMarginSeconds: BigInt(config.expiryMarginSeconds),
        marginBuffer: BigInt(config.marginBufferBps) * BPS_TO_WAD,
        maxCounterparties: config.maxCounterparties,
      },
      ...w.chain,
      jobs: w.jobs,
      ...w.shell,
    }),
  }),
};

const settler: KeeperKind<SettlerConfigInput> = {
  name: "settler",
  sends: true,
  create: (config, w) => ({
    keeper: new SettlerKeeper({
      clearinghouse: config.clearinghouseAddress,
      markets: config.markets as MarketId[],
      fromBlock: config.fromBlock,
      chunkSize: BigInt(config.logChunkSize),
      decide: { batchSize: config.batchSize, maxBatchesPerTick: config.maxBatchesPerTick },
      ...w.chain,
      jobs: w.jobs,
      ...w.shell,
    }),
  }),
};

/** Runs a reporter until it is stopped (see `RunOptions`). */
export const runReporter = (config: ReporterConfigInput, run: RunOptions = {}): Promise<void> =>
  runKeeper(reporter, config, run);
/** Runs a relayer until it is stopped (see `RunOptions`). */
export const runRelayer = (config: RelayerConfigInput, run: RunOptions = {}): Promise<void> =>
  runKeeper(relayer, config, run);
/** Runs a matcher until it is stopped (see `RunOptions`). */
export const runMatcher = (config: MatcherConfigInput, run: RunOptions = {}): Promise<void> =>
  runKeeper(matcher, config, run);
/** Runs a liquidator until it is stopped (see `RunOptions`). */
export const runLiquidator = (config: LiquidatorConfigInput, run: RunOptions = {}): Promise<void> =>
  runKeeper(liquidator, config, run);
/** Runs a settler until it is stopped (see `RunOptions`). */
export const runSettler = (config: SettlerConfigInput, run: RunOptions = {}): Promise<void> =>
  runKeeper(settler, config, run);
