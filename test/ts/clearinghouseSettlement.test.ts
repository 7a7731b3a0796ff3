/**
 * Clearinghouse expiry settlement: propose, dispute, resolve, finalize, fallback, and settling
 * positions with claims paid in full or pro rata, for a 6-decimal and an 18-decimal collateral.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { DAY, INDEX_ID, WAD, deployClearinghouse, type Fixture } from "./helpers/clearinghouseFixture.js";

const { ethers, networkHelpers } = await network.create();
const MILLI = WAD / 1000n;
const Status = { Trading: 0n, Expired: 1n, Settling: 2n, Settled: 3n };

for (const decimals of [6, 18]) {
  describe(`Clearinghouse settlement (${decimals}-decimal collateral)`, function () {
    /** Alice long 10 at 10 dollars: 6 from bob, 4 from carol. */
    const deploy = async () => {
      const f = await deployClearinghouse(ethers, networkHelpers, decimals);
      await f.fund(f.alice, "10100");
      await f.fund(f.bob, "20000");
      await f.fund(f.carol, "20000");
      await f.venue.trade(f.marketId, f.bob.address, f.alice.address, 6n, 10n * WAD);
      await f.venue.trade(f.marketId, f.carol.address, f.alice.address, 4n, 10n * WAD);
      return f;
    };
    const load = (): Promise<Fixture> => networkHelpers.loadFixture(deploy);

    async function expire(f: Fixture, twap: bigint) {
      await f.oracle.setTwap(INDEX_ID, twap);
      await f.oracle.setRange(INDEX_ID, twap - WAD / 2n, twap + WAD / 2n);
      await networkHelpers.time.increaseTo(f.params.expiry);
    }

    async function finalizeAt(f: Fixture, twap: bigint) {
      await expire(f, twap);
      await f.ch.proposeSettlement(f.marketId);
      await networkHelpers.time.increase(3_600);
      await f.ch.finalizeSettlement(f.marketId);
    }

    it("propose_revertsBeforeExpiryThenUsesTheWindowTwap", async function () {
      const f = await load();
      await expect(f.ch.proposeSettlement(f.marketId))
        .to.be.revertedWithCustomError(f.ch, "MarketNotExpired")
        .withArgs(f.marketId, f.params.expiry);
      await expire(f, 9n * WAD);
      expect(await f.ch.marketStatus(f.marketId)).to.equal(Status.Expired);
      await expect(f.ch.proposeSettlement(f.marketId))
        .to.emit(f.ch, "SettlementProposed")
        .withArgs(f.marketId, 9n * WAD);
      expect(await f.ch.marketStatus(f.marketId)).to.equal(Status.Settling);
      await expect(f.ch.proposeSettlement(f.marketId))
        .to.be.revertedWithCustomError(f.ch, "SettlementAlreadyProposed")
        .withArgs(f.marketId);
      const state = await f.ch.settlementState(f.marketId);
      expect(state.proposedPrice).to.equal(9n * WAD);
    });

    it("finalize_waitsForTheDisputeWindow", async function () {
      const f = await load();
      await expire(f, 9n * WAD);
      await f.ch.proposeSettlement(f.marketId);
      const proposedAt = BigInt(await networkHelpers.time.latest());
      await expect(f.ch.finalizeSettlement(f.marketId))
        .to.be.revertedWithCustomError(f.ch, "SettlementNotReady")
        .withArgs(f.marketId, proposedAt + 3_600n);
      await networkHelpers.time.increaseTo(proposedAt + 3_600n);
      await expect(f.ch.finalizeSettlement(f.marketId))
        .to.emit(f.ch, "SettlementFinalized")
        .withArgs(f.marketId, 9n * WAD, false, false);
      expect(await f.ch.marketStatus(f.marketId)).to.equal(Status.Settled);
      expect(await f.ch.markPrice(f.marketId)).to.equal(9n * WAD);
      await expect(f.ch.finalizeSettlement(f.marketId)).to.be.revertedWithCustomError(
        f.ch,
        "MarketAlreadySettled",
      );
      await expect(f.ch.disputeSettlement(f.marketId)).to.be.revertedWithCustomError(
        f.ch,
        "MarketAlreadySettled",
      );
    });

    it("dispute_thenResolveInsideTheWindowRange", async function () {
      const f = await load();
      await expire(f, 9n * WAD);
      await expect(f.ch.disputeSettlement(f.marketId))
        .to.be.revertedWithCustomError(f.ch, "SettlementNotProposed")
        .withArgs(f.marketId);
      await f.ch.proposeSettlement(f.marketId);
      await expect(f.ch.resolveSettlement(f.marketId, 9n * WAD))
        .to.be.revertedWithCustomError(f.ch, "SettlementNotDisputed")
        .withArgs(f.marketId);
      await expect(f.ch.connect(f.alice).disputeSettlement(f.marketId)).to.be.revertedWithCustomError(
        f.ch,
        "AccessManagedUnauthorized",
      );
      await expect(f.ch.disputeSettlement(f.marketId))
        .to.emit(f.ch, "SettlementDisputed")
        .withArgs(f.marketId);
      await expect(f.ch.disputeSettlement(f.marketId)).to.be.revertedWithCustomError(
        f.ch,
        "SettlementAlreadyDisputed",
      );
      await networkHelpers.time.increase(7_200);
      // A disputed proposal does not finalize by itself before the fallback deadline.
      await expect(f.ch.finalizeSettlement(f.marketId))
        .to.be.revertedWithCustomError(f.ch, "SettlementNotReady")
        .withArgs(f.marketId, f.params.expiry + 3n * BigInt(DAY));
      await expect(f.ch.resolveSettlement(f.marketId, 10n * WAD))
        .to.be.revertedWithCustomError(f.ch, "SettlementPriceOutOfRange")
        .withArgs(10n * WAD, 8_500n * MILLI, 9_500n * MILLI);
      await expect(f.ch.resolveSettlement(f.marketId, 0n)).to.be.revertedWithCustomError(
        f.ch,
        "ZeroSettlementPrice",
      );
      await expect(f.ch.resolveSettlement(f.marketId, 9_400n * MILLI))
        .to.emit(f.ch, "SettlementFinalized")
        .withArgs(f.marketId, 9_400n * MILLI, true, false);
      expect((await f.ch.settlementState(f.marketId)).finalPrice).to.equal(9_400n * MILLI);
    });

    it("dispute_revertsAfterTheWindow", async function () {
      const f = await load();
      await expire(f, 9n * WAD);
      await f.ch.proposeSettlement(f.marketId);
      const proposedAt = BigInt(await networkHelpers.time.latest());
      await networkHelpers.time.increaseTo(proposedAt + 3_600n);
      await expect(f.ch.disputeSettlement(f.marketId))
        .to.be.revertedWithCustomError(f.ch, "DisputeWindowClosed")
        .withArgs(f.marketId, proposedAt + 3_600n);
    });

    it("finalize_fallbackAfterDeadlineWithoutAnyActor", async function () {
      const f = await load();
      await expire(f, 9n * WAD);
      await expect(f.ch.finalizeSettlement(f.marketId))
        .to.be.revertedWithCustomError(f.ch, "SettlementNotReady")
        .withArgs(f.marketId, f.params.expiry + 3n * BigInt(DAY));
      await networkHelpers.time.increaseTo(f.params.expiry + 3n * BigInt(DAY));
      await expect(f.ch.finalizeSettlement(f.marketId))
        .to.emit(f.ch, "SettlementFinalized")
        .withArgs(f.marketId, 9n * WAD, false, true);
    });

    it("finalize_fallbackOverridesAStuckDispute", async function () {
      const f = await load();
      await expire(f, 9n * WAD);
      await f.ch.proposeSettlement(f.marketId);
      await f.ch.disputeSettlement(f.marketId);
      await networkHelpers.time.increaseTo(f.params.expiry + 3n * BigInt(DAY));
      await expect(f.ch.finalizeSettlement(f.marketId))
        .to.emit(f.ch, "SettlementFinalized")
        .withArgs(f.marketId, 9n * WAD, false, true);
    });

    it("settle_paysWinnersOnlyOnceEveryPositionIsClosed", async function () {
      const f = await load();
      await f.oracle.setValue(INDEX_ID, 9_500n * MILLI); // alice healthy-ish until expiry
      await finalizeAt(f, 9_500n * MILLI);
      await f.ch.settle(f.alice.address, f.marketId);
      // Alice lost 5,000: balance 10,100 - 50 fee - 5,000.
      expect((await f.ch.accountOf(f.alice.address)).balance).to.equal(f.usd("5050"));
      await expect(f.ch.settle(f.bob.address, f.marketId))
        .to.emit(f.ch, "PositionSettled")
        .withArgs(f.marketId, f.bob.address, -6n, f.usd("3000"));
      await expect(f.ch.settle(f.bob.address, f.marketId))
        .to.be.revertedWithCustomError(f.ch, "ClaimNotYetPayable")
        .withArgs(f.bob.address, f.marketId, 1n);
      // Carol's settlement closes the market: her claim is paid at once, bob's waits for a second call.
      await expect(f.ch.settle(f.carol.address, f.marketId))
        .to.emit(f.ch, "ClaimPaid")
        .withArgs(f.marketId, f.carol.address, f.usd("2000"));
      expect((await f.ch.marketState(f.marketId)).openPositions).to.equal(0n);
      expect((await f.ch.marketState(f.marketId)).openInterest).to.equal(0n);
      await expect(f.ch.settle(f.bob.address, f.marketId))
        .to.emit(f.ch, "ClaimPaid")
        .withArgs(f.marketId, f.bob.address, f.usd("3000"));
      await expect(f.ch.settle(f.bob.address, f.marketId))
        .to.be.revertedWithCustomError(f.ch, "NothingToSettle")
        .withArgs(f.bob.address, f.marketId);
      // The tally at completion; the view counts down as claims are paid: nothing left, nothing claimed.
      const [completed] = await f.ch.queryFilter(f.ch.filters.SettlementCompleted(f.marketId));
      expect([completed!.args.collected, completed!.args.claimed]).to.deep.equal([
        f.usd("5000"),
        f.usd("5000"),
      ]);
      const state = await f.ch.settlementState(f.marketId);
      expect(state.collected).to.equal(0n);
      expect(state.claimed).to.equal(0n);
      // Everyone can take their money out, with the oracle stale.
      await f.oracle.setStale(INDEX_ID, true);
      await f.ch.connect(f.bob).withdraw((await f.ch.accountOf(f.bob.address)).balance);
      await f.ch.connect(f.alice).withdraw(f.usd("5050"));
    });

    it("settle_shortfallIsSharedProRataWhateverTheOrder", async function () {
      // Final 8.5: alice owes 15,000 but holds 10,050; the fund (35 from fees) lends 35 of the 4,950 overdraft,
      // which stays on her balance, owed to the fund. Claims are paid from
      // what is left (the last one takes the rest); here the pro-rata amounts are exact either way.
      const expectedBob = (f: Fixture) => (f.usd("9000") * f.usd("10085")) / f.usd("15000");
      const expectedCarol = (f: Fixture) => (f.usd("6000") * f.usd("10085")) / f.usd("15000");
      for (const order of [
        ["bob", "carol", "alice", "bob", "carol"],
        ["alice", "carol", "bob", "carol"],
      ] as const) {
        const f = await load();
        await finalizeAt(f, 8_500n * MILLI);
        const who = { alice: f.alice, bob: f.bob, carol: f.carol };
        await f.ch.settleMany(
          f.marketId,
          order.map((n) => who[n].address),
        );
        expect((await f.ch.accountOf(f.alice.address)).balance).to.equal(-f.usd("4950"));
        expect((await f.ch.accountOf(f.bob.address)).balance).to.equal(f.usd("19988") + expectedBob(f));
        expect((await f.ch.accountOf(f.carol.address)).balance).to.equal(f.usd("19992") + expectedCarol(f));
        expect(await f.ch.insuranceFund()).to.equal(0n);
        const [completed] = await f.ch.queryFilter(f.ch.filters.SettlementCompleted(f.marketId));
        expect([completed!.args.collected, completed!.args.claimed]).to.deep.equal([
          f.usd("10085"),
          f.usd("15000"),
        ]);
        const state = await f.ch.settlementState(f.marketId);
        expect([state.collected, state.claimed]).to.deep.equal([0n, 0n]);
      }
    });

    it("settle_revertsBeforeFinalAndIgnoresPause", async function () {
      const f = await load();
      await expect(f.ch.settle(f.alice.address, f.marketId))
        .to.be.revertedWithCustomError(f.ch, "MarketNotSettled")
        .withArgs(f.marketId);
      await expect(f.ch.settle(f.alice.address, ethers.ZeroHash)).to.be.revertedWithCustomError(
        f.ch,
        "UnknownMarket",
      );
      await f.ch.setGlobalPaused(true);
      await f.ch.setMarketPaused(f.marketId, true);
      await finalizeAt(f, 10n * WAD);
      await f.ch.settleMany(f.marketId, [
        f.alice.address,
        f.bob.address,
        f.carol.address,
        f.liquidator.address,
      ]);
      expect((await f.ch.marketState(f.marketId)).openPositions).to.equal(0n);
      await expect(f.ch.settle(f.liquidator.address, f.marketId))
        .to.be.revertedWithCustomError(f.ch, "NothingToSettle")
        .withArgs(f.liquidator.address, f.marketId);
      expect((await f.ch.accountOf(f.alice.address)).openMarkets).to.deep.equal([]);
    });

    it("expired_positionsValueAtTheSettlementValue_twapThenProposalThenFinal_neverTheIndex", async function () {
      const f = await load();
      await f.oracle.setValue(INDEX_ID, 9_800n * MILLI);
      await f.oracle.setTwap(INDEX_ID, 9_700n * MILLI);
      await networkHelpers.time.increaseTo(f.params.expiry + 10n);
      // Before a proposal: the settlement-window TWAP (9.7), not the index (9.8).
      expect(await f.ch.markPrice(f.marketId)).to.equal(9_700n * MILLI);
      const [equityAtTwap] = await f.ch.health(f.alice.address);
      expect(equityAtTwap).to.equal((f.usd("10050") - f.usd("3000")) * f.scale);
      await expect(
        f.venue.trade(f.marketId, f.bob.address, f.alice.address, -1n, 9_800n * MILLI),
      ).to.be.revertedWithCustomError(f.ch, "MarketExpired");
      await f.ch.proposeSettlement(f.marketId);
      // After the proposal: the proposed price, whatever the TWAP now reads.
      await f.oracle.setTwap(INDEX_ID, 9_900n * MILLI);
      expect(await f.ch.markPrice(f.marketId)).to.equal(9_700n * MILLI);
      await networkHelpers.time.increase(3_600);
      await f.ch.finalizeSettlement(f.marketId);
      await f.oracle.setStale(INDEX_ID, true);
      const [equityAtFinal] = await f.ch.health(f.alice.address);
      expect(equityAtFinal).to.equal((f.usd("10050") - f.usd("3000")) * f.scale);
      expect(await f.ch.markPrice(f.marketId)).to.equal(9_700n * MILLI);
    });
  });
}
