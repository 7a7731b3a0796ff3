import { InvalidDecimalError } from "./errors.js";

/** One US dollar (or one index unit) at the oracle's 18-decimal fixed-point scale. */
export const WAD = 10n ** 18n;

/** The number of fraction digits of the fixed-point scale. */
export const DECIMALS = 18;

const DECIMAL_PATTERN = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/**
 * Parses a non-negative decimal string into an exact 18-decimal fixed-point bigint.
 *
 * Accepted: `"2"`, `"0.075"`, `"11.02"`, up to 18 fraction digits. Rejected: signs, exponents,
 * whitespace, leading zeros (`"02"`), a bare or trailing dot, and more than 18 fraction digits
 * (they cannot be represented exactly, and the methodology never rounds an input).
 *
 * @example parseDecimal18("0.075") // 75000000000000000n
 * @throws {InvalidDecimalError}
 */
export function parseDecimal18(text: string): bigint {
  const match = DECIMAL_PATTERN.exec(text);
  if (match === null) {
    throw new InvalidDecimalError(text, "expected a non-negative decimal such as 2, 0.5 or 11.02");
  }
  const whole = match[1];
  const fraction = match[2] ?? "";
  if (fraction.length > DECIMALS) {
    throw new InvalidDecimalError(text, `more than ${DECIMALS} fraction digits`);
  }
  return BigInt(whole) * WAD + BigInt(fraction.padEnd(DECIMALS, "0"));
}

/**
 * Formats an 18-decimal fixed-point bigint as a plain decimal string with no trailing zeros
 * (`3750000000000000000n` → `"3.75"`). Exact; intended for logs and docs.
 *
 * @example formatDecimal18(75000000000000000n) // "0.075"
 */
export function formatDecimal18(value: bigint): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / WAD;
  const fraction = (abs % WAD).toString().padStart(DECIMALS, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction === "" ? "" : `.${fraction}`}`;
}
