/**
 * Clearinghouse liquidation, insurance fund, bad debt and auto-deleveraging, for a 6-decimal and an
 * 18-decimal collateral.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { chargeOverdraft } from "../../sdk/index.js";
import { INDEX_ID, WAD, deployClearinghouse, type Fixture } from "./helpers/clearinghouseFixture.js";

const { ethers, networkHelpers } = await network.create();
const MILLI = WAD / 1000n;

for (const decimals of [6, 18]) {
  describe(`Clearinghouse liquidation (${decimals}-decimal collateral)`, function () {
    const deploy = async () => {
      const f = await deployClearinghouse(ethers, networkHelpers, decimals);
      // Alice long 10 at 10 dollars against bob; alice's equity 19,950 after the taker fee.
      await f.fund(f.alice, "20000");
      await f.fund(f.bob, "20000");
      await f.fund(f.liquidator, "100000");
      await f.venue.trade(f.marketId, f.bob.address, f.alice.address, 10n, 10n * WAD);
      return f;
    };
    const load = (): Promise<Fixture> => networkHelpers.loadFixture(deploy);

    /** Token balance of the Clearinghouse covers every balance, the fund and the treasury. */
    async function expectSolvent(f: Fixture, accounts: string[]) {
      let owed = (await f.ch.insuranceFund()) + (await f.ch.treasuryAccrued());
      for (const a of accounts) {
        const b = (await f.ch.accountOf(a)).balance;
        owed += b > 0n ? b : 0n;
      }
      expect(await f.token.balanceOf(f.ch)).to.be.greaterThanOrEqual(owed);
    }

    it("liquidate_revertsOnHealthyAccount", async function () {
      const f = await load();
      const [equity, , mm] = await f.ch.health(f.alice.address);
      await expect(f.ch.connect(f.liquidator).liquidate(f.alice.address, f.marketId, 1n, 10n * WAD))
        .to.be.revertedWithCustomError(f.ch, "AccountHealthy")
        .withArgs(f.alice.address, equity, mm);
    });

    it("liquidate_takesOverAtMarkAndSplitsThePenalty", async function () {
      const f = await load();
      await f.oracle.setValue(INDEX_ID, 8_300n * MILLI);
      expect(await f.ch.isLiquidatable(f.alice.address)).to.equal(true);
      const fundBefore = await f.ch.insuranceFund();
      // Shortfall 4,150 - 2,950 = 1,200; relief per contract 8,300 x 3 % = 249 -> at most 5 contracts.
      await expect(f.ch.connect(f.liquidator).liquidate(f.alice.address, f.marketId, 6n, 8_300n * MILLI))
        .to.be.revertedWithCustomError(f.ch, "LiquidationSizeTooLarge")
        .withArgs(6n, 5n);
      await expect(f.ch.connect(f.liquidator).liquidate(f.alice.address, f.marketId, 5n, 8_300n * MILLI))
        .to.emit(f.ch, "Liquidated")
        .withArgs(
          f.marketId,
          f.alice.address,
          f.liquidator.address,
          5n,
          8_300n * MILLI,
          f.usd("830"),
          f.usd("415"),
        );
      expect(await f.ch.positionSize(f.alice.address, f.marketId)).to.equal(5n);
      expect(await f.ch.position(f.liquidator.address, f.marketId)).to.deep.equal([5n, 5n * 8_300n * WAD]);
      // 19,950 - 5 x 1,700 realised - 830 penalty.
      expect((await f.ch.accountOf(f.alice.address)).balance).to.equal(f.usd("10620"));
      expect((await f.ch.accountOf(f.liquidator.address)).balance).to.equal(f.usd("100415"));
      expect(await f.ch.insuranceFund()).to.equal(fundBefore + f.usd("415"));
      expect(await f.ch.isLiquidatable(f.alice.address)).to.equal(false);
      expect((await f.ch.marketState(f.marketId)).openInterest).to.equal(10n);
      await expectSolvent(f, [f.alice.address, f.bob.address, f.liquidator.address]);
    });

    it("liquidate_respectsPriceLimitAndOtherGuards", async function () {
      const f = await load();
      await f.oracle.setValue(INDEX_ID, 8_300n * MILLI);
      const ch = f.ch.connect(f.liquidator);
      await expect(ch.liquidate(f.alice.address, f.marketId, 1n, 8_200n * MILLI))
        .to.be.revertedWithCustomError(f.ch, "PriceLimitExceeded")
        .withArgs(8_300n * MILLI, 8_200n * MILLI);
      await expect(f.ch.connect(f.alice).liquidate(f.alice.address, f.marketId, 1n, 9n * WAD))
        .to.be.revertedWithCustomError(f.ch, "SelfLiquidation")
        .withArgs(f.alice.address);
      await expect(ch.liquidate(f.alice.address, f.marketId, 0n, 9n * WAD)).to.be.revertedWithCustomError(
        f.ch,
        "ZeroSize",
      );
      await expect(ch.liquidate(f.carol.address, f.marketId, 1n, 9n * WAD))
        .to.be.revertedWithCustomError(f.ch, "NoPosition")
        .withArgs(f.carol.address, f.marketId);
      await f.ch.setMarketPaused(f.marketId, true);
      await expect(ch.liquidate(f.alice.address, f.marketId, 1n, 9n * WAD)).to.be.revertedWithCustomError(
        f.ch,
        "MarketIsPaused",
      );
      await f.ch.setMarketPaused(f.marketId, false);
      await f.oracle.setStale(INDEX_ID, true);
      await expect(ch.liquidate(f.alice.address, f.marketId, 1n, 9n * WAD))
        .to.be.revertedWithCustomError(f.ch, "StaleIndex")
        .withArgs(INDEX_ID, 1n, 0n);
    });

    it("liquidate_requiresTheLiquidatorToMeetInitialMargin", async function () {
      const f = await load();
      await f.oracle.setValue(INDEX_ID, 8_300n * MILLI);
      await f.fund(f.carol, "100");
      await expect(
        f.ch.connect(f.carol).liquidate(f.alice.address, f.marketId, 5n, 8_300n * MILLI),
      ).to.be.revertedWithCustomError(f.ch, "InsufficientMargin");
    });

    it("liquidate_wholePositionWhenNeeded_badDebtBeyondTheFundIsWrittenOffNotReverted", async function () {
      const f = await load();
      // At 8: equity 19,950 - 20,000 = -50, so the whole position may go; the penalty is capped at the
      // equity before the liquidation: 0.
      await f.oracle.setValue(INDEX_ID, 8n * WAD);
      const ch = f.ch.connect(f.liquidator);
      // Fund 35 (fees) lends what it can of the 50 overdraft; the other 15 is written off against the market's
      // settlement pot (counted as not collected) instead of reverting. The 50 stays owed to the fund.
      await expect(ch.liquidate(f.alice.address, f.marketId, 10n, 8n * WAD))
        .to.emit(f.ch, "OverdraftLent")
        .withArgs(f.alice.address, f.usd("35"), f.usd("15"))
        .and.to.emit(f.ch, "Liquidated")
        .withArgs(f.marketId, f.alice.address, f.liquidator.address, 10n, 8n * WAD, 0n, 0n);
      expect((await f.ch.accountOf(f.alice.address)).balance).to.equal(-f.usd("50"));
      expect(await f.ch.insuranceFund()).to.equal(0n);
      expect((await f.ch.accountOf(f.liquidator.address)).balance).to.equal(f.usd("100000"));
      expect((await f.ch.marketState(f.marketId)).openPositions).to.equal(2n);
      // realisedNet: alice's realised loss of 20,000 less the 15 written off.
      expect((await f.ch.settlementState(f.marketId))[6]).to.equal(-f.usd("19985"));
      // the SDK mirror: balance 19,950 before, the realised loss 20,000, no penalty, the fund 35
      expect(chargeOverdraft(f.usd("19950"), -f.usd("20000"), 0n, f.usd("35"))).to.deep.equal({
        balance: -f.usd("50"),
        lent: f.usd("35"),
        charged: 0n,
        writtenOff: f.usd("15"),
        insuranceFund: 0n,
      });
      await expectSolvent(f, [f.alice.address, f.bob.address, f.liquidator.address]);
    });

    it("liquidate_badDebtWithinTheFund_isCoveredAndThePenaltyCappedAtEquity", async function () {
      const f = await load();
      await f.oracle.setValue(INDEX_ID, 8n * WAD);
      await f.token.mint(f.carol.address, f.usd("1000"));
      await f.token.connect(f.carol).approve(f.ch, f.usd("1000"));
      await f.ch.connect(f.carol).depositInsurance(f.usd("1000"));
      // Equity -50: no penalty (it would be 1,600 uncapped); the fund of 1,035 lends the 50 (owed to it).
      await expect(f.ch.connect(f.liquidator).liquidate(f.alice.address, f.marketId, 10n, 8n * WAD))
        .to.emit(f.ch, "OverdraftLent")
        .withArgs(f.alice.address, f.usd("50"), 0n);
      expect((await f.ch.accountOf(f.alice.address)).balance).to.equal(-f.usd("50"));
      expect(await f.ch.insuranceFund()).to.equal(f.usd("985"));
      expect((await f.ch.accountOf(f.liquidator.address)).balance).to.equal(f.usd("100000"));
      expect((await f.ch.settlementState(f.marketId))[6]).to.equal(-f.usd("20000"));
      expect(chargeOverdraft(f.usd("19950"), -f.usd("20000"), 0n, f.usd("1035"))).to.deep.equal({
        balance: -f.usd("50"),
        lent: f.usd("50"),
        charged: 0n,
        writtenOff: 0n,
        insuranceFund: f.usd("985"),
      });
      await expectSolvent(f, [f.alice.address, f.bob.address, f.liquidator.address]);
    });

    it("liquidate_waivesThePenaltyWhenOnlyThatKeepsTheFundSolvent", async function () {
      const f = await load();
      await f.oracle.setValue(INDEX_ID, 8n * WAD);
      await f.token.mint(f.carol.address, f.usd("20"));
      await f.token.connect(f.carol).approve(f.ch, f.usd("20"));
      await f.ch.connect(f.carol).depositInsurance(f.usd("20"));
      // Fund 55: with the penalty the debt is 1,650 > 55 + 800; without it 50 <= 55.
      await expect(f.ch.connect(f.liquidator).liquidate(f.alice.address, f.marketId, 10n, 8n * WAD))
        .to.emit(f.ch, "Liquidated")
        .withArgs(f.marketId, f.alice.address, f.liquidator.address, 10n, 8n * WAD, 0n, 0n);
      expect(await f.ch.insuranceFund()).to.equal(f.usd("5"));
      expect((await f.ch.accountOf(f.alice.address)).balance).to.equal(-f.usd("50"));
    });

    it("deleverage_closesBankruptPositionAgainstProfitableOpposite", async function () {
      const f = await load();
      await f.oracle.setValue(INDEX_ID, 8n * WAD);
      // A pause stops deleveraging, as it stops liquidation (its price derives from the mark).
      await f.ch.setGlobalPaused(true);
      await expect(f.ch.deleverage(f.alice.address, f.marketId, [f.bob.address]))
        .to.be.revertedWithCustomError(f.ch, "MarketIsPaused")
        .withArgs(f.marketId);
      await f.ch.setGlobalPaused(false);
      // Shortfall 50 > fund 35: the whole fund pays first, the bankruptcy price covers the other 15.
      await expect(f.ch.deleverage(f.alice.address, f.marketId, [f.bob.address]))
        .to.emit(f.ch, "BadDebtCovered")
        .withArgs(f.alice.address, f.usd("35"), 0n)
        .and.to.emit(f.ch, "Deleveraged");
      expect(await f.ch.insuranceFund()).to.equal(0n);
      expect(await f.ch.positionSize(f.alice.address, f.marketId)).to.equal(0n);
      expect(await f.ch.positionSize(f.bob.address, f.marketId)).to.equal(0n);
      const aliceBalance = (await f.ch.accountOf(f.alice.address)).balance;
      // The bankruptcy price leaves the account at zero plus at most one wei of wad per contract.
      expect(aliceBalance >= 0n && aliceBalance <= 10n).to.equal(true);
      // vb = 8,000 + ⌈(15 + one unit) / 10⌉ per contract: bob's gain 10 × (10,000 − vb) ≈ 19,985 is escrowed
      // until settlement, so his slot stays open and his balance only paid the maker fee.
      const gap = (15n * WAD + f.scale + 9n) / 10n;
      expect(await f.ch.position(f.bob.address, f.marketId)).to.deep.equal([
        0n,
        -(20_000n * WAD - 10n * gap),
      ]);
      expect((await f.ch.accountOf(f.bob.address)).balance).to.equal(f.usd("19980"));
      const state = await f.ch.marketState(f.marketId);
      expect(state.openInterest).to.equal(0n);
      expect(state.openPositions).to.equal(1n);
      await expectSolvent(f, [f.alice.address, f.bob.address]);
    });

    it("deleverage_revertsOnBadInputs", async function () {
      const f = await load();
      await f.fund(f.carol, "100000");
      await f.fund(f.others[0], "100000");
      await expect(f.ch.deleverage(f.alice.address, f.marketId, [f.bob.address]))
        .to.be.revertedWithCustomError(f.ch, "NotBankrupt")
        .withArgs(f.alice.address, f.usd("19950") * f.scale);
      // Carol shorts 5 at 7.9 to others[0] (a fresh long); then the index is 8.
      await f.oracle.setValue(INDEX_ID, 7_900n * MILLI);
      await f.venue.trade(f.marketId, f.carol.address, f.others[0].address, 5n, 7_900n * MILLI);
      await f.oracle.setValue(INDEX_ID, 8n * WAD);
      await expect(f.ch.deleverage(f.alice.address, f.marketId, [])).to.be.revertedWithCustomError(
        f.ch,
        "NoCounterparties",
      );
      await expect(f.ch.deleverage(f.alice.address, f.marketId, [f.others[0].address]))
        .to.be.revertedWithCustomError(f.ch, "CounterpartyNotOpposite")
        .withArgs(f.others[0].address, 5n);
      // Carol's short from 7.9 loses against the bankruptcy price (about 8.005).
      await expect(
        f.ch.deleverage(f.alice.address, f.marketId, [f.carol.address]),
      ).to.be.revertedWithCustomError(f.ch, "CounterpartyNotProfitable");
      await f.token.mint(f.carol.address, f.usd("1000"));
      await f.token.connect(f.carol).approve(f.ch, f.usd("1000"));
      await f.ch.connect(f.carol).depositInsurance(f.usd("1000"));
      const fund = await f.ch.insuranceFund();
      await expect(f.ch.deleverage(f.alice.address, f.marketId, [f.bob.address]))
        .to.be.revertedWithCustomError(f.ch, "InsuranceCanCover")
        .withArgs(f.usd("50"), fund);
    });

    it("liquidate_crossMarginUsesEquityAcrossMarkets", async function () {
      const f = await load();
      const second = await f.createMarket(30, ethers.id("GPU-H100"));
      await f.oracle.setValue(ethers.id("GPU-H100"), 2n * WAD);
      // Alice also shorts 5 contracts of the GPU market at 2 dollars (notional 10,000).
      await f.venue.trade(second, f.bob.address, f.alice.address, -5n, 2n * WAD);
      const [eq1, , mm1] = await f.ch.health(f.alice.address);
      expect(eq1 > BigInt(mm1)).to.equal(true);
      // The GPU index jumps 80 %: alice loses 8,000 there, and the AI index drop costs the rest.
      await f.oracle.setValue(ethers.id("GPU-H100"), 3_600n * MILLI);
      await f.oracle.setValue(INDEX_ID, 9_200n * MILLI);
      expect(await f.ch.isLiquidatable(f.alice.address)).to.equal(true);
      await f.ch.connect(f.liquidator).liquidate(f.alice.address, second, 1n, 3_600n * MILLI);
      expect(await f.ch.positionSize(f.alice.address, second)).to.equal(-4n);
      expect(await f.ch.positionSize(f.liquidator.address, second)).to.equal(-1n);
    });
  });
}
