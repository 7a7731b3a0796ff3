/**
 * The settler against the Clearinghouse on the in-process chain: six accounts hold positions, the
 * market expires, and the keeper proposes, finalizes, settles in batches until no position is open,
 * then pays the claims recorded before that. Fault injection as in `oracle-e2e.test.ts`: RPC errors
 * and timeouts, a competitor's step landing first (ours mines and reverts), a competitor finishing the
 * market, and a restart in the middle of a batch with the job file reloaded.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import type { Address } from "viem";
import { generatePrivateKey } from "viem/accounts";

import type { SettlerKeeper } from "../../../keepers/settler/keeper.js";
import { ManualClock } from "../../../keepers/shell/clock.js";
import type { MarketId } from "../../../sdk/core/ids.js";
import {
  INDEX_ID,
  WAD,
  defaultTerms,
  deployClearinghouse,
  type Fixture,
} from "../helpers/clearinghouseFixture.js";
import { SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";
import { FaultyProvider, makeShell, settlerOn, type Shell } from "./helpers.js";

const { ethers, provider, networkHelpers } = await network.create({
  override: { throwOnTransactionFailures: false },
});
const { time } = networkHelpers;

const FINAL = 12n * WAD;

/** Six holders: alice, carol, others[1] long; bob, others[0], others[2] short. */
async function deploy(): Promise<Fixture> {
  const f = await deployClearinghouse(ethers, networkHelpers, 6);
  const [o0, o1, o2] = f.others;
  for (const who of [f.alice, f.bob, f.carol, o0, o1, o2]) await f.fund(who, "50000");
  await f.venue.trade(f.marketId, f.bob.address, f.alice.address, 10n, 10n * WAD);
  await f.venue.trade(f.marketId, o0.address, f.carol.address, 5n, 10n * WAD);
  await f.venue.trade(f.marketId, o2.address, o1.address, 3n, 10n * WAD);
  await f.oracle.setTwap(INDEX_ID, FINAL);
  return f;
}

interface Setup {
  f: Fixture;
  clock: ManualClock;
  address: Address;
  holders: Address[];
}

async function setup(): Promise<Setup> {
  const f = await networkHelpers.loadFixture(deploy);
  const clock = new ManualClock((await time.latest()) * 1000);
  const holders = [f.alice, f.bob, f.carol, ...f.others.slice(0, 3)].map((s) => s.address as Address);
  return { f, clock, address: (await f.ch.getAddress()) as Address, holders };
}

async function funded(shell: Shell): Promise<Shell> {
  await networkHelpers.setBalance(shell.account.address, 10n ** 20n);
  return shell;
}

function settlerFor(s: Setup, shell: Shell, markets: MarketId[] = []): SettlerKeeper {
  return settlerOn(shell, s.clock, {
    clearinghouse: s.address,
    markets,
    fromBlock: 0n,
    chunkSize: 7n,
    decide: { batchSize: 2, maxBatchesPerTick: 2 },
  });
}

/** Moves chain and keeper clocks to `t` (unix seconds). */
async function warpTo(s: Setup, t: bigint): Promise<void> {
  await time.increaseTo(t);
  s.clock.set((await time.latest()) * 1000);
}

async function advance(s: Setup, seconds: number): Promise<void> {
  await time.increase(seconds);
  s.clock.set((await time.latest()) * 1000);
}

async function nonceOf(shell: Shell): Promise<number> {
  return ethers.provider.getTransactionCount(shell.account.address);
}

/** Every holder's position is closed and its claim paid. */
async function expectAllSettled(s: Setup): Promise<void> {
  const [, , openPositions] = await s.f.ch.marketState(s.f.marketId);
  expect(openPositions).to.equal(0n);
  for (const who of s.holders) {
    const [size, openNotional] = await s.f.ch.position(who, s.f.marketId);
    expect([size, openNotional]).to.deep.equal([0n, 0n]);
  }
}

/** Ticks (one block apart) until the keeper reports the market done; returns the ticks used. */
async function runToDone(s: Setup, keeper: SettlerKeeper, max = 10): Promise<number> {
  for (let i = 1; i <= max; i++) {
    await keeper.tick();
    if (keeper.done.has(s.f.marketId as MarketId)) return i;
    await advance(s, 1);
  }
  return expect.fail("the market never finished");
}

describe("keepers: settler → Clearinghouse (in-process chain)", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);
  let s: Setup;
  beforeEach(async function () {
    s = await setup();
  });

  it("walks a market from expiry to every position settled and every claim paid", async function () {
    const shell = await funded(makeShell(provider, s.clock, { name: "settler" }));
    const keeper = settlerFor(s, shell);
    await keeper.tick();
    expect(keeper.lastActions.map((a) => a.type)).to.deep.equal(["wait"]);
    expect(await nonceOf(shell)).to.equal(0);

    await warpTo(s, s.f.params.expiry);
    await keeper.tick();
    expect(keeper.results.map((r) => [r.action.type, r.result.status])).to.deep.equal([
      ["propose", "confirmed"],
    ]);
    const [proposedPrice] = await s.f.ch.settlementState(s.f.marketId);
    expect(proposedPrice).to.equal(FINAL);

    await advance(s, 60);
    await keeper.tick();
    expect(keeper.lastActions[0]).to.deep.include({ type: "wait", reason: "dispute window open" });

    await advance(s, Number(defaultTerms().disputeWindow));
    await keeper.tick();
    expect(keeper.results.at(-1)?.action).to.deep.include({ type: "finalize", fallback: false });
    expect(keeper.results.at(-1)?.result.status).to.equal("confirmed");

    // six holders, batches of 2, two batches a tick: 4 + 2 positions, then the claims of earlier winners
    await advance(s, 1);
    await keeper.tick();
    const first = keeper.results.slice(2);
    expect(first.map((r) => (r.action.type === "settle" ? r.action.accounts.length : 0))).to.deep.equal([
      2, 2,
    ]);
    await advance(s, 1);
    await keeper.tick();
    const [, , openPositions] = await s.f.ch.marketState(s.f.marketId);
    expect(openPositions).to.equal(0n);
    await advance(s, 1);
    await keeper.tick();
    const steps = keeper.results.map((r) => (r.action.type === "settle" ? r.action.step : r.action.type));
    expect(steps.filter((x) => x === "positions")).to.have.length(3);
    expect(steps.filter((x) => x === "claims").length).to.be.greaterThan(0);
    for (const r of keeper.results) expect(r.result.status).to.equal("confirmed");
    await advance(s, 1);
    await keeper.tick();
    expect(keeper.done.has(s.f.marketId as MarketId)).to.equal(true);
    await expectAllSettled(s);
    // the longs won 2 $ × 1,000 per contract, paid in full (the shorts had the collateral)
    const [aliceBalance] = await s.f.ch.accountOf(s.f.alice.address);
    expect(aliceBalance > s.f.usd("50000") + s.f.usd("19000")).to.equal(true);
    const sent = await nonceOf(shell);
    expect(sent).to.equal(keeper.results.length);
    // done: nothing read or sent again
    await advance(s, 1);
    await keeper.tick();
    expect(await nonceOf(shell)).to.equal(sent);
  });

  it("settles a winner closed before expiry: its escrowed gain is an open slot until settlement", async function () {
    // carol sells her long 5 to alice at 11: a gain of 5,000 $ escrowed, her slot (0, −5,000) stays open
    await s.f.oracle.setValue(INDEX_ID, 11n * WAD);
    await s.f.venue.trade(s.f.marketId, s.f.alice.address, s.f.carol.address, -5n, 11n * WAD);
    expect(await s.f.ch.position(s.f.carol.address, s.f.marketId)).to.deep.equal([0n, -5_000n * WAD]);
    const [carolBefore] = await s.f.ch.accountOf(s.f.carol.address);
    const shell = await funded(makeShell(provider, s.clock, { name: "settler" }));
    const keeper = settlerFor(s, shell);
    await warpTo(s, s.f.params.expiry);
    for (let i = 0; i < 12 && !keeper.done.has(s.f.marketId as MarketId); i++) {
      await keeper.tick();
      await advance(s, i === 0 ? Number(defaultTerms().disputeWindow) : 1);
    }
    expect(keeper.done.has(s.f.marketId as MarketId)).to.equal(true);
    for (const r of keeper.results) expect(r.result.status).to.equal("confirmed");
    await expectAllSettled(s);
    // the claim of 5,000 $ is paid in full (the shorts had the collateral)
    const [carolAfter] = await s.f.ch.accountOf(s.f.carol.address);
    expect(carolAfter - carolBefore).to.equal(s.f.usd("5000"));
  });

  it("finalizes with the fallback when a dispute is never resolved", async function () {
    const shell = await funded(makeShell(provider, s.clock));
    const keeper = settlerFor(s, shell, [s.f.marketId as MarketId]);
    await warpTo(s, s.f.params.expiry);
    await keeper.tick();
    await s.f.ch.connect(s.f.admin).disputeSettlement(s.f.marketId);
    await advance(s, Number(defaultTerms().disputeWindow) + 10);
    await keeper.tick();
    expect(keeper.lastActions[0]).to.deep.include({
      type: "wait",
      reason: "disputed: waiting for the resolution or the fallback deadline",
    });
    await warpTo(s, s.f.params.expiry + defaultTerms().fallbackDelay);
    await keeper.tick();
    const finalize = keeper.results.at(-1);
    expect(finalize?.action).to.deep.include({ type: "finalize", fallback: true });
    expect(finalize?.result.status).to.equal("confirmed");
    await runToDone(s, keeper);
    await expectAllSettled(s);
  });

  it("dry run decides and simulates, sends nothing", async function () {
    const shell = await funded(makeShell(provider, s.clock, { sender: { dryRun: true } }));
    const keeper = settlerFor(s, shell);
    await warpTo(s, s.f.params.expiry);
    await keeper.tick();
    expect(keeper.results.map((r) => r.result.status)).to.deep.equal(["dry-run"]);
    expect(shell.provider.count("eth_sendRawTransaction")).to.equal(0);
  });

  it("rides out RPC errors and timeouts and sends exactly one transaction per step", async function () {
    const shell = await funded(makeShell(provider, s.clock));
    const keeper = settlerFor(s, shell);
    await warpTo(s, s.f.params.expiry);
    shell.provider.inject("eth_getLogs", { kind: "hang" });
    shell.provider.inject("eth_call", { kind: "error", error: FaultyProvider.unavailable() }, 2);
    shell.provider.inject("eth_estimateGas", { kind: "error", error: FaultyProvider.unavailable() });
    shell.provider.inject("eth_sendRawTransaction", { kind: "hang" });
    shell.provider.inject("eth_getTransactionReceipt", { kind: "hang" });
    await keeper.tick();
    expect(keeper.results.map((r) => r.result.status)).to.deep.equal(["confirmed"]);
    expect(await nonceOf(shell)).to.equal(1);
    expect(new Set(shell.provider.rawTransactions).size).to.equal(1);
    await advance(s, Number(defaultTerms().disputeWindow));
    const ticks = await runToDone(s, keeper);
    expect(ticks).to.be.greaterThan(1);
    await expectAllSettled(s);
    expect(await nonceOf(shell)).to.equal(keeper.results.length);
  });

  it("a competitor landing first: ours mines and reverts, no crash; a competitor finishing leaves nothing to send", async function () {
    const shell = await funded(makeShell(provider, s.clock, { name: "slow" }));
    const rival = await funded(makeShell(provider, s.clock, { name: "fast" }));
    const keeper = settlerFor(s, shell);
    const competitor = settlerFor(s, rival);
    await warpTo(s, s.f.params.expiry);
    shell.provider.inject("eth_sendRawTransaction", { kind: "before", before: () => competitor.tick() });
    await keeper.tick();
    expect(competitor.results.map((r) => r.result.status)).to.deep.equal(["confirmed"]);
    expect(keeper.results.map((r) => r.result.status)).to.deep.equal(["reverted"]);
    expect(shell.jobs.all().map((j) => [j.key, j.status])).to.deep.equal([
      [`settler/${s.f.marketId}/propose`, "failed"],
    ]);
    // the competitor runs the market to the end; the slow keeper only waits, then finds it done
    await advance(s, Number(defaultTerms().disputeWindow));
    await runToDone(s, competitor);
    await keeper.tick();
    expect(keeper.done.has(s.f.marketId as MarketId)).to.equal(true);
    expect(await nonceOf(shell)).to.equal(1);
    await expectAllSettled(s);
  });

  it("a restart in the middle of a batch rebroadcasts the recorded transaction, never a second one", async function () {
    const jobsPath = join(mkdtempSync(join(tmpdir(), "keepers-settler-")), "settler.json");
    const key = generatePrivateKey();
    const first = await funded(makeShell(provider, s.clock, { key, jobsPath }));
    await warpTo(s, s.f.params.expiry);
    await settlerFor(s, first).tick(); // propose
    await advance(s, Number(defaultTerms().disputeWindow));
    await settlerFor(s, first).tick(); // finalize
    await advance(s, 1);
    // the process dies after recording the first settleMany, before the node gets it
    first.provider.inject("eth_sendRawTransaction", { kind: "error", error: new Error("process killed") });
    await settlerFor(s, first)
      .tick()
      .then(
        () => expect.fail("the crash should surface"),
        (e: Error) => expect(e.message).to.contain("process killed"),
      );
    const recorded = JSON.parse(readFileSync(jobsPath, "utf8")) as { key: string; status: string }[];
    const inFlight = recorded.filter((j) => j.status === "sent");
    expect(inFlight).to.have.length(1);
    expect(inFlight[0].key).to.match(new RegExp(`^settler/${s.f.marketId}/positions/6-[0-9a-f]{16}$`));

    await advance(s, 1);
    const second = makeShell(provider, s.clock, { key, jobsPath });
    const keeper = settlerFor(s, second);
    await runToDone(s, keeper);
    await expectAllSettled(s);
    const jobs = JSON.parse(readFileSync(jobsPath, "utf8")) as { key: string; status: string }[];
    expect(jobs.every((j) => j.status === "confirmed")).to.equal(true);
    // one transaction per job, the crashed one included, and no other
    expect(await nonceOf(second)).to.equal(jobs.length);
    expect(new Set(jobs.map((j) => j.key)).size).to.equal(jobs.length);
  });
});
