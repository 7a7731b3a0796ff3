/**
 * Two `atf relay` processes (real OS processes, `node cli/bin.js relay`) on one PostgreSQL database and the
 * in-process chain served over loopback HTTP: orders posted to either are matched once, by the process
 * holding the match lease (one transaction sent by the two relays together, not one mined and one
 * reverted); `kill -9` of that process hands the lease to the other, which matches the next cross, again
 * with exactly one transaction.
 */
import type { ChildProcess } from "node:child_process";

import { expect } from "chai";
import { network } from "hardhat";
import pg from "pg";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { orderToJson } from "../../../relay/validate/schema.js";
import type { Order } from "../../../sdk/core/eip712/orders.js";
import { SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";
import { deployProtocol, type Protocol } from "../helpers/protocolFixture.js";
import { startRpcProxy } from "../keepers/rpcProxy.js";
import { postgresTestsRun, startPostgres, type TestPostgres } from "./postgres.js";
import { exitCodeOf, startRelayProcess, until, type RelayProcess } from "./relayProcess.js";

const { ethers, provider, networkHelpers } = await network.create();

describe("atf relay: two processes on PostgreSQL, the matcher killed", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);
  let server: TestPostgres | undefined;
  const children: ChildProcess[] = [];
  let rpc: { url: string; close: () => Promise<void> } | undefined;

  before(async function () {
    // under CI the server must be there (.ci/run installs it): a missing one fails here, never skips
    if (!postgresTestsRun()) this.skip();
    server = await startPostgres();
  });

  after(async function () {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await rpc?.close();
    server?.stop();
  });

  const startProcess = (args: string[], senderKey: string) =>
    startRelayProcess(children, args, { RELAY_PRIVATE_KEY: senderKey });

  const health = async (r: RelayProcess) =>
    (await (await fetch(`${r.url}/healthz`)).json()) as { chain: string; matching: boolean };

  it("matches each cross once; after kill -9 of the matcher the other process takes the lease and matches", async function () {
    const p: Protocol = await deployProtocol(ethers, networkHelpers);
    rpc = await startRpcProxy(provider);
    const admin = new pg.Client({ connectionString: server!.url });
    await admin.connect();
    await admin.query("CREATE DATABASE relay_processes");
    await admin.end();
    const databaseUrl = server!.url.replace(/\/postgres$/, "/relay_processes");
    const args = [
      "--rpc-url",
      rpc.url,
      "--exchange",
      await p.exchange.getAddress(),
      "--clearinghouse",
      await p.ch.getAddress(),
      "--index-oracle",
      await p.oracle!.getAddress(),
      "--database-url",
      databaseUrl,
      "--port",
      "0",
      "--poll-interval-ms",
      "100",
      "--log-level",
      "warn",
    ];
    const keys = [generatePrivateKey(), generatePrivateKey()];
    for (const k of keys) await networkHelpers.setBalance(privateKeyToAccount(k).address, 10n ** 20n);
    const a = await startProcess(args, keys[0]);
    const b = await startProcess(args, keys[1]);
    await until(
      "both relays healthy",
      async () => (await health(a)).chain === "ok" && (await health(b)).chain === "ok",
    );

    const post = async (
      r: RelayProcess,
      trader: number,
      fields: Pick<Order, "isBuy" | "size" | "limitPrice">,
    ) => {
      const s = await p.signOrder(p.traders[trader], fields);
      const res = await fetch(`${r.url}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ order: orderToJson(s.order), signature: s.signature }),
      });
      const body = (await res.json()) as { hash: string };
      expect(res.status, JSON.stringify(body)).to.equal(201);
      return body.hash;
    };
    const stateOn = async (r: RelayProcess, hash: string) =>
      ((await (await fetch(`${r.url}/orders/${hash}`)).json()) as { state: string }).state;
    /** The transactions that filled orders so far: one per `matchOrders`. */
    const matchTransactions = async () => {
      // a fill's one event is the Clearinghouse's `Traded`; an order fill names the maker order
      const logs = await p.ch.queryFilter(p.ch.filters.Traded(), 0, "latest");
      const fills = logs.filter((l) => l.args.makerOrderHash !== ethers.ZeroHash);
      return new Set(fills.map((l) => l.transactionHash)).size;
    };
    const price = ethers.parseUnits("10", 18);
    /** Every transaction the two relays' senders sent, mined or reverted: a duplicate match would show here. */
    const sent = async () => {
      let n = 0;
      for (const k of keys)
        n += await provider
          .request({ method: "eth_getTransactionCount", params: [privateKeyToAccount(k).address, "latest"] })
          .then((x) => Number(x));
      return n;
    };

    // a cross arriving at the two processes: matched once, by whichever holds the lease
    const ask = await post(a, 0, { isBuy: false, size: 2n, limitPrice: price });
    const bid = await post(b, 1, { isBuy: true, size: 2n, limitPrice: price });
    await until("the first cross filled, seen by both", async () => {
      for (const r of [a, b])
        for (const h of [ask, bid]) if ((await stateOn(r, h)) !== "filled") return false;
      return true;
    });
    expect(await matchTransactions()).to.equal(1);
    expect(await sent(), "transactions sent by both relays").to.equal(1);
    const [ha, hb] = [await health(a), await health(b)];
    expect([ha.matching, hb.matching].filter(Boolean), JSON.stringify({ ha, hb })).to.have.length(1);
    const matcher = ha.matching ? a : b;
    const other = matcher === a ? b : a;

    // kill -9: no shutdown code runs; the database drops the dead session and its advisory lock
    matcher.child.kill("SIGKILL");
    await until("the other process takes the lease", async () => (await health(other)).matching);

    const ask2 = await post(other, 2, { isBuy: false, size: 1n, limitPrice: price });
    const bid2 = await post(other, 3, { isBuy: true, size: 1n, limitPrice: price });
    await until(
      "the second cross filled",
      async () => (await stateOn(other, ask2)) === "filled" && (await stateOn(other, bid2)) === "filled",
    );
    expect(await matchTransactions()).to.equal(2);
    expect(await sent(), "transactions sent by both relays").to.equal(2);
    expect(await p.ch.positionSize(p.traders[3].address, p.marketId)).to.equal(1n);
    expect(await p.ch.positionSize(p.traders[1].address, p.marketId)).to.equal(2n);

    other.child.kill("SIGTERM");
    expect(await exitCodeOf(other.child), other.output()).to.equal(0);
  });
});
