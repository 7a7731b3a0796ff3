/**
 * Typed errors of the index methodology. Every failure is an {@link IndexError} with a stable
 * `code` and the data that explains it, so a caller (a reporter keeper, a verifier) can branch on
 * the code and log the details without parsing the message.
 */

/** Stable machine-readable codes, one per error class. */
export type IndexErrorCode =
  | "CSV_PARSE"
  | "INVALID_DATE"
  | "INVALID_DECIMAL"
  | "INVALID_SPEC"
  | "CONFLICTING_ROWS"
  | "INCONSISTENT_MODEL"
  | "INSUFFICIENT_CONSTITUENTS"
  | "ZERO_VALUE"
  | "CANONICAL_JSON"
  | "PRICE_DATA";

/** Base class of every error thrown by `index/`. */
export abstract class IndexError extends Error {
  abstract readonly code: IndexErrorCode;
  /** The message without the code prefix, for logs that print the code separately. */
  readonly shortMessage: string;

  constructor(shortMessage: string) {
    super(shortMessage);
    this.shortMessage = shortMessage;
    this.name = new.target.name;
  }
}

/** A row or field of a price file (CSV or JSON quote set) that cannot be parsed. */
export class CsvParseError extends IndexError {
  readonly code = "CSV_PARSE" as const;
  /**
   * @param line 1-based line number in the CSV file (the header is line 1), or 1-based position
   *   of the entry in a JSON quote list.
   * @param field the column (or JSON key) at fault; `"header"` for a bad header and `"row"` for a
   *   row with the wrong number of fields.
   * @param value the raw text that was rejected.
   * @param reason why it was rejected.
   */
  constructor(
    readonly line: number,
    readonly field: string,
    readonly value: string,
    readonly reason: string,
  ) {
    super(`line ${line}, field ${field}: ${reason} (got ${JSON.stringify(value)})`);
  }
}

/** A calendar date that is not a real `YYYY-MM-DD` date, or a timestamp outside its date. */
export class InvalidDateError extends IndexError {
  readonly code = "INVALID_DATE" as const;
  constructor(
    readonly value: string,
    readonly reason: string,
  ) {
    super(`invalid date ${JSON.stringify(value)}: ${reason}`);
  }
}

/** A decimal string that is not an exact non-negative decimal with at most 18 fraction digits. */
export class InvalidDecimalError extends IndexError {
  readonly code = "INVALID_DECIMAL" as const;
  constructor(
    readonly value: string,
    readonly reason: string,
  ) {
    super(`invalid decimal ${JSON.stringify(value)}: ${reason}`);
  }
}

/** An index specification (the rules object) that breaks one of its own constraints. */
export class InvalidSpecError extends IndexError {
  readonly code = "INVALID_SPEC" as const;
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`invalid index spec, ${field}: ${reason}`);
  }
}

/**
 * Two input rows claim the same slot (the same model on the same effective date, or the same
 * provider's quote on the same day). Row order must never decide a value, so this is an error.
 */
export class ConflictingRowsError extends IndexError {
  readonly code = "CONFLICTING_ROWS" as const;
  constructor(
    readonly key: string,
    readonly date: string,
  ) {
    super(`more than one row for ${JSON.stringify(key)} dated ${date}`);
  }
}

/** Rows for one model disagree on something that must not change (its provider). */
export class InconsistentModelError extends IndexError {
  readonly code = "INCONSISTENT_MODEL" as const;
  constructor(
    readonly model: string,
    readonly field: string,
    readonly first: string,
    readonly second: string,
  ) {
    super(
      `model ${JSON.stringify(model)} has ${field} ${JSON.stringify(first)} and ${JSON.stringify(second)}`,
    );
  }
}

/** Fewer eligible constituents than the spec's minimum: no round may be published for the date. */
export class InsufficientConstituentsError extends IndexError {
  readonly code = "INSUFFICIENT_CONSTITUENTS" as const;
  constructor(
    readonly index: string,
    readonly asOf: string,
    readonly found: number,
    readonly required: number,
  ) {
    super(`${index} as of ${asOf}: ${found} eligible constituents, at least ${required} required`);
  }
}

/** The computed value is zero, which the oracle cannot carry as a price. */
export class ZeroValueError extends IndexError {
  readonly code = "ZERO_VALUE" as const;
  constructor(
    readonly index: string,
    readonly asOf: string,
  ) {
    super(`${index} as of ${asOf}: computed value is zero`);
  }
}

/** A value that has no canonical JSON form, or a JSON text that is not canonical round inputs. */
export class CanonicalJsonError extends IndexError {
  readonly code = "CANONICAL_JSON" as const;
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`canonical JSON at ${path}: ${reason}`);
  }
}

/**
 * Price data in the `@pydantic/genai-prices` format (the package's bundled copy, a downloaded
 * `data.json`, or a canonical snapshot CSV) that does not have the documented shape.
 */
export class PriceDataError extends IndexError {
  readonly code = "PRICE_DATA" as const;
  /**
   * @param path where in the data: `$[3].models[12].prices` for JSON, `line 7` for a snapshot CSV.
   * @param reason what is wrong there.
   */
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`price data at ${path}: ${reason}`);
  }
}
