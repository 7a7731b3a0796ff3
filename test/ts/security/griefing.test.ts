/**
 * Keeper griefing, measured: `settleMany` over many tiny accounts costs a bounded amount of gas per
 * account, and an account with nothing to settle (already settled, duplicated, never traded) costs a
 * small fraction of that, so a batch padded with junk cannot make a keeper's transaction explode or
 * revert. An account at the open-market cap (8) costs a bounded amount to liquidate and to withdraw from,
 * every one of its markets valued with its own oracle read. Gas figures are skipped under coverage.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { underCoverage } from "../helpers/coverage.js";
import { INDEX_ID, WAD, deployClearinghouse } from "../helpers/clearinghouseFixture.js";
import { MAX_OPEN_MARKETS } from "../../../sdk/core/math/margin.js";

const { ethers, networkHelpers } = await network.create();

/** Upper bounds per account (whole-transaction gas divided by the batch size). */
const SETTLE_PER_ACCOUNT = 25_000n;
const SKIP_PER_ACCOUNT = 5_000n;
const ACCOUNTS = 40;

describe("security: keeper batches over many tiny accounts", function () {
  it("settleMany_costsBoundedGasPerAccountAndLessForSkippedOnes", async function () {
    if (underCoverage()) this.skip(); // instrumented bytecode inflates gas
    const f = await deployClearinghouse(ethers, networkHelpers, 6);
    await f.fund(f.alice, "10000000");
    await f.fund(f.bob, "10000000");
    const accounts = Array.from({ length: ACCOUNTS }, () => ethers.Wallet.createRandom().address);
    const amount = f.usd("20000");
    await f.token.mint(f.admin.address, amount * BigInt(ACCOUNTS));
    await f.token.approve(await f.ch.getAddress(), ethers.MaxUint256);
    for (const [i, who] of accounts.entries()) {
      await f.ch.depositFor(who, amount);
      // One contract each, against alice (longs) or bob (shorts).
      await f.venue.trade(
        f.marketId,
        i % 2 === 0 ? f.alice.address : f.bob.address,
        who,
        i % 2 === 0 ? 1n : -1n,
        10n * WAD,
      );
    }
    await f.oracle.setTwap(INDEX_ID, 10n * WAD + WAD / 2n);
    await networkHelpers.time.increaseTo(f.params.expiry);
    await f.ch.proposeSettlement(f.marketId);
    await networkHelpers.time.increase(3_600);
    await f.ch.finalizeSettlement(f.marketId);

    const batch = [...accounts, f.alice.address, f.bob.address];
    const settled = await (await f.ch.settleMany(f.marketId, batch)).wait();
    const perAccount = settled!.gasUsed / BigInt(batch.length);
    // The winners settled before the last position closed collect their claims in a second pass.
    const claims = await (await f.ch.settleMany(f.marketId, accounts)).wait();
    const perClaim = claims!.gasUsed / BigInt(ACCOUNTS);
    // The same batch a third time, plus never-traded addresses: everything is skipped, nothing reverts.
    const junk = [...batch, ...Array.from({ length: 10 }, () => ethers.Wallet.createRandom().address)];
    const skipped = await (await f.ch.settleMany(f.marketId, junk)).wait();
    const perSkip = skipped!.gasUsed / BigInt(junk.length);
    console.log(
      `      settleMany gas per account: ${perAccount} settled, ${perClaim} claim paid, ${perSkip} skipped`,
    );
    expect(perAccount).to.be.lessThanOrEqual(SETTLE_PER_ACCOUNT);
    expect(perClaim).to.be.lessThanOrEqual(SETTLE_PER_ACCOUNT);
    expect(perSkip).to.be.lessThanOrEqual(SKIP_PER_ACCOUNT);
    for (const who of accounts.slice(0, 4)) {
      const [size] = await f.ch.position(who, f.marketId);
      expect(size).to.equal(0n);
    }
  });
});

/**
 * Whole-transaction bounds for an account holding a position in every one of its 8 market lanes. A
 * liquidation values every lane three ways (at the mark, the liquidation mark and the index) from one oracle
 * read per lane.
 */
const LIQUIDATE_AT_CAP = 325_000n;
const WITHDRAW_AT_CAP = 250_000n;

describe("security: an account at the open-market cap", function () {
  it("liquidateAndWithdraw_costBoundedGasWithEveryLaneOpen", async function () {
    if (underCoverage()) this.skip(); // instrumented bytecode inflates gas
    const f = await deployClearinghouse(ethers, networkHelpers, 6);
    const ids = [f.marketId];
    for (let i = 1; i < MAX_OPEN_MARKETS; i++) ids.push(await f.createMarket(20 + 10 * i));
    await f.fund(f.alice, "8500");
    await f.fund(f.bob, "1000000");
    await f.fund(f.liquidator, "1000000");
    for (const id of ids) await f.venue.trade(id, f.bob.address, f.alice.address, 1n, 10n * WAD);
    expect((await f.ch.accountOf(f.alice.address)).openMarkets).to.have.length(MAX_OPEN_MARKETS);

    // Bob (eight shorts) withdraws: the margin check values all eight markets.
    const withdrawal = await (await f.ch.connect(f.bob).withdraw(f.usd("1"))).wait();
    // The index falls 6 %: alice's eight longs lose $4,800 of her $8,500, under maintenance margin.
    await f.oracle.setValue(INDEX_ID, 9_400n * (WAD / 1_000n));
    expect(await f.ch.isLiquidatable(f.alice.address)).to.equal(true);
    const liquidation = await (
      await f.ch.connect(f.liquidator).liquidate(f.alice.address, ids[MAX_OPEN_MARKETS - 1], 1n, 10n * WAD)
    ).wait();
    console.log(
      `      with ${MAX_OPEN_MARKETS} open markets: withdraw ${withdrawal!.gasUsed}, liquidate ${liquidation!.gasUsed}`,
    );
    expect(withdrawal!.gasUsed).to.be.lessThanOrEqual(WITHDRAW_AT_CAP);
    expect(liquidation!.gasUsed).to.be.lessThanOrEqual(LIQUIDATE_AT_CAP);
    const [size] = await f.ch.position(f.alice.address, ids[MAX_OPEN_MARKETS - 1]);
    expect(size).to.equal(0n);
  });
});
