/**
 * Index history from stored data: canonical snapshots of `@pydantic/genai-prices` at the dates
 * they were published (`index/snapshots/`, the listed constituents' rows only), and the
 * hand-compiled list-price CSV (`index/fixtures/ai-token-list-prices.csv`).
 *
 * - ATPI 2.0.0 rounds on a date `D` are **observed** when computed from the newest snapshot
 *   published on or before `D` (the data a reporter could have held that day), and
 *   **reconstructed** when `D` is before the first snapshot and the round is back-filled from the
 *   earliest one (it assumes the snapshot's undated prices already held on `D`, which the data
 *   does not say).
 * - The 1.0.0 indices read one combined list-price table: the committed CSV, plus one row per
 *   listed model per snapshot dated the day the snapshot was published (its price in force then:
 *   observed that day), plus one row per dated price change the data carries, at its
 *   `start_date`. See `historyPriceRows`.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { ATPI_FRONTIER_V2_SPEC, ATPI_SMALL_V2_SPEC, type AtpiListSpec } from "./atpi-list.js";
import { compareStrings } from "./atpi.js";
import { parsePriceCsv, PRICE_CSV_COLUMNS, type PriceRow } from "./csv.js";
import { addDays, dayNumber, type IsoDate } from "./dates.js";
import { formatDecimal18 } from "./decimal.js";
import { IndexError } from "./errors.js";
import { parseGenaiSnapshot, type GenaiRow } from "./genai-prices.js";
import { computeRound, type Round } from "./index.js";

/** One stored snapshot of the genai-prices data. */
export interface GenaiSnapshot {
  /** The `@pydantic/genai-prices` version whose bundled data it is. */
  readonly version: string;
  /** The UTC date the npm registry records for that version's publication. */
  readonly publishedOn: IsoDate;
  /** File under `index/snapshots/`. */
  readonly file: string;
}

/**
 * The stored snapshots, oldest first. Publication dates are the registry's `time` entries;
 * earlier versions whose recorded times contradict their version order are not used.
 */
export const GENAI_SNAPSHOTS: readonly GenaiSnapshot[] = [
  { version: "0.0.53", publishedOn: "2026-05-08", file: "genai-prices-0.0.53.csv" },
  { version: "0.0.66", publishedOn: "2026-08-24", file: "genai-prices-0.0.66.csv" },
  { version: "0.1.7", publishedOn: "2026-09-16", file: "genai-prices-0.1.7.csv" },
  { version: "0.1.8", publishedOn: "2026-09-23", file: "genai-prices-0.1.8.csv" },
];

const SNAPSHOT_DIR = fileURLToPath(new URL("./snapshots/", import.meta.url));
const PRICE_CSV = fileURLToPath(new URL("./fixtures/ai-token-list-prices.csv", import.meta.url));

/** A snapshot's canonical rows. */
export function readSnapshot(snapshot: GenaiSnapshot): GenaiRow[] {
  return parseGenaiSnapshot(readFileSync(`${SNAPSHOT_DIR}${snapshot.file}`, "utf8"));
}

/** Whether a round was computed from data that existed on its date. */
export type Provenance = "observed" | "reconstructed";

/** One date of a history series. */
export interface HistoryPoint {
  readonly asOf: IsoDate;
  readonly provenance: Provenance;
  /** The snapshot version the round was computed from. */
  readonly snapshot: string;
  /** The round, or the error code when the data gives no value that day. */
  readonly round?: Round;
  readonly noValue?: string;
}

/** The snapshot a round on `date` reads, and whether that is an observation or a back-fill. */
export function snapshotFor(
  date: IsoDate,
  snapshots: readonly GenaiSnapshot[] = GENAI_SNAPSHOTS,
): { snapshot: GenaiSnapshot; provenance: Provenance } {
  const day = dayNumber(date);
  let held: GenaiSnapshot | undefined;
  for (const s of snapshots) if (dayNumber(s.publishedOn) <= day) held = s;
  return held === undefined
    ? { snapshot: snapshots[0], provenance: "reconstructed" }
    : { snapshot: held, provenance: "observed" };
}

/** ATPI 2.0.0 history over `[from, to]` every `stepDays` days, each point labelled. */
export function atpiListHistory(
  spec: AtpiListSpec,
  range: { from: IsoDate; to: IsoDate; stepDays?: number },
  snapshots: readonly GenaiSnapshot[] = GENAI_SNAPSHOTS,
): HistoryPoint[] {
  const rows = new Map(snapshots.map((s) => [s.version, readSnapshot(s)]));
  const points: HistoryPoint[] = [];
  for (let d = range.from; dayNumber(d) <= dayNumber(range.to); d = addDays(d, range.stepDays ?? 1)) {
    const { snapshot, provenance } = snapshotFor(d, snapshots);
    try {
      const round = computeRound(spec, rows.get(snapshot.version)!, d);
      points.push({ asOf: d, provenance, snapshot: snapshot.version, round });
    } catch (e) {
      if (!(e instanceof IndexError)) throw e;
      points.push({ asOf: d, provenance, snapshot: snapshot.version, noValue: e.code });
    }
  }
  return points;
}

/** Display names the committed CSV uses for the genai-prices provider ids. */
export const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  anthropic: "Anthropic",
  deepseek: "DeepSeek",
  google: "Google",
  mistral: "Mistral",
  moonshotai: "Moonshot",
  openai: "OpenAI",
  "x-ai": "xAI",
  zai: "Zai",
};

/**
 * The combined list-price table the 1.0.0 indices read: the committed CSV plus rows derived from
 * the snapshots, in the CSV's format. For each snapshot, oldest first, and each listed model of
 * the 2.0.0 lists (tier `frontier` or `small` by the list it is on):
 * - a row dated the snapshot's publication day with the price in force that day (unless the data
 *   flags the model deprecated): observed on that day, and a re-confirmation that restarts the
 *   1.0.0 freshness clock;
 * - a row at each dated price change (`start_date`) the snapshot carries.
 * A later snapshot's row replaces an earlier one for the same model and date. A model the CSV
 * names with dots where the data writes dashes (`claude-haiku-4.5` / `claude-haiku-4-5`), from
 * the same provider, is the same model and keeps the CSV's name.
 */
export function historyPriceRows(snapshots: readonly GenaiSnapshot[] = GENAI_SNAPSHOTS): PriceRow[] {
  const committed = parsePriceCsv(readFileSync(PRICE_CSV, "utf8"));
  const csvName = new Map<string, string>();
  for (const r of committed) csvName.set(`${r.provider}\u0000${r.model.replace(/\./g, "-")}`, r.model);
  const tierOf = new Map<string, string>();
  for (const spec of [ATPI_FRONTIER_V2_SPEC, ATPI_SMALL_V2_SPEC]) {
    for (const c of spec.constituents) tierOf.set(`${c.provider}\u0000${c.model}`, spec.tier);
  }
  const derived = new Map<string, PriceRow>();
  let line = committed.length + 2;
  for (const snapshot of snapshots) {
    const byModel = new Map<string, GenaiRow[]>();
    for (const r of readSnapshot(snapshot)) {
      const key = `${r.provider}\u0000${r.model}`;
      byModel.set(key, [...(byModel.get(key) ?? []), r]);
    }
    for (const [key, periods] of byModel) {
      const tier = tierOf.get(key);
      if (tier === undefined || periods.some((p) => p.deprecated)) continue;
      const provider = PROVIDER_NAMES[periods[0].provider] ?? periods[0].provider;
      const model =
        csvName.get(`${provider}\u0000${periods[0].model.replace(/\./g, "-")}`) ?? periods[0].model;
      const add = (date: IsoDate, p: GenaiRow) =>
        derived.set(`${model}\u0000${date}`, {
          effectiveDate: date,
          provider,
          model,
          tier,
          inputUsdPerMtok: p.input,
          outputUsdPerMtok: p.output,
          line: line++,
        });
      let inForce: GenaiRow | undefined;
      for (const p of periods) {
        if (p.from !== "") add(p.from, p);
        if (p.from <= snapshot.publishedOn) inForce = p; // "" sorts first: the undated period
      }
      if (inForce !== undefined) add(snapshot.publishedOn, inForce);
    }
  }
  const committedKeys = new Set(committed.map((r) => `${r.model}\u0000${r.effectiveDate}`));
  const extra = [...derived.entries()].filter(([k]) => !committedKeys.has(k)).map(([, r]) => r);
  return [...committed, ...extra];
}

/** `historyPriceRows` as CSV text (sorted by date, then model), for reporters that read a file. */
export function historyPriceCsv(snapshots: readonly GenaiSnapshot[] = GENAI_SNAPSHOTS): string {
  const rows = historyPriceRows(snapshots).sort(
    (a, b) => compareStrings(a.effectiveDate, b.effectiveDate) || compareStrings(a.model, b.model),
  );
  const lines = rows.map((r) =>
    [
      r.effectiveDate,
      r.provider,
      r.model,
      r.tier,
      formatDecimal18(r.inputUsdPerMtok),
      formatDecimal18(r.outputUsdPerMtok),
    ].join(","),
  );
  return `${[PRICE_CSV_COLUMNS.join(","), ...lines].join("\n")}\n`;
}
