/**
 * Issue 12's scripted end-to-end run, through the SDK and the keepers on the in-process chain: an early
 * winner closes (its gain escrowed), a gap a day before expiry puts two longs under maintenance and the
 * liquidator keeper takes them over, a second gap in the last minute (too late for any keeper) makes a long
 * bankrupt beyond the insurance fund, the settler keeper settles the market and the loss is socialised
 * over the winners' claims, pro rata; then every account withdraws everything through the SDK and the
 * Clearinghouse ends holding exactly the insurance fund and the treasury's fees.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { createWalletClient, custom, parseEventLogs, type Address, type Hex } from "viem";
import { hardhat } from "viem/chains";

import { LiquidatorKeeper } from "../../../keepers/liquidator/keeper.js";
import { ManualClock } from "../../../keepers/shell/clock.js";
import { clearinghouseAbi } from "../../../sdk/abi/index.js";
import { asMarketId, fetchAccount, withdraw, type MarketId } from "../../../sdk/index.js";
import type { WriteClient } from "../../../sdk/viem/index.js";
import { INDEX_ID, WAD, deployClearinghouse, type Fixture } from "../helpers/clearinghouseFixture.js";
import { SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";
import { LIQUIDATOR_DECIDE, makeShell, settlerOn, shellParts, type Shell } from "./helpers.js";

const { ethers, viem, provider, networkHelpers } = await network.create({
  override: { throwOnTransactionFailures: false },
});
const { time } = networkHelpers;

const TICK = WAD / 1_000n;
const FINAL = 4n * WAD;

/** A price on the market's tick grid at the contract's current mark. */
async function atMark(f: Fixture): Promise<bigint> {
  const mark = await f.ch.markPrice(f.marketId);
  return (mark / TICK) * TICK;
}

describe("issue 12 end to end: gap, liquidation, socialised loss, settlement, everyone withdraws", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);

  it("leaves the Clearinghouse holding exactly the insurance fund and the treasury's fees", async function () {
    const f = await deployClearinghouse(ethers, networkHelpers, 6);
    const address = (await f.ch.getAddress()) as Address;
    const marketId = asMarketId(f.marketId) as MarketId;
    const [dave, erin, frank] = f.others;
    const publicClient = await viem.getPublicClient();
    const wallets = new Map<string, WriteClient>(
      (await viem.getWalletClients()).map(
        (w) => [w.account.address.toLowerCase(), w as WriteClient] as const,
      ),
    );
    const clock = new ManualClock((await time.latest()) * 1000);
    const sync = async () => clock.set((await time.latest()) * 1000);

    // A small insurance fund: far below the bad debt to come.
    await f.token.mint(f.admin.address, f.usd("20"));
    await f.token.connect(f.admin).approve(address, f.usd("20"));
    await f.ch.connect(f.admin).depositInsurance(f.usd("20"));

    // index 10: alice 10 and frank 2 long against bob; carol 5 long against dave
    await f.fund(f.alice, "10500");
    await f.fund(frank, "2200");
    await f.fund(f.bob, "200000");
    await f.fund(f.carol, "6000");
    await f.fund(dave, "100000");
    await f.fund(erin, "12000");
    await f.venue.trade(marketId, f.bob.address, f.alice.address, 10n, await atMark(f));
    await f.venue.trade(marketId, f.bob.address, frank.address, 2n, await atMark(f));
    await f.venue.trade(marketId, dave.address, f.carol.address, 5n, await atMark(f));

    // index 11: carol, an early winner, closes against erin; her gain stays escrowed until settlement
    await f.oracle.setValue(INDEX_ID, 11n * WAD);
    await time.increase(1);
    await f.venue.trade(marketId, f.carol.address, erin.address, 5n, await atMark(f));
    const [carolSize, carolNotional] = await f.ch.position(f.carol.address, marketId);
    expect(carolSize).to.equal(0n);
    expect(carolNotional < 0n).to.equal(true); // (0, −gain): an escrowed gain
    const [carolBalance] = await f.ch.accountOf(f.carol.address);
    expect(carolBalance < f.usd("6000")).to.equal(true); // fees paid, the gain not yet

    // a gap a day before expiry: alice and frank under maintenance, not bankrupt; the keeper liquidates
    await time.increaseTo(f.params.expiry - 86_400n);
    await f.oracle.setValue(INDEX_ID, (92n * WAD) / 10n);
    await sync();
    expect(await f.ch.isLiquidatable(f.alice.address)).to.equal(true);
    expect(await f.ch.isLiquidatable(frank.address)).to.equal(true);
    const liqShell: Shell = makeShell(provider, clock, { name: "liquidator" });
    // the keeper's own key withdraws through the SDK like any trader
    wallets.set(
      liqShell.account.address.toLowerCase(),
      createWalletClient({ account: liqShell.account, chain: hardhat, transport: custom(provider) }),
    );
    await networkHelpers.setBalance(liqShell.account.address, 10n ** 20n);
    await f.token.mint(f.admin.address, f.usd("400000"));
    await f.token.connect(f.admin).approve(address, f.usd("400000"));
    await f.ch.connect(f.admin).depositFor(liqShell.account.address, f.usd("400000"));
    const liquidator = new LiquidatorKeeper({
      clearinghouse: address,
      fromBlock: 0n,
      chunkSize: 50n,
      decide: LIQUIDATOR_DECIDE,
      ...shellParts(liqShell, clock),
    });
    for (let i = 0; i < 20; i++) {
      if (!(await f.ch.isLiquidatable(f.alice.address)) && !(await f.ch.isLiquidatable(frank.address))) break;
      await liquidator.tick();
      await time.increase(1);
      await f.oracle.setValue(INDEX_ID, (92n * WAD) / 10n);
      await sync();
    }
    const liquidations = liquidator.results.filter(
      (r) => r.action.type === "liquidate" && r.result.status === "confirmed",
    );
    expect(liquidations.length).to.be.greaterThan(1);
    expect(await f.ch.isLiquidatable(f.alice.address)).to.equal(false);
    expect(await f.ch.isLiquidatable(frank.address)).to.equal(false);
    const [keeperSize] = await f.ch.position(liqShell.account.address, marketId);
    expect(keeperSize > 0n).to.equal(true);

    // a second gap 30 s before expiry, inside every keeper's expiry margin: erin (long 5 at 11, 12,000 $)
    // loses 35,000 $ at the final price of 4, far beyond her collateral and the fund
    await time.increaseTo(f.params.expiry - 30n);
    await f.oracle.setValue(INDEX_ID, FINAL);
    await f.oracle.setTwap(INDEX_ID, FINAL);
    await sync();
    await liquidator.tick();
    expect(liquidator.lastActions.filter((a) => a.type !== "skip")).to.deep.equal([]);

    // the settler proposes, finalizes, settles every position and pays every claim
    await time.increaseTo(f.params.expiry);
    await sync();
    const setShell = makeShell(provider, clock, { name: "settler" });
    await networkHelpers.setBalance(setShell.account.address, 10n ** 20n);
    const settler = settlerOn(setShell, clock, {
      clearinghouse: address,
      markets: [],
      fromBlock: 0n,
      chunkSize: 50n,
      decide: { batchSize: 3, maxBatchesPerTick: 2 },
    });
    for (let i = 0; i < 12 && !settler.done.has(marketId); i++) {
      await settler.tick();
      await time.increase(i === 0 ? 3_601 : 1);
      await sync();
    }
    expect(settler.done.has(marketId)).to.equal(true);

    // the loss was socialised: every claim was cut pro rata, none paid in full, none paid nothing
    const receipts = await Promise.all(
      settler.results
        .filter((r) => r.result.status === "confirmed")
        .map((r) => publicClient.getTransactionReceipt({ hash: (r.result as { hash: Hex }).hash })),
    );
    const logs = receipts.flatMap((r) => r.logs);
    const [completed] = parseEventLogs({ abi: clearinghouseAbi, logs, eventName: "SettlementCompleted" });
    expect(completed, "SettlementCompleted").to.not.equal(undefined);
    const { collected, claimed, realisedNet } = completed.args;
    const available = collected - realisedNet;
    expect(available < claimed).to.equal(true);
    const paid = parseEventLogs({ abi: clearinghouseAbi, logs, eventName: "ClaimPaid" });
    const claims = parseEventLogs({ abi: clearinghouseAbi, logs, eventName: "PositionSettled" }).filter(
      (e) => e.args.pnl > 0n,
    );
    expect(paid.length).to.equal(claims.length);
    expect(paid.map((e) => e.args.account)).to.include.members([
      f.bob.address,
      dave.address,
      f.carol.address,
    ]);
    for (const e of paid) {
      const claim = claims.find((c) => c.args.account === e.args.account);
      if (claim === undefined) return expect.fail("claim without PositionSettled");
      expect(e.args.amount < claim.args.pnl).to.equal(true);
      expect(e.args.amount > 0n).to.equal(true);
    }
    // what the claims were paid is exactly what was there for them: no dust outside the books
    expect(paid.reduce((sum, e) => sum + e.args.amount, 0n)).to.equal(available);

    // everyone withdraws everything through the SDK; a negative balance left is owed to the fund (no one's
    // tokens back it) and withdraws nothing
    const everyone = [f.alice, f.bob, f.carol, dave, erin, frank].map((s) => s.address as Address);
    everyone.push(liqShell.account.address);
    for (const who of everyone) {
      const { account } = await fetchAccount(publicClient, { address, account: who });
      expect(account.openMarkets).to.deep.equal([]);
      if (account.balance <= 0n) continue;
      const wallet = wallets.get(who.toLowerCase());
      if (wallet === undefined) return expect.fail(`no wallet for ${who}`);
      const { hash } = await withdraw(wallet, { address, amount: account.balance });
      expect((await publicClient.waitForTransactionReceipt({ hash })).status).to.equal("success");
      const [after] = await f.ch.accountOf(who);
      expect(after).to.equal(0n);
    }
    const held = await f.token.balanceOf(address);
    expect(held).to.equal((await f.ch.insuranceFund()) + (await f.ch.treasuryAccrued()));
  });
});
