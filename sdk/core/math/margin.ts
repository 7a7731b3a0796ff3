/**
 * Cross-margin health, as `MarginLogic.health`, `Clearinghouse.freeCollateral` / `isLiquidatable`
 * and `LiquidationLogic.liquidationPriceDown` / `maxLiquidationSizeUp` compute it. Values are wad dollars
 * unless the name says collateral units.
 */
import { unitValueDown } from "./market.js";
import type { PositionState } from "./position.js";
import { abs, mulDiv, toToken, WAD, wMul } from "./wad.js";

/** Liquidation size below which a position may be liquidated whole (`SMALL_POSITION_NOTIONAL`), wad. */
export const SMALL_POSITION_NOTIONAL = 1_000n * WAD;
/** How many markets one account may hold positions in at once (`MarginLogic.MAX_OPEN_MARKETS`). */
export const MAX_OPEN_MARKETS = 8;

/** One open position with what its valuation needs: its market's mark, contract size and rates. */
export interface MarkedPosition extends PositionState {
  mark: bigint;
  contractSize: bigint;
  imr: bigint;
  mmr: bigint;
}

/** Equity, initial and maintenance margin, wad (`Clearinghouse.health`). */
export interface Health {
  equity: bigint;
  initialMargin: bigint;
  maintenanceMargin: bigint;
}

/**
 * `health(account)`: `equity = balance × scale + Σ (size × v − openNotional)` with `v` the unit value
 * at mark (rounded down), and margins `Σ |size| × v × rate / 1e18` each rounded up. A closed slot
 * holding an escrowed gain (`size == 0`) is worth `−openNotional` with zero margin and needs no mark
 * (`MarginLogic._valuePosition` reads no oracle for it).
 * @example health(balance, scale, [{ size, openNotional, mark, contractSize, imr, mmr }])
 */
export function health(balance: bigint, scale: bigint, positions: readonly MarkedPosition[]): Health {
  let equity = balance * scale;
  let initialMargin = 0n;
  let maintenanceMargin = 0n;
  for (const p of positions) {
    if (p.size === 0n) {
      equity -= p.openNotional;
      continue;
    }
    const v = unitValueDown(p.mark, p.contractSize);
    equity += p.size * v - p.openNotional;
    const n = abs(p.size) * v;
    initialMargin += wMul(n, p.imr, "Up");
    maintenanceMargin += wMul(n, p.mmr, "Up");
  }
  return { equity, initialMargin, maintenanceMargin };
}

/**
 * What the account could withdraw now, collateral units, rounded down (`Clearinghouse.freeCollateral`):
 * 0 for a non-positive balance, the balance with no positions, else `min(balance, (equity − IM) / scale)`.
 * @example freeCollateralDown(balance, scale, positions)
 */
export function freeCollateralDown(
  balance: bigint,
  scale: bigint,
  positions: readonly MarkedPosition[],
): bigint {
  if (balance <= 0n) return 0n;
  if (positions.length === 0) return balance;
  const { equity, initialMargin } = health(balance, scale, positions);
  if (equity <= initialMargin) return 0n;
  const free = toToken(equity - initialMargin, scale, "Down");
  return free < balance ? free : balance;
}

/**
 * Whether `equity < maintenanceMargin` (`Clearinghouse.isLiquidatable`); never with no positions.
 * @example isLiquidatable(balance, scale, positions)
 */
export function isLiquidatable(
  balance: bigint,
  scale: bigint,
  positions: readonly MarkedPosition[],
): boolean {
  if (positions.length === 0) return false;
  const { equity, maintenanceMargin } = health(balance, scale, positions);
  return equity < maintenanceMargin;
}

/**
 * The mark at which the account becomes liquidatable, moving only `positions[at]`
 * (`Clearinghouse.liquidationPrice`), rounded down. For a long 0 means no positive mark liquidates it;
 * for a short 0 means it is liquidatable at any mark.
 * @example liquidationPriceDown(balance, scale, positions, 0)
 */
export function liquidationPriceDown(
  balance: bigint,
  scale: bigint,
  positions: readonly MarkedPosition[],
  at: number,
): bigint {
  const p = positions[at];
  if (p === undefined || p.size === 0n) return 0n;
  const { equity, maintenanceMargin } = health(balance, scale, positions);
  const v = unitValueDown(p.mark, p.contractSize);
  const absSize = abs(p.size);
  const rest = equity - p.size * v;
  const mmOther = maintenanceMargin - wMul(absSize * v, p.mmr, "Up");
  let x: bigint;
  if (p.size > 0n) {
    if (mmOther <= rest) return 0n;
    x = mulDiv(mmOther - rest, WAD, absSize * (WAD - p.mmr), "Down");
  } else {
    if (rest <= mmOther) return 0n;
    x = mulDiv(rest - mmOther, WAD, absSize * (WAD + p.mmr), "Down");
  }
  return mulDiv(x, WAD, p.contractSize, "Down");
}

/**
 * The largest size one liquidation may take (`LiquidationLogic.maxLiquidationSizeUp`): the whole
 * position when its notional is at most `SMALL_POSITION_NOTIONAL`; otherwise the contracts that restore
 * maintenance margin, `⌈(mm − equity) / (v × (mmr − penalty) / 1e18 (down))⌉`, or the whole position
 * when that leaves less than `minSize`. Meant for a liquidatable account (`equity < mm`).
 * @example maxLiquidationSizeUp({ mmr, liquidationPenalty, minSize }, 40n, v, equity, mm)
 */
export function maxLiquidationSizeUp(
  market: { mmr: bigint; liquidationPenalty: bigint; minSize: bigint },
  absPos: bigint,
  v: bigint,
  equity: bigint,
  maintenanceMargin: bigint,
): bigint {
  if (absPos * v <= SMALL_POSITION_NOTIONAL) return absPos;
  const relief = wMul(v, market.mmr - market.liquidationPenalty, "Down");
  if (relief === 0n) return absPos;
  const needed = mulDiv(maintenanceMargin - equity, 1n, relief, "Up");
  if (needed >= absPos || absPos - needed < market.minSize) return absPos;
  return needed;
}

/** The price a bankrupt position is deleveraged at. */
export interface Bankruptcy {
  /** Per-contract value the position closes at, wad. */
  unitValue: bigint;
  /** `unitValue × 1e18 / contractSize`, rounded down: the price in the `Deleveraged` event. */
  price: bigint;
}

/**
 * The bankruptcy value of a position of `size` contracts in an account with negative `equity`
 * (`LiquidationLogic._bankruptcy`): the insurance fund pays all it has first (`fundPaid`, collateral
 * units: the whole fund, since deleveraging needs a shortfall above it), then the mark value moves against
 * the counterparties by `⌈(−equity − fundPaid × scale + scale) / |size|⌉` per contract (one collateral unit
 * more than the remaining deficit), floored at 0 for a short.
 * @example bankruptcyPrice(2n, v, equity, 10n ** 12n, 1000n * WAD, insuranceFund)
 */
export function bankruptcyPrice(
  size: bigint,
  v: bigint,
  equity: bigint,
  scale: bigint,
  contractSize: bigint,
  fundPaid = 0n,
): Bankruptcy {
  const gap = mulDiv(-equity - fundPaid * scale + scale, 1n, abs(size), "Up");
  const unitValue = size > 0n ? v + gap : v > gap ? v - gap : 0n;
  return { unitValue, price: mulDiv(unitValue, WAD, contractSize, "Down") };
}
