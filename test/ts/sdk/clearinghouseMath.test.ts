/**
 * Property tests of the Clearinghouse math mirror (`sdk/core/math`, `sdk/core/entities`): randomized
 * states built on the in-process chain (deposits, trades through `TestVenue`, index moves on
 * `MockIndexOracle`, time warps, settlement) and, after every step, the mirror compared with the
 * contracts' views to the last unit, for a 6- and an 18-decimal collateral. fast-check runs with fixed
 * seeds, so every run replays the same cases.
 */
import { expect } from "chai";
import fc from "fast-check";
import { ZeroHash as ZERO_HASH, id as ethersId, type ContractTransactionResponse, type Log } from "ethers";
import { network } from "hardhat";
import type { Address } from "viem";

import {
  Account,
  Market,
  asMarketId,
  changeBalance,
  debitSettlementLoss,
  fetchAccount,
  fetchHealth,
  finalUnitValueDown,
  isEmptySlot,
  liquidationPenaltySplit,
  marketIdOf,
  pnlToTokens,
  payClaims,
  settlePosition,
  settlementSurplus,
  splitFees,
  type MarketId,
  type MarkedMarket,
} from "../../../sdk/index.js";
import {
  DAY,
  INDEX_ID,
  WAD,
  defaultRisk,
  defaultTerms,
  deployClearinghouse,
  type Fixture,
} from "../helpers/clearinghouseFixture.js";
import { SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";

const { ethers, viem, networkHelpers } = await network.create();
const { time } = networkHelpers;

const INDEX_2 = ethersId("ATPI-COMPUTE-H100");
const TICK = WAD / 1_000n;

/** One random step. */
type Step =
  | {
      kind: "trade";
      market: number;
      maker: number;
      taker: number;
      size: bigint;
      long: boolean;
      offBps: number;
    }
  | { kind: "index"; which: number; moveBps: number }
  | { kind: "warp"; seconds: number }
  | { kind: "deposit"; who: number; dollars: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("trade" as const),
      market: fc.nat(3),
      maker: fc.nat(2),
      taker: fc.nat(2),
      size: fc.bigInt(1n, 20n),
      long: fc.boolean(),
      offBps: fc.integer({ min: -600, max: 600 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("index" as const),
      which: fc.nat(1),
      moveBps: fc.integer({ min: -3_000, max: 3_000 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("warp" as const),
      seconds: fc.integer({ min: 1, max: 12 * DAY }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("deposit" as const),
      who: fc.nat(2),
      dollars: fc.integer({ min: 1, max: 60_000 }),
    }),
  },
);

interface World {
  f: Fixture;
  ch: Address;
  traders: Fixture["alice"][];
  /** Market ids by expiry: 30, 60, 90 and 120 days; 60 and 120 on the second index. */
  ids: MarketId[];
  indexOf: Map<MarketId, string>;
}

/** The mirror: entities kept in step with what the steps did on chain. */
interface Mirror {
  markets: Map<MarketId, Market>;
  accounts: Map<string, Account>;
  index: Map<string, bigint>;
  /** The mock oracle's TWAP per index: what an expired market without a proposal is marked at. */
  twap: Map<string, bigint>;
  /** The fund and the treasury as split so far (`FeesSwept`), and the trade fees still pending. */
  insuranceFund: bigint;
  treasury: bigint;
  pendingFees: bigint;
  /** Per market: PnL realised into balances before settlement, collateral units (`realisedNet`). */
  realised: Map<MarketId, bigint>;
}

async function deployWorld(decimals: number): Promise<World> {
  const f = await deployClearinghouse(ethers, networkHelpers, decimals);
  await f.oracle.setValue(INDEX_2, 3n * WAD);
  const ids = [asMarketId(await f.ch.marketId(f.params))];
  // The fixture's market expires in 90 days; add 30, 60 (first index) and 120 days (second index).
  ids.unshift(asMarketId(await f.createMarket(30)));
  ids.splice(1, 0, asMarketId(await f.createMarket(60, INDEX_2)));
  ids.push(asMarketId(await f.createMarket(120, INDEX_2)));
  const indexOf = new Map<MarketId, string>();
  for (const id of ids) indexOf.set(id, (await f.ch.marketParams(id)).indexId);
  return { f, ch: (await f.ch.getAddress()) as Address, traders: [f.alice, f.bob, f.carol], ids, indexOf };
}

async function initialMirror(w: World): Promise<Mirror> {
  const markets = new Map<MarketId, Market>();
  for (const id of w.ids) {
    const p = await w.f.ch.marketParams(id);
    const params = {
      indexId: p.indexId as `0x${string}`,
      methodologyHash: p.methodologyHash as `0x${string}`,
      expiry: p.expiry,
      contractSize: p.contractSize,
      tickSize: p.tickSize,
      minSize: p.minSize,
      settlementWindow: Number(p.settlementWindow),
    };
    expect(marketIdOf(params)).to.equal(id);
    const t = defaultTerms();
    const [, , , , index] = await w.f.ch.marketState(id);
    markets.set(
      id,
      Market.from({
        params,
        risk: defaultRisk(),
        terms: { disputeWindow: Number(t.disputeWindow), fallbackDelay: Number(t.fallbackDelay) },
        state: { index: Number(index) },
      }),
    );
  }
  const accounts = new Map<string, Account>();
  for (const t of [...w.traders, w.f.liquidator]) {
    accounts.set(t.address, Account.from({ address: t.address as Address, balance: 0n, scale: w.f.scale }));
  }
  return {
    markets,
    accounts,
    index: new Map([
      [INDEX_ID, 10n * WAD],
      [INDEX_2, 3n * WAD],
    ]),
    twap: new Map([
      [INDEX_ID, 0n],
      [INDEX_2, 0n],
    ]),
    insuranceFund: 0n,
    treasury: 0n,
    pendingFees: 0n,
    realised: new Map(w.ids.map((id) => [id, 0n])),
  };
}

/** Sets each market's basis depth on chain (`setRiskParams`) and in the mirror (`withRisk`). */
async function setDepths(w: World, m: Mirror, depths: readonly bigint[]): Promise<void> {
  for (const [i, id] of w.ids.entries()) {
    const risk = { ...defaultRisk(), basisDepth: depths[i] };
    await w.f.ch.setRiskParams(id, risk);
    expect((await w.f.ch.riskParams(id)).basisDepth).to.equal(depths[i]);
    m.markets.set(id, m.markets.get(id)!.withRisk(risk));
  }
}

function eventsOf(w: World, logs: readonly Log[], name: string) {
  return logs
    .map((l) => {
      try {
        return w.f.ch.interface.parseLog(l);
      } catch {
        return null;
      }
    })
    .filter((e) => e?.name === name);
}

async function mined(tx: Promise<ContractTransactionResponse>) {
  const receipt = await (await tx).wait();
  const block = await ethers.provider.getBlock(receipt!.blockNumber);
  return { logs: receipt!.logs, timestamp: BigInt(block!.timestamp) };
}

async function deposit(w: World, m: Mirror, who: Fixture["alice"], dollars: number) {
  await w.f.fund(who, String(dollars));
  m.accounts.set(who.address, m.accounts.get(who.address)!.withDeposit(w.f.usd(String(dollars))));
}

/** How many `FeesSwept` events inside a trade `apply` has checked against the SDK's split (reach). */
let sweepsInTradesChecked = 0;

/** Runs one step on chain and on the mirror. */
async function apply(w: World, m: Mirror, step: Step): Promise<void> {
  if (step.kind === "deposit") return deposit(w, m, w.traders[step.who], step.dollars);
  if (step.kind === "warp") {
    await time.increase(step.seconds);
    return;
  }
  if (step.kind === "index") {
    const indexId = step.which === 0 ? INDEX_ID : INDEX_2;
    const next = (m.index.get(indexId)! * BigInt(10_000 + step.moveBps)) / 10_000n;
    await w.f.oracle.setValue(indexId, next);
    m.index.set(indexId, next);
    return;
  }
  if (step.maker === step.taker) return;
  const id = w.ids[step.market];
  const market = m.markets.get(id)!;
  const index = m.index.get(w.indexOf.get(id)!)!;
  const now = BigInt(await time.latest());
  if (now + 1n >= market.params.expiry) return;
  const mark = market.markAt(now + 1n, index);
  const price = ((mark * BigInt(10_000 + step.offBps)) / 10_000n / TICK) * TICK;
  const delta = step.long ? step.size : -step.size;
  const maker = w.traders[step.maker];
  const taker = w.traders[step.taker];
  let result;
  try {
    result = await mined(w.f.venue.trade(id, maker.address, taker.address, delta, price));
  } catch {
    return; // margin, band, limits: the contract refused; state is unchanged on both sides.
  }
  const [traded] = eventsOf(w, result.logs, "Traded");
  const scale = w.f.scale;
  const takerBook = m.accounts.get(taker.address)!.withTrade(market, delta, price, "taker");
  const makerBook = m.accounts.get(maker.address)!.withTrade(market, -delta, price, "maker");
  // Fees charged: the event's figures equal the mirror's, and so does the split.
  expect(traded!.args.takerFee).to.equal(takerBook.fee);
  expect(traded!.args.makerFee).to.equal(makerBook.fee);
  expect(market.feeFor(delta, price, "taker", scale)).to.equal(takerBook.fee);
  // The trade's fees wait to be split; a sweep in the trade (an overdraft lent) splits the earlier ones first.
  for (const swept of eventsOf(w, result.logs, "FeesSwept")) {
    sweepsInTradesChecked += 1;
    const split = splitFees(m.pendingFees, WAD / 2n);
    expect([swept!.args.toInsurance, swept!.args.toTreasury]).to.deep.equal([
      split.insurance,
      split.treasury,
    ]);
    m.insuranceFund += split.insurance;
    m.treasury += split.treasury;
    m.pendingFees = 0n;
  }
  m.pendingFees += takerBook.fee + makerBook.fee;
  m.accounts.set(taker.address, takerBook.account);
  m.accounts.set(maker.address, makerBook.account);
  // Both sides' realised PnL, as credited (down) and debited (up): the market's accumulator.
  const realised = pnlToTokens(takerBook.realizedWad, scale) + pnlToTokens(makerBook.realizedWad, scale);
  m.realised.set(id, m.realised.get(id)! + realised);
  const [, , , , , , realisedNet] = await w.f.ch.settlementState(id);
  expect(realisedNet).to.equal(m.realised.get(id));
  // Basis EMA at the trade's block time.
  const next = market.withTrade({ price, index, now: result.timestamp, size: delta });
  expect(traded!.args.basisRate).to.equal(next.state.basisRate);
  m.markets.set(id, next);
}

/** Compares every view with the mirror at the chain's current block. */
async function check(w: World, m: Mirror): Promise<void> {
  const client = await viem.getPublicClient();
  for (const t of [...w.traders, w.f.liquidator]) {
    const mirror = m.accounts.get(t.address)!;
    const loaded = await fetchAccount(client, { address: w.ch, account: t.address as Address });
    const now = loaded.context.timestamp;
    // Storage: balance and positions, as the mirror booked them.
    expect(loaded.account.balance).to.equal(mirror.balance);
    expect(Object.fromEntries(loaded.account.positions)).to.deep.equal(Object.fromEntries(mirror.positions));
    // The views count the pending fees as the split will: the fund's share rounded down, once, on their sum.
    const pending = splitFees(m.pendingFees, WAD / 2n);
    expect(loaded.context.insuranceFund).to.equal(m.insuranceFund + pending.insurance);
    expect(await w.f.ch.treasuryAccrued()).to.equal(m.treasury + pending.treasury);
    // Marks from the mirror's markets and index values at the block time.
    const marks = new Map<MarketId, MarkedMarket>();
    for (const id of mirror.openMarkets) {
      const indexId = w.indexOf.get(id)!;
      // An expired market is marked at its settlement value: here the mock's settlement-window TWAP.
      const market = m.markets.get(id)!.withSettlement({ settlementTwap: m.twap.get(indexId)! });
      expect(loaded.markets.get(id)!.state.basisRate).to.equal(market.state.basisRate);
      const mark = market.markAt(now, m.index.get(indexId)!);
      expect(await w.f.ch.markPrice(id)).to.equal(mark);
      expect(loaded.marks.get(id)!.mark).to.equal(mark);
      // The liquidation mark: the time-averaged basis the mirror kept through every trade.
      const liquidationMark = market.liquidationMarkAt(now, m.index.get(indexId)!);
      expect(await w.f.ch.liquidationMarkPrice(id)).to.equal(liquidationMark);
      expect(loaded.marks.get(id)!.liquidationMark).to.equal(liquidationMark);
      // The index value liquidation also judges by: the index before expiry, the settlement value after.
      const indexMark = market.indexMarkAt(now, m.index.get(indexId)!);
      expect(loaded.marks.get(id)!.indexMark).to.equal(indexMark);
      marks.set(id, { market, mark, liquidationMark, indexMark });
    }
    const [equity, im, mm] = await w.f.ch.health(t.address);
    const h = mirror.health(marks);
    expect([h.equity, h.initialMargin, h.maintenanceMargin]).to.deep.equal([equity, im, mm]);
    expect(mirror.freeCollateral(marks)).to.equal(await w.f.ch.freeCollateral(t.address));
    expect(mirror.isLiquidatable(marks)).to.equal(await w.f.ch.isLiquidatable(t.address));
    for (const id of mirror.openMarkets) {
      expect(mirror.liquidationPrice(id, marks), `liquidationPrice ${id}`).to.equal(
        await w.f.ch.liquidationPrice(t.address, id),
      );
    }
    // The SDK's one-multicall health read agrees too.
    const viaSdk = await fetchHealth(client, { address: w.ch, account: t.address as Address });
    expect(viaSdk).to.deep.equal({
      equity,
      initialMargin: im,
      maintenanceMargin: mm,
      freeCollateral: mirror.freeCollateral(marks),
      liquidatable: mirror.isLiquidatable(marks),
    });
  }
}

for (const decimals of [6, 18]) {
  describe(`sdk math mirror vs Clearinghouse views (${decimals}-decimal collateral)`, function () {
    this.timeout(SLOW_SUITE_TIMEOUT_MS);
    let w: World;
    let base: Awaited<ReturnType<typeof networkHelpers.takeSnapshot>>;

    before(async function () {
      w = await deployWorld(decimals);
      base = await networkHelpers.takeSnapshot();
    });

    it("test_mirror_equalsViews_onRandomTradesIndexMovesAndWarps", async function () {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 5_000, max: 150_000 }), { minLength: 3, maxLength: 3 }),
          fc.array(stepArb, { minLength: 6, maxLength: 16 }),
          // One basis depth per market: mostly around the trade sizes (1 to 20), some up to the bound.
          fc.array(fc.oneof({ weight: 4, arbitrary: fc.bigInt(1n, 30n) }, fc.bigInt(1n, 2n ** 56n - 1n)), {
            minLength: 4,
            maxLength: 4,
          }),
          async (funding, steps, depths) => {
            await base.restore();
            const m = await initialMirror(w);
            await setDepths(w, m, depths);
            for (const [i, dollars] of funding.entries()) await deposit(w, m, w.traders[i], dollars);
            for (const step of steps) {
              await apply(w, m, step);
              await check(w, m);
            }
          },
        ),
        { seed: 20_261_121 + decimals, numRuns: 15 },
      );
    });

    it("test_mirror_equalsSettlementPayouts_lossesClaimsAndProRataShortfall", async function () {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 2_000, max: 40_000 }), { minLength: 3, maxLength: 3 }),
          fc.array(
            fc.record({ maker: fc.nat(2), taker: fc.nat(2), size: fc.bigInt(1n, 30n), long: fc.boolean() }),
            { minLength: 1, maxLength: 6 },
          ),
          fc.integer({ min: 2_000, max: 40_000 }),
          fc.boolean(),
          async (funding, trades, finalBps, alsoOtherMarket) => {
            await base.restore();
            const m = await initialMirror(w);
            for (const [i, dollars] of funding.entries()) await deposit(w, m, w.traders[i], dollars);
            const id = w.ids[0];
            for (const t of trades) {
              await apply(w, m, { kind: "trade", market: 0, ...t, offBps: 0 });
            }
            // A position in another market keeps bad debt on the account instead of the fund.
            if (alsoOtherMarket) {
              await apply(w, m, {
                kind: "trade",
                market: 2,
                maker: 0,
                taker: 1,
                size: 1n,
                long: true,
                offBps: 0,
              });
            }
            const market = m.markets.get(id)!;
            const finalPrice = (10n * WAD * BigInt(finalBps)) / 10_000n;
            await time.increaseTo(market.params.expiry + 1n);
            await w.f.oracle.setTwap(INDEX_ID, finalPrice);
            await w.f.ch.proposeSettlement(id);
            await time.increase(market.terms.disputeWindow);
            await w.f.ch.finalizeSettlement(id);
            // After finalization the mark is the final price, whatever the index.
            const settled = market.withSettlement({ finalPrice });
            expect(settled.statusAt(BigInt(await time.latest()))).to.equal("Settled");
            expect(await w.f.ch.markPrice(id)).to.equal(settled.markAt(BigInt(await time.latest()), 1n));
            const holders = w.traders.map((t) => t.address);
            const first = await mined(w.f.ch.settleMany(id, holders));
            await w.f.ch.settleMany(id, holders);

            // Mirror: close each slot in order (positions and escrowed gains; a loss beyond the account's cash
            // shares its cash and the fund's lending with the account's other open losses, valued at the
            // settlement block), then pay the claims in the contract's order from what is left: the
            // last closer's at once, the others in the second pass.
            const unit = finalUnitValueDown(finalPrice, market.params.contractSize);
            expect((await w.f.ch.marketParams(id)).contractSize).to.equal(market.params.contractSize);
            const marks = new Map<MarketId, MarkedMarket>();
            for (const other of w.ids.slice(1)) {
              const mm = m.markets.get(other)!;
              marks.set(other, {
                market: mm,
                mark: mm.markAt(first.timestamp, m.index.get(w.indexOf.get(other)!)!),
              });
            }
            let collected = 0n;
            let claimed = 0n;
            // The fund a settlement lends from includes its share of the pending fees (swept first).
            let fund = m.insuranceFund + splitFees(m.pendingFees, WAD / 2n).insurance;
            const claims = new Map<string, bigint>();
            const balances = new Map<string, bigint>();
            let lastCloser: string | undefined;
            for (const who of holders) {
              const a = m.accounts.get(who)!;
              balances.set(who, a.balance);
              const p = a.positionIn(id);
              if (isEmptySlot(p)) continue;
              lastCloser = who;
              const s = settlePosition(p, unit, w.f.scale);
              if (s.loss > 0n) {
                const debit = debitSettlementLoss(a.balance, s.loss, a.otherPnls(id, marks), fund, w.f.scale);
                balances.set(who, debit.balance);
                fund = debit.insuranceFund;
                collected += debit.collected;
              } else {
                claims.set(who, s.claim);
                claimed += s.claim;
              }
            }
            const realisedNet = m.realised.get(id)!;
            fund += settlementSurplus(collected, claimed, realisedNet);
            const order = [...claims.keys()].filter((who) => who !== lastCloser);
            if (lastCloser !== undefined && claims.has(lastCloser)) order.unshift(lastCloser);
            const paid = payClaims(
              order.map((who) => claims.get(who)!),
              collected,
              claimed,
              realisedNet,
            );
            // A claim paid into a negative balance repays the fund first.
            for (const [i, who] of order.entries()) {
              const credit = changeBalance(balances.get(who)!, paid.payouts[i], fund);
              balances.set(who, credit.balance);
              fund = credit.insuranceFund;
            }
            for (const who of holders) {
              const [balance] = await w.f.ch.accountOf(who);
              expect(balance, `balance of ${who}`).to.equal(balances.get(who));
            }
            expect(await w.f.ch.insuranceFund()).to.equal(fund);
            // Every claim is paid: nothing is left for claims and nothing is claimed any more.
            const [, , , , c, k, r] = await w.f.ch.settlementState(id);
            expect([c, k, r]).to.deep.equal([paid.collectedLeft, paid.claimedLeft, realisedNet]);
            expect([c, k]).to.deep.equal([0n, 0n]);
          },
        ),
        { seed: 7_331 + decimals, numRuns: 12 },
      );
    });

    it("test_nextBasisRate_equalsEveryFillOfABatch_onRandomDepthsAndSizes", async function () {
      // Each fill of one tradeBatch moves the basis by its own size against the depth; the mirror chains
      // `withTrade` per fill and must equal every Traded event's basis to the unit.
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { weight: 3, arbitrary: fc.bigInt(1n, 200n) },
            fc.bigInt(1n, 2n ** 56n - 1n),
            fc.constant(2n ** 56n - 1n),
          ),
          fc.array(fc.record({ size: fc.bigInt(1n, 300n), offBps: fc.integer({ min: -900, max: 900 }) }), {
            minLength: 1,
            maxLength: 8,
          }),
          fc.boolean(),
          fc.integer({ min: 0, max: 80 * DAY }),
          async (depth, fills, takerBuys, elapsed) => {
            await base.restore();
            const m = await initialMirror(w);
            for (const i of [0, 1]) await deposit(w, m, w.traders[i], 5_000_000);
            await setDepths(w, m, [depth, depth, depth, depth]);
            await time.increase(elapsed + 1);
            const id = w.ids[2]; // 90 days
            const now = BigInt(await time.latest()) + 1n;
            await time.setNextBlockTimestamp(now);
            let market = m.markets.get(id)!;
            const index = 10n * WAD;
            // Prices around the index, on ticks; the band (10 % around the running mark) holds for ±9 %.
            const venueFills = fills.map((f) => ({
              maker: w.traders[1].address,
              takerSizeDelta: takerBuys ? f.size : -f.size,
              price: ((index * BigInt(10_000 + f.offBps)) / 10_000n / TICK) * TICK,
              makerOrderHash: ZERO_HASH,
            }));
            const { logs } = await mined(
              w.f.venue.tradeBatch(id, w.traders[0].address, ZERO_HASH, venueFills),
            );
            const traded = eventsOf(w, logs, "Traded");
            expect(traded).to.have.length(fills.length);
            for (const [i, fill] of venueFills.entries()) {
              market = market.withTrade({ price: fill.price, index, now, size: fill.takerSizeDelta });
              expect(traded[i]!.args.basisRate, `fill ${i}`).to.equal(market.state.basisRate);
            }
            expect((await w.f.ch.marketState(id)).basisRate).to.equal(market.state.basisRate);
          },
        ),
        { seed: 4_242 + decimals, numRuns: 25 },
      );
    });

    // The random trades above never overdraw an account, so no trade of theirs sweeps: this one does.
    it("test_feesSweptInATrade_equalsTheSdkSplitOfThePendingFees", async function () {
      await base.restore();
      const m = await initialMirror(w);
      await deposit(w, m, w.traders[0], 3_000);
      await deposit(w, m, w.traders[1], 200_000);
      await w.f.token.mint(w.f.liquidator.address, w.f.usd("100000"));
      await w.f.token.connect(w.f.liquidator).approve(w.ch, ethers.MaxUint256);
      await w.f.ch.connect(w.f.liquidator).depositInsurance(w.f.usd("100000"));
      m.insuranceFund += w.f.usd("100000");
      await apply(w, m, { kind: "trade", market: 2, maker: 1, taker: 0, size: 2n, long: true, offBps: 0 });
      const pending = m.pendingFees;
      expect(pending).to.be.greaterThan(0n);
      // The index halves: closing the long realises a loss beyond trader 0's balance, which the fund lends
      // after splitting the pending fees (checked in `apply` against `splitFees`).
      await w.f.oracle.setValue(INDEX_ID, 5n * WAD);
      m.index.set(INDEX_ID, 5n * WAD);
      const before = sweepsInTradesChecked;
      await apply(w, m, { kind: "trade", market: 2, maker: 1, taker: 0, size: 2n, long: false, offBps: 0 });
      expect(sweepsInTradesChecked - before).to.equal(1);
      const [balance] = await w.f.ch.accountOf(w.traders[0].address);
      expect(balance < 0n).to.equal(true, "the close overdrew the account");
      // The split fees went to the treasury; the close's own fees wait.
      expect(await w.f.ch.treasuryAccrued()).to.equal(
        splitFees(pending, WAD / 2n).treasury + splitFees(m.pendingFees, WAD / 2n).treasury,
      );
    });

    it("test_liquidationPenaltySplit_equalsLiquidatedEvent", async function () {
      await base.restore();
      const m = await initialMirror(w);
      await deposit(w, m, w.traders[0], 3_000);
      await deposit(w, m, w.traders[1], 200_000);
      await deposit(w, m, w.f.liquidator, 200_000);
      const id = w.ids[2];
      await apply(w, m, { kind: "trade", market: 2, maker: 1, taker: 0, size: 2n, long: true, offBps: 0 });
      await w.f.oracle.setValue(INDEX_ID, (87n * WAD) / 10n);
      const mark = await w.f.ch.markPrice(id);
      const { logs } = await mined(
        w.f.ch.connect(w.f.liquidator).liquidate(w.traders[0].address, id, 1n, mark),
      );
      const [liq] = eventsOf(w, logs, "Liquidated");
      const v = m.markets.get(id)!.unitValueAt(liq!.args.mark);
      const split = liquidationPenaltySplit(1n, v, defaultRisk().liquidationPenalty, WAD / 2n, w.f.scale);
      expect(liq!.args.penalty).to.equal(split.penalty);
      expect(liq!.args.liquidatorReward).to.equal(split.liquidatorReward);
    });
  });
}
