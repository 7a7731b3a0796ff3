/**
 * Gas of the Clearinghouse's operations in steady state (accounts funded and holding positions),
 * whole-transaction `gasUsed` (21,000 base included), 6-decimal collateral. The clock starts at a
 * fixed instant so the figures are reproducible (the gas snapshot test re-runs this function).
 *
 * `scenario()` also returns the measured transactions' hashes and the deployed contracts (for
 * `npm run bench:trace`); `measure()` returns its figures.
 */
import { network } from "hardhat";

import { INDEX_ID, WAD, deployClearinghouse } from "../../test/ts/helpers/clearinghouseFixture.js";
import { FIXED_CLOCK } from "../../test/ts/helpers/protocolFixture.js";
import { recorder, send, type Scenario, type Sent } from "../scenario.js";

const gasOf = async (tx: Sent) => (await send(tx)).gas;

export async function scenario(): Promise<Scenario> {
  const { ethers, networkHelpers } = await network.create();
  await networkHelpers.time.setNextBlockTimestamp(FIXED_CLOCK);
  const f = await deployClearinghouse(ethers, networkHelpers, 6);
  const out: Record<string, number> = {};
  const txs: Record<string, string> = {};
  const record = recorder(out, txs);
  const price = 10n * WAD;

  // Steady state: alice, bob and the liquidator are funded, hold positions and keep some tokens.
  for (const who of [f.alice, f.bob, f.liquidator]) await f.fund(who, "200000");
  await f.token.mint(f.alice.address, f.usd("1000"));
  await f.venue.trade(f.marketId, f.bob.address, f.alice.address, 10n, price);
  await f.venue.trade(f.marketId, f.bob.address, f.liquidator.address, 2n, price);

  await record("clearinghouse.deposit", f.ch.connect(f.alice).deposit(f.usd("100")));
  await record("clearinghouse.withdraw", f.ch.connect(f.alice).withdraw(f.usd("100")));
  await record("clearinghouse.trade", f.venue.trade(f.marketId, f.bob.address, f.alice.address, 1n, price));

  // Liquidation: carol holds 10 long with thin margin; the index falls below her maintenance margin.
  await f.fund(f.carol, "10200");
  await f.venue.trade(f.marketId, f.bob.address, f.carol.address, 10n, price);
  await f.oracle.setValue(INDEX_ID, 9_100n * (WAD / 1000n));
  await record(
    "clearinghouse.liquidate",
    f.ch.connect(f.liquidator).liquidate(f.carol.address, f.marketId, 1n, 9_100n * (WAD / 1000n)),
  );
  await f.oracle.setValue(INDEX_ID, price);

  // Settlement: 22 more longs of one contract each against bob (funded by the admin), then the
  // market settles.
  const longs = Array.from({ length: 22 }, (_, i) => ethers.getAddress(ethers.toBeHex(0x1000 + i, 20)));
  await f.token.mint(f.admin.address, f.usd("110000"));
  await f.token.approve(await f.ch.getAddress(), ethers.MaxUint256);
  for (const who of longs) {
    await f.ch.depositFor(who, f.usd("5000"));
    await f.venue.trade(f.marketId, f.bob.address, who, 1n, price);
  }
  await f.oracle.setTwap(INDEX_ID, 10_100n * (WAD / 1000n));
  await networkHelpers.time.increaseTo(f.params.expiry);
  await f.ch.proposeSettlement(f.marketId);
  await networkHelpers.time.increase(3_600);
  await f.ch.finalizeSettlement(f.marketId);

  // A winner's settle records its claim; a loser's debits its balance (here: alice at 10.1 wins, bob loses).
  const settleWinner = await gasOf(f.ch.settle(longs[0], f.marketId));
  const settleLoser = await gasOf(f.ch.settle(f.bob.address, f.marketId));
  out["clearinghouse.settle"] = Math.max(settleWinner, settleLoser);
  const batch = longs.slice(1, 21);
  out["clearinghouse.settleMany.perAccount"] = Math.round(
    (await gasOf(f.ch.settleMany(f.marketId, batch))) / batch.length,
  );

  const contracts: Record<string, string> = {
    Clearinghouse: await f.ch.getAddress(),
    TestVenue: await f.venue.getAddress(),
    MockIndexOracle: await f.oracle.getAddress(),
    AccessManager: await f.manager.getAddress(),
    MockERC20: await f.token.getAddress(),
    ...f.libraries,
  };
  return { ethers, figures: out, txs, contracts };
}

export async function measure(): Promise<Record<string, number>> {
  return (await scenario()).figures;
}
