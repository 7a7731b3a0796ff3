/**
 * Chain resets: a node restarted (the head goes below what the keeper saw) or a reorg deeper than the
 * keeper's reads (a block it saw changes its hash). The loop logs the reset, the keeper and the sender
 * forget what they read from the old chain, the loop ticks again at once and `/healthz` recovers.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { numberToHex, type Address, type Hex } from "viem";

import type { ChainHead } from "../../../keepers/shell/chain.js";
import { ManualClock } from "../../../keepers/shell/clock.js";
import { JobStore } from "../../../keepers/shell/jobs.js";
import { createLogger } from "../../../keepers/shell/log.js";
import { KeeperMetrics } from "../../../keepers/shell/metrics.js";
import { KeeperRunner } from "../../../keepers/shell/runner.js";
import { KeeperServer } from "../../../keepers/shell/server.js";
import { INDEX_ID, WAD, deployClearinghouse, type Fixture } from "../helpers/clearinghouseFixture.js";
import { SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";
import { makeShell, settlerOn, silentLogger } from "./helpers.js";

const { ethers, provider, networkHelpers } = await network.create({
  override: { throwOnTransactionFailures: false },
});

/** A chain the test rewrites: blocks by number, each with a hash of the test's choosing. */
class ScriptedChain {
  readonly blocks = new Map<bigint, Hex>();
  head = 0n;
  grow(to: bigint, fork = 0): void {
    for (let n = this.head + 1n; n <= to; n++)
      this.blocks.set(n, numberToHex(n * 1000n + BigInt(fork), { size: 32 }));
    this.head = to;
  }
  async getBlock(args: { blockTag: "latest" } | { blockNumber: bigint }): Promise<ChainHead> {
    const number = "blockNumber" in args ? args.blockNumber : this.head;
    return { number, hash: this.blocks.get(number) as Hex, timestamp: number * 2n };
  }
}

/** Log lines written by a pino logger, parsed. */
function capturingLogger(): { log: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger("test", "info", {
    write: (line: string) => {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  return { log, lines };
}

describe("keepers: chain resets", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);

  it("a head below the last block seen is a reset: logged, resynced, ticked, healthy again", async function () {
    const chain = new ScriptedChain();
    chain.grow(551n);
    const clock = new ManualClock(1_000_000);
    const metrics = new KeeperMetrics("reset");
    const { log, lines } = capturingLogger();
    const resynced: ChainHead[] = [];
    const forgotten: bigint[] = [];
    let ticks = 0;
    const runner = new KeeperRunner({
      keeper: { tick: async () => void ticks++, resync: (head) => void resynced.push(head) },
      clock,
      log,
      metrics,
      pollIntervalMs: 1000,
      blocks: chain,
      onReset: (reset) => void forgotten.push(reset.to.number),
    });
    const server = new KeeperServer({
      host: "127.0.0.1",
      port: 0,
      metrics,
      health: runner,
      clock,
      staleMs: 10_000,
    });
    expect(await runner.pollOnce()).to.equal(true);
    expect(ticks).to.equal(1);
    expect(server.health().ok).to.equal(true);

    // the node restarts: a fresh chain at block 112, an hour later
    chain.blocks.clear();
    chain.head = 0n;
    chain.grow(112n, 1);
    clock.advance(3_600_000);
    expect(server.health().ok).to.equal(false);
    expect(await runner.pollOnce()).to.equal(true);
    expect(ticks).to.equal(2);
    expect(server.health().ok).to.equal(true);
    expect(resynced.map((h) => h.number)).to.deep.equal([112n]);
    expect(forgotten).to.deep.equal([112n]);
    const warning = lines.find((l) => String(l.msg).startsWith("chain reset detected"));
    expect(warning).to.deep.include({ reason: "head went back", lastSeen: "551", head: "112" });
    const resets = (await metrics.chainResets.get()).values.map((v) => [v.labels.reason, v.value]);
    expect(resets).to.deep.equal([["head went back", 1]]);

    // the new chain grows: ticks go on once per new block, no further reset
    chain.grow(113n, 1);
    expect(await runner.pollOnce()).to.equal(true);
    expect(await runner.pollOnce()).to.equal(true);
    expect(ticks).to.equal(3);
    expect(runner.resets).to.have.length(1);
  });

  it("a block seen before that changed its hash is a reset (a reorg deeper than the reads)", async function () {
    const chain = new ScriptedChain();
    chain.grow(20n);
    let ticks = 0;
    const runner = new KeeperRunner({
      keeper: { tick: async () => void ticks++ },
      clock: new ManualClock(0),
      log: silentLogger(),
      metrics: new KeeperMetrics("reorg"),
      pollIntervalMs: 1000,
      blocks: chain,
    });
    await runner.pollOnce();
    // blocks 15.. replaced by another fork, and the new fork is longer
    chain.head = 14n;
    chain.grow(25n, 7);
    await runner.pollOnce();
    expect(runner.resets.map((r) => [r.reason, r.from.number, r.to.number])).to.deep.equal([
      ["known block replaced", 20n, 25n],
    ]);
    expect(ticks).to.equal(2);
    // same height, other hash
    chain.head = 24n;
    chain.grow(25n, 9);
    await runner.pollOnce();
    expect(runner.resets.at(-1)?.reason).to.equal("known block replaced");
    expect(ticks).to.equal(3);
  });

  it("the settler re-reads events after the in-process node is reverted below its cursor", async function () {
    const f: Fixture = await deployClearinghouse(ethers, networkHelpers, 2);
    await f.fund(f.alice, "50000");
    await f.fund(f.bob, "50000");
    const snapshot = await networkHelpers.takeSnapshot();
    await f.venue.trade(f.marketId, f.bob.address, f.alice.address, 2n, 10n * WAD);
    await f.oracle.setTwap(INDEX_ID, 11n * WAD);
    await networkHelpers.mine(30);
    const clock = new ManualClock(0);
    const shell = makeShell(provider, clock, { name: "settler", jobsPath: undefined });
    const keeper = settlerOn(shell, clock, {
      clearinghouse: (await f.ch.getAddress()) as Address,
      markets: [],
      fromBlock: 0n,
      chunkSize: 1_000n,
      decide: { batchSize: 10, maxBatchesPerTick: 1 },
    });
    const runner = new KeeperRunner({
      keeper,
      clock,
      log: silentLogger(),
      metrics: shell.metrics,
      pollIntervalMs: 1000,
      blocks: shell.client,
      onReset: (reset) => shell.sender.resync(reset.to.number),
    });
    expect(await runner.pollOnce()).to.equal(true);
    expect(keeper.tracker.holders(f.marketId as never)).to.have.length(2);
    const cursor = keeper.tracker.cursor;

    // the node goes back before the trade: the keeper's cursor is beyond the head
    await snapshot.restore();
    await networkHelpers.mine(1);
    expect(await ethers.provider.getBlockNumber()).to.be.lessThan(Number(cursor));
    expect(await runner.pollOnce()).to.equal(true);
    expect(runner.resets).to.have.length(1);
    expect(keeper.tracker.holders(f.marketId as never)).to.deep.equal([]);
    expect(keeper.tracker.cursor <= BigInt(await ethers.provider.getBlockNumber()) + 1n).to.equal(true);

    // a trade on the new chain is seen
    await f.venue.trade(f.marketId, f.bob.address, f.alice.address, 1n, 10n * WAD);
    expect(await runner.pollOnce()).to.equal(true);
    expect(keeper.tracker.holders(f.marketId as never)).to.have.length(2);
  });

  it("the job store forgets jobs mined above the new head and jobs in flight", function () {
    const jobs = new JobStore();
    jobs.put("a/x/1", { status: "confirmed", detail: { hash: "0x1", block: 90n } }, 0);
    jobs.put("a/x/2", { status: "confirmed", detail: { hash: "0x2", block: 150n } }, 0);
    jobs.put("a/x/3", { status: "sent", txHashes: ["0x3"] }, 0);
    jobs.put("r/x/4", { status: "published", detail: {} }, 0);
    expect(jobs.forgetAbove(100n).sort()).to.deep.equal(["a/x/2", "a/x/3"]);
    expect(jobs.all().map((j) => j.key)).to.deep.equal(["a/x/1", "r/x/4"]);
  });
});
