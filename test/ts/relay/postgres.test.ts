/**
 * The relay on a real PostgreSQL server (started by this test): the same migrations and store as the
 * embedded database, a restart giving the same book, and two relay processes on one database: both
 * accept orders, each sees the other's, exactly one submits the match of a cross (the advisory-lock
 * lease), and when the holder's session dies the other takes over.
 */
import { expect } from "chai";
import { network } from "hardhat";
import pg from "pg";
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { ManualClock } from "../../../keepers/shell/clock.js";
import { startRelay, type RelayOptions, type RunningRelay } from "../../../relay/app.js";
import { AdvisoryLease } from "../../../relay/server/lease.js";
import { orderToJson } from "../../../relay/validate/schema.js";
import type { Order } from "../../../sdk/core/eip712/orders.js";
import { SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";
import { deployProtocol, type Protocol } from "../helpers/protocolFixture.js";
import { call, relayOptions, WsClient } from "./helpers.js";
import { postgresTestsRun, startPostgres, type TestPostgres } from "./postgres.js";

const { ethers, provider, networkHelpers } = await network.create({
  override: { throwOnTransactionFailures: false },
});
const deploy = () => deployProtocol(ethers, networkHelpers);

describe("relay on PostgreSQL: shared book, one matcher at a time", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);
  let server: TestPostgres;
  let p: Protocol;
  let clock: ManualClock;
  let db = 0;
  const running: RunningRelay[] = [];

  before(async function () {
    // under CI the server must be there (.ci/run installs it): a missing one fails here, never skips
    if (!postgresTestsRun()) {
      console.log(
        "    PostgreSQL is not installed here: skipped (CI installs it; apt-get install -y postgresql)",
      );
      this.skip();
    }
    server = await startPostgres();
  });

  after(function () {
    server?.stop();
  });

  /** A fresh database per test on the one server. */
  async function freshDatabase(): Promise<string> {
    const name = `relay_${++db}`;
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return server.url.replace(/\/postgres$/, `/${name}`);
  }

  async function relayOn(databaseUrl: string, overrides: Partial<RelayOptions> = {}): Promise<RunningRelay> {
    const senderKey = generatePrivateKey();
    await networkHelpers.setBalance(privateKeyToAccount(senderKey).address, 10n ** 20n);
    const r = await startRelay(
      await relayOptions(p, provider, { databaseUrl, senderKey, clock, ...overrides }),
    );
    running.push(r);
    return r;
  }

  beforeEach(async function () {
    p = await networkHelpers.loadFixture(deploy);
    clock = new ManualClock(Number(await p.now()) * 1000);
  });

  afterEach(async function () {
    for (const r of running.splice(0)) await r.stop().catch(() => undefined);
  });

  const price = (x: string) => ethers.parseUnits(x, 18);
  const post = async (
    relay: RunningRelay,
    i: number,
    fields: Partial<Order> & Pick<Order, "isBuy" | "size" | "limitPrice">,
  ) => {
    const s = await p.signOrder(p.traders[i], fields);
    const r = await call("POST", `${relay.url}/orders`, {
      order: orderToJson(s.order),
      signature: s.signature,
    });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body.hash as Hex;
  };

  it("stores orders durably and rebuilds the same book after a restart", async function () {
    const url = await freshDatabase();
    const first = await relayOn(url);
    await post(first, 0, { isBuy: true, size: 3n, limitPrice: price("9.9") });
    await post(first, 1, { isBuy: false, size: 2n, limitPrice: price("10.1") });
    const before = (await call("GET", `${first.url}/markets/${p.marketId}/book`)).body;
    await first.stop();
    const second = await relayOn(url);
    const after = (await call("GET", `${second.url}/markets/${p.marketId}/book`)).body;
    expect({ bids: after.bids, asks: after.asks }).to.deep.equal({ bids: before.bids, asks: before.asks });
    expect(after.bids).to.have.length(1);
  });

  it("two processes share the book; exactly one submits each match; the other takes over when it dies", async function () {
    const url = await freshDatabase();
    const a = await relayOn(url);
    const b = await relayOn(url);
    // orders arrive at both processes; each process's book shows the other's order without a tick
    // (LISTEN/NOTIFY), and its WebSocket subscribers get the update
    const ws = await WsClient.open(`${b.url.replace("http", "ws")}/ws`);
    ws.send({ op: "subscribe", channel: "book", marketId: p.marketId });
    await ws.next((m) => m.type === "snapshot");
    const ask = await post(a, 0, { isBuy: false, size: 2n, limitPrice: price("10") });
    const update = await ws.next((m) => m.type === "book", 10_000);
    ws.close();
    expect(update.changes).to.deep.equal([{ side: "ask", price: price("10").toString(), size: "2" }]);
    expect(b.service.books.find(ask)?.state).to.equal("open");
    const bid = await post(b, 1, { isBuy: true, size: 2n, limitPrice: price("10") });
    await Promise.all([a.tick(), b.tick()]);
    await Promise.all([a.tick(), b.tick()]);
    const submitted = [...a.service.submitted, ...b.service.submitted];
    expect(submitted.map((s) => s.status)).to.deep.equal(["confirmed"]);
    const matcher = a.service.submitted.length === 1 ? a : b;
    const other = matcher === a ? b : a;
    expect(matcher.service.status.matching).to.equal(true);
    expect(other.service.status.matching).to.equal(false);
    await other.tick();
    for (const r of [a, b]) {
      for (const h of [ask, bid])
        expect((await call("GET", `${r.url}/orders/${h}`)).body.state).to.equal("filled");
    }

    // the matching process dies: its database session goes, and with it the advisory lock
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'");
    await admin.end();
    await matcher.stop().catch(() => undefined);

    await post(other, 2, { isBuy: false, size: 1n, limitPrice: price("10") });
    await post(other, 3, { isBuy: true, size: 1n, limitPrice: price("10") });
    await other.tick();
    expect(other.service.status.matching).to.equal(true);
    expect(other.service.submitted.map((s) => s.status)).to.deep.equal(["confirmed"]);
    expect(await p.ch.positionSize(p.traders[3].address, p.marketId)).to.equal(1n);
  });

  /** Terminates the database session holding the match lease; returns how many were terminated. */
  async function terminateLeaseHolder(url: string): Promise<number> {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const r = await admin.query<{ ok: boolean }>(
      "SELECT pg_terminate_backend(pid) AS ok FROM pg_locks WHERE locktype = 'advisory' AND granted",
    );
    await admin.end();
    return r.rows.filter((row) => row.ok).length;
  }

  /** Runs `step` until `done` holds (at most 100 times, 50 ms apart). */
  async function until(what: string, step: () => Promise<unknown>, done: () => boolean): Promise<void> {
    for (let i = 0; i < 100 && !done(); i++) {
      await step();
      if (!done()) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(done(), what).to.equal(true);
  }

  it("a holder whose lease session is killed while it keeps running stops matching; the other takes over, one match per cross", async function () {
    const url = await freshDatabase();
    const a = await relayOn(url);
    await a.tick();
    expect(a.service.status.matching).to.equal(true);
    const b = await relayOn(url);
    await b.tick();
    expect(b.service.status.matching).to.equal(false);

    // the holder's session is killed (a dropped connection, an operator's pg_terminate_backend); the
    // process itself goes on ticking
    expect(await terminateLeaseHolder(url)).to.equal(1);
    await until(
      "b takes the lease",
      () => b.tick(),
      () => b.service.status.matching,
    );
    await a.tick();
    expect(a.service.status.matching).to.equal(false);

    // a cross placed on both processes, both ticking: one matchOrders, sent by the new holder
    const ask = await post(a, 0, { isBuy: false, size: 2n, limitPrice: price("10") });
    const bid = await post(b, 1, { isBuy: true, size: 2n, limitPrice: price("10") });
    for (let i = 0; i < 2; i++) await Promise.all([a.tick(), b.tick()]);
    expect(a.service.submitted).to.deep.equal([]);
    expect(b.service.submitted.map((s) => s.status)).to.deep.equal(["confirmed"]);
    expect(a.service.status.matching).to.equal(false);
    for (const r of [a, b]) {
      for (const h of [ask, bid])
        expect((await call("GET", `${r.url}/orders/${h}`)).body.state).to.equal("filled");
    }
    expect(await p.ch.positionSize(p.traders[1].address, p.marketId)).to.equal(2n);
  });

  it("the lease: a killed session is seen without a query, and a hung holder loses the lock after its timeout", async function () {
    const url = await freshDatabase();
    const pools = [new pg.Pool({ connectionString: url }), new pg.Pool({ connectionString: url })];
    const lost: string[] = [];
    const first = new AdvisoryLease(pools[0], { timeoutMs: 1_000, onLost: (r) => lost.push(r) });
    const second = new AdvisoryLease(pools[1], { timeoutMs: 1_000 });
    try {
      expect(() => new AdvisoryLease(pools[0], { timeoutMs: 100 })).to.throw(RangeError);
      expect(await first.held()).to.equal(true);
      expect(first.stillHeld()).to.equal(true);
      expect(await second.held()).to.equal(false);

      // killed: the session's error event ends the lease before any further query of the holder
      expect(await terminateLeaseHolder(url)).to.equal(1);
      await until(
        "the holder sees its session end",
        async () => undefined,
        () => !first.stillHeld(),
      );
      expect(lost).to.have.length(1);
      expect(await first.held()).to.equal(false);
      let taken = false;
      await until(
        "the other takes the lease",
        async () => (taken = await second.held()),
        () => taken,
      );
      expect(await first.held()).to.equal(false);

      // the holder's process hangs (its event loop blocked, so no heartbeat) for longer than its timeout:
      // the server ends its session, and the lock goes with it
      const blocked = new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(blocked, 0, 0, 3_000);
      expect(second.stillHeld()).to.equal(true); // its error event has not been delivered yet
      let retaken = false;
      await until(
        "the other process takes over from the hung one",
        async () => (retaken = await first.held()),
        () => retaken,
      );
      expect(await second.held()).to.equal(false);
      expect(second.stillHeld()).to.equal(false);
    } finally {
      await first.release();
      await second.release();
      for (const pool of pools) await pool.end();
    }
  });
});
