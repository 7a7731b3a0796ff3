/**
 * Expiry settlement, as `SettlementLogic` does it: each position closes at the final unit value; a loss
 * is debited from the balance at once (rounded up), a gain becomes a claim (rounded down) paid once every
 * position of the market is closed, in full or pro rata to what was collected net of the PnL realised
 * into balances before settlement.
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
 * no other open market, the insurance fund pays as far as it goes; what it cannot pay of this loss is not
 * collected, and what it cannot pay beyond this loss (a debt the account already had) stays as the
 * account's negative balance (`uncovered` is the whole unpaid debt).
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
  const unpaid = uncovered < loss ? uncovered : loss;
  return {
    balance: -(uncovered - unpaid),
    coveredByInsurance: paid,
    uncovered,
    collected: loss - unpaid,
    insuranceFund: insuranceFund - paid,
  };
}

/**
 * What a market has for its claims once every position is settled (`SettlementLogic._complete`): what
 * the settlement losers paid minus the net PnL already realised into balances before settlement
 * (`realisedNet`, collected as credited minus as debited), capped at the claims and floored at 0 (a
 * socialised loss: nothing for the winners). This is what `settlementState` reports as `collected` once
 * complete.
 * @example claimsAvailable(collected, claimed, realisedNet)
 */
export function claimsAvailable(collected: bigint, claimed: bigint, realisedNet = 0n): bigint {
  const available = collected - realisedNet;
  if (available >= claimed) return claimed;
  return available > 0n ? available : 0n;
}

/**
 * The payout of a claim once every position of the market is settled (`SettlementLogic._pay`): the
 * claim in full when `collected − realisedNet >= claimed`, else `claim × available / claimed` rounded
 * down (0 when nothing is available). `collected` is what settlement losers paid (before completion).
 * @example claimPayoutDown(claim, collected, claimed, realisedNet)
 */
export function claimPayoutDown(claim: bigint, collected: bigint, claimed: bigint, realisedNet = 0n): bigint {
  const available = claimsAvailable(collected, claimed, realisedNet);
  return available >= claimed ? claim : mulDiv(claim, available, claimed, "Down");
}

/**
 * The surplus the insurance fund receives when the last position of a market settles
 * (`SettlementLogic._complete`): `collected − realisedNet − claimed` when positive, else 0.
 * @example settlementSurplus(collected, claimed, realisedNet)
 */
export function settlementSurplus(collected: bigint, claimed: bigint, realisedNet = 0n): bigint {
  const available = collected - realisedNet;
  return available > claimed ? available - claimed : 0n;
}
