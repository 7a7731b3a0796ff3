/**
 * Wires a keeper from its validated configuration: real clock, JSON logs, metrics, job store, retrying
 * HTTP transport, sender, HTTP server, loop, and shutdown on SIGTERM/SIGINT.
 */
import { createPublicClient, type LocalAccount, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { INDEX_SPECS } from "../index/index.js";
import { clearinghouseAbi } from "../sdk/abi/generated/clearinghouse.js";
import { exchangeAbi } from "../sdk/abi/generated/exchange.js";
import { indexIdOf } from "../sdk/core/ids.js";
import { fetchMarket } from "../sdk/viem/clearinghouse/fetchMarket.js";
import { readIndex } from "../sdk/viem/oracle/readIndex.js";
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
import { readHead } from "./shell/chain.js";
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
import { accountOf } from "./shell/keys.js";
import { listenError, probeRpc, requireContract, shortError, StartupError } from "./shell/startup.js";
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

async function runtime(name: string, config: CommonConfig): Promise<Runtime> {
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
  const account = await accountOf(config);
  const jobs = new JobStore(config.jobStorePath);
  metrics.trackJobs(jobs);
  return {
    clock,
    log,
    metrics,
    jobs,
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

/** The common options with the keeper kind's default port applied. */
type ServedConfig = CommonConfig & { httpPort: number };

async function serve(
  rt: Runtime,
  config: ServedConfig,
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
    onReset: (reset) => options.sender?.resync(reset.to.number),
    afterTick:
      options.sender === undefined || config.dryRun
        ? undefined
        : async () => void (await options.sender?.refreshBalance()),
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
  let port: number;
  try {
    port = await server.start();
  } catch (error) {
    throw listenError(error, config.httpHost, config.httpPort);
  }
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
  /** The RPC client, when one is configured (the reporter can run without). */
  client?: PublicClient;
  /** The reporter's report-signing account, when configured apart from the keeper's key. */
  reportAccount?: LocalAccount;
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
type KeeperKind<C extends ServedConfig> = {
  /** Logger and metrics name. */
  name: string;
  /** The chain id when the configuration gives it; otherwise it is read from the RPC. */
  chainId?: (config: C) => number | undefined;
  /** A second account of the kind (the reporter's report-signing key). */
  accounts?: (config: C) => Promise<LocalAccount | undefined>;
  /** Start-up checks of the configured contracts and markets (throw `StartupError`). */
  check?: (config: C, client: PublicClient) => Promise<void>;
} & (
  | { sends: false; create: (config: C, wiring: Wiring) => Built }
  | { sends: true; create: (config: C, wiring: Wiring & { chain: ChainDeps }) => Built }
);

async function runKeeper<C extends ServedConfig>(
  kind: KeeperKind<C>,
  config: C,
  run: RunOptions,
): Promise<void> {
  const rt = await runtime(kind.name, config);
  const client = rt.client as PublicClient;
  const probed = config.rpcUrl === undefined ? undefined : await probeRpc(client, config.rpcUrl);
  const chainId = kind.chainId?.(config) ?? (probed as number);
  if (probed !== undefined) await kind.check?.(config, client);
  const extra = await kind.accounts?.(config);
  const wiring: Wiring = {
    reportAccount: extra,
    chainId,
    client: rt.client,
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

/** The oracle answers and knows the index. */
const checkOracle = async (
  config: { oracleAddress: `0x${string}`; indexName: string },
  client: PublicClient,
): Promise<void> =>
  requireContract(client, config.oracleAddress, "IndexOracle (--oracle-address)", () =>
    readIndex(client, { address: config.oracleAddress, indexId: indexIdOf(config.indexName) }),
  );

/** The Clearinghouse answers (`marketCount`). */
const checkClearinghouse = async (config: { clearinghouseAddress: `0x${string}` }, client: PublicClient) =>
  requireContract(client, config.clearinghouseAddress, "Clearinghouse (--clearinghouse-address)", () =>
    client.readContract({
      address: config.clearinghouseAddress,
      abi: clearinghouseAbi,
      functionName: "marketCount",
    }),
  );

const reporter: KeeperKind<ReporterConfigInput> = {
  name: "reporter",
  sends: false,
  chainId: (config) => config.chainId,
  check: checkOracle,
  accounts: (config) =>
    accountOf({
      privateKey: config.reportSigningKey,
      keystore: config.reportKeystore,
      keystorePasswordFile: config.reportKeystorePasswordFile,
      remoteSigner: config.reportRemoteSigner,
      signerAddress: config.reportSignerAddress,
    }),
  create: (config, w) => {
    const client = w.client;
    const keeper = new ReporterKeeper({
      spec: INDEX_SPECS[config.indexName],
      periodSeconds: config.periodSeconds,
      source: priceSourceOf(
        INDEX_SPECS[config.indexName].kind === "atpi-list"
          ? (config.prices ?? BUNDLED_PRICES)
          : config.source!,
      ),
      account: config.dryRun ? undefined : (w.reportAccount ?? w.account),
      domain: oracleDomain(w.chainId, config.oracleAddress),
      reportDir: config.reportDir,
      dryRun: config.dryRun,
      jobs: w.jobs,
      chainNow: client === undefined ? undefined : async () => (await readHead(client)).timestamp,
      ...w.shell,
    });
    return { keeper, routes: [keeper.route] };
  },
};

const relayer: KeeperKind<RelayerConfigInput> = {
  name: "relayer",
  sends: true,
  check: checkOracle,
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
  check: (config, client) =>
    requireContract(client, config.exchangeAddress, "Exchange (--exchange-address)", () =>
      client.readContract({
        address: config.exchangeAddress,
        abi: exchangeAbi,
        functionName: "clearinghouse",
      }),
    ),
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
  check: checkClearinghouse,
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
      hypotheticalMargin: w.account === undefined ? config.dryRunMargin : undefined,
      ...w.chain,
      jobs: w.jobs,
      ...w.shell,
    }),
  }),
};

const settler: KeeperKind<SettlerConfigInput> = {
  name: "settler",
  sends: true,
  check: async (config, client) => {
    await checkClearinghouse(config, client);
    for (const marketId of config.markets) {
      let expiry: bigint;
      try {
        const { market } = await fetchMarket(client, {
          address: config.clearinghouseAddress,
          marketId: marketId as MarketId,
        });
        expiry = market.params.expiry;
      } catch (error) {
        throw new StartupError(`unknown market id ${marketId} (--markets): ${shortError(error)}`);
      }
      if (expiry === 0n) throw new StartupError(`unknown market id ${marketId} (--markets): no such market`);
    }
  },
  create: (config, w) => ({
    keeper: new SettlerKeeper({
      clearinghouse: config.clearinghouseAddress,
      markets: config.markets as MarketId[],
      fromBlock: config.fromBlock,
      chunkSize: BigInt(config.logChunkSize),
      decide: {
        batchSize: config.batchSize,
        maxBatchesPerTick: config.maxBatchesPerTick,
        traderGraceSeconds: config.traderGraceSeconds,
      },
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
