/**
 * ATPI 2.0.0: the AI token price indices on `@pydantic/genai-prices` data, with each tier's
 * constituents fixed by a published list of first-party (provider, model) pairs that is part of
 * the rules and so of the methodology hash. See `docs/index-methodology.md`.
 */
import type { Hex } from "viem";

import { atpiInputsHead, atpiRulesHead, atpiValue, blendedPrice, compareStrings } from "./atpi.js";
import { hashCanonical, type CanonicalValue } from "./canonical.js";
import { dayNumber, type IsoDate } from "./dates.js";
import { InvalidSpecError } from "./errors.js";
import { GENAI_PRICES_DATASET, genaiRowsCanonical, type GenaiRow } from "./genai-prices.js";
import { indexIdOf, methodologyHashOf } from "./ids.js";
import { requireFilled, requireWholeNumber } from "./spec-checks.js";

/** Version of the list-based ATPI rules. */
export const ATPI_LIST_VERSION = "2.0.0";
/** Index names of the 2.0.0 rules (a new version is reported under new ids; the 1.0.0 ids keep their rules). */
export const ATPI_FRONTIER_V2 = "ATPI-FRONTIER-V2";
export const ATPI_SMALL_V2 = "ATPI-SMALL-V2";
export const ATPI_FRONTIER_V2_ID: Hex = indexIdOf(ATPI_FRONTIER_V2);
export const ATPI_SMALL_V2_ID: Hex = indexIdOf(ATPI_SMALL_V2);

/**
 * The first-party providers of the 2.0.0 lists: the `id`s under which the dataset lists each model
 * maker's own API. Resellers, clouds and aggregators (`openrouter`, `aws`, `azure`, `together`,
 * `groq`, Google's Vertex entries for Claude, …) never count, even for the same model.
 */
export const ATPI_V2_FIRST_PARTY = [
  "anthropic",
  "deepseek",
  "google",
  "mistral",
  "moonshotai",
  "openai",
  "x-ai",
  "zai",
] as const;

/**
 * How the rules read the data; hashed into the methodology so a change of reading is a new
 * version. Each value is the documented treatment (`docs/index-methodology.md`, "ATPI 2.0.0").
 */
export const ATPI_V2_TREATMENT = {
  aliases: "one constituent per listed model entry id; alias names in its match clause are not models",
  batch: "ignored: standard rates only",
  cached: "ignored: cache read and write prices are not read",
  contextTiers: "base rate: the shortest-context price of a tiered price",
  deprecated: "excluded while the data flags the entry deprecated",
  missing: "excluded while the data has no entry or no token price for it; no substitute",
  preview: "not listed: preview and experimental prices are provisional",
  priceInForce: "the period with the latest start_date on or before the date, else the undated period",
  timeOfDay: "ignored: time_of_date price sets are surcharges or discounts on the standard rate",
} as const;

/** One listed constituent. */
export interface ListedModel {
  readonly provider: string;
  readonly model: string;
}

/** The rules of one list-based ATPI tier index. Everything here is hashed into its methodology hash. */
export interface AtpiListSpec {
  readonly kind: "atpi-list";
  readonly index: string;
  readonly version: string;
  readonly tier: string;
  /** The dataset the constituents are priced from. */
  readonly dataset: string;
  /** First-party providers whose entries may be listed. */
  readonly firstParty: readonly string[];
  /** The published constituent list. */
  readonly constituents: readonly ListedModel[];
  /** Fewer priced constituents than this and no value is published for the date. */
  readonly minConstituents: number;
}

/**
 * ATPI-FRONTIER-V2 2.0.0: each first-party maker's flagship general-purpose text model (a judgement recorded as a list),
 * as its own API prices it (composition from the 0.1.8 data, published 2026-09-23; see the docs for the criterion).
 */
export const ATPI_FRONTIER_V2_SPEC: AtpiListSpec = {
  kind: "atpi-list",
  index: ATPI_FRONTIER_V2,
  version: ATPI_LIST_VERSION,
  tier: "frontier",
  dataset: GENAI_PRICES_DATASET,
  firstParty: ATPI_V2_FIRST_PARTY,
  constituents: [
    { provider: "anthropic", model: "claude-fable-5-1" },
    { provider: "deepseek", model: "deepseek-v4-pro" },
    { provider: "google", model: "gemini-2.5-pro" },
    { provider: "mistral", model: "mistral-medium-3-5" },
    { provider: "moonshotai", model: "kimi-k3" },
    { provider: "openai", model: "gpt-6-astra" },
    { provider: "x-ai", model: "grok-4.6" },
    { provider: "zai", model: "GLM-5.3" },
  ],
  minConstituents: 5,
};

/** ATPI-SMALL-V2 2.0.0: each first-party maker's low-cost generally available text model. */
export const ATPI_SMALL_V2_SPEC: AtpiListSpec = {
  kind: "atpi-list",
  index: ATPI_SMALL_V2,
  version: ATPI_LIST_VERSION,
  tier: "small",
  dataset: GENAI_PRICES_DATASET,
  firstParty: ATPI_V2_FIRST_PARTY,
  constituents: [
    { provider: "anthropic", model: "claude-haiku-4-5" },
    { provider: "deepseek", model: "deepseek-v4-flash" },
    { provider: "google", model: "gemini-3.5-flash-lite" },
    { provider: "mistral", model: "mistral-small-2603" },
    { provider: "openai", model: "gpt-6-luna" },
    { provider: "x-ai", model: "grok-4-1-fast-non-reasoning" },
    { provider: "zai", model: "GLM-5.3-Flash" },
  ],
  minConstituents: 5,
};

/** Why a listed model is not a constituent on a date. */
export type ExclusionReason = "missing" | "deprecated" | "not-yet-priced";

/** A priced constituent on a date. */
export interface ListConstituent {
  readonly provider: string;
  readonly model: string;
  /** `from` of the period in force (`""`: the undated period). */
  readonly effectiveDate: IsoDate | "";
  readonly inputUsdPerMtok: bigint;
  readonly outputUsdPerMtok: bigint;
  readonly blended: bigint;
  readonly weight: bigint;
}

/** A listed model that is not a constituent on the date, and why. */
export interface ListExclusion {
  readonly provider: string;
  readonly model: string;
  readonly reason: ExclusionReason;
}

export interface AtpiListResult {
  readonly indexId: Hex;
  readonly methodologyHash: Hex;
  readonly asOf: IsoDate;
  /** Sorted by provider, then model. */
  readonly constituents: readonly ListConstituent[];
  readonly excluded: readonly ListExclusion[];
  /** `keccak256` of every row of every listed model in the data used (all its periods). */
  readonly scheduleHash: Hex;
  readonly value: bigint;
  readonly inputs: CanonicalValue;
}

/**
 * Checks the spec against its own constraints.
 *
 * @throws {InvalidSpecError}
 */
export function validateAtpiListSpec(spec: AtpiListSpec): void {
  if (spec.kind !== "atpi-list") throw new InvalidSpecError("kind", 'expected "atpi-list"');
  requireFilled(spec, ["index", "version", "tier", "dataset"]);
  requireWholeNumber("minConstituents", spec.minConstituents, 1);
  if (spec.constituents.length < spec.minConstituents) {
    throw new InvalidSpecError("constituents", "fewer listed models than minConstituents");
  }
  const firstParty = new Set(spec.firstParty);
  if (firstParty.size !== spec.firstParty.length) throw new InvalidSpecError("firstParty", "listed twice");
  const seen = new Set<string>();
  for (const c of spec.constituents) {
    const key = `${c.provider}/${c.model}`;
    if (seen.has(key)) throw new InvalidSpecError("constituents", `${key} listed twice`);
    seen.add(key);
    if (!firstParty.has(c.provider)) {
      throw new InvalidSpecError(
        "constituents",
        `${key}: ${c.provider} is not a listed first-party provider`,
      );
    }
  }
}

/** The complete rules object of a list-based ATPI index (its hash is the methodology hash). */
export function atpiListRules(spec: AtpiListSpec): CanonicalValue {
  validateAtpiListSpec(spec);
  return {
    ...atpiRulesHead(spec),
    source: { dataset: spec.dataset, input: "input_mtok", output: "output_mtok", unit: "USD per 1M tokens" },
    firstParty: [...spec.firstParty].sort(compareStrings),
    constituents: sortListed(spec.constituents).map((c) => ({ provider: c.provider, model: c.model })),
    minConstituents: BigInt(spec.minConstituents),
    treatment: { ...ATPI_V2_TREATMENT },
    weighting: { kind: "equal" },
    rounding: "down",
  };
}

/** `keccak256(canonicalJson(atpiListRules(spec)))`. */
export function atpiListMethodologyHash(spec: AtpiListSpec): Hex {
  return methodologyHashOf(atpiListRules(spec));
}

/** The rows of the listed models only, canonical: what a round's `scheduleHash` commits to. */
export function listedRows(spec: AtpiListSpec, rows: readonly GenaiRow[]): GenaiRow[] {
  const listed = new Set(spec.constituents.map((c) => `${c.provider}\u0000${c.model}`));
  return rows.filter((r) => listed.has(`${r.provider}\u0000${r.model}`));
}

/**
 * Applies the 2.0.0 rules on `asOf`: for each listed model, its first-party entry in the data;
 * excluded when missing, flagged deprecated or not yet priced on `asOf`; else priced at the period
 * in force (latest `from` ≤ `asOf`, the undated period counting as earliest). Row order never
 * matters; other providers' rows (resellers) are never read.
 *
 * @throws {InvalidSpecError | ConflictingRowsError}
 */
export function atpiListConstituents(
  spec: AtpiListSpec,
  rows: readonly GenaiRow[],
  asOf: IsoDate,
): { constituents: ListConstituent[]; excluded: ListExclusion[]; schedule: GenaiRow[] } {
  validateAtpiListSpec(spec);
  const day = dayNumber(asOf);
  const schedule = listedRows(spec, rows);
  genaiRowsCanonical(schedule); // refuses conflicting duplicates
  const byModel = new Map<string, GenaiRow[]>();
  for (const r of schedule) {
    const key = `${r.provider}\u0000${r.model}`;
    const list = byModel.get(key);
    if (list === undefined) byModel.set(key, [r]);
    else list.push(r);
  }
  const constituents: ListConstituent[] = [];
  const excluded: ListExclusion[] = [];
  for (const c of sortListed(spec.constituents)) {
    const periods = byModel.get(`${c.provider}\u0000${c.model}`);
    if (periods === undefined) {
      excluded.push({ ...c, reason: "missing" });
      continue;
    }
    if (periods.some((p) => p.deprecated)) {
      excluded.push({ ...c, reason: "deprecated" });
      continue;
    }
    let inForce: GenaiRow | undefined;
    for (const p of periods) {
      if (p.from !== "" && dayNumber(p.from) > day) continue;
      if (inForce === undefined || inForce.from < p.from) inForce = p;
    }
    if (inForce === undefined) {
      excluded.push({ ...c, reason: "not-yet-priced" });
      continue;
    }
    constituents.push({
      provider: c.provider,
      model: c.model,
      effectiveDate: inForce.from,
      inputUsdPerMtok: inForce.input,
      outputUsdPerMtok: inForce.output,
      blended: blendedPrice(inForce.input, inForce.output),
      weight: 1n,
    });
  }
  return { constituents, excluded, schedule };
}

/**
 * Computes a list-based ATPI value on `asOf`: the equal-weighted mean of the constituents'
 * blended prices `(3·input + output) / 4`, rounded down to 1 wei.
 *
 * @throws {InsufficientConstituentsError | ZeroValueError | InvalidSpecError | ConflictingRowsError}
 */
export function computeAtpiList(
  spec: AtpiListSpec,
  rows: readonly GenaiRow[],
  asOf: IsoDate,
): AtpiListResult {
  const { constituents, excluded, schedule } = atpiListConstituents(spec, rows, asOf);
  const value = atpiValue(spec, asOf, constituents);
  const methodologyHash = atpiListMethodologyHash(spec);
  const scheduleHash = hashCanonical(genaiRowsCanonical(schedule));
  return {
    indexId: indexIdOf(spec.index),
    methodologyHash,
    asOf,
    constituents,
    excluded,
    scheduleHash,
    value,
    inputs: {
      ...atpiInputsHead(spec, methodologyHash, asOf),
      source: { dataset: spec.dataset, scheduleHash },
      constituents: constituents.map((c) => ({
        provider: c.provider,
        model: c.model,
        effectiveDate: c.effectiveDate,
        input: c.inputUsdPerMtok,
        output: c.outputUsdPerMtok,
        weight: c.weight,
      })),
      excluded: excluded.map((e) => ({ provider: e.provider, model: e.model, reason: e.reason })),
    },
  };
}

function sortListed<T extends ListedModel>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => compareStrings(a.provider, b.provider) || compareStrings(a.model, b.model));
}
