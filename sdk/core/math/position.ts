/**
 * Position bookkeeping, as `PositionMath.applyDelta` / `isEmptySlot` / `pnlToTokens` do it: sizes are signed
 * whole contracts, `openNotional` the signed cost basis in wad dollars (same sign as the size while
 * contracts are held). A realised gain is escrowed in the cost basis until settlement, so a closed
 * winning position is the slot `(0, −gain)`: it still holds a lane and counts as an open position.
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
  /**
   * Realised PnL, wad dollars (rounded against the account): a loss (negative) or 0. A gain is never
   * realised; it stays in `openNotional` as an escrowed claim paid at settlement.
   */
  realized: bigint;
}

/**
 * Books `delta` contracts at per-contract value `v` (`PositionMath.applyDelta`). Reducing realises PnL
 * against the removed share of the cost basis, rounded toward +∞ (up for a long's positive basis,
 * down in magnitude for a short's negative one), so realised PnL rounds down. Only a loss is realised:
 * a gain is subtracted from the new cost basis instead (`newNotional −= gain`, `realized = 0`), so the
 * position's value is unchanged and the gain is paid with the market's settlement claims.
 * @example applyDelta({ size: 10n, openNotional: 100n * WAD }, -4n, 11n * WAD) // { size: 6n, openNotional: 56e18, realized: 0n }
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
  let realized = closedSigned * v - removed;
  let newNotional = openNotional - removed;
  if (absDelta > absSize) newNotional += newSize * v;
  if (realized > 0n) {
    // Escrow the gain: it stays in the cost basis (the position's value rises by exactly `realized`).
    newNotional -= realized;
    realized = 0n;
  }
  return { size: newSize, openNotional: newNotional, realized };
}

/**
 * Whether a position slot holds nothing (`PositionMath.isEmptySlot`): no contracts and no escrowed gain. Any
 * other slot holds a lane of the account's open-market list and counts in the market's `openPositions`.
 * @example isEmptySlot({ size: 0n, openNotional: -5n * WAD }) // false: an escrowed gain of 5 dollars
 */
export function isEmptySlot(position: PositionState): boolean {
  return position.size === 0n && position.openNotional === 0n;
}

/**
 * The escrowed gain of a closed slot (`size == 0`), wad dollars: `−openNotional` (0 for an empty slot;
 * a positive `openNotional` after settlement is a claim, not an escrow, and gives 0 too).
 * @example escrowedGain({ size: 0n, openNotional: -5n * WAD }) // 5e18
 */
export function escrowedGain(position: PositionState): bigint {
  return position.size === 0n && position.openNotional < 0n ? -position.openNotional : 0n;
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
 * Whether going from `oldSize` to `newSize` increases risk (`PositionMath.increasesRisk`): opens, grows or
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
