/**
 * The reporter's adapter: reads the price source, asks `decideReporter`, signs the EIP-712 report and
 * publishes it. Transport: the latest signed report per index is served at `GET /report/<indexName>` on
 * the keeper's HTTP port and, when `reportDir` is set, written atomically to
 * `<reportDir>/<indexName>/<signer>.json`. A signed round is recorded in the job store before it is
 * published, so a restart serves the same signature again and never signs a second value for a period.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import type { LocalAccount } from "viem";

import {
  genaiSourceFromText,
  parsePriceCsv,
  parseQuoteCsv,
  toReport,
  type IndexData,
  type IndexSpec,
} from "../../index/index.js";
import { signReportWithViem, type OracleDomain } from "../../sdk/core/eip712/reports.js";
import { nowSeconds } from "../shell/clock.js";
import { jobKey, type JobStore } from "../shell/jobs.js";
import type { ShellDeps, TickSource } from "../shell/runner.js";
import type { RouteHandler } from "../shell/server.js";
import { decideReporter } from "./decide.js";
import { decodePublishedReport, encodePublishedReport, type PublishedReport } from "./wire.js";

/** Where the price data comes from (CSV text, or genai-prices JSON / snapshot CSV text). */
export interface PriceSource {
  readonly location: string;
  read(): Promise<string>;
}

/** The `--prices` value naming the bundled copy of `@pydantic/genai-prices`. */
export const BUNDLED_PRICES = "bundled";

/**
 * A price source for a file path, an `http(s)://` URL serving the data, or `bundled` (the copy of
 * `@pydantic/genai-prices` installed with the project, read offline as its `Provider[]` JSON).
 */
export function priceSourceOf(
  location: string,
  fetchImpl: typeof fetch = fetch,
  timeoutMs = 15_000,
): PriceSource {
  if (location === BUNDLED_PRICES) {
    return {
      location,
      read: async () => {
        const { waitForUpdate } = await import("@pydantic/genai-prices");
        return JSON.stringify(await waitForUpdate());
      },
    };
  }
  if (/^https?:\/\//i.test(location)) {
    return {
      location,
      read: async () => {
        const response = await fetchImpl(location, { signal: AbortSignal.timeout(timeoutMs) });
        if (!response.ok) throw new Error(`price source ${location}: HTTP ${response.status}`);
        return response.text();
      },
    };
  }
  return { location, read: async () => readFileSync(location, "utf8") };
}

export interface ReporterDeps extends ShellDeps {
  spec: IndexSpec;
  periodSeconds: number;
  source: PriceSource;
  /** The signing key; absent only in dry-run. */
  account?: LocalAccount;
  domain: OracleDomain;
  reportDir?: string;
  dryRun: boolean;
  jobs: JobStore;
  /**
   * The chain's clock (the latest block's timestamp, unix seconds): the observation period is chosen by
   * it, since the oracle judges a report's age by `block.timestamp`. Without a chain (no RPC configured)
   * the injected clock is used.
   */
  chainNow?: () => Promise<bigint>;
}

export class ReporterKeeper implements TickSource {
  private latestReport?: PublishedReport;

  constructor(private readonly deps: ReporterDeps) {
    // a restart serves what was signed before instead of signing again
    const prefix = jobKey("reporter", deps.spec.index, "");
    for (const job of deps.jobs.all()) {
      if (!job.key.startsWith(prefix) || job.status !== "published") continue;
      const published = decodePublishedReport(job.detail);
      if (
        this.latestReport === undefined ||
        published.report.observedAt > this.latestReport.report.observedAt
      ) {
        this.latestReport = published;
      }
    }
  }

  /** The newest signed report, as served. */
  latest(): PublishedReport | undefined {
    return this.latestReport;
  }

  /** `GET /report/<indexName>`. */
  readonly route: RouteHandler = (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" || path !== `/report/${this.deps.spec.index}`) return false;
    if (this.latestReport === undefined) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "no report yet" }));
    } else {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(encodePublishedReport(this.latestReport));
    }
    return true;
  };

  async tick(): Promise<void> {
    const { spec, source, clock, log, metrics, jobs } = this.deps;
    const rows = parseSourceText(spec, source.location, await source.read());
    const now = this.deps.chainNow === undefined ? nowSeconds(clock) : await this.deps.chainNow();
    const actions = decideReporter({ rows, lastPublishedAt: this.latestReport?.report.observedAt }, now, {
      spec,
      periodSeconds: this.deps.periodSeconds,
    });
    for (const action of actions) {
      metrics.actions.inc({ type: action.type });
      if (action.type === "skip") {
        log.warn(
          { index: spec.index, observedAt: action.observedAt, code: action.code, reason: action.reason },
          "no round",
        );
        continue;
      }
      const { round } = action;
      const key = jobKey("reporter", spec.index, round.observedAt);
      const done = jobs.get(key);
      if (done?.status === "published") {
        metrics.duplicatesAvoided.inc();
        this.publish(decodePublishedReport(done.detail));
        continue;
      }
      if (this.deps.dryRun || this.deps.account === undefined) {
        log.info(
          {
            index: spec.index,
            value: round.value,
            observedAt: round.observedAt,
            inputsHash: round.inputsHash,
          },
          "dry run: would sign",
        );
        continue;
      }
      const signed = await signReportWithViem(this.deps.account, this.deps.domain, toReport(round));
      const published: PublishedReport = {
        index: spec.index,
        signer: this.deps.account.address,
        asOf: round.asOf,
        report: signed.report,
        r: signed.r,
        vs: signed.vs,
        canonicalJson: round.canonicalJson,
      };
      jobs.put(
        key,
        { status: "published", detail: JSON.parse(encodePublishedReport(published)) },
        clock.nowMs(),
      );
      this.publish(published);
      log.info(
        { index: spec.index, value: round.value, observedAt: round.observedAt, asOf: round.asOf },
        "report signed and published",
      );
    }
  }

  private publish(published: PublishedReport): void {
    this.latestReport = published;
    if (this.deps.reportDir === undefined) return;
    const dir = join(this.deps.reportDir, published.index);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${published.signer.toLowerCase()}.json`);
    writeFileSync(`${file}.tmp`, encodePublishedReport(published));
    renameSync(`${file}.tmp`, file);
  }
}

/** Parses a source's text as the data `spec` reads. @throws {IndexError} on malformed data. */
export function parseSourceText(spec: IndexSpec, location: string, text: string): IndexData {
  if (spec.kind === "atpi") return parsePriceCsv(text);
  if (spec.kind === "atpi-list") return genaiSourceFromText(location, text).rows;
  return parseQuoteCsv(text);
}
