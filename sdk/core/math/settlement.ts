/**
 * Expiry settlement, as `SettlementLogic` does it: each position closes at the final unit value; a loss
 * is debited from the balance at once (rounded up; an overdraft lent by the insurance fund as far as it
 * goes, `debitSettlementLoss`), a gain (and a gain escrowed before expiry) becomes a
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

/**
 * A balance change as the Clearinghouse books it (`MarginLogic.changeBalance`), collateral units. No
 * balance below zero is counted in the books, so a negative balance is a debt to the insurance fund: a
 * credit to it repays the fund first (`repaid`), and a debit beyond the balance's cash (an overdraft) is
 * lent by the fund as far as it holds tokens (`lent`); what it cannot lend is `unlent`, which the market's
 * pot does not count as paid (or which cuts the fee or penalty in the debit first). The whole debit stays
 * on the balance.
 * @example changeBalance(10n, -40n, 25n) // balance −30n, lent 25n, unlent 5n, fund 0n
 */
export function changeBalance(
  balance: bigint,
  delta: bigint,
  insuranceFund: bigint,
): { balance: bigint; insuranceFund: bigint; repaid: bigint; lent: bigint; unlent: bigint } {
  const after = balance + delta;
  const none = { balance: after, insuranceFund, repaid: 0n, lent: 0n, unlent: 0n };
  if (balance >= 0n && after >= 0n) return none;
  if (delta >= 0n) {
    const repaid = after >= 0n ? -balance : delta;
    return { ...none, insuranceFund: insuranceFund + repaid, repaid };
  }
  const overdraft = -delta - (balance > 0n ? balance : 0n);
  const lent = overdraft < insuranceFund ? overdraft : insuranceFund;
  return { ...none, insuranceFund: insuranceFund - lent, lent, unlent: overdraft - lent };
}

/**
 * What a settlement loss of `loss` credits its market's pot (`credited`) and how much of it the fund
 * lends (`lent`), for an account with `cash` (its positive balance) and `openLosses` still open in other
 * markets, with the fund at `fund` (`SettlementLogic.lendingShare`, collateral units). The projected
 * overdraft is `D = loss + openLosses − cash` (meant for `D > 0`); this market's cash share is
 * `⌊cash × loss / (loss + openLosses)⌋`, its overdraft share the rest of `loss`, of which the fund lends
 * all when `fund >= D`, else `⌊fund × share / D⌋`. Every market of the account gets the same fractions,
 * so the order its markets settle in does not change what each pot is credited.
 * @example lendingShare(40n, 100n, 60n, 30n) // { credited: 43n, lent: 18n }
 */
export function lendingShare(
  cash: bigint,
  loss: bigint,
  openLosses: bigint,
  fund: bigint,
): { credited: bigint; lent: bigint } {
  const total = loss + openLosses;
  const projected = total - cash;
  const cashShare = mulDiv(cash, loss, total, "Down");
  const overdraft = loss - cashShare;
  const lent = fund >= projected ? overdraft : mulDiv(fund, overdraft, projected, "Down");
  return { credited: cashShare + lent, lent };
}

/** A loss debited at settlement, and what its market's pot is credited. */
export interface LossDebit {
  /** The balance afterwards: `balance − loss` (a negative balance is owed to the fund). */
  balance: bigint;
  /** The account's losses still open in other markets, collateral units (rounded down). */
  openLosses: bigint;
  /** What the fund lent of this market's overdraft share. */
  lent: bigint;
  /** What the pot does not count (`loss − collected`): the market's winners bear it. */
  uncovered: bigint;
  /** Added to the market's `collected`. */
  collected: bigint;
  /** The fund afterwards. */
  insuranceFund: bigint;
}

/**
 * Debits a settlement loss (`SettlementLogic._debit`): the balance goes down by `loss`. When the
 * account's losses (this one and `otherPnls`' losses, the wad PnL of each of its other open slots valued
 * as `MarginLogic.health` values them) exceed its cash, `lendingShare` decides what the pot is credited
 * (unless the fund can lend the whole projected overdraft and the cash covers this loss: then the plain
 * debit). The fund gives what it lends and keeps the cash paid beyond this market's cash share, for the
 * account's other losses: `fund + min(loss, cash) − credited`.
 * @example debitSettlementLoss(40n, 100n, [-60n * 10n ** 12n], 30n, 10n ** 12n) // collected 43n, fund 27n
 */
export function debitSettlementLoss(
  balance: bigint,
  loss: bigint,
  otherPnls: readonly bigint[],
  insuranceFund: bigint,
  scale: bigint,
): LossDebit {
  const after = balance - loss;
  const cash = balance > 0n ? balance : 0n;
  let wadLosses = 0n;
  for (const pnl of otherPnls) if (pnl < 0n) wadLosses -= pnl;
  const openLosses = toToken(wadLosses, scale, "Down");
  const plain = { balance: after, openLosses, lent: 0n, uncovered: 0n, collected: loss, insuranceFund };
  const total = loss + openLosses;
  if (total <= cash) return plain;
  if (insuranceFund >= total - cash && loss <= cash) return plain;
  const { credited, lent } = lendingShare(cash, loss, openLosses, insuranceFund);
  const paid = loss < cash ? loss : cash;
  return {
    balance: after,
    openLosses,
    lent,
    uncovered: loss - credited,
    collected: credited,
    insuranceFund: insuranceFund + paid - credited,
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
