/**
 * The settler and a residual debt (issue 12), on the in-process chain: alice's loss in a second market
 * overdraws her balance against a gain escrowed in the first; the first market's claims are cut (carol is
 * bankrupt beyond the insurance fund), so alice's claim comes in short and leaves a debt with the fund empty.
 * The settler finishes the market, remembers the debt, waits while the fund is empty, and has the fund pay
 * it (`coverDebt`) as soon as the fund holds tokens again.
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

describe("keepers: the settler covers a residual debt once the fund holds tokens", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);

  it("remembers the debt a finished market left, waits for the fund, then has it paid", async function () {
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
    expect(await f.ch.insuranceFund()).to.equal(0n);
    expect([...settler.debts.values()]).to.deep.equal([f.alice.address]);

    // the fund is empty: nothing is sent
    const sent = settler.results.length;
    await tick();
    expect(settler.lastActions).to.deep.equal([]);
    expect(settler.results.length).to.equal(sent);

    // the fund holds tokens again: the settler has it pay alice's debt, then forgets her
    await f.token.mint(f.admin.address, f.usd("5000"));
    await f.token.connect(f.admin).approve(await f.ch.getAddress(), f.usd("5000"));
    await f.ch.connect(f.admin).depositInsurance(f.usd("5000"));
    await tick();
    expect(settler.lastActions).to.deep.equal([{ type: "coverDebt", account: f.alice.address }]);
    expect(settler.results.at(-1)?.result.status).to.equal("confirmed");
    expect((await f.ch.accountOf(f.alice.address))[0]).to.equal(0n);
    expect(await f.ch.insuranceFund()).to.equal(f.usd("5000") + debt);
    await tick();
    expect(settler.debts.size).to.equal(0);
  });
});
