/**
 * Trading fees and liquidation penalties, in collateral units, as `Clearinghouse.trade` /
 * `_accrueFees` and `LiquidationLogic.liquidate` charge them.
 */
import { unitValueDown } from "./market.js";
import { changeBalance } from "./settlement.js";
import { abs, toToken, wMul } from "./wad.js";

/**
 * The fee one side of a trade pays, collateral units (`_bookSide`): `|size| × v × rate / 1e18` rounded
 * up to wad, then up to collateral units, with `v = price × contractSize / 1e18` rounded down. Pass the
 * market's `makerFee` or `takerFee` as `rate`.
 * @example tradeFeeUp(10n, 2n * WAD, 1000n * WAD, takerFee, 10n ** 12n)
 */
export function tradeFeeUp(
  size: bigint,
  price: bigint,
  contractSize: bigint,
  rate: bigint,
  scale: bigint,
): bigint {
  const n = abs(size) * unitValueDown(price, contractSize);
  return toToken(wMul(n, rate, "Up"), scale, "Up");
}

/** How a trade's fees are shared. */
export interface FeeSplit {
  /** `fees × insuranceFeeShare / 1e18`, rounded down. */
  insurance: bigint;
  /** The rest. */
  treasury: bigint;
}

/**
 * Splits fees (collateral units) between the insurance fund (its share, rounded down) and the treasury (the
 * rest), as `MarginLogic.feeSplit`. The Clearinghouse splits the sum of the trade fees pending since its last
 * sweep this way (`FeesSwept`), and its views `insuranceFund` and `treasuryAccrued` add the pending sum split
 * this way; so pass the pending sum, not one trade's fees, to reproduce either.
 * @example splitFees(makerFee + takerFee, WAD / 2n)
 */
export function splitFees(fees: bigint, insuranceFeeShare: bigint): FeeSplit {
  const insurance = wMul(fees, insuranceFeeShare, "Down");
  return { insurance, treasury: fees - insurance };
}

/** The penalty of a liquidation and who gets it, collateral units. */
export interface PenaltySplit {
  /** Charged to the liquidated account: `size × v × penaltyRate / 1e18` up, then up to units. */
  penalty: bigint;
  /** Paid to the liquidator: `penalty × liquidatorShare / 1e18`, rounded down. */
  liquidatorReward: bigint;
  /** Kept by the insurance fund: `penalty − liquidatorReward`. */
  insurance: bigint;
}

/**
 * The liquidation penalty on `size` contracts taken over at per-contract value `v` (the mark's), and
 * its split. The penalty is capped at the account's equity before the liquidation (`equity`, wad; tokens
 * rounded down, 0 when `equity <= 0`; no cap when left out). When the liquidated account ends with no
 * open slot and a debt the fund cannot cover, the contract waives the penalty (and so the reward) too;
 * this function gives the amounts before any waiver.
 * @example liquidationPenaltySplit(5n, v, liquidationPenalty, liquidatorShare, 10n ** 12n, equity)
 */
export function liquidationPenaltySplit(
  size: bigint,
  v: bigint,
  penaltyRate: bigint,
  liquidatorShare: bigint,
  scale: bigint,
  equity?: bigint,
): PenaltySplit {
  let penalty = toToken(wMul(size * v, penaltyRate, "Up"), scale, "Up");
  if (equity !== undefined) {
    const cap = equity > 0n ? toToken(equity, scale, "Down") : 0n;
    if (penalty > cap) penalty = cap;
  }
  const liquidatorReward = wMul(penalty, liquidatorShare, "Down");
  return { penalty, liquidatorReward, insurance: penalty - liquidatorReward };
}

/** A debit that may overdraw, with a fee or penalty in it (`chargeOverdraft`), collateral units. */
export interface OverdraftCharge {
  /** The balance afterwards: the whole debit stays on it (a negative balance is owed to the fund). */
  balance: bigint;
  /** Lent by the insurance fund (`OverdraftLent`'s `lent`). */
  lent: bigint;
  /** The fee or penalty actually charged: cut first by what the fund could not lend. */
  charged: bigint;
  /** Written off against the market's settlement pot (`realisedNet` rises by it): its winners bear it. */
  writtenOff: bigint;
  /** The fund afterwards (before a penalty's insurance share is credited). */
  insuranceFund: bigint;
}

/**
 * A trade's or a liquidation's debit of one side (`LiquidationLogic.chargeTrade` and `_chargeAccount`):
 * `delta` (realised PnL minus `charge`, the fee or the penalty) goes through `changeBalance`, so a debt is
 * repaid to the fund first and an overdraft is lent by the fund as far as it goes; what the fund cannot lend
 * cuts the fee or penalty first, and the rest is written off against the market's pot.
 * @example chargeOverdraft(19_950n, -20_000n, 0n, 35n) // lent 35, 15 written off, balance −50
 */
export function chargeOverdraft(
  balance: bigint,
  delta: bigint,
  charge: bigint,
  insuranceFund: bigint,
): OverdraftCharge {
  const c = changeBalance(balance, delta, insuranceFund);
  const cut = c.unlent < charge ? c.unlent : charge;
  return {
    balance: c.balance,
    lent: c.lent,
    charged: charge - cut,
    writtenOff: c.unlent - cut,
    insuranceFund: c.insuranceFund,
  };
}
