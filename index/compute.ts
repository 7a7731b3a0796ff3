import type { Hex } from "viem";

import { compareStrings } from "./atpi.js";
import type { CanonicalValue } from "./canonical.js";
import { csvRecords, parseDateField, parseNameField, parsePriceField } from "./csv.js";
import { dayNumber, type IsoDate } from "./dates.js";
import { WAD } from "./decimal.js";
import {
  ConflictingRowsError,
  CsvParseError,
  InsufficientConstituentsError,
  InvalidSpecError,
} from "./errors.js";
import { GPU_H100, indexIdOf, methodologyHashOf } from "./ids.js";
import { requireFilled, requireWholeNumber } from "./spec-checks.js";

/** Methodology name of the GPU compute indices. */
export const COMPUTE_METHODOLOGY = "GPU-COMPUTE";
/** Current version of the compute rules described in `docs/index-methodology.md`. */
export const COMPUTE_VERSION = "1.0.0";
/** Unit label carried in the round inputs. */
export const COMPUTE_UNIT = "USD per GPU-hour";
/** Basis points in one whole. */
export const BPS = 10_000n;

/**
 * One provider's on-demand list price for one GPU-hour of `gpu`, observed on `observedDate`,
 * in US dollars at 18-decimal fixed point.
 */
export interface QuoteRow {
  readonly observedDate: IsoDate;
  readonly provider: string;
  readonly gpu: string;
  /** US dollars per GPU-hour, 1e18 = $1. Always positive. */
  readonly usdPerGpuHour: bigint;
  /** Where the figure comes from: a public URL, or `synthetic` for made-up sample data. */
  readonly source: string;
  /** 1-based line in the source file (diagnostics only). */
  readonly line: number;
}

/** The exact header of the quote file, in order. */
export const QUOTE_CSV_COLUMNS = ["observed_date", "provider", "gpu", "usd_per_gpu_hour", "source"] as const;

const GPU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const SOURCE_PATTERN = /^[\x21-\x2b\x2d-\x7e]+$/;

/**
 * Parses the GPU quote CSV (`observed_date,provider,gpu,usd_per_gpu_hour,source`), same dialect
 * as the list-price file: no quoting, LF or CRLF, exact header, blank lines ignored.
 *
 * @throws {CsvParseError} naming the 1-based line and the field of the first bad row.
 */
export function parseQuoteCsv(text: string): QuoteRow[] {
  const quotes: QuoteRow[] = [];
  for (const { fields, line } of csvRecords(text, QUOTE_CSV_COLUMNS)) {
    const [date, provider, gpu, price, source] = fields;
    if (!GPU_PATTERN.test(gpu)) throw new CsvParseError(line, "gpu", gpu, "expected a GPU name such as H100");
    if (!SOURCE_PATTERN.test(source)) {
      throw new CsvParseError(line, "source", source, "expected a URL or the word synthetic");
    }
    const usdPerGpuHour = parsePriceField(price, line, "usd_per_gpu_hour");
    if (usdPerGpuHour === 0n) throw new CsvParseError(line, "usd_per_gpu_hour", price, "must be positive");
    quotes.push({
      observedDate: parseDateField(date, line, "observed_date"),
      provider: parseNameField(provider, line, "provider"),
      gpu,
      usdPerGpuHour,
      source,
      line,
    });
  }
  return quotes;
}

/** The rules of one compute index. Everything here is hashed into its methodology hash. */
export interface ComputeSpec {
  readonly kind: "compute";
  /** Index name; the oracle id is `keccak256(name)`. */
  readonly index: string;
  readonly version: string;
  /** The GPU model whose quotes count (matched exactly against the `gpu` column). */
  readonly gpu: string;
  /** A provider's latest quote counts while `asOf − observedDate ≤ maxQuoteAgeDays`. */
  readonly maxQuoteAgeDays: number;
  /** Fewer fresh, non-outlier providers than this and no value is published for the date. */
  readonly minProviders: number;
  /**
   * Quotes further than this many basis points from the preliminary median are left out before
   * the final median. `0` disables the filter.
   */
  readonly outlierBandBps: number;
}

/** GPU-H100 v1.0.0: H100 on-demand, 7-day freshness, at least 3 providers, ±50% outlier band. */
export const GPU_H100_SPEC: ComputeSpec = {
  kind: "compute",
  index: GPU_H100,
  version: COMPUTE_VERSION,
  gpu: "H100",
  maxQuoteAgeDays: 7,
  minProviders: 3,
  outlierBandBps: 5_000,
};

/** One provider's quote as used on a date. */
export interface ComputeQuote {
  readonly provider: string;
  readonly observedDate: IsoDate;
  readonly usdPerGpuHour: bigint;
  /** False when the outlier band left it out of the final median. */
  readonly included: boolean;
}

/** The outcome of applying the compute rules to a date. */
export interface ComputeResult {
  readonly indexId: Hex;
  readonly methodologyHash: Hex;
  readonly asOf: IsoDate;
  /** Every fresh quote (one per provider), sorted by provider. */
  readonly quotes: readonly ComputeQuote[];
  readonly value: bigint;
  /** The canonical round inputs (see `computeInputs`). */
  readonly inputs: CanonicalValue;
}

/**
 * The median of a non-empty list, rounded down: the middle value for an odd count, the mean of
 * the two middle values rounded down to 1 wei for an even count.
 *
 * @example medianDown([1n, 2n, 4n, 8n]) // 3n
 */
export function medianDown(values: readonly bigint[]): bigint {
  if (values.length === 0) throw new RangeError("medianDown: empty list");
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2n;
}

/**
 * Whether `quote` lies within `bandBps` basis points of `reference`, compared exactly in integers:
 * `|quote − reference| × 10000 ≤ bandBps × reference`.
 */
export function withinBand(quote: bigint, reference: bigint, bandBps: bigint): boolean {
  const diff = quote > reference ? quote - reference : reference - quote;
  return diff * BPS <= bandBps * reference;
}

/**
 * Checks the spec against its own constraints.
 *
 * @throws {InvalidSpecError}
 */
export function validateComputeSpec(spec: ComputeSpec): void {
  if (spec.kind !== "compute") throw new InvalidSpecError("kind", 'expected "compute"');
  requireFilled(spec, ["index", "version"]);
  if (!GPU_PATTERN.test(spec.gpu)) throw new InvalidSpecError("gpu", "expected a GPU name such as H100");
  requireWholeNumber("maxQuoteAgeDays", spec.maxQuoteAgeDays, 0, "days");
  requireWholeNumber("minProviders", spec.minProviders, 1);
  requireWholeNumber("outlierBandBps", spec.outlierBandBps, 0, "basis points");
}

/** The complete rules object of a compute index; its hash is the methodology hash. */
export function computeRules(spec: ComputeSpec): CanonicalValue {
  validateComputeSpec(spec);
  return {
    methodology: { name: COMPUTE_METHODOLOGY, version: spec.version },
    index: spec.index,
    gpu: spec.gpu,
    unit: COMPUTE_UNIT,
    scale: WAD,
    aggregation: "median",
    maxQuoteAgeDays: BigInt(spec.maxQuoteAgeDays),
    minProviders: BigInt(spec.minProviders),
    outlierBandBps: BigInt(spec.outlierBandBps),
    rounding: "down",
  };
}

/** The methodology hash of a compute index: `keccak256(canonicalJson(computeRules(spec)))`. */
export function computeMethodologyHash(spec: ComputeSpec): Hex {
  return methodologyHashOf(computeRules(spec));
}

/**
 * Checks a quote table: at most one quote per provider, GPU and day.
 *
 * @throws {ConflictingRowsError}
 */
export function checkQuoteRows(quotes: readonly QuoteRow[]): void {
  const seen = new Set<string>();
  for (const q of quotes) {
    const key = `${q.provider}\u0000${q.gpu}\u0000${q.observedDate}`;
    if (seen.has(key)) throw new ConflictingRowsError(`${q.provider}/${q.gpu}`, q.observedDate);
    seen.add(key);
  }
}

/**
 * Selects the quotes that count on `asOf`: per provider, its latest quote for the spec's GPU
 * observed on or before `asOf`, kept when `asOf − observedDate ≤ maxQuoteAgeDays`. Sorted by
 * provider; `included` is not yet decided (set by `applyOutlierBand`).
 */
export function freshQuotes(spec: ComputeSpec, quotes: readonly QuoteRow[], asOf: IsoDate): ComputeQuote[] {
  validateComputeSpec(spec);
  checkQuoteRows(quotes);
  const day = dayNumber(asOf);
  const latest = new Map<string, QuoteRow>();
  for (const q of quotes) {
    if (q.gpu !== spec.gpu || dayNumber(q.observedDate) > day) continue;
    const current = latest.get(q.provider);
    if (current === undefined || current.observedDate < q.observedDate) latest.set(q.provider, q);
  }
  return [...latest.values()]
    .filter((q) => day - dayNumber(q.observedDate) <= spec.maxQuoteAgeDays)
    .sort((a, b) => compareStrings(a.provider, b.provider))
    .map((q) => ({
      provider: q.provider,
      observedDate: q.observedDate,
      usdPerGpuHour: q.usdPerGpuHour,
      included: true,
    }));
}

/**
 * Marks quotes outside `bandBps` of the preliminary median (the median of all fresh quotes,
 * rounded down) as excluded. A band of 0 keeps every quote.
 */
export function applyOutlierBand(quotes: readonly ComputeQuote[], bandBps: bigint): ComputeQuote[] {
  if (bandBps === 0n || quotes.length === 0) return quotes.map((q) => ({ ...q, included: true }));
  const reference = medianDown(quotes.map((q) => q.usdPerGpuHour));
  return quotes.map((q) => ({ ...q, included: withinBand(q.usdPerGpuHour, reference, bandBps) }));
}

/**
 * The canonical round inputs of a compute round: methodology, methodology hash, index name and
 * id, GPU, unit, scale, outlier band, as-of date, and every fresh quote (provider, observed date,
 * price), sorted by provider. Outlier flags are not included: anyone re-derives them.
 */
export function computeInputs(
  spec: ComputeSpec,
  asOf: IsoDate,
  quotes: readonly ComputeQuote[],
): CanonicalValue {
  return {
    methodology: { name: COMPUTE_METHODOLOGY, version: spec.version },
    methodologyHash: computeMethodologyHash(spec),
    index: spec.index,
    indexId: indexIdOf(spec.index),
    gpu: spec.gpu,
    unit: COMPUTE_UNIT,
    scale: WAD,
    outlierBandBps: BigInt(spec.outlierBandBps),
    asOf,
    quotes: quotes.map((q) => ({
      provider: q.provider,
      observedDate: q.observedDate,
      price: q.usdPerGpuHour,
    })),
  };
}

/**
 * Computes a compute index on `asOf`: the median of the providers' fresh on-demand quotes after
 * the outlier band, in US dollars per GPU-hour at 1e18 scale (even count: mean of the two middle
 * values, rounded down to 1 wei).
 *
 * @example computeGpuIndex(GPU_H100_SPEC, parseQuoteCsv(text), "2025-10-15")
 * @throws {InsufficientConstituentsError} with fewer than `minProviders` usable quotes.
 */
export function computeGpuIndex(
  spec: ComputeSpec,
  quotes: readonly QuoteRow[],
  asOf: IsoDate,
): ComputeResult {
  const fresh = freshQuotes(spec, quotes, asOf);
  if (fresh.length < spec.minProviders) {
    throw new InsufficientConstituentsError(spec.index, asOf, fresh.length, spec.minProviders);
  }
  const marked = applyOutlierBand(fresh, BigInt(spec.outlierBandBps));
  const kept = marked.filter((q) => q.included);
  if (kept.length < spec.minProviders) {
    throw new InsufficientConstituentsError(spec.index, asOf, kept.length, spec.minProviders);
  }
  // Quotes are positive, so the median is at least 1 wei: no zero check is needed.
  const value = medianDown(kept.map((q) => q.usdPerGpuHour));
  return {
    indexId: indexIdOf(spec.index),
    methodologyHash: computeMethodologyHash(spec),
    asOf,
    quotes: marked,
    value,
    inputs: computeInputs(spec, asOf, fresh),
  };
}
