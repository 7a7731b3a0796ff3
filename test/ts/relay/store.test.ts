/**
 * The relay's store on the embedded database file: orders inserted in groups on the writer thread get
 * consecutive arrival numbers, a hash already stored is left out, and writes from the event loop and
 * from the writer thread started together all land (one write transaction at a time, none refused).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { keccak256, toHex, type Hex } from "viem";

import type { RelayOrder } from "../../../relay/core/order.js";
import { openDb } from "../../../relay/store/db.js";
import { RelayStore } from "../../../relay/store/store.js";

function order(i: number): RelayOrder {
  return {
    hash: keccak256(toHex(`store-${i}`)),
    order: {
      trader: `0x${"11".repeat(20)}` as Hex,
      marketId: keccak256(toHex("market")),
      isBuy: i % 2 === 0,
      size: 5n,
      limitPrice: 10n ** 18n + BigInt(i),
      expiry: 2n ** 40n,
      nonce: BigInt(i),
      salt: BigInt(i),
      flags: 0,
    },
    signature: `0x${"ab".repeat(65)}` as Hex,
    seq: 0,
    state: "open",
    filled: 0n,
  };
}

describe("relay store on the embedded database file", function () {
  let dir: string;
  let store: RelayStore;

  beforeEach(async function () {
    dir = mkdtempSync(join(tmpdir(), "relay-store-"));
    store = new RelayStore(openDb(join(dir, "relay.db")));
    await store.migrate();
  });

  afterEach(async function () {
    await store.db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("numbers a group consecutively, leaves out a hash already stored, and keeps every row", async function () {
    const first = await store.insertOrders([order(1), order(2), order(3)], 1_000);
    expect(first.map((o) => o.seq)).to.deep.equal([1, 2, 3]);
    const again = await store.insertOrders([order(2), order(4)], 2_000);
    expect(again.map((o) => [o.hash, o.seq])).to.deep.equal([[order(4).hash, 5]]);
    const live = await store.liveOrders();
    expect(live.map((o) => o.hash)).to.deep.equal([1, 2, 3, 4].map((i) => order(i).hash));
    expect(live[3]).to.deep.include({ seq: 5, filled: 0n, state: "open", acceptedMs: 2_000 });
    expect(live[3].order).to.deep.equal(order(4).order);
    const { orders, version } = await store.changedSince(0);
    expect(orders).to.have.length(4);
    expect(version).to.equal(await store.version());
  });

  it("serialises writes started together on the event loop and the writer thread", async function () {
    await store.insertOrders([order(1)], 1_000);
    const filled = { ...order(1), seq: 1, filled: 5n, state: "filled" as const };
    await Promise.all([
      store.insertOrders([order(2), order(3)], 2_000),
      store.updateOrders([filled], 2_000),
      store.setCursor({ block: 7, hash: keccak256(toHex("block")) }),
      store.insertOrders([order(4)], 2_000),
      store.forgetChain(),
    ]);
    expect((await store.liveOrders()).map((o) => o.seq)).to.deep.equal([2, 3, 4]);
    expect((await store.order(order(1).hash))?.state).to.equal("filled");
  });
});
