/**
 * The metrics an operator alerts on: the gas payer's balance, jobs pending and failed, RPC errors by
 * kind (the relayer's last round per index is checked in oracle-e2e's /metrics test).
 */
import { expect } from "chai";
import { network } from "hardhat";
import { HttpRequestError } from "viem";

import { ManualClock } from "../../../keepers/shell/clock.js";
import { JobStore } from "../../../keepers/shell/jobs.js";
import { KeeperMetrics } from "../../../keepers/shell/metrics.js";
import { KeeperRunner } from "../../../keepers/shell/runner.js";
import { TimeoutError } from "../../../keepers/shell/retry.js";
import { rpcErrorKind } from "../../../keepers/shell/transport.js";
import { FaultyProvider, makeShell, silentLogger } from "./helpers.js";

const { provider, networkHelpers } = await network.create();

async function values(metrics: KeeperMetrics, name: string): Promise<Record<string, number>> {
  const metric = metrics.registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const out: Record<string, number> = {};
  for (const v of (await metric.get()).values) out[Object.values(v.labels).join(",") || "-"] = v.value;
  return out;
}

describe("keepers: operator metrics", function () {
  it("the sender's gas balance after every tick", async function () {
    const clock = new ManualClock(0);
    const shell = makeShell(provider, clock, { name: "gas" });
    await networkHelpers.setBalance(shell.account.address, 1_234_000_000_000n);
    const runner = new KeeperRunner({
      keeper: { tick: async () => undefined },
      clock,
      log: silentLogger(),
      metrics: shell.metrics,
      pollIntervalMs: 1000,
      afterTick: async () => void (await shell.sender.refreshBalance()),
    });
    expect(await runner.runOnce()).to.equal(true);
    expect(await values(shell.metrics, "keeper_sender_balance_wei")).to.deep.equal({
      "-": 1_234_000_000_000,
    });
  });

  it("jobs by status on every scrape (pending = sent, failed)", async function () {
    const metrics = new KeeperMetrics("jobs");
    const jobs = new JobStore();
    metrics.trackJobs(jobs);
    jobs.put("k/a/1", { status: "sent" }, 0);
    jobs.put("k/a/2", { status: "failed" }, 0);
    jobs.put("k/a/3", { status: "confirmed" }, 0);
    jobs.put("k/a/4", { status: "sent" }, 0);
    expect(await values(metrics, "keeper_jobs")).to.deep.include({ sent: 2, failed: 1, confirmed: 1 });
    jobs.put("k/a/1", { status: "confirmed" }, 1);
    expect(await values(metrics, "keeper_jobs")).to.deep.include({ sent: 1, confirmed: 2 });
  });

  it("RPC errors by kind; reverts are answers, not errors", async function () {
    const clock = new ManualClock(0);
    const shell = makeShell(provider, clock, { name: "rpc" });
    shell.provider.inject("eth_blockNumber", { kind: "error", error: FaultyProvider.unavailable() });
    shell.provider.inject("eth_blockNumber", { kind: "hang" });
    shell.provider.inject("eth_blockNumber", {
      kind: "error",
      error: new HttpRequestError({ url: "http://rpc.test", status: 429 }),
    });
    await shell.client.getBlockNumber();
    expect(await values(shell.metrics, "keeper_rpc_errors_total")).to.deep.equal({
      http: 1,
      timeout: 1,
      rate_limit: 1,
    });
    expect(rpcErrorKind(new TimeoutError("eth_call", 1))).to.equal("timeout");
    expect(rpcErrorKind(Object.assign(new Error("connect"), { code: "ECONNREFUSED" }))).to.equal(
      "connection",
    );
    expect(rpcErrorKind({ code: 3, message: "execution reverted" })).to.equal(undefined);
    expect(rpcErrorKind({ code: -32602, message: "invalid params" })).to.equal("rpc");
  });
});
