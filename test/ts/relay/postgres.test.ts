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
});
