import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import {
  ATPI_FRONTIER_SPEC,
  computeRound,
  dateOfTimestamp,
  parsePriceCsv,
  PRICE_CSV_COLUMNS,
} from "../../../index/index.js";
import { directoryReportSource, httpReportSource, RelayerKeeper } from "../../../keepers/relayer/keeper.js";
import { priceSourceOf, ReporterKeeper } from "../../../keepers/reporter/keeper.js";
import { ManualClock } from "../../../keepers/shell/clock.js";
import { JobStore } from "../../../keepers/shell/jobs.js";
import { KeeperMetrics } from "../../../keepers/shell/metrics.js";
import { KeeperRunner } from "../../../keepers/shell/runner.js";
import { KeeperServer } from "../../../keepers/shell/server.js";
import { indexIdOf, oracleDomain, type OracleDomain } from "../../../sdk/core/eip712/reports.js";
import { SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";
import { FaultyProvider, makeShell, silentLogger, type Shell } from "./helpers.js";

const { ethers, provider, networkHelpers } = await network.create({
  override: { throwOnTransactionFailures: false },
});
const { time } = networkHelpers;

const E18 = 10n ** 18n;
const INDEX = "ATPI-FRONTIER";
const ID = indexIdOf(INDEX);
const PERIOD = 60;
const REPORTER_KEYS = [generatePrivateKey(), generatePrivateKey(), generatePrivateKey()];

async function deploy() {
  const [admin] = await ethers.getSigners();
  const manager = await ethers.deployContract("AccessManager", [admin.address]);
  const oracle = await ethers.deployContract("IndexOracle", [await manager.getAddress()]);
  await oracle.createIndex(
    ID,
    { quorum: 2, maxAge: 3600, minInterval: 60, maxDeviation: E18 / 10n, faultBound: 0 },
    REPORTER_KEYS.map((k) => privateKeyToAccount(k).address),
  );
  const domain = oracleDomain(31337n, await oracle.getAddress());
  return { oracle, domain };
}

interface Setup {
  oracle: Awaited<ReturnType<typeof deploy>>["oracle"];
  domain: OracleDomain;
  clock: ManualClock;
  dir: string;
  prices: string;
  reporters: ReporterKeeper[];
  servers: KeeperServer[];
  urls: string[];
}

/** Three in-process reporters: two serve HTTP, the third writes to the shared directory. */
async function setup(): Promise<Setup> {
  const { oracle, domain } = await networkHelpers.loadFixture(deploy);
  const clock = new ManualClock((await time.latest()) * 1000);
  const dir = mkdtempSync(join(tmpdir(), "keepers-reports-"));
  const prices = join(dir, "prices.csv");
  writePrices(prices, dateOfTimestamp(BigInt(await time.latest()) - 86_400n));
  const reporters = REPORTER_KEYS.map(
    (key, i) =>
      new ReporterKeeper({
        spec: ATPI_FRONTIER_SPEC,
        periodSeconds: PERIOD,
        source: priceSourceOf(prices),
        account: privateKeyToAccount(key),
        domain,
        reportDir: i === 2 ? dir : undefined,
        dryRun: false,
        jobs: new JobStore(),
        clock,
        log: silentLogger(),
        metrics: new KeeperMetrics(`reporter-${i}`),
      }),
  );
  const servers = reporters.slice(0, 2).map(
    (r, i) =>
      new KeeperServer({
        host: "127.0.0.1",
        port: 0,
        metrics: new KeeperMetrics(`reporter-${i}`),
        health: { lastTickMs: () => clock.nowMs(), stopping: () => false },
        clock,
        staleMs: 60_000,
        routes: [r.route],
      }),
  );
  const urls = [];
  for (const s of servers) urls.push(`http://127.0.0.1:${await s.start()}`);
  return { oracle, domain, clock, dir, prices, reporters, servers, urls };
}

/** A list-price file with four frontier models effective on `date` (the chain runs at today's date). */
function writePrices(path: string, date: string, inputScale = 1): void {
  const rows = [
    ["Alpha", "alpha-1", "3.00", "15.00"],
    ["Beta", "beta-1", "2.50", "10.00"],
    ["Gamma", "gamma-1", "5.00", "25.00"],
    ["Delta", "delta-1", "1.25", "10.00"],
  ];
  const lines = rows.map(
    ([provider, model, input, output]) =>
      `${date},${provider},${model},frontier,${(Number(input) * inputScale).toFixed(2)},${output}`,
  );
  writeFileSync(path, [PRICE_CSV_COLUMNS.join(","), ...lines, ""].join("\n"));
}

function relayerFor(s: Setup, shell: Shell): RelayerKeeper {
  return new RelayerKeeper({
    indexName: INDEX,
    oracle: s.domain.verifyingContract,
    domain: s.domain,
    sources: [...s.urls.map((u) => httpReportSource(u, INDEX)), directoryReportSource(s.dir, INDEX)],
    decide: {
      heartbeatSeconds: 3600n,
      deviationThreshold: E18 / 100n,
      agreementTolerance: E18 / 1000n,
      freshnessMarginSeconds: 30n,
    },
    client: shell.client,
    sender: shell.sender,
    clock: s.clock,
    log: silentLogger(),
    metrics: shell.metrics,
  });
}

async function funded(shell: Shell): Promise<Shell> {
  await networkHelpers.setBalance(shell.account.address, 10n ** 20n);
  return shell;
}

/** Moves chain and keeper clocks forward together (no real waiting). */
async function advance(s: Setup, seconds: number): Promise<void> {
  await time.increase(seconds);
  s.clock.set((await time.latest()) * 1000);
}

async function tickReporters(s: Setup): Promise<void> {
  for (const r of s.reporters) await r.tick();
}

async function nonceOf(shell: Shell): Promise<number> {
  return ethers.provider.getTransactionCount(shell.account.address);
}

describe("keepers: reporter → relayer → IndexOracle (in-process chain)", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);
  let s: Setup;
  beforeEach(async function () {
    s = await setup();
  });
  afterEach(async function () {
    for (const server of s.servers) await server.close();
  });

  it("reporters publish the methodology's value and the relayer submits one round with it", async function () {
    await tickReporters(s);
    const report = s.reporters[0].latest();
    const observedAt = BigInt(Math.floor(s.clock.nowMs() / 1000 / PERIOD) * PERIOD);
    const expected = computeRound(
      ATPI_FRONTIER_SPEC,
      parsePriceCsv(readFileSync(s.prices, "utf8")),
      dateOfTimestamp(observedAt),
      {
        observedAt,
      },
    );
    expect(report?.report.value).to.equal(expected.value);
    expect(report?.report.inputsHash).to.equal(expected.inputsHash);
    expect(
      readFileSync(
        join(s.dir, INDEX, `${privateKeyToAccount(REPORTER_KEYS[2]).address.toLowerCase()}.json`),
        "utf8",
      ),
    ).to.contain(expected.inputsHash);

    const shell = await funded(makeShell(provider, s.clock, { name: "relayer" }));
    const relayer = relayerFor(s, shell);
    await relayer.tick();
    expect(relayer.lastResult?.status).to.equal("confirmed");
    const [value] = await s.oracle.latest(ID);
    expect(value).to.equal(expected.value);
    expect((await s.oracle.indexState(ID)).lastObservedAt).to.equal(observedAt);

    // the same reports again: nothing to submit, no transaction
    await advance(s, 5);
    await relayer.tick();
    expect(await s.oracle.checkpointCount(ID)).to.equal(1n);
    expect(await nonceOf(shell)).to.equal(1);
  });

  it("submits again on the heartbeat with the next period's reports, never before", async function () {
    const shell = await funded(makeShell(provider, s.clock));
    const relayer = relayerFor(s, shell);
    await tickReporters(s);
    await relayer.tick();
    await advance(s, 600);
    await tickReporters(s);
    await relayer.tick(); // fresh reports, same value, heartbeat not due
    expect(await s.oracle.checkpointCount(ID)).to.equal(1n);
    await advance(s, 3000);
    await tickReporters(s);
    await relayer.tick();
    expect(await s.oracle.checkpointCount(ID)).to.equal(2n);
    expect(await nonceOf(shell)).to.equal(2);
  });

  it("dry run decides and simulates but sends nothing", async function () {
    const shell = await funded(makeShell(provider, s.clock, { sender: { dryRun: true } }));
    const relayer = relayerFor(s, shell);
    await tickReporters(s);
    await relayer.tick();
    expect(relayer.lastResult?.status).to.equal("dry-run");
    expect(shell.provider.count("eth_sendRawTransaction")).to.equal(0);
    expect(await s.oracle.checkpointCount(ID)).to.equal(0n);
  });

  it("rides out RPC errors and timeouts with retries and still sends exactly one transaction", async function () {
    const shell = await funded(makeShell(provider, s.clock));
    shell.provider.inject("eth_call", { kind: "error", error: FaultyProvider.unavailable() }, 2);
    shell.provider.inject("eth_estimateGas", { kind: "hang" });
    shell.provider.inject("eth_sendRawTransaction", { kind: "hang" });
    shell.provider.inject("eth_getTransactionReceipt", {
      kind: "error",
      error: FaultyProvider.unavailable(),
    });
    const relayer = relayerFor(s, shell);
    await tickReporters(s);
    await relayer.tick();
    expect(relayer.lastResult?.status).to.equal("confirmed");
    expect(await s.oracle.checkpointCount(ID)).to.equal(1n);
    expect(await nonceOf(shell)).to.equal(1);
    const retries = await shell.metrics.rpcRetries.get();
    expect(retries.values.reduce((n, v) => n + v.value, 0)).to.equal(5);
    // the hung broadcast was retried with the very same bytes
    expect(new Set(shell.provider.rawTransactions).size).to.equal(1);
    expect(s.clock.sleeps.length).to.be.greaterThan(0);
  });

  it("a competitor winning the race: no duplicate, no crash, the job is recorded and the next tick idles", async function () {
    const shell = await funded(makeShell(provider, s.clock, { name: "slow" }));
    const rival = await funded(makeShell(provider, s.clock, { name: "fast" }));
    const relayer = relayerFor(s, shell);
    const competitor = relayerFor(s, rival);
    await tickReporters(s);
    // the rival's round lands between our simulation and our broadcast: ours mines and reverts
    shell.provider.inject("eth_sendRawTransaction", { kind: "before", before: () => competitor.tick() });
    await relayer.tick();
    expect(relayer.lastResult?.status).to.equal("reverted");
    expect(competitor.lastResult?.status).to.equal("confirmed");
    expect(await s.oracle.checkpointCount(ID)).to.equal(1n);
    await advance(s, 5);
    await relayer.tick();
    await competitor.tick();
    expect(await nonceOf(shell)).to.equal(1);
    expect(await nonceOf(rival)).to.equal(1);
    // when the competitor is first outright, the slow relayer sees the round and sends nothing
    await advance(s, 3600);
    await tickReporters(s);
    await competitor.tick();
    await relayer.tick();
    expect(await s.oracle.checkpointCount(ID)).to.equal(2n);
    expect(await nonceOf(shell)).to.equal(1);
  });

  it("a restart in the middle of a job rebroadcasts the recorded transaction instead of sending a new one", async function () {
    const jobsPath = join(mkdtempSync(join(tmpdir(), "keepers-jobs-")), "relayer.json");
    const key = generatePrivateKey();
    const first = await funded(makeShell(provider, s.clock, { key, jobsPath }));
    await tickReporters(s);
    // the process dies right after recording the signed transaction, before the node got it
    first.provider.inject("eth_sendRawTransaction", { kind: "error", error: new Error("process killed") });
    await relayerFor(s, first)
      .tick()
      .then(
        () => expect.fail("the crash should surface"),
        (e: Error) => expect(e.message).to.contain("process killed"),
      );
    const recorded = JSON.parse(readFileSync(jobsPath, "utf8")) as {
      key: string;
      status: string;
      txHashes: string[];
    }[];
    expect(recorded.map((j) => [j.key, j.status])).to.deep.equal([[recorded[0].key, "sent"]]);
    expect(await s.oracle.checkpointCount(ID)).to.equal(0n);

    // restart: a new process with the same key and job file
    const second = makeShell(provider, s.clock, { key, jobsPath });
    await second.sender.recover();
    const relayer = relayerFor(s, second);
    await relayer.tick();
    expect(await s.oracle.checkpointCount(ID)).to.equal(1n);
    expect(await nonceOf(second)).to.equal(1);
    expect(second.provider.rawTransactions).to.have.length(1);
    const receipt = await ethers.provider.getTransactionReceipt(recorded[0].txHashes[0]);
    expect(receipt?.status).to.equal(1);
    const after = JSON.parse(readFileSync(jobsPath, "utf8")) as { status: string }[];
    expect(after.map((j) => j.status)).to.deep.equal(["confirmed"]);

    // a third start finds the job done: no transaction at all
    const third = makeShell(provider, s.clock, { key, jobsPath });
    await third.sender.recover();
    await relayerFor(s, third).tick();
    expect(third.provider.count("eth_sendRawTransaction")).to.equal(0);
  });

  it("a restart after the broadcast but before the receipt finds the mined transaction and sends nothing new", async function () {
    const jobsPath = join(mkdtempSync(join(tmpdir(), "keepers-jobs-")), "relayer.json");
    const key = generatePrivateKey();
    const first = await funded(makeShell(provider, s.clock, { key, jobsPath }));
    await tickReporters(s);
    first.provider.inject("eth_getTransactionReceipt", { kind: "error", error: new Error("process killed") });
    await relayerFor(s, first)
      .tick()
      .catch(() => undefined);
    expect(await s.oracle.checkpointCount(ID)).to.equal(1n);
    const second = makeShell(provider, s.clock, { key, jobsPath });
    await second.sender.recover();
    await relayerFor(s, second).tick();
    expect(await nonceOf(second)).to.equal(1);
    expect(second.provider.count("eth_sendRawTransaction")).to.equal(0);
  });

  it("a restarted reporter serves its earlier signature and never signs a second value for the period", async function () {
    const jobsPath = join(mkdtempSync(join(tmpdir(), "keepers-jobs-")), "reporter.json");
    const make = () =>
      new ReporterKeeper({
        spec: ATPI_FRONTIER_SPEC,
        periodSeconds: PERIOD,
        source: priceSourceOf(s.prices),
        account: privateKeyToAccount(REPORTER_KEYS[0]),
        domain: s.domain,
        dryRun: false,
        jobs: new JobStore(jobsPath),
        clock: s.clock,
        log: silentLogger(),
        metrics: new KeeperMetrics("reporter"),
      });
    const first = make();
    await first.tick();
    const signed = first.latest();
    // the source changes within the same period, and the reporter restarts
    writePrices(s.prices, dateOfTimestamp(BigInt(Math.floor(s.clock.nowMs() / 1000)) - 86_400n), 2);
    const second = make();
    expect(second.latest()).to.deep.equal(signed);
    await second.tick();
    expect(second.latest()).to.deep.equal(signed);
    // the next period uses the new data
    await advance(s, PERIOD);
    await second.tick();
    expect(second.latest()?.report.observedAt).to.equal((signed?.report.observedAt ?? 0n) + BigInt(PERIOD));
    expect((second.latest()?.report.value ?? 0n) > (signed?.report.value ?? 0n)).to.equal(true);
  });

  it("serves /metrics and /healthz on loopback", async function () {
    const shell = await funded(makeShell(provider, s.clock, { name: "relayer" }));
    const runner = new KeeperRunner({
      keeper: relayerFor(s, shell),
      clock: s.clock,
      log: silentLogger(),
      metrics: shell.metrics,
      pollIntervalMs: 1000,
      blocks: shell.client,
    });
    const server = new KeeperServer({
      host: "127.0.0.1",
      port: 0,
      metrics: shell.metrics,
      health: runner,
      clock: s.clock,
      staleMs: 10_000,
    });
    const port = await server.start();
    try {
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).to.equal(503);
      await tickReporters(s);
      expect(await runner.pollOnce()).to.equal(true);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).to.equal(200);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).to.match(/keeper_ticks_total\{outcome="ok",keeper="relayer"\} 1/);
      expect(metrics).to.match(/keeper_transactions_total\{outcome="confirmed",keeper="relayer"\} 1/);
      // the next block: the accepted round is read back; the sender's balance after every tick
      await networkHelpers.mine();
      expect(await runner.pollOnce()).to.equal(true);
      const after = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(after).to.match(
        new RegExp(
          `keeper_oracle_last_round_timestamp_seconds\\{index="${INDEX}",keeper="relayer"\\} [1-9][0-9]+`,
        ),
      );

      const report = await fetch(`${s.urls[0]}/report/${INDEX}`);
      expect(report.status).to.equal(200);
      expect(((await report.json()) as { index: string }).index).to.equal(INDEX);
      s.clock.advance(20_000);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).to.equal(503);
      expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).to.equal(404);
    } finally {
      await server.close();
    }
  });
});
