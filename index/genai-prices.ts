/**
 * Input adapter for the LLM list prices maintained by Pydantic in `@pydantic/genai-prices` (MIT):
 * the package's bundled copy (offline), a downloaded `data.json` (the same `Provider[]` JSON the
 * package names as `REMOTE_DATA_JSON_URL`), or a canonical snapshot CSV committed under
 * `index/fixtures/`. All three become the same canonical rows ({@link GenaiRow}), so a round
 * computed from any of them is byte-identical when the underlying prices are.
 *
 * No network here: fetching the URL is the caller's business (the reporter keeper's `--prices`).
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { readFileSync } from "node:fs";

import type { Hex } from "viem";

import { hashCanonical, type CanonicalValue } from "./canonical.js";
import { dayNumber, type IsoDate } from "./dates.js";
import { parseDecimal18, formatDecimal18 } from "./decimal.js";
import { ConflictingRowsError, IndexError, PriceDataError } from "./errors.js";

/** The dataset name recorded in round inputs (not its location: any copy of the same prices hashes the same). */
export const GENAI_PRICES_DATASET = "pydantic/genai-prices";
/** The npm package that bundles the dataset. */
export const GENAI_PRICES_PACKAGE = "@pydantic/genai-prices";
/** Where the package itself fetches fresh data (`REMOTE_DATA_JSON_URL` in the package, v0.1.8). */
export const GENAI_PRICES_REMOTE_URL =
  "https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/new_data/v2/data.json";

/**
 * One canonical price period of one model of one provider, in US dollars per one million tokens at
 * 1e18 scale: the standard (non-batch, non-cached, shortest-context, any-time-of-day) input and
 * output rates. `from` is the period's `start_date`, or `""` for the price the data gives without
 * a start date (in force before every dated period).
 */
export interface GenaiRow {
  readonly provider: string;
  readonly model: string;
  readonly from: IsoDate | "";
  readonly input: bigint;
  readonly output: bigint;
  /** The data flags the model `deprecated`. */
  readonly deprecated: boolean;
}

/** The header of a canonical snapshot CSV, in order. */
export const GENAI_SNAPSHOT_COLUMNS = [
  "provider",
  "model",
  "from",
  "input_usd_per_mtok",
  "output_usd_per_mtok",
  "deprecated",
] as const;

/** Ids written to a snapshot CSV: printable, no comma, no surrounding space. */
const ID_PATTERN = /^[^\s,"][^,"\r\n]*$/;

/**
 * Converts the `@pydantic/genai-prices` `Provider[]` data into canonical rows, sorted by
 * provider, model and `from`.
 *
 * Per model entry (its `id` is the model; the alias names its `match` clause accepts are not
 * separate models):
 * - `prices` is one price set (a single undated period) or a list of conditional price sets: an
 *   entry without a constraint is the undated period, a `start_date` entry a dated one, and
 *   `time_of_date` entries (peak/off-peak surcharges and discounts) are left out. Undated first,
 *   then start dates strictly ascending, as the dataset writes them; anything else is refused
 *   because the package and this adapter could then disagree on the price in force.
 * - Only `input_mtok` and `output_mtok` are read; a period lacking either is not a token-priced
 *   chat period and yields no row. A context-tiered price `{base, tiers}` contributes its `base`
 *   (the shortest-context rate). Cache, batch, audio, image and per-request prices are ignored.
 * - Prices are JSON numbers; each is read through its shortest round-trip decimal form
 *   (`0.0375` → `"0.0375"`) into an exact 18-decimal integer.
 *
 * Identical duplicate rows collapse into one; two rows for the same provider, model and `from`
 * with different prices are refused (`ConflictingRowsError`).
 *
 * @throws {PriceDataError} on data that does not have this shape.
 */
export function parseGenaiPrices(data: unknown): GenaiRow[] {
  if (!Array.isArray(data)) throw new PriceDataError("$", "expected an array of providers");
  const rows: GenaiRow[] = [];
  data.forEach((provider: unknown, p) => {
    const pPath = `$[${p}]`;
    const po = asRecord(provider, pPath);
    const providerId = asId(po.id, `${pPath}.id`);
    if (!Array.isArray(po.models)) throw new PriceDataError(`${pPath}.models`, "expected an array");
    po.models.forEach((model: unknown, m) => {
      const mPath = `${pPath}.models[${m}]`;
      const mo = asRecord(model, mPath);
      const modelId = asId(mo.id, `${mPath}.id`);
      if (mo.deprecated !== undefined && typeof mo.deprecated !== "boolean") {
        throw new PriceDataError(`${mPath}.deprecated`, "expected a boolean");
      }
      const deprecated = mo.deprecated === true;
      for (const period of periodsOf(mo.prices, `${mPath}.prices`)) {
        const input = tokenPrice(period.prices.input_mtok, `${period.path}.input_mtok`);
        const output = tokenPrice(period.prices.output_mtok, `${period.path}.output_mtok`);
        if (input === undefined || output === undefined) continue;
        rows.push({ provider: providerId, model: modelId, from: period.from, input, output, deprecated });
      }
    });
  });
  return normaliseGenaiRows(rows);
}

/**
 * Sorts rows by provider, model and `from`, collapses identical duplicates and refuses
 * conflicting ones. Every reader ends here, so equal data gives equal (canonical) rows.
 *
 * @throws {ConflictingRowsError}
 */
export function normaliseGenaiRows(rows: readonly GenaiRow[]): GenaiRow[] {
  const sorted = [...rows].sort(compareGenaiRows);
  const out: GenaiRow[] = [];
  for (const row of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && compareGenaiRows(last, row) === 0) {
      if (last.input === row.input && last.output === row.output && last.deprecated === row.deprecated) {
        continue;
      }
      throw new ConflictingRowsError(
        `${row.provider}/${row.model}`,
        row.from === "" ? "(undated)" : row.from,
      );
    }
    out.push(row);
  }
  return out;
}

/** Order of canonical rows: provider, then model, then `from` (undated first). */
export function compareGenaiRows(a: GenaiRow, b: GenaiRow): number {
  return cmp(a.provider, b.provider) || cmp(a.model, b.model) || cmp(a.from, b.from);
}

/** The canonical form of rows (for hashing): `[{deprecated, from, input, model, output, provider}]`. */
export function genaiRowsCanonical(rows: readonly GenaiRow[]): CanonicalValue {
  return normaliseGenaiRows(rows).map((r) => ({
    provider: r.provider,
    model: r.model,
    from: r.from,
    input: r.input,
    output: r.output,
    deprecated: r.deprecated,
  }));
}

/** `keccak256(canonicalJson(genaiRowsCanonical(rows)))`: a content hash of a set of rows. */
export function genaiRowsHash(rows: readonly GenaiRow[]): Hex {
  return hashCanonical(genaiRowsCanonical(rows));
}

/** Writes rows as a canonical snapshot CSV (LF line ends, header first, rows in canonical order). */
export function formatGenaiSnapshot(rows: readonly GenaiRow[]): string {
  const lines: string[] = [GENAI_SNAPSHOT_COLUMNS.join(",")];
  for (const r of normaliseGenaiRows(rows)) {
    for (const [field, id] of [
      ["provider", r.provider],
      ["model", r.model],
    ] as const) {
      if (!ID_PATTERN.test(id))
        throw new PriceDataError(`${r.provider}/${r.model}`, `${field} cannot go in CSV`);
    }
    lines.push(
      [
        r.provider,
        r.model,
        r.from,
        formatDecimal18(r.input),
        formatDecimal18(r.output),
        String(r.deprecated),
      ].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Parses a canonical snapshot CSV (`provider,model,from,input_usd_per_mtok,output_usd_per_mtok,
 * deprecated`; `from` empty for the undated period; `deprecated` `true` or `false`).
 *
 * @throws {PriceDataError} naming the 1-based line of the first bad row.
 */
export function parseGenaiSnapshot(text: string): GenaiRow[] {
  const lines = text.split(/\r?\n/);
  if (lines[0] !== GENAI_SNAPSHOT_COLUMNS.join(",")) {
    throw new PriceDataError("line 1", `expected the header ${GENAI_SNAPSHOT_COLUMNS.join(",")}`);
  }
  const rows: GenaiRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "") continue;
    const where = `line ${i + 1}`;
    const f = line.split(",");
    if (f.length !== GENAI_SNAPSHOT_COLUMNS.length) {
      throw new PriceDataError(where, `expected ${GENAI_SNAPSHOT_COLUMNS.length} fields, got ${f.length}`);
    }
    const [provider, model, from, input, output, deprecated] = f;
    if (!ID_PATTERN.test(provider))
      throw new PriceDataError(where, `bad provider ${JSON.stringify(provider)}`);
    if (!ID_PATTERN.test(model)) throw new PriceDataError(where, `bad model ${JSON.stringify(model)}`);
    if (from !== "") checkDate(from, where);
    if (deprecated !== "true" && deprecated !== "false") {
      throw new PriceDataError(where, `deprecated must be true or false, got ${JSON.stringify(deprecated)}`);
    }
    rows.push({
      provider,
      model,
      from,
      input: decimal(input, `${where} input_usd_per_mtok`),
      output: decimal(output, `${where} output_usd_per_mtok`),
      deprecated: deprecated === "true",
    });
  }
  return normaliseGenaiRows(rows);
}

/** Where price data was read from, and what it was. */
export interface GenaiSource {
  /** `bundled:@pydantic/genai-prices@0.1.8`, a file path or a URL. */
  readonly location: string;
  /** `keccak256` of the canonical rows (all providers): identifies the data version whatever its location. */
  readonly contentHash: Hex;
  readonly rows: readonly GenaiRow[];
}

/** The version of the installed `@pydantic/genai-prices`. */
export function bundledGenaiPricesVersion(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve(GENAI_PRICES_PACKAGE);
  const pkg = JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8")) as {
    version?: unknown;
  };
  if (typeof pkg.version !== "string")
    throw new PriceDataError(GENAI_PRICES_PACKAGE, "package.json has no version");
  return pkg.version;
}

/**
 * The package's bundled copy of the data (offline). The package only replaces its bundled copy
 * when `updatePrices` is called, which nothing in this project does.
 */
export async function loadBundledGenaiPrices(): Promise<GenaiSource> {
  const mod = await import("@pydantic/genai-prices");
  const data = await mod.waitForUpdate();
  const rows = parseGenaiPrices(data);
  return {
    location: `bundled:${GENAI_PRICES_PACKAGE}@${bundledGenaiPricesVersion()}`,
    contentHash: genaiRowsHash(rows),
    rows,
  };
}

/**
 * Reads price data from text: a canonical snapshot CSV when it starts with the snapshot header,
 * otherwise the `Provider[]` JSON (`data.json`).
 *
 * @throws {PriceDataError}
 */
export function genaiSourceFromText(location: string, text: string): GenaiSource {
  let rows: GenaiRow[];
  if (text.startsWith(GENAI_SNAPSHOT_COLUMNS.join(","))) rows = parseGenaiSnapshot(text);
  else {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new PriceDataError("$", `neither a snapshot CSV nor JSON: ${(e as Error).message}`);
    }
    rows = parseGenaiPrices(data);
  }
  return { location, contentHash: genaiRowsHash(rows), rows };
}

interface Period {
  readonly from: IsoDate | "";
  readonly prices: Record<string, unknown>;
  readonly path: string;
}

function periodsOf(prices: unknown, path: string): Period[] {
  if (!Array.isArray(prices)) return [{ from: "", prices: asRecord(prices, path), path }];
  const periods: Period[] = [];
  prices.forEach((entry: unknown, i) => {
    const ePath = `${path}[${i}]`;
    const eo = asRecord(entry, ePath);
    const set = asRecord(eo.prices, `${ePath}.prices`);
    if (eo.constraint === undefined) {
      if (periods.length > 0) throw new PriceDataError(ePath, "an undated price set must come first");
      periods.push({ from: "", prices: set, path: `${ePath}.prices` });
      return;
    }
    const c = asRecord(eo.constraint, `${ePath}.constraint`);
    if (c.type === "time_of_date") return;
    if (c.type !== "start_date" && !(c.type === undefined && "start_date" in c)) {
      throw new PriceDataError(`${ePath}.constraint`, `unknown constraint ${JSON.stringify(c.type)}`);
    }
    if (typeof c.start_date !== "string")
      throw new PriceDataError(`${ePath}.constraint.start_date`, "expected a date");
    checkDate(c.start_date, `${ePath}.constraint.start_date`);
    const previous = periods[periods.length - 1];
    if (previous !== undefined && previous.from !== "" && previous.from >= c.start_date) {
      throw new PriceDataError(`${ePath}.constraint.start_date`, "start dates must be strictly ascending");
    }
    periods.push({ from: c.start_date, prices: set, path: `${ePath}.prices` });
  });
  // The package prices a date before the first start date at the first entry's prices.
  const first = periods[0];
  if (first !== undefined && first.from !== "")
    periods.unshift({ from: "", prices: first.prices, path: first.path });
  return periods;
}

function tokenPrice(value: unknown, path: string): bigint | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    return exactNumber((value as Record<string, unknown>).base, `${path}.base`);
  }
  return exactNumber(value, path);
}

function exactNumber(value: unknown, path: string): bigint {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new PriceDataError(path, `expected a non-negative finite number, got ${JSON.stringify(value)}`);
  }
  return decimal(decimalOfNumber(value), path);
}

/** The shortest round-trip decimal text of a finite non-negative number, without an exponent. */
export function decimalOfNumber(value: number): string {
  const text = String(value);
  const m = /^([0-9]+)(?:\.([0-9]+))?(?:e([+-][0-9]+))?$/.exec(text);
  if (m === null) throw new PriceDataError(text, "not a non-negative finite number");
  const digits = `${m[1]}${m[2] ?? ""}`;
  const point = m[1].length + Number(m[3] ?? "0");
  let whole: string;
  let frac: string;
  if (point <= 0) {
    whole = "0";
    frac = `${"0".repeat(-point)}${digits}`;
  } else if (point >= digits.length) {
    whole = `${digits}${"0".repeat(point - digits.length)}`;
    frac = "";
  } else {
    whole = digits.slice(0, point);
    frac = digits.slice(point);
  }
  whole = whole.replace(/^0+(?=[0-9])/, "");
  frac = frac.replace(/0+$/, "");
  return frac === "" ? whole : `${whole}.${frac}`;
}

function decimal(text: string, path: string): bigint {
  try {
    return parseDecimal18(text);
  } catch (e) {
    if (e instanceof IndexError) throw new PriceDataError(path, e.message);
    throw e;
  }
}

function checkDate(text: string, path: string): void {
  try {
    dayNumber(text);
  } catch (e) {
    if (e instanceof IndexError) throw new PriceDataError(path, e.message);
    throw e;
  }
}

function asRecord(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new PriceDataError(path, "expected an object");
  }
  return value as Record<string, unknown>;
}

function asId(value: unknown, path: string): string {
  if (typeof value !== "string" || value === "" || value.trim() !== value) {
    throw new PriceDataError(path, "expected a non-empty id without surrounding space");
  }
  return value;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
