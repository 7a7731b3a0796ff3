/**
 * Wiring: database (embedded `node:sqlite` file, or PostgreSQL when the URL says so), chain client,
 * optional match sender (the keepers' `TxSender` with its job store), the service, the HTTP/WebSocket
 * server and the loop (one tick per `pollIntervalMs`, stopped by an `AbortSignal`).
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";

import { createPublicClient, http, type Address, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { systemClock, type Clock } from "../keepers/shell/clock.js";
import { JobStore } from "../keepers/shell/jobs.js";
import { createLogger, type Logger } from "../keepers/shell/log.js";
import { KeeperMetrics } from "../keepers/shell/metrics.js";
import { TxSender } from "../keepers/shell/sender.js";
import { exchangeDomain } from "../sdk/core/eip712/orders.js";
import { RelayChain, type RelayAddresses } from "./server/chain.js";
import { RelayHttpServer, type HttpOptions } from "./server/http.js";
import { AdvisoryLease, soleLease, type Lease } from "./server/lease.js";
import { RelayService, type RelayConfig } from "./server/service.js";
import { openDb, PostgresDb } from "./store/db.js";
import { RelayStore } from "./store/store.js";

export interface RelayOptions {
  rpcUrl?: string;
  /** A ready client (tests: the in-process chain); otherwise one over `rpcUrl`. */
  client?: PublicClient;
  chainId: number;
  addresses: RelayAddresses;
  fromBlock: bigint;
  /** A PostgreSQL URL, or an SQLite file path (`:memory:` for tests). */
  databaseUrl: string;
  /** The key that signs `matchOrders` transactions; without it the relay never submits matches. */
  senderKey?: Hex;
  /** Where the sender's job store is kept (JSON); in memory when left out. */
  jobStorePath?: string;
  http: HttpOptions;
  pollIntervalMs: number;
  /** How long an accepted order may wait to share its group's commit (default 2 ms). */
  groupCommitMs?: number;
  /**
   * PostgreSQL only: how long the match-lease holder may go without a heartbeat before the server ends its
   * session and another process takes over (default 10 s; `relay/server/lease.ts`).
   */
  leaseTimeoutMs?: number;
  /** How old the chain head may be when an order is validated (default 250 ms). */
  headMaxAgeMs?: number;
  maxMakers: number;
  expiryMarginSeconds: bigint;
  maxOpenOrders: number;
  logLevel: string;
  clock?: Clock;
  log?: Logger;
}

export const DEFAULT_HTTP: HttpOptions = {
  host: "127.0.0.1",
  port: 8600,
  maxBodyBytes: 16 * 1024,
  perIp: { perSecond: 200, burst: 400 },
  perTrader: { perSecond: 50, burst: 100 },
  snapshotLevels: 50,
};

export interface RunningRelay {
  url: string;
  service: RelayService;
  http: RelayHttpServer;
  /** Runs one tick now (tests drive the loop themselves with `pollIntervalMs: 0`). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a relay; with `pollIntervalMs > 0` it ticks on its own until `stop`. */
export async function startRelay(options: RelayOptions): Promise<RunningRelay> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger("relay", options.logLevel);
  const client = options.client ?? (createPublicClient({ transport: http(options.rpcUrl) }) as PublicClient);
  if (!/^postgres(ql)?:/.test(options.databaseUrl) && options.databaseUrl !== ":memory:") {
    mkdirSync(dirname(options.databaseUrl), { recursive: true });
  }
  const db = openDb(options.databaseUrl);
  const store = new RelayStore(db);
  const lease: Lease =
    db instanceof PostgresDb
      ? new AdvisoryLease(db.pool, {
          timeoutMs: options.leaseTimeoutMs,
          onLost: (reason) =>
            log.warn({ reason }, "match lease lost: matching stops until it is taken again"),
        })
      : soleLease;
  const controller = new AbortController();
  let sender: TxSender | undefined;
  if (options.senderKey !== undefined) {
    sender = new TxSender({
      client,
      account: privateKeyToAccount(options.senderKey),
      chainId: options.chainId,
      jobs: new JobStore(options.jobStorePath),
      clock,
      log,
      metrics: new KeeperMetrics("relay"),
      options: {
        dryRun: false,
        stuckAfterMs: 30_000,
        feeBumpPercent: 20,
        maxFeeBumps: 3,
        receiptPollMs: 200,
      },
      signal: controller.signal,
    });
  }
  const config: RelayConfig = {
    domain: exchangeDomain(options.chainId, options.addresses.exchange),
    addresses: options.addresses,
    fromBlock: options.fromBlock,
    match: { maxMakers: options.maxMakers, expiryMarginSeconds: options.expiryMarginSeconds },
    validation: { expiryMarginSeconds: options.expiryMarginSeconds, maxOpenOrders: options.maxOpenOrders },
    maxIsolations: 8,
    groupCommitMs: options.groupCommitMs ?? 2,
  };
  const service = new RelayService({
    chain: new RelayChain(client, options.addresses, clock, options.headMaxAgeMs ?? 250),
    store,
    sender,
    lease,
    clock,
    log,
    config,
  });
  await service.start();
  if (sender !== undefined)
    await sender.recover().catch((err: unknown) => log.warn({ err }, "job recovery failed"));
  const server = new RelayHttpServer(service, options.http, clock, log);
  let url: string;
  try {
    url = await server.listen();
  } catch (error) {
    controller.abort();
    await lease.release();
    await db.close();
    throw error;
  }
  log.info({ url, database: db.kind }, "relay listening");

  let ticking: Promise<void> = Promise.resolve();
  const tick = () => {
    ticking = ticking.then(() =>
      service.tick().catch((err: unknown) => {
        log.error({ err }, "relay tick failed");
      }),
    );
    return ticking;
  };
  let loop: Promise<void> = Promise.resolve();
  if (options.pollIntervalMs > 0) {
    loop = (async () => {
      while (!controller.signal.aborted) {
        await tick();
        await clock.sleep(options.pollIntervalMs, controller.signal);
      }
    })();
  }
  let stopping: Promise<void> | undefined;
  return {
    url,
    service,
    http: server,
    tick,
    stop: () =>
      (stopping ??= (async () => {
        controller.abort();
        await loop;
        await ticking;
        await server.close();
        await lease.release();
        await db.close();
      })()),
  };
}

/** The job-store path beside an SQLite database file. */
export function jobStoreBeside(databaseUrl: string): string | undefined {
  if (/^postgres(ql)?:/.test(databaseUrl) || databaseUrl === ":memory:") return undefined;
  return join(dirname(databaseUrl), "relay-jobs.json");
}

export type { Address };
