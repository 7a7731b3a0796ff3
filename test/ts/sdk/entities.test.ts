/**
 * The pure core's Clearinghouse entities and math helpers without a chain: immutability, rounding
 * arguments, limits. The equality with the contracts is in `clearinghouseMath.test.ts`.
 */
import { expect } from "chai";
import { getAddress, type Hex } from "viem";

import {
  Account,
  InvalidArgumentError,
  LimitOrder,
  MAX_OPEN_MARKETS,
  Market,
  WAD,
  applyDelta,
  changeBalance,
  basisWeightDown,
  buildOrder,
  claimPayoutDown,
  claimsAvailable,
  collateralScale,
  debitSettlementLoss,
  lendingShare,
  escrowedGain,
  expiredMarkOf,
  indexMarkDown,
  isEmptySlot,
  markBasisAt,
  payClaims,
  exchangeDomain,
  hashOrder,
  indexIdOf,
  markAll,
  mulDiv,
  nextBasisRate,
  pnlToTokens,
  toToken,
  type MarketParams,
} from "../../../sdk/index.js";

const ALICE = getAddress("0x1111111111111111111111111111111111111111");
const NOW = 1_800_000_000n;

function params(i: number): MarketParams {
  return {
    indexId: indexIdOf("ATPI-FRONTIER"),
    methodologyHash: `0x${"ab".repeat(32)}` as Hex,
    expiry: NOW + BigInt((i + 1) * 86_400 * 30),
    contractSize: 1_000n * WAD,
    tickSize: WAD / 1_000n,
    minSize: 1n,
    settlementWindow: 3_600,
  };
}

const risk = {
  imr: WAD / 10n,
  mmr: WAD / 20n,
  liquidationPenalty: WAD / 50n,
  maxPositionSize: 1_000_000n,
  maxOpenInterest: 10_000_000n,
  priceBand: WAD / 10n,
  makerFee: (WAD * 2n) / 10_000n,
  takerFee: (WAD * 5n) / 10_000n,
  basisWeight: WAD / 10n,
  maxBasisRate: WAD / 2n,
  maxBasisStep: WAD / 20n,
  basisDepth: 1n,
};
const terms = { disputeWindow: 3_600, fallbackDelay: 4 * 86_400 };

describe("sdk/core entities and math helpers", function () {
  it("test_mulDivAndToToken_roundAsAsked", function () {
    expect(mulDiv(10n, 3n, 4n, "Down")).to.equal(7n);
    expect(mulDiv(10n, 3n, 4n, "Up")).to.equal(8n);
    expect(mulDiv(8n, 3n, 4n, "Up")).to.equal(6n);
    expect(toToken(10n ** 12n + 1n, 10n ** 12n, "Down")).to.equal(1n);
    expect(toToken(10n ** 12n + 1n, 10n ** 12n, "Up")).to.equal(2n);
    expect(pnlToTokens(-1n, 10n ** 12n)).to.equal(-1n);
    expect(pnlToTokens(10n ** 12n - 1n, 10n ** 12n)).to.equal(0n);
    expect(collateralScale(6)).to.equal(10n ** 12n);
    expect(() => collateralScale(19)).to.throw(InvalidArgumentError);
    expect(() => mulDiv(-1n, 1n, 1n, "Down")).to.throw(InvalidArgumentError);
  });

  it("test_applyDelta_roundsRemovedBasisTowardPlusInfinity", function () {
    // Long 3 at cost 10 (wad units), close 1: removed ⌈10/3⌉ = 4, realised 3 − 4 = −1.
    expect(applyDelta({ size: 3n, openNotional: 10n }, -1n, 3n)).to.deep.equal({
      size: 2n,
      openNotional: 6n,
      realized: -1n,
    });
    // Short 3 at −10, buy back 1 at v = 4: removed −⌊10/3⌋ = −3, realised −4 − (−3) = −1.
    expect(applyDelta({ size: -3n, openNotional: -10n }, 1n, 4n)).to.deep.equal({
      size: -2n,
      openNotional: -7n,
      realized: -1n,
    });
    // Flip: long 2 at 10 sells 3 at 6 → short 1 at −6; the gain 12 − 10 is escrowed: basis −6 − 2.
    expect(applyDelta({ size: 2n, openNotional: 10n }, -3n, 6n)).to.deep.equal({
      size: -1n,
      openNotional: -8n,
      realized: 0n,
    });
  });

  it("test_applyDelta_escrowsRealisedGains_closedWinnerKeepsItsSlot", function () {
    // Long 10 at 100 sells 4 at 11: removed ⌈100 × 4 / 10⌉ = 40, gain 44 − 40 = 4 stays in the basis.
    expect(applyDelta({ size: 10n, openNotional: 100n }, -4n, 11n)).to.deep.equal({
      size: 6n,
      openNotional: 56n,
      realized: 0n,
    });
    // Closing all of a winning short 2 at −20 at 7: gain 6, the slot is (0, −6), not empty.
    const closed = applyDelta({ size: -2n, openNotional: -20n }, 2n, 7n);
    expect(closed).to.deep.equal({ size: 0n, openNotional: -6n, realized: 0n });
    expect(isEmptySlot(closed)).to.equal(false);
    expect(escrowedGain(closed)).to.equal(6n);
    // Reopening from the escrow slot keeps the gain in the basis: long 1 at 5 → (1, 5 − 6).
    expect(applyDelta(closed, 1n, 5n)).to.deep.equal({ size: 1n, openNotional: -1n, realized: 0n });
    // A loss is still realised: long 2 at 20 closed at 7 realises −6 and empties the slot.
    const lost = applyDelta({ size: 2n, openNotional: 20n }, -2n, 7n);
    expect(lost).to.deep.equal({ size: 0n, openNotional: 0n, realized: -6n });
    expect(isEmptySlot(lost)).to.equal(true);
    expect(escrowedGain(lost)).to.equal(0n);
    // A claim after settlement (positive basis, no size) is not an escrow.
    expect(escrowedGain({ size: 0n, openNotional: 6n })).to.equal(0n);
  });

  it("test_claimPayout_fullWhenCoveredProRataDownOtherwise", function () {
    expect(claimPayoutDown(7n, 10n, 10n)).to.equal(7n);
    expect(claimPayoutDown(7n, 5n, 10n)).to.equal(3n);
  });

  it("test_payClaims_paysFromWhatIsLeft_lastClaimTakesTheRest", function () {
    // 5 for claims of 7 and 3: ⌊7 × 5 / 10⌋ = 3, then 2 left for 3 claimed: ⌊3 × 2 / 3⌋ = 2, nothing left.
    expect(payClaims([7n, 3n], 5n, 10n)).to.deep.equal({
      payouts: [3n, 2n],
      collectedLeft: 0n,
      claimedLeft: 0n,
    });
    // Three equal claims of 1 from 2: 0 (⌊2/3⌋), then ⌊1 × 2 / 2⌋ = 1, then 1: no dust stays behind.
    expect(payClaims([1n, 1n, 1n], 2n, 3n).payouts).to.deep.equal([0n, 1n, 1n]);
    // Covered in full: the surplus is the fund's, the pot is capped at the claims.
    expect(payClaims([4n, 6n], 15n, 10n)).to.deep.equal({
      payouts: [4n, 6n],
      collectedLeft: 0n,
      claimedLeft: 0n,
    });
    // Net of the PnL realised before settlement: 12 collected − 4 realised = 8 for claims of 10.
    expect(payClaims([10n], 12n, 10n, 4n).payouts).to.deep.equal([8n]);
    // Some claims paid later: what is left stays for them.
    expect(payClaims([7n], 5n, 10n)).to.deep.equal({ payouts: [3n], collectedLeft: 2n, claimedLeft: 3n });
    expect(claimsAvailable(5n, 10n, 6n)).to.equal(0n);
  });

  it("test_lendingShare_andDebitSettlementLoss_shareTheCashAndTheFundProRata", function () {
    const scale = 10n ** 12n;
    // Cash 40, losses 100 here and 60 elsewhere, fund 30: projected overdraft 120; this market's cash share
    // ⌊40 × 100 / 160⌋ = 25, overdraft share 75, of which the fund lends ⌊30 × 75 / 120⌋ = 18.
    expect(lendingShare(40n, 100n, 60n, 30n)).to.deep.equal({ credited: 43n, lent: 18n });
    expect(lendingShare(40n, 60n, 100n, 30n)).to.deep.equal({ credited: 26n, lent: 11n });
    // A fund that covers the projected overdraft lends all of it.
    expect(lendingShare(40n, 100n, 60n, 200n)).to.deep.equal({ credited: 100n, lent: 75n });
    // Either order credits each pot the same (to a rounding unit) and leaves the same balance and fund.
    const a1 = debitSettlementLoss(40n, 100n, [-60n * scale], 30n, scale);
    expect(a1).to.deep.equal({
      balance: -60n,
      openLosses: 60n,
      lent: 18n,
      uncovered: 57n,
      collected: 43n,
      insuranceFund: 27n,
    });
    const b1 = debitSettlementLoss(a1.balance, 60n, [], a1.insuranceFund, scale);
    expect([b1.balance, b1.collected, b1.insuranceFund]).to.deep.equal([-120n, 27n, 0n]);
    const b2 = debitSettlementLoss(40n, 60n, [-100n * scale], 30n, scale);
    expect([b2.balance, b2.collected, b2.insuranceFund]).to.deep.equal([-20n, 26n, 44n]);
    const a2 = debitSettlementLoss(b2.balance, 100n, [], b2.insuranceFund, scale);
    expect([a2.balance, a2.collected, a2.insuranceFund]).to.deep.equal([-120n, 44n, 0n]);
    expect(a1.collected + b1.collected).to.equal(a2.collected + b2.collected);
    // Cash that covers every loss, or a fund that lends the whole overdraft while the cash covers this loss:
    // a plain debit.
    expect(debitSettlementLoss(50n, 40n, [-100n * scale], 500n, scale)).to.deep.include({
      balance: 10n,
      collected: 40n,
      insuranceFund: 500n,
    });
    expect(debitSettlementLoss(150n, 40n, [-100n * scale], 0n, scale).collected).to.equal(40n);
  });

  it("test_changeBalance_lendsOverdraftsAndRepaysTheFundFirst", function () {
    // 10 of cash against a 40 debit: the fund lends 25 of the 30 overdraft, 5 cannot be lent.
    expect(changeBalance(10n, -40n, 25n)).to.deep.equal({
      balance: -30n,
      insuranceFund: 0n,
      repaid: 0n,
      lent: 25n,
      unlent: 5n,
    });
    // A credit to a negative balance repays the fund first.
    expect(changeBalance(-30n, 50n, 0n)).to.deep.include({ balance: 20n, insuranceFund: 30n, repaid: 30n });
    expect(changeBalance(-30n, 10n, 0n)).to.deep.include({ balance: -20n, insuranceFund: 10n, repaid: 10n });
    // Positive before and after: nothing else moves.
    expect(changeBalance(30n, -10n, 5n)).to.deep.include({ balance: 20n, insuranceFund: 5n, lent: 0n });
  });

  it("test_market_isImmutableAndWithMethodsReturnNewInstances", function () {
    const market = Market.from({ params: params(0), risk, terms, state: { basisRate: WAD / 10n } });
    expect(Object.isFrozen(market)).to.equal(true);
    expect(Object.isFrozen(market.state)).to.equal(true);
    const traded = market.withTrade({ price: 11n * WAD, index: 10n * WAD, now: NOW, size: 1n });
    expect(traded).to.not.equal(market);
    expect(traded.id).to.equal(market.id);
    expect(market.state.basisRate).to.equal(WAD / 10n);
    expect(traded.state.basisRate > market.state.basisRate).to.equal(true);
    expect(() => market.withTrade({ price: WAD, index: WAD, now: market.params.expiry, size: 1n })).to.throw(
      InvalidArgumentError,
    );
    expect(() => market.withTrade({ price: WAD, index: WAD, now: NOW, size: 0n })).to.throw(
      InvalidArgumentError,
    );
    const clamped = market.withRisk({ ...risk, maxBasisRate: WAD / 20n, maxBasisStep: WAD / 20n });
    expect(clamped.state.basisRate).to.equal(WAD / 20n);
    expect(market.statusAt(NOW)).to.equal("Trading");
    expect(market.statusAt(market.params.expiry)).to.equal("Expired");
    expect(market.withSettlement({ proposedAt: 1n }).statusAt(NOW)).to.equal("Settling");
    const settled = market.withSettlement({ finalPrice: 7n * WAD });
    expect(settled.markAt(market.params.expiry, 99n * WAD)).to.equal(7n * WAD);
  });

  it("test_markAt_expiredMarketAtItsSettlementValue_neverTheIndex", function () {
    const market = Market.from({ params: params(0), risk, terms });
    const expiry = market.params.expiry;
    // No final price, no proposal, TWAP unknown: a typed error rather than the index.
    expect(() => market.markAt(expiry, 99n * WAD)).to.throw(InvalidArgumentError, /settlementTwap/);
    const twap = market.withSettlement({ settlementTwap: 8n * WAD });
    expect(twap.markAt(expiry, 99n * WAD)).to.equal(8n * WAD);
    expect(twap.markAt(expiry + 86_400n, 1n)).to.equal(8n * WAD);
    const proposed = twap.withSettlement({ proposedPrice: 9n * WAD, proposedAt: expiry + 60n });
    expect(proposed.markAt(expiry, 99n * WAD)).to.equal(9n * WAD);
    expect(proposed.withSettlement({ finalPrice: 7n * WAD }).markAt(expiry, 99n * WAD)).to.equal(7n * WAD);
    expect(
      expiredMarkOf({ expiry, basisRate: 0n, finalPrice: 0n, proposedPrice: 0n, settlementTwap: 3n }),
    ).to.equal(3n);
    // Before expiry the live mark still follows the index.
    expect(twap.markAt(expiry - 1n, 10n * WAD)).to.equal(10n * WAD);
  });

  it("test_indexMarkAt_theIndexBeforeExpiryWhateverTheBasis_theSettlementValueFromExpiryOn", function () {
    const market = Market.from({ params: params(0), risk, terms }).withState({ basisRate: WAD / 2n });
    const expiry = market.params.expiry;
    // A basis of 50 %/year moves the mark; the index value liquidation also judges by stays the index.
    expect(market.markAt(expiry - 86_400n * 90n, 10n * WAD) > 10n * WAD).to.equal(true);
    expect(market.indexMarkAt(expiry - 86_400n * 90n, 10n * WAD)).to.equal(10n * WAD);
    expect(indexMarkDown({ expiry, basisRate: WAD / 2n, finalPrice: 0n }, 11n * WAD, expiry - 1n)).to.equal(
      11n * WAD,
    );
    // From expiry on, the settlement value (never the live index), as `markAt`.
    expect(() => market.indexMarkAt(expiry, 99n * WAD)).to.throw(InvalidArgumentError, /settlementTwap/);
    const settled = market.withSettlement({ settlementTwap: 8n * WAD, finalPrice: 7n * WAD });
    expect(settled.indexMarkAt(expiry, 99n * WAD)).to.equal(7n * WAD);
  });

  it("test_markBasis_fixedWithinTheSecondOfATrade_nextBasisStaysWithinOneStepOfTheAnchor", function () {
    const market = Market.from({ params: params(0), risk, terms, state: { basisRate: WAD / 10n } });
    const index = 10n * WAD;
    const traded = market.withTrade({ price: 11n * WAD, index, now: NOW, size: 1n });
    expect(traded.state.markBasis).to.equal(WAD / 10n);
    expect(traded.state.markBasisTime).to.equal(NOW);
    // Within the trade's second the mark uses the basis before the trade; from the next second the new one.
    expect(traded.markAt(NOW, index)).to.equal(market.markAt(NOW, index));
    expect(markBasisAt({ ...traded.state, expiry: traded.params.expiry, finalPrice: 0n }, NOW + 1n)).to.equal(
      traded.state.basisRate,
    );
    // A second fill in the same second keeps the anchor; the running basis stays within one step of it.
    const twice = traded.withTrade({ price: 11n * WAD, index, now: NOW, size: 1n });
    expect(twice.state.markBasis).to.equal(WAD / 10n);
    const step = risk.maxBasisStep;
    expect(twice.state.basisRate - WAD / 10n <= step).to.equal(true);
    // nextBasisRate with a far anchor is pulled back within maxBasisStep of it.
    const expiry = market.params.expiry;
    const free = nextBasisRate(risk, WAD / 10n, WAD / 10n, 11n * WAD, index, expiry, NOW, 1n);
    const anchored = nextBasisRate(risk, WAD / 10n, WAD / 10n - step, 11n * WAD, index, expiry, NOW, 1n);
    expect(free > WAD / 10n).to.equal(true);
    expect(anchored).to.equal(WAD / 10n);
    // The next second starts from the stored basis.
    const later = twice.withTrade({ price: 11n * WAD, index, now: NOW + 1n, size: 1n });
    expect(later.state.markBasis).to.equal(twice.state.basisRate);
  });

  it("test_basisWeightDown_fullFromDepthProportionalBelowRoundedTowardZero", function () {
    const w = WAD / 10n;
    expect(basisWeightDown(w, 50n, 50n)).to.equal(w);
    expect(basisWeightDown(w, 51n, 50n)).to.equal(w);
    expect(basisWeightDown(w, 5n, 50n)).to.equal(w / 10n);
    expect(basisWeightDown(w, -5n, 50n)).to.equal(w / 10n); // the sign of a fill does not matter
    expect(basisWeightDown(7n, 1n, 3n)).to.equal(2n); // 7 / 3 = 2.33…: down
    expect(basisWeightDown(2n, 1n, 3n)).to.equal(0n); // below one unit: no move at all
    expect(basisWeightDown(w, 1n, 1n)).to.equal(w); // depth 1: every fill in full
    // The mirror's step: a tenth of the depth moves a tenth as far, the step truncated toward zero.
    const deep = { ...risk, basisDepth: 50n };
    const expiry = NOW + 90n * 86_400n;
    const full = nextBasisRate(deep, 0n, 0n, 10_100n * (WAD / 1_000n), 10n * WAD, expiry, NOW, 50n);
    const tenth = nextBasisRate(deep, 0n, 0n, 10_100n * (WAD / 1_000n), 10n * WAD, expiry, NOW, 5n);
    expect(full).to.equal(
      nextBasisRate({ ...risk }, 0n, 0n, 10_100n * (WAD / 1_000n), 10n * WAD, expiry, NOW, 1n),
    );
    expect(tenth > 0n && tenth < full).to.equal(true);
    expect(tenth).to.equal(full / 10n);
    const down = nextBasisRate(deep, 0n, 0n, 9_900n * (WAD / 1_000n), 10n * WAD, expiry, NOW, 5n);
    expect(down).to.equal(
      -(-nextBasisRate(deep, 0n, 0n, 9_900n * (WAD / 1_000n), 10n * WAD, expiry, NOW, 50n) / 10n),
    );
  });

  it("test_account_withTradeGivenTheFund_booksAnOverdraftAsTheContract_lentThenFeeCutThenWrittenOff", function () {
    const market = Market.from({ params: params(0), risk, terms });
    // long 1 contract (1,000 tokens) at 10 with 3 dollars; closed at 9.99 as maker: a 10-dollar loss and a
    // 1.998-dollar fee (2 bp of 9,990) take the balance to -8.998.
    const account = Account.from({
      address: ALICE,
      balance: 3_000_000n,
      scale: 10n ** 12n,
      positions: [[market.id, { size: 1n, openNotional: 10_000n * WAD }]],
    });
    const price = (999n * WAD) / 100n;
    const plain = account.withTrade(market, -1n, price, "maker");
    expect(plain.fee).to.equal(1_998_000n);
    expect(plain.account.balance).to.equal(-8_998_000n);
    expect(plain.overdraft).to.equal(undefined);
    // A fund of 100 dollars lends the whole overdraft; the fee is charged in full.
    const rich = account.withTrade(market, -1n, price, "maker", 100_000_000n);
    expect(rich.account.balance).to.equal(-8_998_000n);
    expect(rich.fee).to.equal(1_998_000n);
    expect(rich.overdraft).to.deep.equal({ lent: 8_998_000n, writtenOff: 0n, insuranceFund: 91_002_000n });
    // A fund of 5 dollars lends 5; of the 3.998 it cannot lend the fee is cut first, the other 2 written off.
    const poor = account.withTrade(market, -1n, price, "maker", 5_000_000n);
    expect(poor.account.balance).to.equal(-8_998_000n);
    expect(poor.fee).to.equal(0n);
    expect(poor.overdraft).to.deep.equal({ lent: 5_000_000n, writtenOff: 2_000_000n, insuranceFund: 0n });
    // A trade that leaves a positive balance positive books as before, fund or not.
    const rich2 = Account.from({ address: ALICE, balance: 1_000_000_000n, scale: 10n ** 12n });
    expect(rich2.withTrade(market, 1n, 10n * WAD, "taker", 0n).overdraft).to.equal(undefined);
  });

  it("test_account_withTradeBooksPositionPnlAndFee_andCapsOpenMarkets", function () {
    const markets = Array.from({ length: MAX_OPEN_MARKETS + 1 }, (_, i) =>
      Market.from({ params: params(i), risk, terms }),
    );
    let account = Account.from({ address: ALICE, balance: 1_000_000_000n, scale: 10n ** 12n });
    const price = 10n * WAD;
    for (const m of markets.slice(0, MAX_OPEN_MARKETS))
      account = account.withTrade(m, 1n, price, "taker").account;
    expect(account.openMarkets).to.have.length(MAX_OPEN_MARKETS);
    expect(() => account.withTrade(markets[MAX_OPEN_MARKETS], 1n, price, "taker")).to.throw(
      InvalidArgumentError,
    );
    // One taker fee of 10,000 × 5 bp = $5 per market.
    expect(account.balance).to.equal(1_000_000_000n - BigInt(MAX_OPEN_MARKETS) * 5_000_000n);
    const before = account;
    // Closing at a gain of $1,000: escrowed, the balance only pays the fee, the slot keeps its lane.
    const { account: closed, realizedWad, fee } = account.withTrade(markets[0], -1n, 11n * WAD, "maker");
    expect(realizedWad).to.equal(0n);
    expect(fee).to.equal(2_200_000n);
    expect(closed.openMarkets).to.have.length(MAX_OPEN_MARKETS);
    expect(closed.positionIn(markets[0].id)).to.deep.equal({ size: 0n, openNotional: -1_000n * WAD });
    expect(closed.escrowIn(markets[0].id)).to.equal(1_000n * WAD);
    expect(closed.balance).to.equal(before.balance - 2_200_000n);
    expect(() => closed.withTrade(markets[MAX_OPEN_MARKETS], 1n, price, "taker")).to.throw(
      InvalidArgumentError,
    );
    expect(before.openMarkets).to.have.length(MAX_OPEN_MARKETS);
    // The escrow slot needs no mark and counts at its gain, with no margin.
    const marks = markAll(
      markets.slice(1, MAX_OPEN_MARKETS).map((m) => [m, price] as const),
      NOW,
    );
    const h = closed.health(marks);
    expect(h.equity).to.equal(closed.balance * 10n ** 12n + 1_000n * WAD);
    expect(closed.otherPnls(markets[1].id, marks)).to.deep.equal([
      1_000n * WAD,
      ...markets.slice(2, MAX_OPEN_MARKETS).map(() => 0n),
    ]);
    expect(() => before.health(marks)).to.throw(InvalidArgumentError);
    // Account.from keeps escrow slots and drops only empty ones.
    const loaded = Account.from({
      address: ALICE,
      balance: 0n,
      scale: 10n ** 12n,
      positions: [
        [markets[0].id, { size: 0n, openNotional: -5n }],
        [markets[1].id, { size: 0n, openNotional: 0n }],
      ],
    });
    expect(loaded.openMarkets).to.deep.equal([markets[0].id]);
    expect(loaded.freeCollateral(new Map())).to.equal(0n);
    expect(loaded.health(new Map()).equity).to.equal(5n);
  });

  it("test_limitOrder_tracksRemainingAndRejectsOverfill", function () {
    const order = buildOrder(
      { trader: ALICE, marketId: indexIdOf("m"), isBuy: true, size: 10n, limitPrice: 2n * WAD, salt: 1n },
      NOW,
    );
    const wrapped = LimitOrder.from(order, undefined, { filled: 3n });
    expect(wrapped.remaining).to.equal(7n);
    expect(wrapped.signedSize).to.equal(10n);
    const next = wrapped.withFill(7n);
    expect(next.remaining).to.equal(0n);
    expect(wrapped.remaining).to.equal(7n);
    expect(next.isOpenAt(NOW)).to.equal(false);
    expect(wrapped.isOpenAt(NOW)).to.equal(true);
    expect(wrapped.isOpenAt(order.expiry)).to.equal(false);
    expect(() => wrapped.withFill(8n)).to.throw(InvalidArgumentError);
    expect(wrapped.withCancel().remaining).to.equal(0n);
    expect(wrapped.acceptsPrice(2n * WAD)).to.equal(true);
    expect(wrapped.acceptsPrice(2n * WAD + 1n)).to.equal(false);
    const domain = exchangeDomain(31337n, ALICE);
    expect(wrapped.hash(domain)).to.equal(hashOrder(domain, order));
    expect(() => LimitOrder.from(order, undefined, { filled: 11n })).to.throw(InvalidArgumentError);
  });
});
