/**
 * Settlement pays against the profit and loss realised before expiry: a position reduced through a trade,
 * or taken over in a liquidation, realised a LOSS into the balance at that time, while a realised GAIN stays
 * escrowed in the position's cost basis and is claimed at settlement like any winning position; the
 * settlement losers' debits include the early losses, so claims are paid from `collected − realisedNet`.
 * After settlement and withdrawals the Clearinghouse holds exactly the insurance fund, the treasury accrual
 * and the balances left, and winners are paid in full (no bad debt here).
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import { INDEX_ID, WAD, deployClearinghouse, type Fixture } from "./helpers/clearinghouseFixture.js";

const { ethers, networkHelpers } = await network.create();

for (const decimals of [6, 18]) {
  describe(`Clearinghouse settlement with PnL realised before expiry (${decimals}-decimal collateral)`, function () {
    /** Alice long 10 at 10 dollars from bob; carol and the liquidator funded, flat. */
    const deploy = async () => {
      const f = await deployClearinghouse(ethers, networkHelpers, decimals);
      await f.fund(f.alice, "50000");
      await f.fund(f.bob, "50000");
      await f.fund(f.carol, "50000");
      await f.fund(f.liquidator, "50000");
      await f.venue.trade(f.marketId, f.bob.address, f.alice.address, 10n, 10n * WAD);
      return f;
    };
    const load = (): Promise<Fixture> => networkHelpers.loadFixture(deploy);

    const holders = (f: Fixture): HardhatEthersSigner[] => [f.alice, f.bob, f.carol, f.liquidator];

    /** Token balance minus (fund + treasury accrual + Σ balances): zero when every token is accounted for. */
    async function unaccounted(f: Fixture): Promise<bigint> {
      let accounted = (await f.ch.insuranceFund()) + (await f.ch.treasuryAccrued());
      for (const who of holders(f)) accounted += (await f.ch.accountOf(who.address))[0];
      return (await f.token.balanceOf(await f.ch.getAddress())) - accounted;
    }

    /** Finalizes at `twap`, settles everyone twice, checks each winner got its whole claim, withdraws all. */
    async function settleAndWithdraw(f: Fixture, twap: bigint, realisedNet: bigint) {
      await f.oracle.setTwap(INDEX_ID, twap);
      await networkHelpers.time.increaseTo(f.params.expiry);
      await f.ch.proposeSettlement(f.marketId);
      await networkHelpers.time.increase(3_600);
      await f.ch.finalizeSettlement(f.marketId);
      const addresses = holders(f).map((h) => h.address);
      const first = await (await f.ch.settleMany(f.marketId, addresses)).wait();
      await f.ch.settleMany(f.marketId, addresses);
      const claims = new Map<string, bigint>();
      let collected = 0n;
      for (const log of first!.logs) {
        const parsed = f.ch.interface.parseLog(log);
        if (parsed?.name !== "PositionSettled") continue;
        const pnl = parsed.args.pnl as bigint;
        if (pnl > 0n) claims.set(parsed.args.account as string, pnl);
        else collected -= pnl;
      }
      let claimed = 0n;
      for (const c of claims.values()) claimed += c;
      // Claims are covered, so every claim is paid whole; the view counts down what is left as claims are
      // paid: nothing is left and nothing is claimed any more.
      const [, , , , left, k, r] = await f.ch.settlementState(f.marketId);
      expect(r).to.equal(realisedNet);
      expect([left, k]).to.deep.equal([0n, 0n]);
      expect(collected - realisedNet).to.be.gte(claimed);
      const filter = f.ch.filters.ClaimPaid(f.marketId);
      const paid = await f.ch.queryFilter(filter);
      expect(paid.length).to.equal(claims.size);
      for (const e of paid) expect(e.args.amount).to.equal(claims.get(e.args.account));
      const completed = await f.ch.queryFilter(f.ch.filters.SettlementCompleted(f.marketId));
      expect(completed.length).to.equal(1);
      expect(completed[0]!.args.realisedNet).to.equal(realisedNet);
      expect(completed[0]!.args.collected).to.equal(collected);
      expect(completed[0]!.args.claimed).to.equal(claimed);
      expect(completed[0]!.args.surplus).to.equal(collected - realisedNet - claimed);
      expect(await unaccounted(f)).to.equal(0n);
      for (const who of holders(f)) {
        const [balance, open] = await f.ch.accountOf(who.address);
        expect(open).to.deep.equal([]);
        if (balance > 0n) await f.ch.connect(who).withdraw(balance);
      }
      await f.ch.withdrawTreasury();
      // Only the insurance fund is left, and the tokens are exactly that.
      expect(await f.token.balanceOf(await f.ch.getAddress())).to.equal(await f.ch.insuranceFund());
      expect(await unaccounted(f)).to.equal(0n);
    }

    /** The market's accumulator of PnL realised before settlement (collateral units). */
    async function realisedNetOf(f: Fixture): Promise<bigint> {
      return (await f.ch.settlementState(f.marketId))[6];
    }

    it("test_settle_realisedLossBeforeExpiry_paysWinnersInFullAndLocksNothing", async function () {
      const f = await load();
      expect(await realisedNetOf(f)).to.equal(0n);
      // Alice sells 4 to carol at 9: a realised loss of 4 × 1,000 dollars debited now.
      await f.oracle.setValue(INDEX_ID, 9n * WAD);
      const before = (await f.ch.accountOf(f.alice.address))[0];
      const tx = await f.venue.trade(f.marketId, f.alice.address, f.carol.address, 4n, 9n * WAD);
      const receipt = await tx.wait();
      const traded = f.ch.interface.parseLog(
        receipt!.logs.find((l) => f.ch.interface.parseLog(l)?.name === "Traded")!,
      )!;
      const fee = traded.args.makerFee as bigint;
      const after = (await f.ch.accountOf(f.alice.address))[0];
      // Alice's balance moved by the realised loss and her maker fee; the accumulator by the loss only.
      expect(await realisedNetOf(f)).to.equal(after - before + fee);
      expect(await realisedNetOf(f)).to.equal(-f.usd("4000"));
      // At 8, alice (long 6) and carol (long 4) lose; bob (short 10) wins 20,000 dollars, of which 4,000
      // were paid in by alice before expiry.
      await settleAndWithdraw(f, 8n * WAD, -f.usd("4000"));
    });

    it("test_settle_realisedGainBeforeExpiry_isEscrowedAndClaimedAtSettlement", async function () {
      const f = await load();
      // Alice sells 4 to carol at 11: a gain of 4,000 dollars, escrowed in her cost basis (not credited).
      await f.oracle.setValue(INDEX_ID, 11n * WAD);
      const before = (await f.ch.accountOf(f.alice.address))[0];
      const receipt = await (
        await f.venue.trade(f.marketId, f.alice.address, f.carol.address, 4n, 11n * WAD)
      ).wait();
      const traded = f.ch.interface.parseLog(
        receipt!.logs.find((l) => f.ch.interface.parseLog(l)?.name === "Traded")!,
      )!;
      expect((await f.ch.accountOf(f.alice.address))[0]).to.equal(before - (traded.args.makerFee as bigint));
      expect(await f.ch.position(f.alice.address, f.marketId)).to.deep.equal([6n, 56_000n * WAD]);
      expect(await realisedNetOf(f)).to.equal(0n);
      // Bob buys 2 of his short back from carol at 11: a realised loss of 2,000 dollars debited now.
      await f.venue.trade(f.marketId, f.carol.address, f.bob.address, 2n, 11n * WAD);
      expect(await realisedNetOf(f)).to.equal(-f.usd("2000"));
      // At 12 the longs win; alice's claim includes her escrowed 4,000.
      await settleAndWithdraw(f, 12n * WAD, -f.usd("2000"));
    });

    it("test_settle_flipAndBatchBeforeExpiry_countsEverySide", async function () {
      const f = await load();
      await f.oracle.setValue(INDEX_ID, 9n * WAD);
      // Alice flips from long 10 to short 5 in one batch against bob (closes 10) and carol (opens 5).
      await f.venue.tradeBatch(f.marketId, f.alice.address, ethers.ZeroHash, [
        { maker: f.bob.address, takerSizeDelta: -10n, price: 9n * WAD, makerOrderHash: ethers.ZeroHash },
        { maker: f.carol.address, takerSizeDelta: -5n, price: 9n * WAD, makerOrderHash: ethers.ZeroHash },
      ]);
      // Alice realised −10,000; bob's +10,000 (closing his short) is escrowed: his slot stays open.
      expect(await realisedNetOf(f)).to.equal(-f.usd("10000"));
      expect(await f.ch.position(f.bob.address, f.marketId)).to.deep.equal([0n, -10_000n * WAD]);
      expect((await f.ch.marketState(f.marketId)).openPositions).to.equal(3n);
      await settleAndWithdraw(f, 8n * WAD, -f.usd("10000"));
    });

    it("test_settle_liquidationBeforeExpiry_realisesAtMarkAndLocksNothing", async function () {
      const f = await deployClearinghouse(ethers, networkHelpers, decimals);
      await f.fund(f.alice, "10100");
      await f.fund(f.bob, "50000");
      await f.fund(f.carol, "50000");
      await f.fund(f.liquidator, "50000");
      await f.venue.trade(f.marketId, f.bob.address, f.alice.address, 10n, 10n * WAD);
      // The liquidator is short 2 from carol, so taking alice's long over closes it (a realised gain).
      await f.venue.trade(f.marketId, f.carol.address, f.liquidator.address, -2n, 10n * WAD);
      await f.oracle.setValue(INDEX_ID, (94n * WAD) / 10n);
      expect(await f.ch.isLiquidatable(f.alice.address)).to.equal(true);
      const mark = await f.ch.markPrice(f.marketId);
      await f.ch.connect(f.liquidator).liquidate(f.alice.address, f.marketId, 3n, ethers.MaxUint256);
      // Alice realised 3 × (mark − 10) × 1,000 (a loss, rounded up); the liquidator's gain of 2 × (10 − mark)
      // on his short stays escrowed in his cost basis, with the 1 long he opened at mark.
      const v = (mark * 1_000n * WAD) / WAD;
      const scale = f.scale;
      const aliceLoss = (3n * (10_000n * WAD - v) + scale - 1n) / scale;
      expect(await realisedNetOf(f)).to.equal(-aliceLoss);
      expect(await f.ch.position(f.liquidator.address, f.marketId)).to.deep.equal([
        1n,
        v - 2n * (10_000n * WAD - v),
      ]);
      await settleAndWithdraw(f, 9n * WAD, -aliceLoss);
    });
  });
}
