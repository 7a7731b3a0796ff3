/** Prometheus metrics of one keeper process, on its own registry (never the global one). */
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";

import type { JobStatus } from "./jobs.js";

/** What the jobs gauge reads on every scrape. */
export interface JobCounts {
  all(): readonly { status: JobStatus }[];
}

export class KeeperMetrics {
  readonly registry = new Registry();
  readonly ticks: Counter<"outcome">;
  readonly actions: Counter<"type">;
  readonly transactions: Counter<"outcome">;
  readonly simulationReverts: Counter<"error">;
  readonly rpcRetries: Counter<"method">;
  readonly duplicatesAvoided: Counter;
  readonly feeBumps: Counter;
  readonly lastTickSeconds: Gauge;
  readonly lastBlock: Gauge;
  readonly chainResets: Counter<"reason">;
  readonly rpcErrors: Counter<"kind">;
  readonly senderBalance: Gauge;
  readonly jobs: Gauge<"status">;
  private jobSource?: JobCounts;

  constructor(keeper: string, options: { defaultMetrics?: boolean } = {}) {
    this.registry.setDefaultLabels({ keeper });
    if (options.defaultMetrics === true) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.ticks = new Counter({
      name: "keeper_ticks_total",
      help: "Keeper ticks by outcome (ok, error)",
      labelNames: ["outcome"],
      registers,
    });
    this.actions = new Counter({
      name: "keeper_actions_total",
      help: "Actions decided, by type",
      labelNames: ["type"],
      registers,
    });
    this.transactions = new Counter({
      name: "keeper_transactions_total",
      help: "Transactions by outcome (confirmed, reverted, stuck, dry_run)",
      labelNames: ["outcome"],
      registers,
    });
    this.simulationReverts = new Counter({
      name: "keeper_simulation_reverts_total",
      help: "Simulations that reverted, by decoded error name",
      labelNames: ["error"],
      registers,
    });
    this.rpcRetries = new Counter({
      name: "keeper_rpc_retries_total",
      help: "JSON-RPC calls retried after a transient error, by method",
      labelNames: ["method"],
      registers,
    });
    this.duplicatesAvoided = new Counter({
      name: "keeper_duplicate_jobs_avoided_total",
      help: "Actions skipped because their job (keeper, subject, round) was already done",
      registers,
    });
    this.feeBumps = new Counter({
      name: "keeper_fee_bumps_total",
      help: "Stuck transactions replaced with higher fees",
      registers,
    });
    this.lastTickSeconds = new Gauge({
      name: "keeper_last_tick_timestamp_seconds",
      help: "Unix time of the last completed tick",
      registers,
    });
    this.lastBlock = new Gauge({ name: "keeper_last_block", help: "Last block number seen", registers });
    this.chainResets = new Counter({
      name: "keeper_chain_resets_total",
      help: "Chain resets detected (head went back, or a known block replaced), by reason",
      labelNames: ["reason"],
      registers,
    });
    this.senderBalance = new Gauge({
      name: "keeper_sender_balance_wei",
      help: "Native balance of the account paying gas, wei (read after every tick)",
      registers,
    });
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- prom-client calls collect with the gauge as this
    const self = this;
    this.jobs = new Gauge({
      name: "keeper_jobs",
      help: "Jobs in the job store by status (sent = pending, failed = mined and reverted)",
      labelNames: ["status"],
      registers,
      collect() {
        if (self.jobSource === undefined) return;
        const counts: Record<string, number> = {
          sent: 0,
          confirmed: 0,
          failed: 0,
          superseded: 0,
          published: 0,
        };
        for (const job of self.jobSource.all()) counts[job.status] = (counts[job.status] ?? 0) + 1;
        for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
      },
    });
    this.rpcErrors = new Counter({
      name: "keeper_rpc_errors_total",
      help: "JSON-RPC failures by kind (timeout, http, rate_limit, connection, rpc, head)",
      labelNames: ["kind"],
      registers,
    });
  }

  /** Reports the job counts of `store` (`keeper_jobs`) on every scrape. */
  trackJobs(store: JobCounts): void {
    this.jobSource = store;
  }
}

/** A keeper-specific gauge on `registry`, created on first use (a second keeper on one registry reuses it). */
export function gaugeOn(registry: Registry, name: string, help: string, labelNames: string[] = []): Gauge {
  return (
    (registry.getSingleMetric(name) as Gauge | undefined) ??
    new Gauge({ name, help, labelNames, registers: [registry] })
  );
}
