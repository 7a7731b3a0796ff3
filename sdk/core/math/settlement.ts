/**
 * Expiry settlement, as `SettlementLogic` does it: each position closes at the final unit value; a loss
 * is debited from the balance at once (rounded up), a gain becomes a claim (rounded down) paid once every
 * position of the market is closed, in full or pro rata to what was collected.
 */
import { unitValueDown } from "./market.js";
import type { PositionState } from "./position.js";
import { mulDiv, toToken } from "./wad.js";

/**
 * The final value of one contract (`finalUnitValue`): `finalPrice × contractSize / 1e18`, rounded down.
 * @example finalUnitValueDown(finalPrice, 1000n * WAD)
 */
export function finalUnitValueDown(finalPrice: bigint, contractSize: bigint): bigint {
  return unitValueDown(finalPrice, contractSize);
}

/** What closing one position at settlement does, collateral units. */
export interface PositionSettlement {
  /** Signed wad PnL at the final value. */
  pnlWad: bigint;
  /** Debited at once (0 for a gain): `−pnl / scale`, rounded up. */
  loss: bigint;
  /** Recorded as a claim (0 for a loss): `pnl / scale`, rounded down. */
  claim: bigint;
}

/**
 * Closes a position at the final unit value (`SettlementLogic._close`).
 * @example settlePosition({ size: 3n, openNotional }, finalUnitValue, 10n ** 12n)
 */
export function settlePosition(
  position: PositionState,
  finalUnitValue: bigint,
  scale: bigint,
): PositionSettlement {
  const pnlWad = position.size * finalUnitValue - position.openNotional;
  if (pnlWad < 0n) return { pnlWad, loss: toToken(-pnlWad, scale, "Up"), claim: 0n };
  return { pnlWad, loss: 0n, claim: toToken(pnlWad, scale, "Down") };
}

/** A loss debited at settlement, and the bad debt it leaves. */
export interface LossDebit {
  /** The balance afterwards (0 when the fund paid a debt). */
  balance: bigint;
  /** What the insurance fund paid. */
  coveredByInsurance: bigint;
  /** What nobody paid: reduces what the market collected. */
  uncovered: bigint;
  /** Added to the market's `collected`: `loss − uncovered`. */
  collected: bigint;
  /** The fund afterwards. */
  insuranceFund: bigint;
}

/**
 * Debits a settlement loss (`SettlementLogic._close`): when the balance goes negative and the account has
 * no other open market, the insurance fund pays as far as it goes and the balance is set to 0; what the
 * fund cannot pay is not collected.
 * @example debitSettlementLoss(balance, loss, hasOtherPositions, insuranceFund)
 */
export function debitSettlementLoss(
  balance: bigint,
  loss: bigint,
  hasOtherPositions: boolean,
  insuranceFund: bigint,
): LossDebit {
  const after = balance - loss;
  if (after >= 0n || hasOtherPositions) {
    return { balance: after, coveredByInsurance: 0n, uncovered: 0n, collected: loss, insuranceFund };
  }
  const debt = -after;
  const paid = debt < insuranceFund ? debt : insuranceFund;
  const uncovered = debt - paid;
  return {
    balance: 0n,
    coveredByInsurance: paid,
    uncovered,
    collected: loss - uncovered,
    insuranceFund: insuranceFund - paid,
  };
}

/**
 * The payout of a claim once every position of the market is settled (`SettlementLogic._pay`): the
 * claim in full when `collected >= claimed`, else `claim × collected / claimed` rounded down.
 * @example claimPayoutDown(claim, collected, claimed)
 */
export function claimPayoutDown(claim: bigint, collected: bigint, claimed: bigint): bigint {
  return collected >= claimed ? claim : mulDiv(claim, collected, claimed, "Down");
}

/**
 * The surplus the insurance fund receives when the last position of a market settles
 * (`SettlementLogic._complete`): `collected − claimed` when positive, else 0.
 * @example settlementSurplus(collected, claimed)
 */
export function settlementSurplus(collected: bigint, claimed: bigint): bigint {
  return collected > claimed ? collected - claimed : 0n;
}
