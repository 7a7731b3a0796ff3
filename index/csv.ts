import { dayNumber } from "./dates.js";
import { parseDecimal18 } from "./decimal.js";
import { CsvParseError, IndexError } from "./errors.js";

/**
 * One row of the AI token list-price file: a model's list prices, in US dollars per one million
 * tokens at 18-decimal fixed point, taking effect on `effectiveDate` (00:00 UTC) and standing until
 * a later row for the same `model`.
 */
export interface PriceRow {
  /** `YYYY-MM-DD`, UTC. */
  readonly effectiveDate: string;
  readonly provider: string;
  readonly model: string;
  /** Capability class, e.g. `frontier` or `small`. */
  readonly tier: string;
  /** US dollars per one million input tokens, 1e18 = $1. */
  readonly inputUsdPerMtok: bigint;
  /** US dollars per one million output tokens, 1e18 = $1. */
  readonly outputUsdPerMtok: bigint;
  /** 1-based line in the source file (diagnostics only; never part of a computation). */
  readonly line: number;
}

/** The exact header of the list-price file, in order. */
export const PRICE_CSV_COLUMNS = [
  "effective_date",
  "provider",
  "model",
  "tier",
  "input_usd_per_mtok",
  "output_usd_per_mtok",
] as const;

/** Names (models, providers) are printable, trimmed, and free of the CSV's special characters. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._:/+()-]*$/;
const TIER_PATTERN = /^[a-z][a-z0-9-]*$/;

/**
 * Parses the list-price CSV (`effective_date,provider,model,tier,input_usd_per_mtok,
 * output_usd_per_mtok`).
 *
 * The dialect is deliberately narrow: comma-separated, no quoting, LF or CRLF line ends, the
 * header exactly as {@link PRICE_CSV_COLUMNS}, blank lines ignored. Prices are exact 18-decimal
 * bigints (see `parseDecimal18`); no floating point is involved anywhere.
 *
 * @example
 * const rows = parsePriceCsv(readFileSync("index/fixtures/ai-token-list-prices.csv", "utf8"));
 * @throws {CsvParseError} naming the 1-based line and the field of the first bad row.
 */
export function parsePriceCsv(text: string): PriceRow[] {
  const rows: PriceRow[] = [];
  for (const { fields, line } of csvRecords(text, PRICE_CSV_COLUMNS)) {
    rows.push(parsePriceFields(fields, line));
  }
  return rows;
}

/**
 * The rows of a CSV file in the index's dialect (the list-price and the GPU quote files):
 * comma-separated, no quoting, LF or CRLF line ends, blank lines ignored, the first non-blank line
 * exactly `columns` joined by commas. Each later non-blank line is yielded split into exactly
 * `columns.length` fields, with its 1-based line number. Lazy: a row is checked only when the caller
 * asks for it, so the first bad line is the one reported, whether its fault is in the dialect or in
 * a field.
 *
 * @internal Shared with the quote parser.
 * @throws {CsvParseError} for a missing or wrong header, a quoted row or a row with the wrong number
 *   of fields.
 */
export function* csvRecords(
  text: string,
  columns: readonly string[],
): Generator<{ fields: string[]; line: number }, void, undefined> {
  const lines = text.split(/\r?\n/);
  const headerIndex = lines.findIndex((l) => l.trim() !== "");
  if (headerIndex === -1) throw new CsvParseError(1, "header", "", "empty file");
  const header = lines[headerIndex];
  if (header !== columns.join(",")) {
    throw new CsvParseError(headerIndex + 1, "header", header, `expected ${columns.join(",")}`);
  }
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === "") continue;
    const line = i + 1;
    if (raw.includes('"')) throw new CsvParseError(line, "row", raw, "quoted fields are not supported");
    const fields = raw.split(",");
    if (fields.length !== columns.length) {
      throw new CsvParseError(line, "row", raw, `expected ${columns.length} fields, got ${fields.length}`);
    }
    yield { fields, line };
  }
}

function parsePriceFields(fields: readonly string[], line: number): PriceRow {
  const [effectiveDate, provider, model, tier, input, output] = fields;
  return {
    effectiveDate: parseDateField(effectiveDate, line, "effective_date"),
    provider: parseNameField(provider, line, "provider"),
    model: parseNameField(model, line, "model"),
    tier: parseTierField(tier, line, "tier"),
    inputUsdPerMtok: parsePriceField(input, line, "input_usd_per_mtok"),
    outputUsdPerMtok: parsePriceField(output, line, "output_usd_per_mtok"),
    line,
  };
}

/** @internal Shared with the quote parser. */
export function parseDateField(value: string, line: number, field: string): string {
  try {
    dayNumber(value);
  } catch (e) {
    throw wrap(e, line, field, value);
  }
  return value;
}

/** @internal Shared with the quote parser. */
export function parseNameField(value: string, line: number, field: string): string {
  if (value === "") throw new CsvParseError(line, field, value, "empty");
  if (value !== value.trim() || !NAME_PATTERN.test(value)) {
    throw new CsvParseError(line, field, value, "not a plain name (letters, digits, space . _ : / + ( ) -)");
  }
  return value;
}

function parseTierField(value: string, line: number, field: string): string {
  if (!TIER_PATTERN.test(value)) {
    throw new CsvParseError(line, field, value, "expected a lower-case tier name such as frontier or small");
  }
  return value;
}

/** @internal Shared with the quote parser. */
export function parsePriceField(value: string, line: number, field: string): bigint {
  try {
    return parseDecimal18(value);
  } catch (e) {
    throw wrap(e, line, field, value);
  }
}

function wrap(e: unknown, line: number, field: string, value: string): Error {
  if (e instanceof IndexError) return new CsvParseError(line, field, value, e.shortMessage);
  return e instanceof Error ? e : new Error(String(e));
}
