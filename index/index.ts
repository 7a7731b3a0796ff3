/**
 * Public surface of the index methodology: compute a round (value + canonical inputs + hash) for
 * a date, produce a series of rounds, recompute a posted round from its canonical JSON alone, and
 * verify a posted report against public data.
 */
import type { Hex } from "viem";

import {
  ATPI_FRONTIER_SPEC,
  ATPI_METHODOLOGY,
  ATPI_SMALL_SPEC,
  atpiMethodologyHash,
  blendedPrice,
  computeAtpi,
  weightedMeanDown,
  type AtpiSpec,
} from "./atpi.js";
import {
  atpiListMethodologyHash,
  ATPI_FRONTIER_V2_SPEC,
  ATPI_SMALL_V2_SPEC,
  computeAtpiList,
  type AtpiListSpec,
} from "./atpi-list.js";
import { canonicalJson, hashCanonicalJson, parseCanonicalJson, type CanonicalValue } from "./canonical.js";
import {
  applyOutlierBand,
  COMPUTE_METHODOLOGY,
  computeGpuIndex,
  computeMethodologyHash,
  GPU_H100_SPEC,
  medianDown,
  parseQuoteCsv,
  type ComputeQuote,
  type ComputeSpec,
  type QuoteRow,
} from "./compute.js";
import { parsePriceCsv, type PriceRow } from "./csv.js";
import type { GenaiRow } from "./genai-prices.js";
import { addDays, dateOfTimestamp, dayNumber, startOfDay, type IsoDate } from "./dates.js";
import {
  CanonicalJsonError,
  InsufficientConstituentsError,
  InvalidDateError,
  InvalidSpecError,
} from "./errors.js";

export * from "./atpi.js";
export * from "./atpi-list.js";
export * from "./genai-prices.js";
export * from "./canonical.js";
export * from "./compute.js";
export * from "./csv.js";
export * from "./dates.js";
export * from "./decimal.js";
export * from "./errors.js";
export * from "./ids.js";

/** Any index specification. */
export type IndexSpec = AtpiSpec | AtpiListSpec | ComputeSpec;

/** The data an index spec reads: list-price CSV rows (ATPI 1.0.0), genai-prices rows (ATPI 2.0.0) or GPU quotes. */
export type IndexData = readonly PriceRow[] | readonly GenaiRow[] | readonly QuoteRow[];

/** The shipped specifications, by index name. */
export const INDEX_SPECS: Readonly<Record<string, IndexSpec>> = {
  [ATPI_FRONTIER_SPEC.index]: ATPI_FRONTIER_SPEC,
  [ATPI_SMALL_SPEC.index]: ATPI_SMALL_SPEC,
  [ATPI_FRONTIER_V2_SPEC.index]: ATPI_FRONTIER_V2_SPEC,
  [ATPI_SMALL_V2_SPEC.index]: ATPI_SMALL_V2_SPEC,
  [GPU_H100_SPEC.index]: GPU_H100_SPEC,
};

/** The methodology hash of any index spec (see `methodologyHashOf`). */
export function methodologyHash(spec: IndexSpec): Hex {
  if (spec.kind === "atpi") return atpiMethodologyHash(spec);
  if (spec.kind === "atpi-list") return atpiListMethodologyHash(spec);
  return computeMethodologyHash(spec);
}

/** One oracle round, ready to sign. */
export interface Round {
  readonly index: string;
  readonly indexId: Hex;
  readonly methodologyHash: Hex;
  /** The UTC date whose rules and data the value reflects. */
  readonly asOf: IsoDate;
  /** 18-decimal fixed point. */
  readonly value: bigint;
  /** Unix seconds, inside `asOf` (defaults to 00:00:00 UTC of `asOf`). Not part of the inputs. */
  readonly observedAt: bigint;
  readonly inputs: CanonicalValue;
  readonly canonicalJson: string;
  /** `keccak256(utf8(canonicalJson))`. */
  readonly inputsHash: Hex;
}

/** The message a reporter signs: `Report(bytes32 indexId,uint256 value,uint64 observedAt,bytes32 inputsHash)`. */
export interface ReportMessage {
  readonly indexId: Hex;
  readonly value: bigint;
  readonly observedAt: bigint;
  readonly inputsHash: Hex;
}

export interface RoundOptions {
  /**
   * The report's `observedAt` (Unix seconds). Must fall on `asOf` (UTC), so that every reporter
   * that day signs the same inputs. Defaults to 00:00:00 UTC of `asOf`.
   */
  readonly observedAt?: bigint;
}

/**
 * Computes one round of an index on `asOf` from public data.
 *
 * @example
 * const rows = parsePriceCsv(readFileSync("index/fixtures/ai-token-list-prices.csv", "utf8"));
 * const round = computeRound(ATPI_FRONTIER_SPEC, rows, "2025-06-30");
 * // round.value, round.inputsHash → sign Report(indexId, value, observedAt, inputsHash)
 * @throws {IndexError} (`INSUFFICIENT_CONSTITUENTS`, `INVALID_DATE`, `CONFLICTING_ROWS`, …)
 */
export function computeRound(
  spec: AtpiSpec,
  data: readonly PriceRow[],
  asOf: IsoDate,
  options?: RoundOptions,
): Round;
export function computeRound(
  spec: AtpiListSpec,
  data: readonly GenaiRow[],
  asOf: IsoDate,
  options?: RoundOptions,
): Round;
export function computeRound(
  spec: ComputeSpec,
  data: readonly QuoteRow[],
  asOf: IsoDate,
  options?: RoundOptions,
): Round;
export function computeRound(spec: IndexSpec, data: IndexData, asOf: IsoDate, options?: RoundOptions): Round;
export function computeRound(
  spec: IndexSpec,
  data: IndexData,
  asOf: IsoDate,
  options: RoundOptions = {},
): Round {
  const observedAt = observedAtFor(asOf, options.observedAt);
  const result =
    spec.kind === "atpi"
      ? computeAtpi(spec, data as readonly PriceRow[], asOf)
      : spec.kind === "atpi-list"
        ? computeAtpiList(spec, data as readonly GenaiRow[], asOf)
        : computeGpuIndex(spec, data as readonly QuoteRow[], asOf);
  const json = canonicalJson(result.inputs);
  return {
    index: spec.index,
    indexId: result.indexId,
    methodologyHash: result.methodologyHash,
    asOf,
    value: result.value,
    observedAt,
    inputs: result.inputs,
    canonicalJson: json,
    inputsHash: hashCanonicalJson(json),
  };
}

function observedAtFor(asOf: IsoDate, observedAt: bigint | undefined): bigint {
  const start = startOfDay(asOf);
  if (observedAt === undefined) return start;
  if (dateOfTimestamp(observedAt) !== asOf) {
    throw new InvalidDateError(observedAt.toString(), `observedAt is not on ${asOf} (UTC)`);
  }
  return observedAt;
}

/** The EIP-712 `Report` fields of a round. */
export function toReport(round: Round): ReportMessage {
  return {
    indexId: round.indexId,
    value: round.value,
    observedAt: round.observedAt,
    inputsHash: round.inputsHash,
  };
}

export interface SeriesOptions {
  /** First date, inclusive. */
  readonly from: IsoDate;
  /** Last date, inclusive. */
  readonly to: IsoDate;
  /** Days between rounds (default 1). */
  readonly stepDays?: number;
  /** Seconds after 00:00 UTC at which each round is observed (default 0, below 86400). */
  readonly observedAtOffset?: bigint;
  /** `"throw"` (default) or `"skip"` dates with too few constituents. */
  readonly onInsufficient?: "throw" | "skip";
}

/**
 * A series of rounds over `[from, to]` every `stepDays` days from already-parsed data.
 *
 * @throws {InvalidSpecError} on a bad range or step.
 */
export function roundSeries(spec: IndexSpec, data: IndexData, options: SeriesOptions): Round[] {
  const step = options.stepDays ?? 1;
  const offset = options.observedAtOffset ?? 0n;
  if (!Number.isSafeInteger(step) || step < 1) throw new InvalidSpecError("stepDays", "must be at least 1");
  if (offset < 0n || offset >= 86_400n)
    throw new InvalidSpecError("observedAtOffset", "must be in [0, 86400)");
  const last = dayNumber(options.to);
  if (dayNumber(options.from) > last) throw new InvalidSpecError("from", "after to");
  const rounds: Round[] = [];
  for (let date = options.from; dayNumber(date) <= last; date = addDays(date, step)) {
    const roundOptions = { observedAt: startOfDay(date) + offset };
    try {
      rounds.push(computeRound(spec, data, date, roundOptions));
    } catch (e) {
      if (options.onInsufficient === "skip" && e instanceof InsufficientConstituentsError) continue;
      throw e;
    }
  }
  return rounds;
}

/**
 * Parses a CSV text (list prices for an ATPI spec, GPU quotes for a compute spec) and produces a
 * series of rounds over a date range. Used by the demo that posts rounds to the oracle.
 *
 * @example
 * roundsFromCsv(ATPI_FRONTIER_SPEC, csvText, { from: "2025-01-01", to: "2025-12-31", stepDays: 7 })
 */
export function roundsFromCsv(
  spec: AtpiSpec | ComputeSpec,
  csvText: string,
  options: SeriesOptions,
): Round[] {
  const data = spec.kind === "atpi" ? parsePriceCsv(csvText) : parseQuoteCsv(csvText);
  return roundSeries(spec, data, options);
}

/** What anyone can recompute from a round's canonical JSON alone. */
export interface Recomputed {
  readonly methodology: string;
  readonly version: string;
  readonly methodologyHash: Hex;
  readonly index: string;
  readonly indexId: Hex;
  readonly asOf: IsoDate;
  readonly value: bigint;
  readonly inputsHash: Hex;
}

/**
 * Recomputes a round's value and `inputsHash` from its canonical JSON alone (no price file, no
 * spec): checks the text is canonical, re-derives each blended price and the weighted mean
 * (ATPI) or the outlier band and the median (compute), and hashes the text.
 *
 * @throws {CanonicalJsonError} when the text is not canonical round inputs.
 */
export function recomputeFromCanonical(json: string): Recomputed {
  const root = asObject(parseCanonicalJson(json), "$");
  const methodology = asObject(root.methodology, "$.methodology");
  const name = asString(methodology.name, "$.methodology.name");
  const version = asString(methodology.version, "$.methodology.version");
  const scale = asUint(root.scale, "$.scale");
  if (scale !== 10n ** 18n) throw new CanonicalJsonError("$.scale", "expected 1e18");
  let value: bigint;
  if (name === ATPI_METHODOLOGY) {
    const constituents = asArray(root.constituents, "$.constituents").map((c, i) => {
      const o = asObject(c, `$.constituents[${i}]`);
      const input = asUint(o.input, `$.constituents[${i}].input`);
      const output = asUint(o.output, `$.constituents[${i}].output`);
      const weight = asUint(o.weight, `$.constituents[${i}].weight`);
      if (weight === 0n) throw new CanonicalJsonError(`$.constituents[${i}].weight`, "zero weight");
      return { blended: blendedPrice(input, output), weight };
    });
    if (constituents.length === 0) throw new CanonicalJsonError("$.constituents", "empty");
    value = weightedMeanDown(constituents);
  } else if (name === COMPUTE_METHODOLOGY) {
    const band = asUint(root.outlierBandBps, "$.outlierBandBps");
    const quotes: ComputeQuote[] = asArray(root.quotes, "$.quotes").map((q, i) => {
      const o = asObject(q, `$.quotes[${i}]`);
      return {
        provider: asString(o.provider, `$.quotes[${i}].provider`),
        observedDate: asString(o.observedDate, `$.quotes[${i}].observedDate`),
        usdPerGpuHour: asUint(o.price, `$.quotes[${i}].price`),
        included: true,
      };
    });
    const kept = applyOutlierBand(quotes, band).filter((q) => q.included);
    if (kept.length === 0) throw new CanonicalJsonError("$.quotes", "no quotes");
    value = medianDown(kept.map((q) => q.usdPerGpuHour));
  } else {
    throw new CanonicalJsonError("$.methodology.name", `unknown methodology ${JSON.stringify(name)}`);
  }
  return {
    methodology: name,
    version,
    methodologyHash: asHex(root.methodologyHash, "$.methodologyHash"),
    index: asString(root.index, "$.index"),
    indexId: asHex(root.indexId, "$.indexId"),
    asOf: asString(root.asOf, "$.asOf"),
    value,
    inputsHash: hashCanonicalJson(json),
  };
}

/** The outcome of checking a posted report against public data. */
export interface Verification {
  /** True when the posted id, value and inputs hash all equal the recomputed ones. */
  readonly valid: boolean;
  /** Names of the fields that differ (`indexId`, `value`, `inputsHash`). */
  readonly mismatches: readonly ("indexId" | "value" | "inputsHash")[];
  /** The round recomputed from public data for the report's `observedAt` date. */
  readonly expected: Round;
}

/**
 * Recomputes the round for a posted report's date (the UTC date of `observedAt`) from public
 * data under `spec`, and compares. This is how anyone challenges a bad round.
 */
export function verifyReport(report: ReportMessage, spec: IndexSpec, data: IndexData): Verification {
  const asOf = dateOfTimestamp(report.observedAt);
  const expected = computeRound(spec, data, asOf, { observedAt: report.observedAt });
  const mismatches: ("indexId" | "value" | "inputsHash")[] = [];
  if (report.indexId.toLowerCase() !== expected.indexId.toLowerCase()) mismatches.push("indexId");
  if (report.value !== expected.value) mismatches.push("value");
  if (report.inputsHash.toLowerCase() !== expected.inputsHash.toLowerCase()) mismatches.push("inputsHash");
  return { valid: mismatches.length === 0, mismatches, expected };
}

function asObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CanonicalJsonError(path, "expected an object");
  }
  return value as Record<string, unknown>;
}

function asArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new CanonicalJsonError(path, "expected an array");
  return value;
}

function asString(value: unknown, path: string): string {
  if (typeof value !== "string") throw new CanonicalJsonError(path, "expected a string");
  return value;
}

function asUint(value: unknown, path: string): bigint {
  const text = asString(value, path);
  if (!/^(0|[1-9][0-9]*)$/.test(text))
    throw new CanonicalJsonError(path, "expected a decimal integer string");
  return BigInt(text);
}

function asHex(value: unknown, path: string): Hex {
  const text = asString(value, path);
  if (!/^0x[0-9a-f]{64}$/.test(text)) throw new CanonicalJsonError(path, "expected a 32-byte lower-case hex");
  return text as Hex;
}
