/**
 * Trading fees and liquidation penalties, in collateral units, as `Clearinghouse.trade` /
 * `_accrueFees` and `LiquidationLogic.liquidate` charge them.
 */
import { unitValueDown } from "./market.js";
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
 * Splits a trade's total fees (maker + taker, collateral units) between the insurance fund (its share,
 * rounded down) and the treasury (the rest), as `_accrueFees`.
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

/** What the bad debt of an account's last closed position costs whom (`writeOffBadDebt`), collateral units. */
export interface BadDebtWriteOff {
  /** The account's balance afterwards: 0, or the debt nobody answers for (older than this loss). */
  balance: bigint;
  /** Paid by the insurance fund (`BadDebtCovered`'s amount). */
  coveredByInsurance: bigint;
  /** Written off against the market's settlement pot: its winners bear it pro rata at settlement. */
  writtenOff: bigint;
  /** The fund afterwards. */
  insuranceFund: bigint;
}

/**
 * Bad debt left when a liquidation or a reducing trade closes an account's last open position
 * (`LiquidationLogic._chargeAccount` and `coverTradeDebt`): with `balance` the balance after the loss (and the
 * penalty, with the fund already credited its share of it), a negative balance is paid by the insurance
 * fund as far as it goes; what the fund cannot pay, up to this closing's realised `loss`, is written off
 * against the market's pot (it counts as not collected: `realisedNet` rises by it); what is left of a debt
 * older than this loss stays on the account. Nothing happens for a balance of 0 or more.
 * @example writeOffBadDebt(-50n, 20_000n, 35n) // fund pays 35, 15 written off, balance 0
 */
export function writeOffBadDebt(balance: bigint, loss: bigint, insuranceFund: bigint): BadDebtWriteOff {
  if (balance >= 0n) return { balance, coveredByInsurance: 0n, writtenOff: 0n, insuranceFund };
  const debt = -balance;
  const paid = debt < insuranceFund ? debt : insuranceFund;
  const uncovered = debt - paid;
  const writtenOff = uncovered < loss ? uncovered : loss;
  return {
    balance: -(uncovered - writtenOff),
    coveredByInsurance: paid,
    writtenOff,
    insuranceFund: insuranceFund - paid,
  };
}
