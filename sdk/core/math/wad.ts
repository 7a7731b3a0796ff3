/**
 * Fixed-point primitives, step for step as `contracts/libraries/WadMath.sol`: every function takes its
 * rounding direction as an argument (`"Up"` or `"Down"`), as the contracts name it in the function.
 * All arguments are bigints; unsigned arguments must be non-negative.
 */
import { InvalidArgumentError } from "../errors/SdkError.js";

/**
 * `1e18`: one in 18-decimal fixed point (`WAD` in `contracts/libraries/WadMath.sol`); the SDK's and the
 * keepers' one declaration of it.
 */
export const WAD = 10n ** 18n;

/** How a division rounds: `"Down"` toward zero (floor for the unsigned values used), `"Up"` toward +∞. */
export type Rounding = "Up" | "Down";

/** Seconds in the year the basis rate is annualised over (365 days, `MarginLogic.YEAR`). */
export const YEAR = 365n * 86_400n;

function unsigned(argument: string, value: bigint): void {
  if (value < 0n) throw new InvalidArgumentError(argument, value.toString(), "a non-negative integer");
}

/**
 * `x * y / d` at full precision, rounded as asked (`Math.mulDiv`, with `Rounding.Ceil` for `"Up"`).
 * @example mulDiv(10n, 3n, 4n, "Up") // 8n
 */
export function mulDiv(x: bigint, y: bigint, d: bigint, rounding: Rounding): bigint {
  unsigned("x", x);
  unsigned("y", y);
  if (d <= 0n) throw new InvalidArgumentError("d", d.toString(), "a positive integer");
  const p = x * y;
  const q = p / d;
  return rounding === "Up" && q * d !== p ? q + 1n : q;
}

/**
 * `x * y / 1e18`, rounded as asked (`wMulUp` / `wMulDown`).
 * @example wMul(3n * 10n ** 18n, 5n * 10n ** 16n, "Down") // 0.15e18
 */
export function wMul(x: bigint, y: bigint, rounding: Rounding): bigint {
  return mulDiv(x, y, WAD, rounding);
}

/**
 * Wad dollars to collateral units: `wad / scale` (`toTokenDown`, for credits) or its ceiling
 * (`toTokenUp`, for debits). `scale = 10 ** (18 − decimals)`.
 * @example toToken(1_500_000_000_001n, 10n ** 12n, "Up") // 2n (USDC units)
 */
export function toToken(wad: bigint, scale: bigint, rounding: Rounding): bigint {
  return mulDiv(wad, 1n, scale, rounding);
}

/**
 * Collateral units to wad dollars (exact): `amount * scale`.
 * @example toWad(1_000_000n, 10n ** 12n) // 1e18
 */
export function toWad(amount: bigint, scale: bigint): bigint {
  return amount * scale;
}

/**
 * The collateral scale the Clearinghouse computes in its constructor: `10 ** (18 − decimals)`.
 * Throws for more than 18 decimals (the contract reverts with `CollateralDecimalsTooHigh`).
 * @example collateralScale(6) // 10n ** 12n
 */
export function collateralScale(decimals: number): bigint {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 18) {
    throw new InvalidArgumentError("decimals", String(decimals), "an integer from 0 to 18");
  }
  return 10n ** BigInt(18 - decimals);
}

/**
 * Absolute value.
 * @example abs(-5n) // 5n
 */
export function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}

/**
 * Signed division truncating toward zero, as Solidity's `/` on `int256` (and JavaScript's on bigint).
 * @example sdiv(-7n, 2n) // -3n
 */
export function sdiv(x: bigint, y: bigint): bigint {
  return x / y;
}
