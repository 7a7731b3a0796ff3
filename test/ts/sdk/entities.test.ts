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
  basisWeightDown,
  buildOrder,
  claimPayoutDown,
  collateralScale,
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
    // Flip: long 2 at 10 sells 3 at 6 → short 1 at −6, realised 12 − 10.
    expect(applyDelta({ size: 2n, openNotional: 10n }, -3n, 6n)).to.deep.equal({
      size: -1n,
      openNotional: -6n,
      realized: 2n,
    });
  });

  it("test_claimPayout_fullWhenCoveredProRataDownOtherwise", function () {
    expect(claimPayoutDown(7n, 10n, 10n)).to.equal(7n);
    expect(claimPayoutDown(7n, 5n, 10n)).to.equal(3n);
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
    expect(market.markAt(market.params.expiry, 99n * WAD)).to.equal(99n * WAD);
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
    const full = nextBasisRate(deep, 0n, 10_100n * (WAD / 1_000n), 10n * WAD, expiry, NOW, 50n);
    const tenth = nextBasisRate(deep, 0n, 10_100n * (WAD / 1_000n), 10n * WAD, expiry, NOW, 5n);
    expect(full).to.equal(
      nextBasisRate({ ...risk }, 0n, 10_100n * (WAD / 1_000n), 10n * WAD, expiry, NOW, 1n),
    );
    expect(tenth > 0n && tenth < full).to.equal(true);
    expect(tenth).to.equal(full / 10n);
    const down = nextBasisRate(deep, 0n, 9_900n * (WAD / 1_000n), 10n * WAD, expiry, NOW, 5n);
    expect(down).to.equal(
      -(-nextBasisRate(deep, 0n, 9_900n * (WAD / 1_000n), 10n * WAD, expiry, NOW, 50n) / 10n),
    );
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
    const { account: closed, realizedWad, fee } = account.withTrade(markets[0], -1n, 11n * WAD, "maker");
    expect(realizedWad).to.equal(1_000n * WAD);
    expect(fee).to.equal(2_200_000n);
    expect(closed.openMarkets).to.have.length(MAX_OPEN_MARKETS - 1);
    expect(closed.balance).to.equal(before.balance + 1_000_000_000n - 2_200_000n);
    expect(before.openMarkets).to.have.length(MAX_OPEN_MARKETS);
    const marks = markAll(
      markets.slice(1, MAX_OPEN_MARKETS).map((m) => [m, price] as const),
      NOW,
    );
    expect(closed.health(marks).equity).to.equal(closed.balance * 10n ** 12n);
    expect(() => before.health(marks)).to.throw(InvalidArgumentError);
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
