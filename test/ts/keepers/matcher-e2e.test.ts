import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import type { Signer } from "ethers";
import { network } from "hardhat";
import type { Hex } from "viem";

import { MatcherKeeper } from "../../../keepers/matcher/keeper.js";
import {
  encodeOrders,
  InMemoryOrderSource,
  jsonFileOrderSource,
  type OrderSource,
} from "../../../keepers/matcher/orders.js";
import { ManualClock } from "../../../keepers/shell/clock.js";
import {
  buildOrder,
  exchangeDomain,
  hashOrder,
  OrderFlags,
  signOrderEthers,
  type ExchangeDomain,
  type Order,
} from "../../../sdk/core/eip712/orders.js";
import { indexIdOf } from "../../../sdk/core/eip712/reports.js";
import { SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";
import { makeShell, silentLogger, type Shell } from "./helpers.js";

const { ethers, provider, networkHelpers } = await network.create({
  override: { throwOnTransactionFailures: false },
});
const { time } = networkHelpers;

const E18 = 10n ** 18n;
const MARKET = indexIdOf("ATPI-FRONTIER-2027Q1");

async function deploy() {
  const [admin, alice, bob, carol, dave] = await ethers.getSigners();
  const manager = await ethers.deployContract("AccessManager", [admin.address]);
  const venue = await ethers.deployContract("MockClearinghouseVenue");
  const exchange = await ethers.deployContract("Exchange", [
    await venue.getAddress(),
    await manager.getAddress(),
  ]);
  const domain = exchangeDomain(31337n, (await exchange.getAddress()) as Hex);
  return { alice, bob, carol, dave, venue, exchange, domain };
}

describe("keepers: matcher → Exchange (mock clearinghouse)", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);
  let f: Awaited<ReturnType<typeof deploy>>;
  let clock: ManualClock;
  let salt = 0n;

  beforeEach(async function () {
    f = await networkHelpers.loadFixture(deploy);
    clock = new ManualClock((await time.latest()) * 1000);
  });

  async function signed(
    signer: Signer,
    fields: Partial<Order> & Pick<Order, "isBuy" | "size" | "limitPrice">,
    domain?: ExchangeDomain,
  ) {
    const order = buildOrder(
      { trader: (await signer.getAddress()) as Hex, marketId: MARKET, ...fields },
      BigInt(await time.latest()),
    );
    order.salt = ++salt;
    Object.assign(order, fields);
    return { order, signature: await signOrderEthers(signer, domain ?? f.domain, order) };
  }

  async function matcher(source: OrderSource, shell?: Shell) {
    const sh = shell ?? makeShell(provider, clock, { name: "matcher" });
    await networkHelpers.setBalance(sh.account.address, 10n ** 20n);
    const keeper = new MatcherKeeper({
      exchange: f.domain.verifyingContract,
      domain: f.domain,
      source,
      decide: { maxMakers: 8, expiryMarginSeconds: 5n },
      client: sh.client,
      sender: sh.sender,
      clock,
      log: silentLogger(),
      metrics: sh.metrics,
    });
    return { keeper, shell: sh };
  }

  it("matches a taker against several makers at their prices, then has nothing left to do", async function () {
    const source = new InMemoryOrderSource();
    const a1 = await signed(f.alice, { isBuy: false, size: 4n, limitPrice: 11n * E18 });
    const a2 = await signed(f.bob, { isBuy: false, size: 5n, limitPrice: 10n * E18 });
    const far = await signed(f.bob, { isBuy: false, size: 5n, limitPrice: 20n * E18 });
    const bid = await signed(f.carol, { isBuy: true, size: 7n, limitPrice: 12n * E18 });
    source.add(a1, a2, far, bid);
    await f.venue.setRecording(true);
    const { keeper, shell } = await matcher(source);
    await keeper.tick();
    expect(keeper.results.map((r) => r.status)).to.deep.equal(["confirmed"]);
    expect(await f.venue.positionSize(f.carol.address, MARKET)).to.equal(7n);
    expect(await f.venue.positionSize(f.bob.address, MARKET)).to.equal(-5n);
    expect(await f.venue.positionSize(f.alice.address, MARKET)).to.equal(-2n);
    expect((await f.venue.tradeAt(0)).price).to.equal(10n * E18);
    expect((await f.venue.tradeAt(1)).price).to.equal(11n * E18);
    // the bid completed: its nonce is used and it has nothing left
    expect(await f.exchange.isNonceUsed(bid.order.trader, bid.order.nonce)).to.equal(true);
    expect(await f.exchange.remaining(bid.order)).to.equal(0n);
    expect(await f.exchange.filled(hashOrder(f.domain, a1.order))).to.equal(2n);

    await keeper.tick();
    expect(keeper.results).to.have.length(1);
    expect(await ethers.provider.getTransactionCount(shell.account.address)).to.equal(1);
  });

  it("drops an order whose simulation reverts, with the decoded reason, and matches the rest", async function () {
    const source = new InMemoryOrderSource();
    // signed for another Exchange deployment: recovers to a stranger
    const wrongDomain = exchangeDomain(31337n, `0x${"11".repeat(20)}`);
    const forged = await signed(f.alice, { isBuy: false, size: 5n, limitPrice: 9n * E18 }, wrongDomain);
    const good = await signed(f.bob, { isBuy: false, size: 5n, limitPrice: 10n * E18 });
    const bid = await signed(f.carol, { isBuy: true, size: 5n, limitPrice: 10n * E18 });
    source.add(forged, good, bid);
    const { keeper } = await matcher(source);
    await keeper.tick();
    const forgedHash = hashOrder(f.domain, forged.order);
    expect(keeper.dropped.get(forgedHash)).to.match(/^UnauthorisedSigner\(/);
    expect(keeper.results.map((r) => r.status)).to.deep.equal(["simulation-failed"]);
    await keeper.tick();
    expect(keeper.results.map((r) => r.status)).to.deep.equal(["simulation-failed", "confirmed"]);
    expect(await f.venue.positionSize(f.bob.address, MARKET)).to.equal(-5n);
  });

  it("respects cancels, nonces, expiry and flags read from chain", async function () {
    const source = new InMemoryOrderSource();
    const cancelled = await signed(f.alice, { isBuy: false, size: 5n, limitPrice: 9n * E18 });
    await f.exchange.connect(f.alice).cancelOrders([cancelled.order]);
    const voided = await signed(f.dave, { isBuy: false, size: 5n, limitPrice: 9n * E18, nonce: 0n });
    await f.exchange.connect(f.dave).cancelUpTo(1n);
    const expiring = await signed(f.bob, {
      isBuy: false,
      size: 5n,
      limitPrice: 9n * E18,
      expiry: BigInt(await time.latest()) + 3n,
    });
    const reduceOnly = await signed(f.bob, {
      isBuy: false,
      size: 5n,
      limitPrice: 10n * E18,
      flags: OrderFlags.ReduceOnly,
    });
    const ioc = await signed(f.carol, {
      isBuy: true,
      size: 5n,
      limitPrice: 10n * E18,
      flags: OrderFlags.ImmediateOrCancel,
    });
    source.add(cancelled, voided, expiring, reduceOnly, ioc);
    const { keeper } = await matcher(source);
    await keeper.tick();
    expect(keeper.results).to.deep.equal([]); // bob holds no long position to reduce
    await f.venue.setPosition(f.bob.address, MARKET, 3n);
    await keeper.tick();
    expect(keeper.results.map((r) => r.status)).to.deep.equal(["confirmed"]);
    expect(await f.venue.positionSize(f.bob.address, MARKET)).to.equal(0n);
    expect(await f.exchange.isNonceUsed(ioc.order.trader, ioc.order.nonce)).to.equal(true); // IOC remainder voided
  });

  it("skips an order whose nonce another order of its trader used up", async function () {
    const source = new InMemoryOrderSource();
    const first = await signed(f.alice, { isBuy: false, size: 2n, limitPrice: 10n * E18, nonce: 42n });
    const sibling = await signed(f.alice, { isBuy: false, size: 5n, limitPrice: 10n * E18, nonce: 42n });
    await f.exchange.connect(f.bob).fillOrder(first.order, first.signature, 2n);
    const bid = await signed(f.carol, { isBuy: true, size: 5n, limitPrice: 10n * E18 });
    source.add(sibling, bid);
    const { keeper } = await matcher(source);
    await keeper.tick();
    expect(keeper.results).to.deep.equal([]);
    expect(keeper.dropped.size).to.equal(0);
  });

  it("reads orders from a JSON file, and a second matcher seeing the match done sends nothing", async function () {
    const dir = mkdtempSync(join(tmpdir(), "keepers-orders-"));
    const path = join(dir, "orders.json");
    const ask = await signed(f.alice, { isBuy: false, size: 3n, limitPrice: 10n * E18 });
    const bid = await signed(f.bob, { isBuy: true, size: 3n, limitPrice: 10n * E18 });
    writeFileSync(path, encodeOrders([ask, bid]));
    const first = await matcher(jsonFileOrderSource(path));
    const second = await matcher(jsonFileOrderSource(path), makeShell(provider, clock, { name: "second" }));
    await first.keeper.tick();
    await second.keeper.tick();
    expect(first.keeper.results.map((r) => r.status)).to.deep.equal(["confirmed"]);
    expect(second.keeper.results).to.deep.equal([]);
    expect(await ethers.provider.getTransactionCount(second.shell.account.address)).to.equal(0);
    writeFileSync(
      path,
      JSON.stringify([{ order: { ...ask.order, size: "x" }, signature: ask.signature }], (_k, v: unknown) =>
        typeof v === "bigint" ? v.toString() : v,
      ),
    );
    await jsonFileOrderSource(path)
      .list()
      .then(
        () => expect.fail("malformed file accepted"),
        (e: Error) => expect(e.message).to.contain("[0.order.size]"),
      );
  });
});
