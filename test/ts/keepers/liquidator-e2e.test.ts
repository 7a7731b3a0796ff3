/**
 * The liquidator against the Clearinghouse on the in-process chain: accounts trade through `TestVenue`,
 * the index moves on `MockIndexOracle`, the keeper discovers the accounts from events and liquidates
 * (or deleverages) with its own margin. Fault injection as in `oracle-e2e.test.ts`: RPC errors and
 * timeouts, a competitor landing first (our transaction mines and reverts), a competitor outright first,
 * and a restart in the middle of a job with the job file reloaded: exactly one transaction per job.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import type { Address } from "viem";
import { generatePrivateKey } from "viem/accounts";

import { LiquidatorKeeper } from "../../../keepers/liquidator/keeper.js";
import { ManualClock } from "../../../keepers/shell/clock.js";
import type { LiquidatorConfig } from "../../../keepers/liquidator/decide.js";
import { INDEX_ID, WAD, deployClearinghouse, type Fixture } from "../helpers/clearinghouseFixture.js";
import { SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";
import { FaultyProvider, LIQUIDATOR_DECIDE, makeShell, shellParts, type Shell } from "./helpers.js";

const { ethers, provider, networkHelpers } = await network.create({
  override: { throwOnTransactionFailures: false },
});
const { time } = networkHelpers;

/** alice long 10 contracts at 10 $ against bob (maker), both funded. */
async function deploy(): Promise<Fixture> {
  const f = await deployClearinghouse(ethers, networkHelpers, 6);
  await f.fund(f.alice, "10500");
  await f.fund(f.bob, "100000");
  await f.fund(f.carol, "100000");
  await f.venue.trade(f.marketId, f.bob.address, f.alice.address, 10n, 10n * WAD);
  return f;
}

interface Setup {
  f: Fixture;
  clock: ManualClock;
  address: Address;
}

async function setup(): Promise<Setup> {
  const f = await networkHelpers.loadFixture(deploy);
  const clock = new ManualClock((await time.latest()) * 1000);
  return { f, clock, address: (await f.ch.getAddress()) as Address };
}

/** Gas money and `dollars` of collateral deposited for the keeper's account. */
async function funded(s: Setup, shell: Shell, dollars = "50000"): Promise<Shell> {
  await networkHelpers.setBalance(shell.account.address, 10n ** 20n);
  const amount = s.f.usd(dollars);
  await s.f.token.mint(s.f.admin.address, amount);
  await s.f.token.connect(s.f.admin).approve(s.address, amount);
  await s.f.ch.connect(s.f.admin).depositFor(shell.account.address, amount);
  return shell;
}

function liquidatorFor(
  s: Setup,
  shell: Shell,
  decide: Partial<LiquidatorConfig> = {},
  hypotheticalMargin?: bigint,
): LiquidatorKeeper {
  return new LiquidatorKeeper({
    hypotheticalMargin,
    clearinghouse: s.address,
    fromBlock: 0n,
    chunkSize: 5n,
    decide: { ...LIQUIDATOR_DECIDE, ...decide },
    ...shellParts(shell, s.clock),
  });
}

async function nonceOf(shell: Shell): Promise<number> {
  return ethers.provider.getTransactionCount(shell.account.address);
}

/** Moves the index; the keeper's clock follows the chain. */
async function setIndex(s: Setup, value: bigint): Promise<void> {
  await s.f.oracle.setValue(INDEX_ID, value);
  s.clock.set((await time.latest()) * 1000);
}

const DOWN = (94n * WAD) / 10n; // alice's equity 4,450 $ < maintenance margin 4,700 $

describe("keepers: liquidator → Clearinghouse (in-process chain)", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);
  let s: Setup;
  beforeEach(async function () {
    s = await setup();
  });

  it("finds the account from events and liquidates it when it falls under maintenance margin", async function () {
    const shell = await funded(s, makeShell(provider, s.clock, { name: "liquidator" }));
    const keeper = liquidatorFor(s, shell);
    await keeper.tick();
    expect(keeper.lastActions).to.deep.equal([]); // healthy: nothing
    expect(
      keeper.tracker
        .all()
        .map((a) => a.toLowerCase())
        .sort(),
    ).to.deep.equal([s.f.alice.address, s.f.bob.address].map((a) => a.toLowerCase()).sort());

    await setIndex(s, DOWN);
    expect(await s.f.ch.isLiquidatable(s.f.alice.address)).to.equal(true);
    await keeper.tick();
    expect(keeper.results.map((r) => r.result.status)).to.deep.equal(["confirmed"]);
    const action = keeper.results[0].action;
    expect(action.type).to.equal("liquidate");
    if (action.type !== "liquidate") return;
    expect(action.size).to.equal(action.cap);
    const [aliceSize] = await s.f.ch.position(s.f.alice.address, s.f.marketId);
    const [keeperSize] = await s.f.ch.position(shell.account.address, s.f.marketId);
    expect(aliceSize).to.equal(10n - action.size);
    expect(keeperSize).to.equal(action.size);
    expect(await s.f.ch.isLiquidatable(s.f.alice.address)).to.equal(false);
    // the reward the decision expected is what the contract paid
    const receipt =
      keeper.results[0].result.status === "confirmed" ? keeper.results[0].result.receipt : undefined;
    const logs = (receipt?.logs ?? [])
      .map((l) => s.f.ch.interface.parseLog(l))
      .filter((l) => l?.name === "Liquidated");
    expect(logs[0]?.args.liquidatorReward).to.equal(action.reward);

    // healthy again: the next block brings nothing
    await time.increase(5);
    await keeper.tick();
    expect(keeper.results).to.have.length(1);
    expect(await nonceOf(shell)).to.equal(1);
    const metrics = await shell.metrics.registry.metrics();
    // alice and bob (the keeper's own account is loaded apart)
    expect(metrics).to.match(/keeper_accounts_tracked\{keeper="liquidator"\} 2/);
  });

  it("dry run simulates the liquidation and sends nothing", async function () {
    const shell = await funded(s, makeShell(provider, s.clock, { sender: { dryRun: true } }));
    const keeper = liquidatorFor(s, shell);
    await setIndex(s, DOWN);
    await keeper.tick();
    expect(keeper.results.map((r) => r.result.status)).to.deep.equal(["dry-run"]);
    expect(shell.provider.count("eth_sendRawTransaction")).to.equal(0);
    expect(await s.f.ch.isLiquidatable(s.f.alice.address)).to.equal(true);
  });

  it("dry run without a key evaluates with the stated hypothetical margin, sends and simulates nothing", async function () {
    // a keyless dry run: a throwaway address with no margin and no gas
    const shell = makeShell(provider, s.clock, { sender: { dryRun: true } });
    await setIndex(s, DOWN);
    const without = liquidatorFor(s, shell);
    await without.tick();
    expect(without.lastActions[0]).to.deep.include({
      type: "skip",
      reason: "the keeper's margin cannot take any of it",
    });
    const keeper = liquidatorFor(s, shell, {}, 100_000n * WAD);
    await keeper.tick();
    expect(keeper.lastActions.map((a) => a.type)).to.deep.equal(["liquidate"]);
    expect(keeper.hypothetical).to.deep.equal(keeper.lastActions);
    expect(keeper.results).to.deep.equal([]);
    expect(shell.provider.count("eth_sendRawTransaction")).to.equal(0);
    expect(await s.f.ch.isLiquidatable(s.f.alice.address)).to.equal(true);
  });

  it("skips a liquidation below the minimum profit, and one its own margin cannot carry", async function () {
    const shell = await funded(s, makeShell(provider, s.clock));
    await setIndex(s, DOWN);
    const greedy = liquidatorFor(s, shell, { minProfit: s.f.usd("1000") });
    await greedy.tick();
    expect(greedy.lastActions[0]).to.deep.include({ type: "skip" });
    const poor = await funded(s, makeShell(provider, s.clock), "100");
    const broke = liquidatorFor(s, poor);
    await broke.tick();
    expect(broke.lastActions[0]).to.deep.include({
      type: "skip",
      reason: "the keeper's margin cannot take any of it",
    });
    expect(await nonceOf(shell)).to.equal(0);
    expect(await nonceOf(poor)).to.equal(0);
  });

  it("rides out RPC errors and timeouts and sends exactly one transaction", async function () {
    const shell = await funded(s, makeShell(provider, s.clock));
    await setIndex(s, DOWN);
    shell.provider.inject("eth_getLogs", { kind: "error", error: FaultyProvider.unavailable() });
    shell.provider.inject("eth_call", { kind: "hang" });
    shell.provider.inject("eth_call", { kind: "error", error: FaultyProvider.unavailable() });
    shell.provider.inject("eth_estimateGas", { kind: "hang" });
    shell.provider.inject("eth_sendRawTransaction", { kind: "hang" });
    shell.provider.inject("eth_getTransactionReceipt", {
      kind: "error",
      error: FaultyProvider.unavailable(),
    });
    const keeper = liquidatorFor(s, shell);
    await keeper.tick();
    expect(keeper.results.map((r) => r.result.status)).to.deep.equal(["confirmed"]);
    expect(await nonceOf(shell)).to.equal(1);
    expect(new Set(shell.provider.rawTransactions).size).to.equal(1);
    const retries = await shell.metrics.rpcRetries.get();
    expect(retries.values.reduce((n, v) => n + v.value, 0)).to.equal(6);
  });

  it("a competitor landing first: ours mines and reverts, nothing is resent, the next tick idles", async function () {
    const shell = await funded(s, makeShell(provider, s.clock, { name: "slow" }));
    const rival = await funded(s, makeShell(provider, s.clock, { name: "fast" }));
    const keeper = liquidatorFor(s, shell);
    const competitor = liquidatorFor(s, rival);
    await setIndex(s, DOWN);
    shell.provider.inject("eth_sendRawTransaction", { kind: "before", before: () => competitor.tick() });
    await keeper.tick();
    expect(competitor.results.map((r) => r.result.status)).to.deep.equal(["confirmed"]);
    expect(keeper.results.map((r) => r.result.status)).to.deep.equal(["reverted"]);
    const job = shell.jobs.all()[0];
    expect(job.status).to.equal("failed");
    await time.increase(5);
    await keeper.tick();
    await competitor.tick();
    expect(await nonceOf(shell)).to.equal(1);
    expect(await nonceOf(rival)).to.equal(1);

    // competitor outright first: the slow keeper reads a healthy account and sends nothing
    await setIndex(s, (90n * WAD) / 10n);
    await competitor.tick();
    expect(competitor.results.at(-1)?.result.status).to.equal("confirmed");
    await keeper.tick();
    expect(await nonceOf(shell)).to.equal(1);
  });

  it("a restart in the middle of a job rebroadcasts the recorded transaction and sends nothing new", async function () {
    const jobsPath = join(mkdtempSync(join(tmpdir(), "keepers-liq-")), "liquidator.json");
    const key = generatePrivateKey();
    const first = await funded(s, makeShell(provider, s.clock, { key, jobsPath }));
    await setIndex(s, DOWN);
    first.provider.inject("eth_sendRawTransaction", { kind: "error", error: new Error("process killed") });
    await liquidatorFor(s, first)
      .tick()
      .then(
        () => expect.fail("the crash should surface"),
        (e: Error) => expect(e.message).to.contain("process killed"),
      );
    const recorded = JSON.parse(readFileSync(jobsPath, "utf8")) as { key: string; status: string }[];
    expect(recorded.map((j) => j.status)).to.deep.equal(["sent"]);
    expect(recorded[0].key).to.match(
      new RegExp(`^liquidator/${s.f.marketId}/${s.f.alice.address.toLowerCase()}/\\d+$`),
    );
    expect(await s.f.ch.isLiquidatable(s.f.alice.address)).to.equal(true);

    // a later block, a new process with the same key and job file: the job is tracked, never rebuilt
    await time.increase(5);
    const second = makeShell(provider, s.clock, { key, jobsPath });
    const keeper = liquidatorFor(s, second);
    await keeper.tick();
    expect(keeper.results).to.deep.equal([]);
    expect(second.provider.rawTransactions).to.have.length(1);
    expect(await nonceOf(second)).to.equal(1);
    expect(await s.f.ch.isLiquidatable(s.f.alice.address)).to.equal(false);
    const after = JSON.parse(readFileSync(jobsPath, "utf8")) as { status: string }[];
    expect(after.map((j) => j.status)).to.deep.equal(["confirmed"]);

    const third = makeShell(provider, s.clock, { key, jobsPath });
    await liquidatorFor(s, third).tick();
    expect(third.provider.count("eth_sendRawTransaction")).to.equal(0);
  });

  it("a stuck liquidation is fee-bumped and tracked on later ticks, never doubled", async function () {
    const shell = await funded(
      s,
      makeShell(provider, s.clock, { sender: { stuckAfterMs: 3_000, maxFeeBumps: 1, receiptPollMs: 1_000 } }),
    );
    await setIndex(s, DOWN);
    const keeper = liquidatorFor(s, shell);
    await provider.request({ method: "evm_setAutomine", params: [false] });
    try {
      await keeper.tick();
      expect(keeper.results.map((r) => r.result.status)).to.deep.equal(["stuck"]);
      // the next tick tracks (and bumps) the job in flight; the account is busy, no second liquidation
      await keeper.tick();
      expect(keeper.results).to.have.length(1);
      expect(keeper.lastActions).to.deep.equal([
        { type: "skip", account: s.f.alice.address, reason: "a job for this account is in flight" },
      ]);
      const job = shell.jobs.all()[0];
      expect(job.status).to.equal("sent");
      expect(job.txHashes).to.have.length(3);
      await networkHelpers.mine();
      await keeper.tick();
    } finally {
      await provider.request({ method: "evm_setAutomine", params: [true] });
    }
    expect(shell.jobs.all().map((j) => j.status)).to.deep.equal(["confirmed"]);
    expect(keeper.results).to.have.length(1);
    expect(await nonceOf(shell)).to.equal(1);
    expect(await s.f.ch.isLiquidatable(s.f.alice.address)).to.equal(false);
    expect((await shell.metrics.feeBumps.get()).values[0].value).to.equal(2);
  });

  it("deleverages a bankrupt account the insurance fund cannot cover, most profitable counterparty first", async function () {
    // a second market: others[0] long 10, carol short 6 at 10 $, bob short 4 at 10.1 $
    const f = s.f;
    const m2 = await f.createMarket(60);
    await f.fund(f.others[0], "30000");
    await f.venue.trade(m2, f.carol.address, f.others[0].address, 6n, 10n * WAD); // carol short 6 at 10
    await f.venue.trade(m2, f.bob.address, f.others[0].address, 4n, (101n * WAD) / 10n); // bob short 4 at 10.1
    const shell = await funded(s, makeShell(provider, s.clock));
    // the index falls by a half: alice (long 10 in the first market) and others[0] are bankrupt
    await setIndex(s, 5n * WAD);
    const keeper = liquidatorFor(s, shell);
    await keeper.tick();
    const deleverages = keeper.results.filter((r) => r.action.type === "deleverage");
    expect(deleverages).to.have.length(2);
    for (const r of deleverages) expect(r.result.status).to.equal("confirmed");
    const inM2 = deleverages.find((r) => r.action.marketId === m2);
    if (inM2?.action.type !== "deleverage") return expect.fail("no deleverage in the second market");
    // both shorts are in profit at the bankruptcy price; bob's is larger per contract, carol's larger in total
    expect(inM2.action.counterparties.map((a) => a.toLowerCase())).to.deep.equal(
      [f.carol.address, f.bob.address].map((a) => a.toLowerCase()),
    );
    expect((await f.ch.position(f.others[0].address, m2))[0]).to.equal(0n);
    expect((await f.ch.position(f.alice.address, f.marketId))[0]).to.equal(0n);
    expect((await f.ch.accountOf(f.alice.address))[0] >= 0n).to.equal(true);
    await time.increase(5);
    await keeper.tick();
    expect(keeper.results).to.have.length(2);
  });
});
