/**
 * Keepers decide by the chain's clock (the latest block's timestamp), never the machine's: with the
 * keeper's own clock frozen far from the chain's, the settler proposes exactly when the chain passed
 * the market's expiry, and the reporter picks its observation period by the chain's time.
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { Address } from "viem";

import { readHead } from "../../../keepers/shell/chain.js";
import { ManualClock } from "../../../keepers/shell/clock.js";
import { INDEX_ID, WAD, deployClearinghouse, type Fixture } from "../helpers/clearinghouseFixture.js";
import { SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";
import { makeShell, settlerOn } from "./helpers.js";

const { ethers, provider, networkHelpers } = await network.create({
  override: { throwOnTransactionFailures: false },
});
const { time } = networkHelpers;

async function deploy(): Promise<Fixture> {
  const f = await deployClearinghouse(ethers, networkHelpers, 2);
  for (const who of [f.alice, f.bob]) await f.fund(who, "50000");
  await f.venue.trade(f.marketId, f.bob.address, f.alice.address, 2n, 10n * WAD);
  await f.oracle.setTwap(INDEX_ID, 11n * WAD);
  return f;
}

describe("keepers: decisions by the chain's clock", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);

  it("the settler proposes once the chain (not the wall clock) is past expiry", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    // the keeper's clock: far past expiry first, so a wall-clock decision would propose too early
    const clock = new ManualClock(Number(f.params.expiry + 86_400n) * 1000);
    const shell = makeShell(provider, clock, { name: "settler" });
    await networkHelpers.setBalance(shell.account.address, 10n ** 20n);
    const keeper = settlerOn(shell, clock, {
      clearinghouse: (await f.ch.getAddress()) as Address,
      markets: [],
      fromBlock: 0n,
      chunkSize: 100n,
      decide: { batchSize: 10, maxBatchesPerTick: 1 },
    });
    await keeper.tick();
    expect(keeper.lastActions).to.deep.equal([
      { type: "wait", marketId: f.marketId, reason: "trading until expiry" },
    ]);
    expect(keeper.results).to.deep.equal([]);

    // now the other way round: the keeper's clock stays behind, the chain moves past expiry
    clock.set(0);
    await time.increaseTo(f.params.expiry + 1n);
    await networkHelpers.mine();
    const head = await readHead(shell.client);
    expect(head.timestamp >= f.params.expiry).to.equal(true);
    await keeper.tick();
    expect(keeper.results.map((r) => [r.action.type, r.result.status])).to.deep.equal([
      ["propose", "confirmed"],
    ]);
  });
});
