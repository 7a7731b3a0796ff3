/**
 * Exact conversions between human decimal strings ("100.5" USDC, "2.35" dollars) and integer units.
 * No floating point: a string with more decimals than the unit allows is refused, never rounded.
 */
import { InputError } from "./errors.js";

const DECIMAL = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/**
 * `text` (a non-negative decimal) in units of `10^-decimals`.
 * @throws {InputError} when it is not a plain decimal or has more than `decimals` fractional digits.
 * @example parseAmount("100.5", 6, "amount") // 100500000n
 */
export function parseAmount(text: string, decimals: number, what: string): bigint {
  const s = text.trim();
  if (!DECIMAL.test(s)) throw new InputError(`${what}: "${text}" is not a non-negative decimal number`);
  const [whole, fraction = ""] = s.split(".");
  if (fraction.length > decimals) {
    throw new InputError(`${what}: "${text}" has more than ${decimals} decimals`);
  }
  const value = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
  if (value > MAX_UINT256) throw new InputError(`${what}: "${text}" is too large for any contract amount`);
  return value;
}

/** The largest amount a contract takes (`uint256`). */
const MAX_UINT256 = 2n ** 256n - 1n;

/** Checks the syntax of a decimal before anything is read from the chain (the decimals come later). */
export function checkDecimal(text: string, what: string): void {
  if (!DECIMAL.test(text.trim()))
    throw new InputError(`${what}: "${text}" is not a non-negative decimal number`);
}

/** A strictly positive amount (see `parseAmount`). */
export function parsePositiveAmount(text: string, decimals: number, what: string): bigint {
  const value = parseAmount(text, decimals, what);
  if (value === 0n) throw new InputError(`${what}: must be greater than zero`);
  return value;
}

/** A whole number ≥ `min` (sizes, nonces). */
export function parseInteger(text: string, what: string, min = 0n): bigint {
  if (!/^(0|[1-9][0-9]*)$/.test(text.trim()))
    throw new InputError(`${what}: "${text}" is not a whole number`);
  const value = BigInt(text.trim());
  if (value > MAX_UINT256) throw new InputError(`${what}: "${text}" is too large`);
  if (value < min) throw new InputError(`${what}: must be at least ${min}`);
  return value;
}

/** `value` units of `10^-decimals` as a decimal string, trailing zeros trimmed (`-1.5`, `0`). */
export function formatUnitsExact(value: bigint, decimals: number): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const base = 10n ** BigInt(decimals);
  const whole = abs / base;
  const fraction = (abs % base).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction === "" ? "" : `.${fraction}`}`;
}

/** Wad (18-decimal) dollars, e.g. `$2.35`. */
export const formatUsd = (wad: bigint): string =>
  wad < 0n ? `-$${formatUnitsExact(-wad, 18)}` : `$${formatUnitsExact(wad, 18)}`;
