/**
 * Expiry settlement, as `SettlementLogic` does it: each position closes at the final unit value; a loss
 * is debited from the balance at once (rounded up), a gain (and a gain escrowed before expiry) becomes a
 * claim (rounded down) paid once every position of the market is closed, in full or pro rata from what
 * is left of what was collected net of the PnL realised into balances before settlement.
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
 * Closes a position at the final unit value (`SettlementLogic._close`); an escrow slot `(0, −gain)`
 * closes into a claim of `gain`.
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
  /** The balance afterwards: `balance − loss + share`. */
  balance: bigint;
  /** The account's whole bad debt this loss is a share of (0 when there is none). */
  deficit: bigint;
  /** The part of `deficit` this market answers for (written off the account). */
  share: bigint;
  /** What the insurance fund paid of `share`. */
  coveredByInsurance: bigint;
  /** What nobody paid (`share − coveredByInsurance`): reduces what the market collected. */
  uncovered: bigint;
  /** Added to the market's `collected`: `loss − uncovered`. */
  collected: bigint;
  /** The fund afterwards. */
  insuranceFund: bigint;
}

/**
 * The bad debt a settlement loss leaves that its market answers for (`SettlementLogic._badDebtShare`),
 * collateral units. `balance` is the balance after the loss; `otherPnls` the wad PnL of each of the
 * account's other open slots (valued as `MarginLogic.health` values them, expired markets at their
 * settlement value, an escrowed gain at `−openNotional`). With no other slot: `share = min(−balance,
 * loss)` of `deficit = −balance`. Otherwise `equity = balance × scale + Σ otherPnls`; nothing when
 * `equity >= 0`, else `deficit = ⌈−equity / scale⌉` and `share = ⌊deficit × loss / (loss + ⌊Σ other
 * losses / scale⌋)⌋`, at most `loss`. Meant for a negative `balance`.
 * @example badDebtShare(-30n, 40n, [], 10n ** 12n) // { share: 30n, deficit: 30n }
 */
export function badDebtShare(
  balance: bigint,
  loss: bigint,
  otherPnls: readonly bigint[],
  scale: bigint,
): { share: bigint; deficit: bigint } {
  if (otherPnls.length === 0) {
    const deficit = -balance;
    return { share: deficit < loss ? deficit : loss, deficit };
  }
  let equity = balance * scale;
  let openLosses = 0n;
  for (const pnl of otherPnls) {
    equity += pnl;
    if (pnl < 0n) openLosses -= pnl;
  }
  if (equity >= 0n) return { share: 0n, deficit: 0n };
  const deficit = toToken(-equity, scale, "Up");
  const share = mulDiv(deficit, loss, loss + toToken(openLosses, scale, "Down"), "Down");
  return { share: share > loss ? loss : share, deficit };
}

/**
 * Debits a settlement loss (`SettlementLogic._debit`): the balance goes down by `loss`; when it turns
 * negative, `badDebtShare` decides the part of the account's bad debt this market answers for; the
 * insurance fund pays all of it when it covers the whole deficit, else `⌊fund × share / deficit⌋`; the
 * rest of the share is not collected (the market's winners bear it); the balance goes up by the share
 * (what is left negative is debt the account keeps, to be covered by its other markets or later).
 * `otherPnls` as in `badDebtShare` (empty when the account has no other open slot).
 * @example debitSettlementLoss(20n, 40n, [], 5n, 10n ** 12n) // balance 0n, fund pays 5n, 15n uncovered
 */
export function debitSettlementLoss(
  balance: bigint,
  loss: bigint,
  otherPnls: readonly bigint[],
  insuranceFund: bigint,
  scale: bigint,
): LossDebit {
  const after = balance - loss;
  const none = {
    deficit: 0n,
    share: 0n,
    coveredByInsurance: 0n,
    uncovered: 0n,
    collected: loss,
    insuranceFund,
  };
  if (after >= 0n) return { balance: after, ...none };
  const { share, deficit } = badDebtShare(after, loss, otherPnls, scale);
  if (share === 0n) return { balance: after, ...none };
  const fromFund = insuranceFund >= deficit ? share : mulDiv(insuranceFund, share, deficit, "Down");
  const uncovered = share - fromFund;
  return {
    balance: after + share,
    deficit,
    share,
    coveredByInsurance: fromFund,
    uncovered,
    collected: loss - uncovered,
    insuranceFund: insuranceFund - fromFund,
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
 * The payout of one claim (`SettlementLogic._pay`), paid from what is left: `collectedLeft` is what the
 * market still holds for claims (`claimsAvailable` before the first claim) and `claimedLeft` the claims
 * not yet paid (this one included). The claim in full when `collectedLeft >= claimedLeft`, else
 * `claim × collectedLeft / claimedLeft` rounded down. After it, `collectedLeft −= payout` and
 * `claimedLeft −= claim`, so the last claim takes exactly what is left.
 * @example claimPayoutDown(7n, 5n, 10n) // 3n
 */
export function claimPayoutDown(claim: bigint, collectedLeft: bigint, claimedLeft: bigint): bigint {
  return collectedLeft >= claimedLeft ? claim : mulDiv(claim, collectedLeft, claimedLeft, "Down");
}

/** Claims paid in order, and what the market holds afterwards. */
export interface ClaimsPaid {
  /** Each claim's payout, in the order given. */
  payouts: bigint[];
  /** What is left for claims afterwards (`settlementState().collected`). */
  collectedLeft: bigint;
  /** Claims still unpaid afterwards (`settlementState().claimed`). */
  claimedLeft: bigint;
}

/**
 * Pays `claims` in the order the contract pays them (`SettlementLogic._pay`, one `claimPayoutDown` each)
 * once every position is settled: the pot starts at `claimsAvailable(collected, claimed, realisedNet)`
 * and `claimed` is the sum of every claim of the market (paid now or later).
 * @example payClaims([7n, 3n], 5n, 10n) // payouts [3n, 2n], nothing left
 */
export function payClaims(
  claims: readonly bigint[],
  collected: bigint,
  claimed: bigint,
  realisedNet = 0n,
): ClaimsPaid {
  let collectedLeft = claimsAvailable(collected, claimed, realisedNet);
  let claimedLeft = claimed;
  const payouts: bigint[] = [];
  for (const claim of claims) {
    const payout = claimPayoutDown(claim, collectedLeft, claimedLeft);
    payouts.push(payout);
    collectedLeft -= payout;
    claimedLeft -= claim;
  }
  return { payouts, collectedLeft, claimedLeft };
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
