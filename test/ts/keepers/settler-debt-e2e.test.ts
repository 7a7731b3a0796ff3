/**
 * The settler and a residual debt (issue 12), on the in-process chain: alice's loss in a second market
 * overdraws her balance against a gain escrowed in the first; the first market's claims are cut (carol is
 * bankrupt beyond the insurance fund), so alice's claim comes in short and leaves a debt with the fund empty.
 * The settler finishes the market and sends nothing for the debt: it is owed to the insurance fund (which lent
 * what it could; the second market's pot never counted the rest), so the tokens held are exactly the positive
 * balances, the fund, the treasury and the open market's pot, and every winner withdraws. A later deposit of
 * alice's repays the fund first.
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { Address } from "viem";

import { ManualClock } from "../../../keepers/shell/clock.js";
import type { MarketId } from "../../../sdk/core/ids.js";
import { INDEX_ID, WAD, deployClearinghouse } from "../helpers/clearinghouseFixture.js";
import { SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";
import { makeShell, settlerOn } from "./helpers.js";

const { ethers, provider, networkHelpers } = await network.create({
  override: { throwOnTransactionFailures: false },
});
const { time } = networkHelpers;
const GPU = ethers.id("GPU-H100");

describe("keepers: the settler finishes a market that leaves a residual debt", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);

  it("sends nothing for the debt, and the books hold it against no one's tokens", async function () {
    const f = await deployClearinghouse(ethers, networkHelpers, 6);
    const [dave, erin] = f.others;
    await f.oracle.setValue(GPU, 2n * WAD);
    const second = await f.createMarket(120, GPU);
    await f.fund(f.alice, "1010");
    await f.fund(f.bob, "100000");
    await f.fund(f.carol, "1250");
    await f.fund(dave, "100000");
    await f.fund(erin, "100000");
    // alice long 1 at 10, closed at 12 to carol: a 2,000 $ gain, escrowed
    await f.venue.trade(f.marketId, f.bob.address, f.alice.address, 1n, 10n * WAD);
    await f.oracle.setValue(INDEX_ID, 12n * WAD);
    await time.increase(1);
    await f.venue.trade(f.marketId, f.carol.address, f.alice.address, -1n, 12n * WAD);
    // short 3 at 2 in the second market, bought back at 2.5: a 1,500 $ loss, more than her cash
    await f.venue.trade(second, dave.address, f.alice.address, -3n, 2n * WAD);
    await f.oracle.setValue(GPU, (25n * WAD) / 10n);
    await time.increase(1);
    await f.venue.trade(second, erin.address, f.alice.address, 3n, (25n * WAD) / 10n);
    expect((await f.ch.accountOf(f.alice.address))[0] < 0n).to.equal(true);

    // the first market expires at 5: carol (long at 12) is bankrupt far beyond the fund
    await time.increaseTo(f.params.expiry);
    await f.oracle.setTwap(INDEX_ID, 5n * WAD);
    await f.oracle.setValue(GPU, (25n * WAD) / 10n);
    const clock = new ManualClock((await time.latest()) * 1000);
    const shell = makeShell(provider, clock, { name: "settler" });
    await networkHelpers.setBalance(shell.account.address, 10n ** 20n);
    const settler = settlerOn(shell, clock, {
      clearinghouse: (await f.ch.getAddress()) as Address,
      markets: [f.marketId as MarketId],
      fromBlock: 0n,
      chunkSize: 50n,
      decide: { batchSize: 10, maxBatchesPerTick: 2 },
    });
    const tick = async () => {
      await settler.tick();
      await time.increase(3_601);
      clock.set((await time.latest()) * 1000);
    };
    for (let i = 0; i < 8 && !settler.done.has(f.marketId as MarketId); i++) await tick();
    expect(settler.done.has(f.marketId as MarketId)).to.equal(true);
    const [debt, open] = await f.ch.accountOf(f.alice.address);
    expect(open).to.deep.equal([]);
    expect(debt < 0n).to.equal(true);

    // nothing is sent for it
    const sent = settler.results.length;
    await tick();
    expect(settler.lastActions).to.deep.equal([]);
    expect(settler.results.length).to.equal(sent);

    // tokens held == positive balances + fund + treasury + the open market's pot (no negative balance counted)
    const everyone = [f.alice, f.bob, f.carol, dave, erin].map((x) => x.address);
    let positive = 0n;
    for (const who of everyone) {
      const [balance] = await f.ch.accountOf(who);
      if (balance > 0n) positive += balance;
    }
    const [, , , , collected, , realisedNet] = await f.ch.settlementState(second);
    const held = await f.token.balanceOf(await f.ch.getAddress());
    const fundAndTreasury = (await f.ch.insuranceFund()) + (await f.ch.treasuryAccrued());
    expect(held).to.equal(positive + fundAndTreasury + collected - realisedNet);
    // the first market's winner and its bankrupt loser withdraw all they have
    for (const who of [f.bob, f.carol]) {
      const [balance] = await f.ch.accountOf(who.address);
      if (balance > 0n) await f.ch.connect(who).withdraw(balance);
    }

    // a later deposit of alice's repays the fund first
    const fund = await f.ch.insuranceFund();
    await f.fund(f.alice, "5000");
    expect((await f.ch.accountOf(f.alice.address))[0]).to.equal(f.usd("5000") + debt);
    expect(await f.ch.insuranceFund()).to.equal(fund - debt);
  });
});
