/**
 * The relay over real HTTP and WebSocket against the in-process chain with the whole protocol deployed:
 * every refusal with its status and contract error name, hostile input, the junk-order case (a valid
 * order still matches, the junk one is marked with its reason), chain cancels leaving the book, restart
 * from the same database, and a chain reset detected and resynced.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import type { Signer } from "ethers";
import { network } from "hardhat";
import { createPublicClient, custom, type Hex, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { Command, Option } from "commander";

import { ManualClock } from "../../../keepers/shell/clock.js";
import { encodeOrders } from "../../../keepers/matcher/orders.js";
import { CommandFailedError, InputError } from "../../../cli/errors.js";
import { run } from "../../../cli/program.js";
import { listFromRelay, placeOnRelay, relayUrlOf, type OrderListRow } from "../../../cli/relay.js";
import { testAccount } from "../../../scripts/lib/testAccounts.js";
import { DEFAULT_HTTP, startRelay, type RelayOptions, type RunningRelay } from "../../../relay/app.js";
import { RelayChain } from "../../../relay/server/chain.js";
import { cancelMessage } from "../../../relay/server/service.js";
import { orderToJson } from "../../../relay/validate/schema.js";
import { OrderFlags, type Order } from "../../../sdk/core/eip712/orders.js";
import { createRelayClient, RelayError, type RelayDepth } from "../../../sdk/relay/client.js";
import { SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";
import { deployProtocol, WAD, type Protocol } from "../helpers/protocolFixture.js";
import { startRpcProxy } from "../keepers/rpcProxy.js";
import { call, relayOptions, WsClient } from "./helpers.js";

const { ethers, provider, networkHelpers } = await network.create({
  override: { throwOnTransactionFailures: false },
});

const deploy = () => deployProtocol(ethers, networkHelpers);

describe("relay service over HTTP and WebSocket (in-process chain)", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);
  let p: Protocol;
  let relay: RunningRelay;
  let clock: ManualClock;
  let senderKey: Hex;
  const running: RunningRelay[] = [];

  async function relayOn(overrides: Partial<RelayOptions> = {}): Promise<RunningRelay> {
    const r = await startRelay(await relayOptions(p, provider, { senderKey, clock, ...overrides }));
    running.push(r);
    return r;
  }

  beforeEach(async function () {
    p = await networkHelpers.loadFixture(deploy);
    clock = new ManualClock(Number(await p.now()) * 1000);
    senderKey = generatePrivateKey();
    await networkHelpers.setBalance(privateKeyToAccount(senderKey).address, 10n ** 20n);
    relay = await relayOn();
  });

  afterEach(async function () {
    for (const r of running.splice(0)) await r.stop();
  });

  const price = (x: string) => ethers.parseUnits(x, 18);
  const body = (s: { order: Order; signature: Hex }) => ({
    order: orderToJson(s.order),
    signature: s.signature,
  });
  const sign = (signer: Signer, fields: Partial<Order> & Pick<Order, "isBuy" | "size" | "limitPrice">) =>
    p.signOrder(signer, fields);
  const place = async (
    signer: Signer,
    fields: Partial<Order> & Pick<Order, "isBuy" | "size" | "limitPrice">,
  ) => {
    const signed = await sign(signer, fields);
    return { signed, reply: await call("POST", `${relay.url}/orders`, body(signed)) };
  };

  it("accepts a valid order, shows it in the book, the account and over the WebSocket with sequence numbers", async function () {
    const ws = await WsClient.open(`${relay.url.replace("http", "ws")}/ws`);
    ws.send({ op: "subscribe", channel: "book", marketId: p.marketId });
    const snapshot = await ws.next((m) => m.type === "snapshot");
    expect(snapshot).to.deep.include({ seq: 0, bids: [], asks: [] });
    const { signed, reply } = await place(p.traders[0], { isBuy: true, size: 5n, limitPrice: price("9.9") });
    expect(reply.status, JSON.stringify(reply.body)).to.equal(201);
    expect(reply.body).to.include({ state: "open", filled: "0", remaining: "5" });
    const update = await ws.next((m) => m.type === "book");
    expect(update).to.deep.include({
      seq: 1,
      changes: [{ side: "bid", price: price("9.9").toString(), size: "5" }],
    });
    const depth = await call("GET", `${relay.url}/markets/${p.marketId}/book`);
    expect(depth.body).to.deep.include({ seq: 1, bids: [[price("9.9").toString(), "5"]], asks: [] });
    const mine = await call("GET", `${relay.url}/accounts/${signed.order.trader}/orders?state=live`);
    expect((mine.body as unknown as unknown[]).length).to.equal(1);
    const markets = await call("GET", `${relay.url}/markets`);
    expect((markets.body as unknown as { marketId: string; status: string }[])[0]).to.include({
      marketId: p.marketId,
      status: "Trading",
    });
    expect((await call("GET", `${relay.url}/openapi.json`)).body).to.have.property("openapi", "3.1.0");
    expect((await call("GET", `${relay.url}/healthz`)).status).to.equal(200);
    ws.close();
  });

  it("refuses what the chain would refuse, each with its status, contract error name and arguments", async function () {
    const [alice, bob] = p.traders;
    const now = await p.now();
    const expect422 = async (
      fields: Partial<Order> & Pick<Order, "isBuy" | "size" | "limitPrice">,
      error: string,
      signer: Signer = alice,
    ) => {
      const { reply } = await place(signer, fields);
      expect(reply.status, `${error}: ${JSON.stringify(reply.body)}`).to.equal(422);
      expect(reply.body.error).to.equal(error);
      return reply;
    };
    const tick = await expect422({ isBuy: true, size: 1n, limitPrice: price("10.0001") }, "PriceNotOnTick");
    expect(tick.body.args).to.deep.equal({
      price: price("10.0001").toString(),
      tickSize: (WAD / 1000n).toString(),
    });
    await expect422({ isBuy: true, size: 0n, limitPrice: price("10") }, "ZeroOrderSize");
    await expect422({ isBuy: true, size: 1n, limitPrice: price("10"), expiry: now }, "OrderExpired");
    const band = await expect422({ isBuy: true, size: 1n, limitPrice: price("12") }, "PriceOutsideBand");
    expect(band.body.args).to.have.keys("price", "mark", "band");
    await expect422(
      { isBuy: true, size: 1n, limitPrice: price("10"), marketId: `0x${"ab".repeat(32)}` },
      "UnknownMarket",
    );
    await expect422(
      { isBuy: true, size: 1n, limitPrice: price("10"), flags: OrderFlags.PostOnly | OrderFlags.FillOrKill },
      "InvalidFlags",
    );
    await expect422(
      { isBuy: false, size: 1n, limitPrice: price("10"), flags: OrderFlags.ReduceOnly },
      "ReduceOnlyWouldIncrease",
    );
    // margin: an unfunded trader
    const poor = (await ethers.getSigners())[15];
    const margin = await expect422(
      { isBuy: true, size: 1n, limitPrice: price("10") },
      "InsufficientMargin",
      poor,
    );
    expect(margin.body.args?.account?.toLowerCase()).to.equal((await poor.getAddress()).toLowerCase());
    // nonces: cancelUpTo voids everything below
    await (await p.exchange.connect(bob).cancelUpTo(100n)).wait();
    await expect422(
      { isBuy: true, size: 1n, limitPrice: price("10"), nonce: 7n },
      "OrderNonceBelowMinimum",
      bob,
    );
    // post-only crossing a resting order, and an order crossing its own trader's
    expect(
      (await place(bob, { isBuy: false, size: 1n, limitPrice: price("10"), nonce: 200n })).reply.status,
    ).to.equal(201);
    await expect422(
      { isBuy: true, size: 1n, limitPrice: price("10"), flags: OrderFlags.PostOnly },
      "PostOnlyCannotTake",
    );
    await expect422({ isBuy: true, size: 1n, limitPrice: price("10.1"), nonce: 201n }, "SelfTrade", bob);
    // signatures: another signer, a wrong length
    const other = await sign(bob, {
      isBuy: true,
      size: 1n,
      limitPrice: price("9"),
      trader: (await alice.getAddress()) as Hex,
    });
    const forged = await call("POST", `${relay.url}/orders`, body(other));
    expect(forged.status).to.equal(422);
    expect(forged.body.error).to.equal("UnauthorisedSigner");
    const good = await sign(alice, { isBuy: true, size: 1n, limitPrice: price("9") });
    const short = await call("POST", `${relay.url}/orders`, {
      ...body(good),
      signature: good.signature.slice(0, 130),
    });
    expect(short.body).to.deep.include({ error: "InvalidSignatureLength" });
    // replay
    expect((await call("POST", `${relay.url}/orders`, body(good))).status).to.equal(201);
    const replay = await call("POST", `${relay.url}/orders`, body(good));
    expect(replay.status).to.equal(409);
    expect(replay.body.error).to.equal("DuplicateOrder");
  });

  it("refuses a used nonce, a position beyond the limit, a paused market, too many open orders; checks delegates and EIP-1271 wallets", async function () {
    const [alice, bob] = p.traders;
    const expectRefusal = async (
      signer: Signer,
      fields: Partial<Order> & Pick<Order, "isBuy" | "size" | "limitPrice">,
      status: number,
      error: string,
    ) => {
      const { reply } = await place(signer, fields);
      expect(reply.status, `${error}: ${JSON.stringify(reply.body)}`).to.equal(status);
      expect(reply.body.error).to.equal(error);
      return reply;
    };
    // a nonce the chain has used (an order cancelled on chain uses its nonce)
    const cancelled = await sign(alice, { isBuy: true, size: 1n, limitPrice: price("9"), nonce: 300n });
    await (await p.exchange.connect(alice).cancelOrders([cancelled.order])).wait();
    await expectRefusal(
      alice,
      { isBuy: true, size: 1n, limitPrice: price("9.5"), nonce: 300n },
      422,
      "OrderNonceUsed",
    );
    // the Clearinghouse's position limit (1,000,000 contracts in this market)
    const limit = await expectRefusal(
      alice,
      { isBuy: true, size: 1_000_001n, limitPrice: price("10") },
      422,
      "PositionSizeExceeded",
    );
    expect(limit.body.args).to.include({ size: "1000001", max: "1000000" });
    // a paused market
    await (await p.ch.setMarketPaused(p.marketId, true)).wait();
    await expectRefusal(alice, { isBuy: true, size: 1n, limitPrice: price("9") }, 422, "MarketIsPaused");
    await (await p.ch.setMarketPaused(p.marketId, false)).wait();
    // a delegate signs for its trader
    await (await p.exchange.connect(alice).setDelegate(await bob.getAddress(), true)).wait();
    const delegated = await place(bob, {
      isBuy: true,
      size: 1n,
      limitPrice: price("9"),
      trader: (await alice.getAddress()) as Hex,
    });
    expect(delegated.reply.status, JSON.stringify(delegated.reply.body)).to.equal(201);
    // an EIP-1271 wallet: its owner's signature passes the wallet's check (the unfunded wallet then
    // fails on margin), and once the wallet rejects every signature the order is refused for it
    const wallet = await ethers.deployContract("MockERC1271Wallet", [await alice.getAddress()]);
    const walletAddress = (await wallet.getAddress()) as Hex;
    await expectRefusal(
      alice,
      { isBuy: true, size: 1n, limitPrice: price("9"), trader: walletAddress },
      422,
      "InsufficientMargin",
    );
    await (await wallet.connect(alice).setRejectAll(true)).wait();
    await expectRefusal(
      alice,
      { isBuy: true, size: 1n, limitPrice: price("9"), trader: walletAddress },
      422,
      "InvalidContractSignature",
    );
    // the per-trader cap on live orders
    relay = await relayOn({ maxOpenOrders: 2 });
    for (const nonce of [401n, 402n]) {
      const { reply } = await place(bob, { isBuy: true, size: 1n, limitPrice: price("9"), nonce });
      expect(reply.status, JSON.stringify(reply.body)).to.equal(201);
    }
    await expectRefusal(
      bob,
      { isBuy: true, size: 1n, limitPrice: price("9"), nonce: 403n },
      429,
      "TooManyOpenOrders",
    );
  });

  it("answers hostile input with a clear 4xx and keeps serving", async function () {
    const url = `${relay.url}/orders`;
    const malformed = await call("POST", url, undefined, { raw: "{not json" });
    expect(malformed).to.deep.include({ status: 400 });
    expect(malformed.body.error).to.equal("MalformedJson");
    const good = await sign(p.traders[0], { isBuy: true, size: 1n, limitPrice: price("9") });
    const wrongType = await call("POST", url, { ...body(good), order: { ...body(good).order, size: true } });
    expect(wrongType.body).to.deep.include({ error: "InvalidOrder" });
    expect(wrongType.body.args).to.deep.include({ field: "order.size" });
    const huge = await call("POST", url, {
      ...body(good),
      order: { ...body(good).order, size: (1n << 128n).toString() },
    });
    expect(huge.status).to.equal(400);
    expect(huge.body.args?.problem).to.match(/uint128/);
    const extra = await call("POST", url, { ...body(good), admin: true });
    expect(extra.status).to.equal(400);
    const oversize = await call("POST", url, undefined, { raw: JSON.stringify({ pad: "x".repeat(20_000) }) });
    expect(oversize.status).to.equal(413);
    expect(oversize.body.error).to.equal("BodyTooLarge");
    expect((await call("GET", `${relay.url}/markets/0x12/book`)).status).to.equal(400);
    expect((await call("GET", `${relay.url}/nowhere`)).status).to.equal(404);
    // after all that, a valid order is still accepted
    expect((await call("POST", url, body(good))).status).to.equal(201);
  });

  it("limits a flood from one IP with 429 while another IP is served, and nothing accepted is lost", async function () {
    const limited = await relayOn({
      http: { ...DEFAULT_HTTP, port: 0, perIp: { perSecond: 0.001, burst: 4 } },
    });
    const statuses: number[] = [];
    const accepted: string[] = [];
    for (let i = 0; i < 8; i++) {
      const s = await sign(p.traders[0], {
        isBuy: true,
        size: 1n,
        limitPrice: price("9.5") - BigInt(i) * (WAD / 1000n),
      });
      const r = await call("POST", `${limited.url}/orders`, body(s));
      statuses.push(r.status);
      if (r.status === 201) accepted.push(r.body.hash as string);
    }
    expect(statuses).to.deep.equal([201, 201, 201, 201, 429, 429, 429, 429]);
    // the refusal says when to come back: one token at 0.001/s on a clock that has not moved
    const refused = await call("GET", `${limited.url}/markets`);
    expect(refused.status).to.equal(429);
    expect(refused.headers["retry-after"]).to.equal("1000");
    expect(refused.body).to.deep.include({
      error: "RateLimited",
      args: { scope: "ip", retryAfterSeconds: "1000" },
    });
    // the IP limit holds across endpoints: reads and the WebSocket upgrade are refused too
    expect((await call("GET", `${limited.url}/orders/${accepted[0]}`)).status).to.equal(429);
    const upgrade: unknown = await WsClient.open(`${limited.url.replace("http", "ws")}/ws`).catch((e) => e);
    expect(String(upgrade)).to.contain("429");
    const other = await call("GET", `${limited.url}/markets/${p.marketId}/book`, undefined, {
      localAddress: "127.0.0.2",
    });
    expect(other.status).to.equal(200);
    expect((other.body.bids as unknown[]).length).to.equal(4);
    for (const h of accepted) {
      expect(
        (await call("GET", `${limited.url}/orders/${h}`, undefined, { localAddress: "127.0.0.3" })).body
          .state,
      ).to.equal("open");
    }
  });

  it("limits a trader across placing and cancelling, with Retry-After; a trusted proxy's clients are limited apart", async function () {
    const limited = await relayOn({
      http: {
        ...DEFAULT_HTTP,
        port: 0,
        perIp: { perSecond: 0.01, burst: 3 },
        perTrader: { perSecond: 0.5, burst: 2 },
        trustedProxies: ["127.0.0.1"],
      },
    });
    const [alice] = p.traders;
    const url = `${limited.url}/orders`;
    // three clients behind the proxy at 127.0.0.1, each with its own IP bucket (burst 3)
    const via = (client: string) => ({ headers: { "x-forwarded-for": `${client}, 127.0.0.1` } });
    const a1 = await sign(alice, { isBuy: true, size: 1n, limitPrice: price("9.5") });
    const a2 = await sign(alice, { isBuy: true, size: 1n, limitPrice: price("9.4") });
    const a3 = await sign(alice, { isBuy: true, size: 1n, limitPrice: price("9.3") });
    const r1 = await call("POST", url, body(a1), via("10.0.0.1"));
    const r2 = await call("POST", url, body(a2), via("10.0.0.2"));
    expect([r1.status, r2.status]).to.deep.equal([201, 201]);
    // alice's third order, from yet another address: her own bucket (burst 2) is empty
    const r3 = await call("POST", url, body(a3), via("10.0.0.3"));
    expect(r3.status).to.equal(429);
    expect(r3.body.args).to.deep.equal({
      scope: "trader",
      trader: alice.address,
      retryAfterSeconds: "2",
    });
    expect(r3.headers["retry-after"]).to.equal("2");
    // a cancel counts against her bucket too
    const hash = r1.body.hash as Hex;
    const cancel = { signature: await alice.signMessage(cancelMessage(hash)) };
    const c1 = await call("DELETE", `${url}/${hash}`, cancel, via("10.0.0.4"));
    expect(c1.status).to.equal(429);
    expect(c1.body.args?.scope).to.equal("trader");
    clock.advance(2_000);
    const c2 = await call("DELETE", `${url}/${hash}`, cancel, via("10.0.0.4"));
    expect(c2.status, JSON.stringify(c2.body)).to.equal(200);
    expect(c2.body.state).to.equal("cancelled");
    // one forwarded client floods: only it is refused
    for (let i = 0; i < 2; i++)
      expect((await call("GET", `${limited.url}/markets`, undefined, via("10.0.0.1"))).status).to.equal(200);
    expect((await call("GET", `${limited.url}/markets`, undefined, via("10.0.0.1"))).status).to.equal(429);
    expect((await call("GET", `${limited.url}/markets`, undefined, via("10.0.0.2"))).status).to.equal(200);
    // an untrusted peer cannot choose its key with the header: 127.0.0.2 is limited as itself
    const spoof = (n: number) => ({
      localAddress: "127.0.0.2",
      headers: { "x-forwarded-for": `10.9.9.${n}` },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await call("GET", `${limited.url}/markets`, undefined, spoof(i))).status);
    expect(statuses).to.deep.equal([200, 200, 200, 429]);
  });

  it("isolates a junk order the chain refuses: the valid order still matches, the junk one shows its reason", async function () {
    const [junkTrader, goodTrader, taker] = p.traders;
    // both asks are inside the band now; the index then moves so that the better-priced one is outside it
    const junk = await place(junkTrader, { isBuy: false, size: 5n, limitPrice: price("9.2") });
    const good = await place(goodTrader, { isBuy: false, size: 5n, limitPrice: price("9.5") });
    expect([junk.reply.status, good.reply.status]).to.deep.equal([201, 201]);
    await p.setIndex(price("10.3"));
    const bid = await place(taker, { isBuy: true, size: 5n, limitPrice: price("9.5") });
    expect(bid.reply.status, JSON.stringify(bid.reply.body)).to.equal(201);
    await relay.tick();
    const junkState = await call("GET", `${relay.url}/orders/${junk.reply.body.hash as string}`);
    expect(junkState.body.state).to.equal("rejected");
    expect(junkState.body.reason).to.match(/^PriceOutsideBand\(/);
    const goodState = await call("GET", `${relay.url}/orders/${good.reply.body.hash as string}`);
    expect(goodState.body).to.include({ state: "filled", filled: "5" });
    expect((await call("GET", `${relay.url}/orders/${bid.reply.body.hash as string}`)).body.state).to.equal(
      "filled",
    );
    expect(await p.ch.positionSize(await taker.getAddress(), p.marketId)).to.equal(5n);
    expect(await p.ch.positionSize(await junkTrader.getAddress(), p.marketId)).to.equal(0n);
    const trades = await call("GET", `${relay.url}/markets/${p.marketId}/trades`);
    expect((trades.body as unknown as { price: string }[]).map((t) => t.price)).to.deep.equal([
      price("9.5").toString(),
    ]);
    const history = await call("GET", `${relay.url}/accounts/${await taker.getAddress()}/history`);
    expect((history.body.fills as unknown[]).length).to.equal(1);
    const candles = await call("GET", `${relay.url}/markets/${p.marketId}/candles?interval=60`);
    expect((candles.body as unknown as { volume: string }[])[0].volume).to.equal("5");
    const rounds = await call("GET", `${relay.url}/indexes/rounds`);
    expect((rounds.body as unknown as { inputsHash: string }[]).length).to.be.greaterThan(0);
    expect(relay.service.submitted.map((s) => s.status)).to.deep.equal(["simulation-failed", "confirmed"]);
  });

  it("follows cancels on chain (cancelOrders, cancelUpTo) and a signed cancel on the relay", async function () {
    const [alice, bob, carol] = p.traders;
    const a = await place(alice, { isBuy: true, size: 2n, limitPrice: price("9.8") });
    const b = await place(bob, { isBuy: true, size: 2n, limitPrice: price("9.7"), nonce: 3n });
    const c = await place(carol, { isBuy: true, size: 2n, limitPrice: price("9.6") });
    await (await p.exchange.connect(alice).cancelOrders([a.signed.order])).wait();
    await (await p.exchange.connect(bob).cancelUpTo(10n)).wait();
    await relay.tick();
    const state = async (r: typeof a) =>
      (await call("GET", `${relay.url}/orders/${r.reply.body.hash as string}`)).body;
    expect(await state(a)).to.include({ state: "cancelled", reason: "OrderCancelled" });
    expect((await state(b)).state).to.equal("voided");
    expect((await state(b)).reason).to.match(/^OrderNonceBelowMinimum/);
    const hash = c.reply.body.hash as Hex;
    const wrong = await alice.signMessage(cancelMessage(hash));
    expect((await call("DELETE", `${relay.url}/orders/${hash}`, { signature: wrong })).status).to.equal(403);
    const right = await carol.signMessage(cancelMessage(hash));
    const cancelled = await call("DELETE", `${relay.url}/orders/${hash}`, { signature: right });
    expect(cancelled.body).to.include({ state: "cancelled" });
    expect((await call("GET", `${relay.url}/markets/${p.marketId}/book`)).body.bids).to.deep.equal([]);
  });

  it("rebuilds the same book from the same database after a restart", async function () {
    const file = join(mkdtempSync(join(tmpdir(), "relay-")), "relay.db");
    const first = await relayOn({ databaseUrl: file });
    relay = first;
    await place(p.traders[0], { isBuy: true, size: 3n, limitPrice: price("9.9") });
    await place(p.traders[1], { isBuy: false, size: 4n, limitPrice: price("10.2") });
    await place(p.traders[2], { isBuy: true, size: 1n, limitPrice: price("9.8") });
    const before = (await call("GET", `${first.url}/markets/${p.marketId}/book`)).body;
    await first.stop();
    const second = await relayOn({ databaseUrl: file });
    const after = (await call("GET", `${second.url}/markets/${p.marketId}/book`)).body;
    expect({ bids: after.bids, asks: after.asks }).to.deep.equal({ bids: before.bids, asks: before.asks });
    expect(after.bids).to.have.length(2);
  });

  it("detects a chain reset (the head falls below its cursor), resyncs and keeps serving", async function () {
    const { signed, reply } = await place(p.traders[0], { isBuy: true, size: 2n, limitPrice: price("9.9") });
    expect(reply.status).to.equal(201);
    const snapshot = await networkHelpers.takeSnapshot();
    await networkHelpers.mine(3);
    await relay.tick();
    expect(relay.service.status.chain).to.equal("ok");
    await snapshot.restore();
    // the order is cancelled on the "new" chain: the resync must see it
    await (await p.exchange.connect(p.traders[0]).cancelOrders([signed.order])).wait();
    await networkHelpers.mine(1);
    await relay.tick();
    // head is back below the cursor block, or the cursor block's hash changed: either is a reset
    expect(relay.service.status.chain).to.equal("reset");
    await relay.tick();
    expect(relay.service.status.chain).to.equal("ok");
    const o = await call("GET", `${relay.url}/orders/${reply.body.hash as string}`);
    expect(o.body.state).to.equal("cancelled");
  });

  it("keeps serving while the chain is down, then detects the restarted chain and resyncs", async function () {
    // the relay's node connection, which the test cuts and restores
    let down = false;
    const client = createPublicClient({
      transport: custom({
        request: (args: { method: string; params?: unknown }) =>
          down
            ? Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:8545"))
            : provider.request(args as never),
      }),
      pollingInterval: 1,
    }) as PublicClient;
    relay = await relayOn({ client });
    const { reply } = await place(p.traders[0], { isBuy: true, size: 2n, limitPrice: price("9.9") });
    expect(reply.status).to.equal(201);
    const hash = reply.body.hash as string;
    const beforeKill = await networkHelpers.takeSnapshot();
    await networkHelpers.mine(3);
    await relay.tick();
    expect((await call("GET", `${relay.url}/healthz`)).status).to.equal(200);

    // the node dies: the tick reports it, health says so, reads go on, new orders get a 503 (none lost)
    down = true;
    await relay.tick();
    expect(relay.service.status.chain).to.equal("unreachable");
    expect((await call("GET", `${relay.url}/healthz`)).status).to.equal(503);
    expect((await call("GET", `${relay.url}/orders/${hash}`)).body.state).to.equal("open");
    const during = await place(p.traders[1], { isBuy: false, size: 1n, limitPrice: price("10.5") });
    expect(during.reply.status).to.equal(503);

    // it comes back restarted, at an earlier head: a reset, resynced, the resting order kept
    await beforeKill.restore();
    down = false;
    await relay.tick();
    expect(relay.service.status.chain).to.equal("reset");
    await relay.tick();
    expect(relay.service.status.chain).to.equal("ok");
    expect((await call("GET", `${relay.url}/healthz`)).status).to.equal(200);
    expect((await call("GET", `${relay.url}/orders/${hash}`)).body.state).to.equal("open");
    const after = await place(p.traders[1], { isBuy: false, size: 1n, limitPrice: price("10.5") });
    expect(after.reply.status, JSON.stringify(after.reply.body)).to.equal(201);
  });

  it("serves the SDK client: place, book, subscribe with sequence numbers, trades, history, cancel, typed refusals", async function () {
    const client = createRelayClient({ url: relay.url });
    const [alice, bob] = p.traders;
    const depths: RelayDepth[] = [];
    const sub = client.subscribeBook(p.marketId, (d) => depths.push(d));
    const until = async (test: () => boolean) => {
      for (let i = 0; i < 500 && !test(); i++) await new Promise((r) => setImmediate(r));
      expect(test()).to.equal(true);
    };
    await until(() => depths.length === 1);
    const placed = await client.placeOrder(
      await sign(alice, { isBuy: true, size: 3n, limitPrice: price("9.9") }),
    );
    expect(placed).to.include({ state: "open", filled: 0n, remaining: 3n });
    await until(() => depths.length === 2);
    expect(depths[1]).to.deep.include({ seq: 1, bids: [[price("9.9"), 3n]], asks: [] });
    expect((await client.book(p.marketId)).bids).to.deep.equal([[price("9.9"), 3n]]);
    const [market] = await client.markets();
    expect(market.tickSize).to.equal(WAD / 1000n);
    expect(market).to.include({ status: "Trading", paused: false, index: 10n * WAD });
    expect(market.mark).to.be.a("bigint");
    expect(market.indexUpdatedAt).to.be.a("bigint");
    expect(await client.accountOrders(placed.order.trader, { live: true })).to.have.length(1);
    // a typed refusal
    const late = await sign(bob, { isBuy: false, size: 1n, limitPrice: price("10"), expiry: 1n });
    const refusal = await client.placeOrder(late).catch((e: unknown) => e);
    expect(refusal).to.be.instanceOf(RelayError);
    expect((refusal as RelayError).data).to.deep.include({ status: 422, error: "OrderExpired" });
    // a cross: bob sells into alice's bid, the relay matches it
    await client.placeOrder(await sign(bob, { isBuy: false, size: 1n, limitPrice: price("9.9") }));
    await relay.tick();
    expect((await client.order(placed.hash)).state).to.equal("partially_filled");
    expect((await client.trades(p.marketId))[0]).to.include({ size: 1n, price: price("9.9") });
    expect((await client.candles(p.marketId, 60))[0].volume).to.equal(1n);
    expect((await client.accountHistory(placed.order.trader)).fills).to.have.length(1);
    expect((await client.indexRounds()).length).to.be.greaterThan(0);
    await until(() => depths.at(-1)?.bids[0]?.[1] === 2n);
    const wallet = {
      signMessage: ({ message }: { message: string }) => alice.signMessage(message) as Promise<Hex>,
    };
    expect((await client.cancelOrderWith(wallet, placed.hash)).state).to.equal("cancelled");
    sub.close();
  });

  it("subscribeBook takes over a socket opened and subscribed earlier: its kept messages first, then live updates", async function () {
    const client = createRelayClient({ url: relay.url });
    const [alice, bob] = p.traders;
    const until = async (test: () => boolean) => {
      for (let i = 0; i < 500 && !test(); i++) await new Promise((r) => setTimeout(r, 5));
      expect(test()).to.equal(true);
    };
    // what a page's inline script does before the app's code has loaded: open, subscribe, keep
    const ws = new WebSocket(`${relay.url.replace(/^http/, "ws")}/ws`);
    const received: string[] = [];
    let claimed = false;
    ws.addEventListener("open", () =>
      ws.send(JSON.stringify({ op: "subscribe", channel: "book", marketId: p.marketId })),
    );
    ws.addEventListener("message", (e) => claimed || received.push(String(e.data)));
    await until(() => received.length === 1);
    await client.placeOrder(await sign(alice, { isBuy: true, size: 3n, limitPrice: price("9.9") }));
    await until(() => received.length === 2);
    // the snapshot and the kept update apply at once, in order, with no second subscription
    const depths: RelayDepth[] = [];
    claimed = true;
    const sub = client.subscribeBook(p.marketId, (d) => depths.push(d), undefined, {
      socket: { ws, subscribed: true, received },
    });
    expect(depths.map((d) => d.seq)).to.deep.equal([0, 1]);
    expect(depths[1].bids).to.deep.equal([[price("9.9"), 3n]]);
    // later updates arrive on the same socket
    await client.placeOrder(await sign(bob, { isBuy: false, size: 1n, limitPrice: price("10.5") }));
    await until(() => depths.length === 3);
    expect(depths[2]).to.deep.include({ seq: 2, asks: [[price("10.5"), 1n]] });
    sub.close();
  });

  it("backs `atf order place/list` with the relay (market, state and reason shown) unless an orders file is chosen", async function () {
    const lines: string[] = [];
    const signed = await sign(p.traders[0], { isBuy: true, size: 2n, limitPrice: price("9.9") });
    await placeOnRelay(relay.url, signed, (l) => lines.push(l), "placed buy 2 TEST @ $9.9");
    expect(lines[1]).to.match(/^order 0x[0-9a-f]{64} open on the relay/);
    await listFromRelay(
      relay.url,
      signed.order.trader,
      async () => "TEST-MARKET",
      (l) => lines.push(l),
    );
    expect(lines[2]).to.contain("TEST-MARKET").and.contain("buy  2 @ $9.9").and.contain("open  filled 0/2");
    // a refusal is bad input (exit 2) naming the contract error; an unreachable relay says what to do
    const junk = await sign(p.traders[0], { isBuy: true, size: 1n, limitPrice: price("12") });
    const refused: unknown = await placeOnRelay(relay.url, junk, () => undefined, "x").catch((e) => e);
    expect(refused).to.be.instanceOf(InputError);
    expect((refused as Error).message).to.match(/^the relay refused: PriceOutsideBand \(price = /);
    const down: unknown = await placeOnRelay("http://127.0.0.1:9", signed, () => undefined, "x").catch(
      (e) => e,
    );
    expect(down).to.be.instanceOf(CommandFailedError);
    expect((down as Error).message)
      .to.contain("not reachable")
      .and.contain("--orders-file");

    const program = () =>
      new Command("atf")
        .addOption(new Option("--orders-file <file>").default(".stack/orders.json"))
        .addOption(new Option("--relay-url <url>").default("http://127.0.0.1:8600"));
    const sub = (argv: string[]) => {
      const root = program();
      const child = root.command("list").action(() => undefined);
      root.parse(argv, { from: "user" });
      return relayUrlOf(child);
    };
    expect(sub(["list"])).to.equal("http://127.0.0.1:8600");
    expect(sub(["--orders-file", "x.json", "list"])).to.equal(undefined);
    expect(sub(["--orders-file", "x.json", "--relay-url", "http://r:1", "list"])).to.equal("http://r:1");
  });

  it("`atf order list --json` prints the trader's own orders as one JSON array, from the relay and from an orders file", async function () {
    const [alice, bob] = p.traders;
    const ALICE = testAccount(2);
    const BOB = testAccount(3);
    expect(await alice.getAddress()).to.equal(ALICE.address);
    expect(await bob.getAddress()).to.equal(BOB.address);
    const rpc = await startRpcProxy(provider);
    const dir = mkdtempSync(join(tmpdir(), "atf-list-"));
    const book = join(dir, "book.json");
    const ordersFile = join(dir, "orders.json");
    writeFileSync(
      book,
      JSON.stringify({
        chainId: 31337,
        indexOracle: await p.oracle!.getAddress(),
        exchange: await p.exchange.getAddress(),
        clearinghouse: await p.ch.getAddress(),
        collateral: await p.token.getAddress(),
        accessManager: await p.manager.getAddress(),
        markets: {
          "TEST-20270101": { id: p.marketId, indexId: p.params.indexId, expiry: Number(p.params.expiry) },
        },
      }),
    );
    const atf = async (key: Hex | undefined, ...argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await run(
        ["--deployment", book, "--rpc-url", rpc.url, "--state-file", join(dir, "state.json"), ...argv],
        {
          out: (l) => out.push(l),
          err: (l) => err.push(l),
          env: key === undefined ? {} : { ATF_PRIVATE_KEY: key },
        },
      );
      return { code, out: out.join("\n"), err: err.join("\n") };
    };
    const rows = (r: { code: number; out: string; err: string }) => {
      expect(r.code, r.err).to.equal(0);
      return JSON.parse(r.out) as OrderListRow[];
    };
    try {
      const a1 = await place(alice, { isBuy: true, size: 2n, limitPrice: price("9.9"), nonce: 1n });
      const a2 = await place(alice, { isBuy: false, size: 3n, limitPrice: price("10.5"), nonce: 2n });
      const b1 = await place(bob, { isBuy: true, size: 1n, limitPrice: price("9.8"), nonce: 1n });
      for (const x of [a1, a2, b1]) expect(x.reply.status).to.equal(201);
      await (await p.exchange.connect(alice).cancelOrders([a2.signed.order])).wait();
      await relay.tick();

      // the relay: alice's own orders by default, newest first, with state and reason
      const mine = rows(await atf(ALICE.privateKey, "--relay-url", relay.url, "--json", "order", "list"));
      expect(mine.map((r) => r.hash)).to.deep.equal([a2.reply.body.hash, a1.reply.body.hash]);
      expect(mine[1]).to.deep.equal({
        hash: a1.reply.body.hash,
        market: "TEST-20270101",
        marketId: p.marketId,
        trader: ALICE.address,
        side: "buy",
        size: "2",
        limitPrice: "9.9",
        state: "open",
        filled: "0",
        nonce: "1",
        reason: null,
        expiry: new Date(Number(a1.signed.order.expiry) * 1000).toISOString(),
        expiryUnix: a1.signed.order.expiry.toString(),
      });
      expect(mine[0]).to.include({
        side: "sell",
        limitPrice: "10.5",
        state: "cancelled",
        reason: "OrderCancelled",
      });
      const bobs = rows(
        await atf(undefined, "--relay-url", relay.url, "--json", "order", "list", "--account", BOB.address),
      );
      expect(bobs.map((r) => r.hash)).to.deep.equal([b1.reply.body.hash]);
      // without a key or --account there is no "own": one line, exit 2
      const anonymous = await atf(undefined, "--relay-url", relay.url, "--json", "order", "list");
      expect(anonymous.code).to.equal(2);
      expect(anonymous.err).to.contain("ATF_PRIVATE_KEY");
      const text = await atf(ALICE.privateKey, "--relay-url", relay.url, "order", "list");
      expect(text.out.split("\n")).to.have.length(2);
      expect(text.out).to.contain("TEST-20270101").and.contain("cancelled");

      // the orders file: the same shape, the state read from the Exchange
      writeFileSync(ordersFile, encodeOrders([a1.signed, a2.signed, b1.signed]));
      const fromFile = rows(
        await atf(ALICE.privateKey, "--orders-file", ordersFile, "--json", "order", "list"),
      );
      expect(fromFile.map((r) => [r.hash, r.state, r.filled])).to.deep.equal([
        [a1.reply.body.hash, "open", "0"],
        [a2.reply.body.hash, "done", null],
      ]);
      expect(fromFile[0]).to.deep.equal(mine[1]);
      const everyone = rows(await atf(undefined, "--orders-file", ordersFile, "--json", "order", "list"));
      expect(everyone).to.have.length(3);
      writeFileSync(ordersFile, "[]");
      expect(
        rows(await atf(ALICE.privateKey, "--orders-file", ordersFile, "--json", "order", "list")),
      ).to.deep.equal([]);
    } finally {
      await rpc.close();
    }
  });

  it("reads isNonceUsed in batches, one in flight at a time; a batch of one is a plain eth_call", async function () {
    const [alice, bob] = p.traders;
    const used = await sign(alice, { isBuy: true, size: 1n, limitPrice: price("9.9"), nonce: 7n });
    await (await p.exchange.connect(alice).cancelOrders([used.order])).wait();
    const calls: { to?: string; data?: string }[] = [];
    let gate: Promise<void> | undefined;
    const client = createPublicClient({
      transport: custom({
        request: async (args: { method: string; params?: readonly unknown[] }) => {
          if (args.method === "eth_call") {
            calls.push((args.params as { to?: string; data?: string }[])[0]);
            await gate;
          }
          return provider.request(args);
        },
      }),
    }) as PublicClient;
    const exchange = (await p.exchange.getAddress()) as Hex;
    const chain = new RelayChain(
      client,
      { exchange, clearinghouse: exchange, indexOracle: exchange },
      clock,
      0,
    );
    const a = (await alice.getAddress()) as Hex;
    const b = (await bob.getAddress()) as Hex;
    // asked in one turn: one eth_call (a deployless multicall) for all three
    expect(
      await Promise.all([chain.nonceUsed(a, 7n), chain.nonceUsed(a, 8n), chain.nonceUsed(b, 7n)]),
    ).to.deep.equal([true, false, false]);
    expect(calls).to.have.length(1);
    // alone: isNonceUsed(trader, nonce) itself, on the Exchange
    expect(await chain.nonceUsed(a, 7n)).to.equal(true);
    expect(calls).to.have.length(2);
    expect(calls[1].to?.toLowerCase()).to.equal(exchange.toLowerCase());
    expect(calls[1].data).to.equal(p.exchange.interface.encodeFunctionData("isNonceUsed", [a, 7n]));
    // asked while a read is in flight (held here): they wait for it, then go out together as the next batch
    let release = () => undefined as void;
    gate = new Promise<void>((resolve) => (release = resolve));
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const first = chain.nonceUsed(b, 7n);
    await turn();
    const second = chain.nonceUsed(a, 7n);
    await turn();
    const third = chain.nonceUsed(b, 8n);
    await turn();
    expect(calls).to.have.length(3);
    gate = undefined;
    release();
    expect(await Promise.all([first, second, third])).to.deep.equal([false, true, false]);
    expect(calls).to.have.length(4);
  });
});
