/**
 * Position bookkeeping, as `MarginLogic.applyDelta` / `pnlToTokens` do it: sizes are signed whole
 * contracts, `openNotional` the signed cost basis in wad dollars (same sign as the size).
 */
import { abs, mulDiv, toToken } from "./wad.js";

/** A position as the Clearinghouse stores it. */
export interface PositionState {
  /** Signed contracts (positive long). */
  size: bigint;
  /** Signed cost basis, wad dollars. */
  openNotional: bigint;
}

/** The result of booking a size change. */
export interface AppliedDelta extends PositionState {
  /** Realised PnL, wad dollars (rounded against the account). */
  realized: bigint;
}

/**
 * Books `delta` contracts at per-contract value `v` (`MarginLogic.applyDelta`). Reducing realises PnL
 * against the removed share of the cost basis, rounded toward +∞ (up for a long's positive basis,
 * down in magnitude for a short's negative one), so realised PnL rounds down.
 * @example applyDelta({ size: 10n, openNotional: 100n * WAD }, -4n, 11n * WAD)
 */
export function applyDelta(position: PositionState, delta: bigint, v: bigint): AppliedDelta {
  const { size, openNotional } = position;
  const newSize = size + delta;
  if (size === 0n || size > 0n === delta > 0n) {
    return { size: newSize, openNotional: openNotional + delta * v, realized: 0n };
  }
  const absSize = abs(size);
  const absDelta = abs(delta);
  const closed = absDelta < absSize ? absDelta : absSize;
  let removed: bigint;
  if (closed === absSize) removed = openNotional;
  else if (openNotional >= 0n) removed = mulDiv(openNotional, closed, absSize, "Up");
  else removed = -mulDiv(-openNotional, closed, absSize, "Down");
  const closedSigned = size > 0n ? closed : -closed;
  const realized = closedSigned * v - removed;
  let newNotional = openNotional - removed;
  if (absDelta > absSize) newNotional += newSize * v;
  return { size: newSize, openNotional: newNotional, realized };
}

/**
 * Notional at per-contract value `v`: `|size| × v`, wad (exact).
 * @example notional(-3n, 10_000n * WAD) // 30_000e18
 */
export function notional(size: bigint, v: bigint): bigint {
  return abs(size) * v;
}

/**
 * Unrealised PnL at per-contract value `v`: `size × v − openNotional`, wad (exact).
 * @example unrealizedPnl({ size: 2n, openNotional: 20n * WAD }, 11n * WAD) // 2e18
 */
export function unrealizedPnl(position: PositionState, v: bigint): bigint {
  return position.size * v - position.openNotional;
}

/**
 * Realised wad PnL in collateral units (`MarginLogic.pnlToTokens`): a credit rounds down, a debit up.
 * @example pnlToTokens(-1n, 10n ** 12n) // -1n
 */
export function pnlToTokens(pnl: bigint, scale: bigint): bigint {
  return pnl >= 0n ? toToken(pnl, scale, "Down") : -toToken(-pnl, scale, "Up");
}

/**
 * Whether going from `oldSize` to `newSize` increases risk (`MarginLogic.increases`): opens, grows or
 * flips. Such a change needs initial margin afterwards.
 * @example increasesRisk(5n, -1n) // true
 */
export function increasesRisk(oldSize: bigint, newSize: bigint): boolean {
  if (newSize === 0n) return false;
  if (oldSize === 0n) return true;
  if (oldSize > 0n !== newSize > 0n) return true;
  return abs(newSize) > abs(oldSize);
}

/**
 * Change of open interest (sum of long sizes) for one account going `oldSize` → `newSize`.
 * @example longDelta(-2n, 3n) // 3n
 */
export function longDelta(oldSize: bigint, newSize: bigint): bigint {
  return (newSize > 0n ? newSize : 0n) - (oldSize > 0n ? oldSize : 0n);
}
