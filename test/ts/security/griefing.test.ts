/**
 * Keeper griefing, measured: `settleMany` over many tiny accounts costs a bounded amount of gas per
 * account, and an account with nothing to settle (already settled, duplicated, never traded) costs a
 * small fraction of that, so a batch padded with junk cannot make a keeper's transaction explode or
 * revert. Cancelling orders costs a bounded amount per order. Gas figures are skipped under coverage.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { underCoverage } from "../helpers/coverage.js";
import { INDEX_ID, WAD, deployClearinghouse } from "../helpers/clearinghouseFixture.js";

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
