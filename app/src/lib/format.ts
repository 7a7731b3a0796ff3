/**
 * Numbers for people: 18-decimal prices and every amount of collateral in dollars, sizes in contracts,
 * rates in percent, times as countdowns. Parsing the reverse way is exact (no floating point).
 */
const WAD = 10n ** 18n;

function groupThousands(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * A fixed-point integer with `decimals` decimals as text with at most `shown` decimals (rounded half up,
 * trailing zeros kept up to `minShown`).
 * @example formatFixed(1234567n, 6, 2) // "1.23"
 */
export function formatFixed(value: bigint, decimals: number, shown: number, minShown = shown): string {
  const negative = value < 0n;
  let v = negative ? -value : value;
  if (shown < decimals) {
    const unit = 10n ** BigInt(decimals - shown);
    v = (v + unit / 2n) / unit;
  } else {
    v *= 10n ** BigInt(shown - decimals);
  }
  const base = 10n ** BigInt(shown);
  const int = groupThousands((v / base).toString());
  let frac = shown === 0 ? "" : (v % base).toString().padStart(shown, "0");
  while (frac.length > minShown && frac.endsWith("0")) frac = frac.slice(0, -1);
  const text = frac === "" ? int : `${int}.${frac}`;
  return negative && v !== 0n ? `−${text}` : text;
}

/** Decimals that show a price of this size to about five significant digits. */
export function priceDecimals(wad: bigint): number {
  const a = wad < 0n ? -wad : wad;
  if (a >= 1000n * WAD) return 2;
  if (a >= WAD) return 4;
  return 6;
}

/** An 18-decimal dollar price: `$12.3400`. */
export function usdPrice(wad: bigint | undefined | null, decimals?: number): string {
  if (wad === undefined || wad === null) return "—";
  return `$${formatFixed(wad, 18, decimals ?? priceDecimals(wad), 2)}`;
}

/** An 18-decimal dollar amount (equity, margin, PnL): `$1,234.56`, sign kept. */
export function usdAmount(wad: bigint | undefined, signed = false): string {
  if (wad === undefined) return "—";
  const text = formatFixed(wad < 0n ? -wad : wad, 18, 2);
  if (wad < 0n) return `−$${text}`;
  return `${signed && wad > 0n ? "+" : ""}$${text}`;
}

/**
 * Collateral units with the token's decimals, in dollars like every other amount on screen: the
 * protocol counts one token as one dollar of the index's PnL, so equity, margin, fees, claims and the
 * wallet's tokens share one unit. `$10,000.00`, sign kept.
 * @example collateralUsd(10_000_000_000n, 6) // "$10,000.00"
 */
export function collateralUsd(units: bigint | undefined, decimals: number, signed = false): string {
  if (units === undefined) return "—";
  return usdAmount(units * 10n ** BigInt(18 - decimals), signed);
}

/** An 18-decimal rate as a percentage: `12.50 %`. */
export function percent(wad: bigint, shown = 2): string {
  return `${formatFixed(wad * 100n, 18, shown)} %`;
}

/** Contracts: `12 contracts` (signed sizes keep their sign). */
export function contracts(size: bigint): string {
  const n = size < 0n ? -size : size;
  return `${size < 0n ? "−" : ""}${groupThousands(n.toString())} contract${n === 1n ? "" : "s"}`;
}

/**
 * Parses a decimal string into a fixed-point integer with `decimals` decimals, exactly; `undefined` for
 * anything that is not a plain non-negative decimal or has more decimals than allowed.
 * @example parseFixed("12.5", 18) // 12_500_000_000_000_000_000n
 */
export function parseFixed(text: string, decimals: number): bigint | undefined {
  const t = text.trim().replace(/,/g, "");
  const m = /^(\d*)(?:\.(\d*))?$/.exec(t);
  if (m === null || (m[1] === "" && (m[2] ?? "") === "")) return undefined;
  const frac = m[2] ?? "";
  if (frac.length > decimals) return undefined;
  return (
    BigInt(m[1] === "" ? "0" : m[1]) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, "0") || "0")
  );
}

/** "in 12 d 4 h", "in 3 min", or "expired 2 h ago". */
export function countdown(target: bigint | number, nowSeconds: number): string {
  const diff = Number(target) - nowSeconds;
  const abs = Math.abs(diff);
  const d = Math.floor(abs / 86_400);
  const h = Math.floor((abs % 86_400) / 3_600);
  const m = Math.floor((abs % 3_600) / 60);
  const s = Math.floor(abs % 60);
  const text = d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${s} s`;
  return diff >= 0 ? `in ${text}` : `${text} ago`;
}

/** A unix time as `2026-03-27 08:00 UTC`. */
export function utc(seconds: bigint | number): string {
  return new Date(Number(seconds) * 1000).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

/** `0x1234…abcd`. */
export function shortHex(hex: string, keep = 4): string {
  return hex.length <= 2 + keep * 2 ? hex : `${hex.slice(0, 2 + keep)}…${hex.slice(-keep)}`;
}
