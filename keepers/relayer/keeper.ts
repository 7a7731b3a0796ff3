/**
 * The relayer's adapter: collects the reporters' latest signed reports (their `GET /report/<index>`
 * URLs and/or the shared directory), checks each signature off chain, reads the oracle, asks
 * `decideRelayer`, and submits through the shell. Idempotent by round: the job key is
 * `relayer/<index>/<newest observedAt>`, and the oracle's own `lastObservedAt` filters out reports of
 * a round already accepted (by this relayer or a competitor).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import type { Gauge } from "prom-client";
import { recoverTypedDataAddress, type Address } from "viem";

import { indexOracleAbi } from "../../sdk/abi/generated/indexOracle.js";
import { indexIdOf, REPORT_TYPES, toSignature, type OracleDomain } from "../../sdk/core/eip712/reports.js";
import { readHead } from "../shell/chain.js";
import { jobKey } from "../shell/jobs.js";
import { gaugeOn } from "../shell/metrics.js";
import type { ChainDeps, ShellDeps, TickSource } from "../shell/runner.js";
import type { ExecuteResult } from "../shell/sender.js";
import { readIndex } from "../../sdk/viem/oracle/readIndex.js";
import { decodePublishedReport, toSignedReport } from "../reporter/wire.js";
import { decideRelayer, type CollectedReport, type OracleIndexView, type RelayerConfig } from "./decide.js";

const ORACLE_ABI = indexOracleAbi;

/** Where reports come from. */
export interface ReportSource {
  readonly location: string;
  /** Published reports as raw JSON values (parsed and checked by the relayer). */
  fetch(): Promise<unknown[]>;
}

/** A reporter's HTTP endpoint: `<baseUrl>/report/<indexName>`. */
export function httpReportSource(
  baseUrl: string,
  indexName: string,
  fetchImpl: typeof fetch = fetch,
  timeoutMs = 10_000,
): ReportSource {
  const url = `${baseUrl.replace(/\/$/, "")}/report/${indexName}`;
  return {
    location: url,
    fetch: async () => {
      const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (response.status === 404) return [];
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return [await response.json()];
    },
  };
}

/** Every `*.json` in `<dir>/<indexName>/`. */
export function directoryReportSource(dir: string, indexName: string): ReportSource {
  const folder = join(dir, indexName);
  return {
    location: folder,
    fetch: async () => {
      let names: string[];
      try {
        names = readdirSync(folder).filter((n) => n.endsWith(".json"));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw e;
      }
      return names.map((n) => JSON.parse(readFileSync(join(folder, n), "utf8")) as unknown);
    },
  };
}

export interface RelayerDeps extends ChainDeps, ShellDeps {
  indexName: string;
  oracle: Address;
  domain: OracleDomain;
  sources: readonly ReportSource[];
  decide: RelayerConfig;
}

export class RelayerKeeper implements TickSource {
  readonly indexId;
  /** The last execution result, for logs and tests. */
  lastResult?: ExecuteResult;
  private readonly lastRound: Gauge;

  constructor(private readonly deps: RelayerDeps) {
    this.indexId = indexIdOf(deps.indexName);
    this.lastRound = gaugeOn(
      deps.metrics.registry,
      "keeper_oracle_last_round_timestamp_seconds",
      "Observation time of the index's latest accepted oracle round (unix seconds)",
      ["index"],
    );
  }

  /** Reads the oracle's view of the index: the SDK's `readIndex` (state, reporters, latest round in one call). */
  async readOracle(): Promise<OracleIndexView> {
    const index = await readIndex(this.deps.client, { address: this.deps.oracle, indexId: this.indexId });
    const view: OracleIndexView = {
      indexId: this.indexId,
      quorum: index.quorum,
      reporterCount: index.reporterCount,
      maxAge: index.maxAge,
      minInterval: index.minInterval,
      maxDeviation: index.maxDeviation,
      lastObservedAt: index.lastObservedAt,
      reporters: index.reporters,
    };
    if (index.checkpointCount > 0n && index.latest !== undefined) {
      view.last = { value: index.latest.value, timestamp: index.latest.timestamp };
      this.lastRound.set({ index: this.deps.indexName }, Number(index.latest.timestamp));
    }
    return view;
  }

  /** Collects every source's reports; a failing source or a bad report is logged and left out. */
  async collect(): Promise<CollectedReport[]> {
    const { sources, log, domain } = this.deps;
    const collected: CollectedReport[] = [];
    const results = await Promise.allSettled(sources.map((s) => s.fetch()));
    for (const [i, result] of results.entries()) {
      if (result.status === "rejected") {
        log.warn({ source: sources[i].location, err: result.reason }, "report source failed");
        continue;
      }
      for (const raw of result.value) {
        try {
          const published = decodePublishedReport(raw);
          const signed = toSignedReport(published);
          const signer = await recoverTypedDataAddress({
            domain,
            types: REPORT_TYPES,
            primaryType: "Report",
            message: signed.report,
            signature: toSignature(signed),
          });
          if (signer.toLowerCase() !== published.signer.toLowerCase()) {
            log.warn(
              { source: sources[i].location, claimed: published.signer, signer },
              "report signature does not match its signer",
            );
            continue;
          }
          collected.push({ signer, signed });
        } catch (error) {
          log.warn({ source: sources[i].location, err: error }, "malformed report");
        }
      }
    }
    return collected;
  }

  async tick(): Promise<void> {
    const { client, log, metrics, sender, oracle, indexName } = this.deps;
    // heartbeat and freshness are judged by the chain's clock (the oracle compares block.timestamp)
    const [view, reports, head] = await Promise.all([this.readOracle(), this.collect(), readHead(client)]);
    const now = head.timestamp;
    for (const action of decideRelayer({ oracle: view, reports }, now, this.deps.decide)) {
      metrics.actions.inc({ type: action.type });
      if (action.type === "wait") {
        log.debug({ index: indexName, reason: action.reason }, "no round to submit");
        continue;
      }
      const key = jobKey("relayer", indexName, action.observedAt);
      log.info(
        { job: key, reason: action.reason, median: action.median, reports: action.reports.length },
        "submitting round",
      );
      const result = await sender.execute(key, {
        address: oracle,
        abi: ORACLE_ABI,
        functionName: "submit",
        args: [action.indexId, action.reports],
      });
      this.lastResult = result;
      if (result.status === "simulation-failed") {
        // most often a competing relayer got the round in first: the next read filters its reports out
        log.info({ job: key, error: result.revert.name, args: result.revert.args }, "round not submitted");
      }
    }
  }
}
