import type { Hex } from "viem";

import type { CanonicalValue } from "./canonical.js";
import type { PriceRow } from "./csv.js";
import { addMonths, assertIsoDate, dayNumber, type IsoDate } from "./dates.js";
import { WAD } from "./decimal.js";
import {
  ConflictingRowsError,
  InconsistentModelError,
  InsufficientConstituentsError,
  InvalidSpecError,
  ZeroValueError,
} from "./errors.js";
import { ATPI_FRONTIER, ATPI_SMALL, indexIdOf, methodologyHashOf } from "./ids.js";
import { requireFilled, requireWholeNumber } from "./spec-checks.js";

/** Methodology name of the AI token price indices. */
export const ATPI_METHODOLOGY = "ATPI";
/** Current version of the ATPI rules described in `docs/index-methodology.md`. */
export const ATPI_VERSION = "1.0.0";
/** Unit label carried in the round inputs. */
export const ATPI_UNIT = "USD per 1M tokens";

/** Blend weights: `(3 × input + output) / 4` (a 3:1 input-to-output token mix). */
export const BLEND_INPUT_WEIGHT = 3n;
export const BLEND_OUTPUT_WEIGHT = 1n;
export const BLEND_DIVISOR = BLEND_INPUT_WEIGHT + BLEND_OUTPUT_WEIGHT;

/** An explicit removal: `model` leaves every ATPI tier from 00:00 UTC on `date`, for good. */
export interface Retirement {
  readonly model: string;
  readonly date: IsoDate;
}

/**
 * How constituents are weighted. `equal`: every constituent weighs 1. `usage`: a configured
 * positive integer weight per model (any common scale, e.g. tokens served per month in millions),
 * with `defaultWeight` for constituents the table does not name.
 */
export type Weighting =
  | { readonly kind: "equal" }
  | {
      readonly kind: "usage";
      readonly weights: Readonly<Record<string, bigint>>;
      readonly defaultWeight: bigint;
    };

/** The rules of one ATPI tier index. Everything here is hashed into its methodology hash. */
export interface AtpiSpec {
  readonly kind: "atpi";
  /** Index name; the oracle id is `keccak256(name)`. */
  readonly index: string;
  readonly version: string;
  /** The tier whose models are constituents. */
  readonly tier: string;
  /** A model leaves this many calendar months after its latest price row unless repriced. */
  readonly maxPriceAgeMonths: number;
  /** Fewer eligible constituents than this and no value is published for the date. */
  readonly minConstituents: number;
  readonly retirements: readonly Retirement[];
  readonly weighting: Weighting;
}

/** ATPI-FRONTIER v1.0.0: frontier tier, equal weights, 12-month price age, at least 3 models. */
export const ATPI_FRONTIER_SPEC: AtpiSpec = {
  kind: "atpi",
  index: ATPI_FRONTIER,
  version: ATPI_VERSION,
  tier: "frontier",
  maxPriceAgeMonths: 12,
  minConstituents: 3,
  retirements: [],
  weighting: { kind: "equal" },
};

/** ATPI-SMALL v1.0.0: small tier, equal weights, 12-month price age, at least 3 models. */
export const ATPI_SMALL_SPEC: AtpiSpec = {
  kind: "atpi",
  index: ATPI_SMALL,
  version: ATPI_VERSION,
  tier: "small",
  maxPriceAgeMonths: 12,
  minConstituents: 3,
  retirements: [],
  weighting: { kind: "equal" },
};

/** One constituent of a tier on a date, with the row it is priced from. */
export interface AtpiConstituent {
  readonly model: string;
  readonly provider: string;
  /** Effective date of the price row in force. */
  readonly effectiveDate: IsoDate;
  readonly inputUsdPerMtok: bigint;
  readonly outputUsdPerMtok: bigint;
  /** `(3 × input + output) / 4`, rounded down to 1 wei. */
  readonly blended: bigint;
  readonly weight: bigint;
}

/** The outcome of applying the ATPI rules to a date. */
export interface AtpiResult {
  readonly indexId: Hex;
  readonly methodologyHash: Hex;
  readonly asOf: IsoDate;
  /** Sorted by model name. */
  readonly constituents: readonly AtpiConstituent[];
  readonly value: bigint;
  /** The canonical round inputs (see `atpiInputs`). */
  readonly inputs: CanonicalValue;
}

/**
 * A model's blended price per million tokens: `(3 × input + output) / 4`, rounded down to
 * 1 wei at 1e18 scale (rounding point 1 of 2). With inputs of at most 18 decimals the numerator
 * is an exact integer, so the loss is below 1 wei.
 *
 * @example blendedPrice(3n * WAD, 15n * WAD) // 6e18: (9 + 15) / 4 = $6
 */
export function blendedPrice(input: bigint, output: bigint): bigint {
  return (BLEND_INPUT_WEIGHT * input + BLEND_OUTPUT_WEIGHT * output) / BLEND_DIVISOR;
}

/**
 * The weighted mean `Σ wᵢ·bᵢ / Σ wᵢ`, rounded down to 1 wei (rounding point 2 of 2). The sum is
 * exact; the only rounding is this single floor division.
 */
export function weightedMeanDown(items: readonly { blended: bigint; weight: bigint }[]): bigint {
  let numerator = 0n;
  let denominator = 0n;
  for (const { blended, weight } of items) {
    numerator += blended * weight;
    denominator += weight;
  }
  if (denominator === 0n) throw new RangeError("weightedMeanDown: empty or zero-weight set");
  return numerator / denominator;
}

/**
 * Checks the spec against its own constraints.
 *
 * @throws {InvalidSpecError}
 */
export function validateAtpiSpec(spec: AtpiSpec): void {
  if (spec.kind !== "atpi") throw new InvalidSpecError("kind", 'expected "atpi"');
  requireFilled(spec, ["index", "version", "tier"]);
  requireWholeNumber("maxPriceAgeMonths", spec.maxPriceAgeMonths, 1, "months");
  requireWholeNumber("minConstituents", spec.minConstituents, 1);
  const retired = new Set<string>();
  for (const r of spec.retirements) {
    if (retired.has(r.model)) throw new InvalidSpecError("retirements", `${r.model} listed twice`);
    retired.add(r.model);
    try {
      assertIsoDate(r.date);
    } catch {
      throw new InvalidSpecError("retirements", `${r.model} has an invalid date ${JSON.stringify(r.date)}`);
    }
  }
  if (spec.weighting.kind === "usage") {
    if (spec.weighting.defaultWeight <= 0n) {
      throw new InvalidSpecError("weighting.defaultWeight", "must be positive");
    }
    for (const [model, weight] of Object.entries(spec.weighting.weights)) {
      if (typeof weight !== "bigint" || weight <= 0n) {
        throw new InvalidSpecError(`weighting.weights.${model}`, "must be a positive bigint");
      }
    }
  } else if (spec.weighting.kind !== "equal") {
    throw new InvalidSpecError("weighting.kind", 'expected "equal" or "usage"');
  }
}

/** What names an ATPI index in its rules and round inputs, in every ATPI version. */
export type AtpiIdentity = Pick<AtpiSpec, "index" | "version" | "tier">;

/**
 * The first fields of the rules of every ATPI version, in this order: methodology name and version,
 * index, tier, unit, scale and the blend weights.
 */
export function atpiRulesHead(spec: AtpiIdentity): { readonly [key: string]: CanonicalValue } {
  return {
    methodology: { name: ATPI_METHODOLOGY, version: spec.version },
    index: spec.index,
    tier: spec.tier,
    unit: ATPI_UNIT,
    scale: WAD,
    blend: { inputWeight: BLEND_INPUT_WEIGHT, outputWeight: BLEND_OUTPUT_WEIGHT, divisor: BLEND_DIVISOR },
  };
}

/**
 * The first fields of the round inputs of every ATPI version, in this order: methodology name and
 * version, methodology hash, index name and id, tier, unit, scale and the as-of date.
 */
export function atpiInputsHead(
  spec: AtpiIdentity,
  methodologyHash: Hex,
  asOf: IsoDate,
): { readonly [key: string]: CanonicalValue } {
  return {
    methodology: { name: ATPI_METHODOLOGY, version: spec.version },
    methodologyHash,
    index: spec.index,
    indexId: indexIdOf(spec.index),
    tier: spec.tier,
    unit: ATPI_UNIT,
    scale: WAD,
    asOf,
  };
}

/**
 * The complete rules object of an ATPI index, in canonical form. Its hash is the index's
 * methodology hash (see `methodologyHashOf`).
 */
export function atpiRules(spec: AtpiSpec): CanonicalValue {
  validateAtpiSpec(spec);
  const weighting: CanonicalValue =
    spec.weighting.kind === "equal"
      ? { kind: "equal" }
      : {
          kind: "usage",
          defaultWeight: spec.weighting.defaultWeight,
          weights: { ...spec.weighting.weights },
        };
  return {
    ...atpiRulesHead(spec),
    maxPriceAgeMonths: BigInt(spec.maxPriceAgeMonths),
    minConstituents: BigInt(spec.minConstituents),
    retirements: [...spec.retirements]
      .sort((a, b) => compareStrings(a.model, b.model))
      .map((r) => ({ model: r.model, date: r.date })),
    weighting,
    rounding: "down",
  };
}

/** The methodology hash of an ATPI index: `keccak256(canonicalJson(atpiRules(spec)))`. */
export function atpiMethodologyHash(spec: AtpiSpec): Hex {
  return methodologyHashOf(atpiRules(spec));
}

/**
 * Checks the integrity of a price table: at most one row per model per effective date, and one
 * provider per model. Applied to the whole table (future rows included), so a bad table fails on
 * every date rather than only on some.
 *
 * @throws {ConflictingRowsError | InconsistentModelError}
 */
export function checkPriceRows(rows: readonly PriceRow[]): void {
  const providerOf = new Map<string, string>();
  const seen = new Set<string>();
  for (const row of rows) {
    const key = `${row.model}\u0000${row.effectiveDate}`;
    if (seen.has(key)) throw new ConflictingRowsError(row.model, row.effectiveDate);
    seen.add(key);
    const provider = providerOf.get(row.model);
    if (provider === undefined) providerOf.set(row.model, row.provider);
    else if (provider !== row.provider) {
      const [first, second] = [provider, row.provider].sort(compareStrings);
      throw new InconsistentModelError(row.model, "provider", first, second);
    }
  }
}

/**
 * Applies the ATPI constituent rules on `asOf` (a UTC date). A model is a constituent when, on
 * `asOf`:
 * 1. it is listed: it has a row with `effectiveDate ≤ asOf` (the latest such row is in force);
 * 2. the row in force has the spec's tier (a later row may move a model between tiers);
 * 3. it is fresh: `asOf < effectiveDate + maxPriceAgeMonths` of the row in force (any new row,
 *    repriced or not, restarts the clock);
 * 4. it is not retired: no retirement entry for it dated on or before `asOf`.
 * Constituents are sorted by model name; the order of `rows` never matters.
 *
 * @throws {InvalidSpecError | ConflictingRowsError | InconsistentModelError}
 */
export function atpiConstituents(
  spec: AtpiSpec,
  rows: readonly PriceRow[],
  asOf: IsoDate,
): AtpiConstituent[] {
  validateAtpiSpec(spec);
  checkPriceRows(rows);
  const day = dayNumber(asOf);
  const inForce = new Map<string, PriceRow>();
  for (const row of rows) {
    if (dayNumber(row.effectiveDate) > day) continue;
    const current = inForce.get(row.model);
    if (current === undefined || current.effectiveDate < row.effectiveDate) inForce.set(row.model, row);
  }
  const retiredOn = new Map(spec.retirements.map((r) => [r.model, dayNumber(r.date)]));
  const constituents: AtpiConstituent[] = [];
  for (const row of inForce.values()) {
    if (row.tier !== spec.tier) continue;
    if (day >= dayNumber(addMonths(row.effectiveDate, spec.maxPriceAgeMonths))) continue;
    const retired = retiredOn.get(row.model);
    if (retired !== undefined && day >= retired) continue;
    constituents.push({
      model: row.model,
      provider: row.provider,
      effectiveDate: row.effectiveDate,
      inputUsdPerMtok: row.inputUsdPerMtok,
      outputUsdPerMtok: row.outputUsdPerMtok,
      blended: blendedPrice(row.inputUsdPerMtok, row.outputUsdPerMtok),
      weight: weightOf(spec.weighting, row.model),
    });
  }
  return constituents.sort((a, b) => compareStrings(a.model, b.model));
}

/**
 * The canonical round inputs of an ATPI round: methodology name and version, methodology hash,
 * index name and id, tier, unit and scale, the as-of date and every constituent with its provider,
 * the effective date of its price row, its input and output prices and its weight. The value is
 * not included: it is a function of these inputs.
 */
export function atpiInputs(
  spec: AtpiSpec,
  asOf: IsoDate,
  constituents: readonly AtpiConstituent[],
): CanonicalValue {
  return {
    ...atpiInputsHead(spec, atpiMethodologyHash(spec), asOf),
    constituents: constituents.map((c) => ({
      model: c.model,
      provider: c.provider,
      effectiveDate: c.effectiveDate,
      input: c.inputUsdPerMtok,
      output: c.outputUsdPerMtok,
      weight: c.weight,
    })),
  };
}

/**
 * An ATPI tier's value from its constituents on `asOf` (every ATPI version): the weighted mean of
 * their blended prices, rounded down to 1 wei (`weightedMeanDown`).
 *
 * @throws {InsufficientConstituentsError} with fewer than `spec.minConstituents` constituents.
 * @throws {ZeroValueError} when every constituent is free.
 */
export function atpiValue(
  spec: { readonly index: string; readonly minConstituents: number },
  asOf: IsoDate,
  constituents: readonly { blended: bigint; weight: bigint }[],
): bigint {
  if (constituents.length < spec.minConstituents) {
    throw new InsufficientConstituentsError(spec.index, asOf, constituents.length, spec.minConstituents);
  }
  const value = weightedMeanDown(constituents);
  if (value === 0n) throw new ZeroValueError(spec.index, asOf);
  return value;
}

/**
 * Computes an ATPI tier value on `asOf`: the weighted mean of the constituents' blended prices,
 * in US dollars per one million tokens at 1e18 scale, rounded down to 1 wei.
 *
 * @example
 * const r = computeAtpi(ATPI_FRONTIER_SPEC, parsePriceCsv(text), "2025-06-30");
 * @throws {InsufficientConstituentsError} with fewer than `minConstituents` constituents.
 * @throws {ZeroValueError} when every constituent is free.
 */
export function computeAtpi(spec: AtpiSpec, rows: readonly PriceRow[], asOf: IsoDate): AtpiResult {
  const constituents = atpiConstituents(spec, rows, asOf);
  const value = atpiValue(spec, asOf, constituents);
  return {
    indexId: indexIdOf(spec.index),
    methodologyHash: atpiMethodologyHash(spec),
    asOf,
    constituents,
    value,
    inputs: atpiInputs(spec, asOf, constituents),
  };
}

function weightOf(weighting: Weighting, model: string): bigint {
  if (weighting.kind === "equal") return 1n;
  return Object.hasOwn(weighting.weights, model) ? weighting.weights[model] : weighting.defaultWeight;
}

/** Code-unit string order, the order used for every sorted list in canonical inputs. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
