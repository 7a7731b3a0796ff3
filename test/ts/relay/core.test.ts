import { expect } from "chai";
import fc from "fast-check";
import { keccak256, toHex, type Hex } from "viem";

import { MarketBook } from "../../../relay/core/book.js";
import { applyMatch, planRound, unrestable } from "../../../relay/core/match.js";
import { reconcile, withFill, OverfillError, type RelayOrder } from "../../../relay/core/order.js";
import {
  canMove,
  move,
  ORDER_STATES,
  StateTransitionError,
  type OrderState,
} from "../../../relay/core/state.js";
import { orderHasher } from "../../../relay/validate/hash.js";
import { exchangeDomain, hashOrder, OrderFlags, type Order } from "../../../sdk/core/eip712/orders.js";

const MARKET = keccak256(toHex("market")) as Hex;
const TRADERS = [1, 2, 3, 4].map((i) => `0x${i.toString(16).padStart(40, "0")}` as Hex);
const CONFIG = { maxMakers: 3, expiryMarginSeconds: 0n };

let counter = 0;
function relayOrder(fields: Partial<Order> & { seq?: number }): RelayOrder {
  counter += 1;
  const order: Order = {
    trader: TRADERS[0],
    marketId: MARKET,
    isBuy: true,
    size: 5n,
    limitPrice: 10n,
    expiry: 1_000_000n,
    nonce: BigInt(counter),
    salt: BigInt(counter),
    flags: 0,
    ...fields,
  };
  return {
    hash: keccak256(toHex(`order-${counter}`)),
    order,
    signature: "0x",
    seq: fields.seq ?? counter,
    state: "open",
    filled: 0n,
  };
}

describe("relay core: order state machine", function () {
  it("moves only forward", function () {
    for (const from of ORDER_STATES) {
      for (const to of ORDER_STATES) {
        const forward = (from === "open" && to !== "open") || (from === "partially_filled" && to !== "open");
        expect(canMove(from, to), `${from} → ${to}`).to.equal(forward);
      }
    }
    expect(() => move("filled", "open")).to.throw(StateTransitionError, /from filled to open/);
  });

  it("fills partially, then fully, and refuses an overfill", function () {
    const o = relayOrder({ size: 5n });
    const part = withFill(o, 2n);
    expect(part.state).to.equal("partially_filled");
    const full = withFill(part, 3n);
    expect(full.state).to.equal("filled");
    expect(() => withFill(part, 4n)).to.throw(OverfillError);
  });

  it("reconciles with the chain: cancel, cancelUpTo, used nonce, expiry by chain time", function () {
    const o = relayOrder({ nonce: 7n, expiry: 100n });
    const view = { filledOnChain: 0n, nonceUsed: false, minNonce: 0n, cancelled: false };
    expect(reconcile(o, view, 50n).state).to.equal("open");
    expect(reconcile(o, { ...view, cancelled: true, nonceUsed: true }, 50n).state).to.equal("cancelled");
    const below = reconcile(o, { ...view, minNonce: 8n }, 50n);
    expect(below.state).to.equal("voided");
    expect(below.reason).to.match(/^OrderNonceBelowMinimum\(7, 8\)/);
    expect(reconcile(o, { ...view, nonceUsed: true }, 50n).reason).to.match(/^OrderNonceUsed/);
    expect(reconcile(o, view, 100n).state).to.equal("expired");
    const partly = reconcile(o, { ...view, filledOnChain: 2n }, 50n);
    expect(partly).to.include({ state: "partially_filled", filled: 2n });
  });
});

describe("relay core: book", function () {
  it("aggregates levels, numbers updates and gives the depth best first", function () {
    const book = new MarketBook(MARKET);
    const a = relayOrder({ isBuy: true, limitPrice: 10n, size: 3n });
    const b = relayOrder({ isBuy: true, limitPrice: 10n, size: 2n, trader: TRADERS[1] });
    const c = relayOrder({ isBuy: false, limitPrice: 12n, size: 4n, trader: TRADERS[2] });
    expect(book.put(a)?.seq).to.equal(1);
    expect(book.put(b)).to.deep.equal({
      marketId: MARKET,
      seq: 2,
      changes: [{ side: "bid", price: 10n, size: 5n }],
    });
    book.put(c);
    book.put(relayOrder({ isBuy: true, limitPrice: 11n, size: 1n, trader: TRADERS[3] }));
    expect(book.depth(10)).to.deep.include({
      seq: 4,
      bids: [
        [11n, 1n],
        [10n, 5n],
      ],
      asks: [[12n, 4n]],
    });
    expect(book.put(withFill(a, 3n))?.changes).to.deep.equal([{ side: "bid", price: 10n, size: 2n }]);
    expect(book.crossed()).to.equal(false);
  });

  it("refuses a post-only order that would take and an order crossing its own trader", function () {
    const book = new MarketBook(MARKET);
    book.put(relayOrder({ isBuy: false, limitPrice: 10n, trader: TRADERS[1] }));
    const post = relayOrder({ isBuy: true, limitPrice: 10n, flags: OrderFlags.PostOnly });
    expect(book.admissionRefusal(post)?.error).to.equal("PostOnlyCannotTake");
    const self = relayOrder({ isBuy: true, limitPrice: 11n, trader: TRADERS[1] });
    expect(book.admissionRefusal(self)?.error).to.equal("SelfTrade");
    expect(book.admissionRefusal(relayOrder({ isBuy: true, limitPrice: 9n }))).to.equal(undefined);
    // orders still being stored count as resting
    const storing = relayOrder({ isBuy: false, limitPrice: 8n, trader: TRADERS[2] });
    const post9 = relayOrder({ isBuy: true, limitPrice: 9n, flags: OrderFlags.PostOnly });
    expect(book.admissionRefusal(post9)).to.equal(undefined);
    expect(book.admissionRefusal(post9, [storing])?.error).to.equal("PostOnlyCannotTake");
    const selfStoring = relayOrder({ isBuy: true, limitPrice: 9n, trader: TRADERS[2] });
    expect(book.admissionRefusal(selfStoring, [storing])?.error).to.equal("SelfTrade");
  });
});

describe("relay core: matching round (properties)", function () {
  const orderArb = fc.record({
    trader: fc.integer({ min: 0, max: 3 }),
    isBuy: fc.boolean(),
    size: fc.bigInt({ min: 1n, max: 20n }),
    price: fc.bigInt({ min: 5n, max: 15n }),
    flags: fc.constantFrom(
      OrderFlags.None,
      OrderFlags.None,
      OrderFlags.PostOnly,
      OrderFlags.ImmediateOrCancel,
      OrderFlags.FillOrKill,
    ),
    // how many arrivals before the next matching round
    roundAfter: fc.boolean(),
  });

  it("never leaves the book crossed, never overfills, and only moves states forward", function () {
    fc.assert(
      fc.property(fc.array(orderArb, { minLength: 1, maxLength: 40 }), (arrivals) => {
        const book = new MarketBook(MARKET);
        const all = new Map<Hex, RelayOrder>();
        const history = new Map<Hex, OrderState[]>();
        const record = (o: RelayOrder) => {
          all.set(o.hash, o);
          history.set(o.hash, [...(history.get(o.hash) ?? []), o.state]);
          book.put(o);
        };
        const round = () => {
          const actions = planRound(book.live(), new Map(), 1n, CONFIG);
          for (const action of actions) {
            for (const next of applyMatch(all, action)) {
              expect(next.filled <= next.order.size).to.equal(true);
              record(next);
            }
          }
          for (const o of unrestable(book.live())) record(o);
          expect(book.crossed(), "book crossed after a round").to.equal(false);
        };
        arrivals.forEach((a, i) => {
          const o = relayOrder({
            trader: TRADERS[a.trader],
            isBuy: a.isBuy,
            size: a.size,
            limitPrice: a.price,
            flags: a.flags,
            seq: i,
          });
          if (book.admissionRefusal(o) === undefined) record(o);
          if (a.roundAfter) round();
        });
        round();
        for (const [hash, states] of history) {
          for (let i = 1; i < states.length; i++) {
            expect(canMove(states[i - 1], states[i]), `${hash}: ${states.join(" → ")}`).to.equal(true);
          }
        }
        for (const o of all.values()) expect(o.filled <= o.order.size).to.equal(true);
      }),
      { numRuns: 300 },
    );
  });

  it("isolates an excluded order: the others still match", function () {
    const junk = relayOrder({ isBuy: false, limitPrice: 8n, size: 5n, trader: TRADERS[1] });
    const good = relayOrder({ isBuy: false, limitPrice: 10n, size: 5n, trader: TRADERS[2] });
    const bid = relayOrder({ isBuy: true, limitPrice: 10n, size: 5n, trader: TRADERS[3] });
    const first = planRound([junk, good, bid], new Map(), 1n, CONFIG);
    expect(first[0].makers.map((m) => m.hash)).to.deep.equal([junk.hash]);
    const retry = planRound([junk, good, bid], new Map(), 1n, CONFIG, new Set([junk.hash]));
    expect(retry).to.have.length(1);
    expect(retry[0].taker.hash).to.equal(bid.hash);
    expect(retry[0].makers.map((m) => m.hash)).to.deep.equal([good.hash]);
  });
});

describe("relay core: order digest", function () {
  it("hashes every order exactly as the SDK's hashOrder (and so as Exchange.hashOrder)", function () {
    const domain = exchangeDomain(31337n, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
    const fast = orderHasher(domain);
    const word = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });
    fc.assert(
      fc.property(
        fc.record({
          trader: fc.integer({ min: 0, max: TRADERS.length - 1 }),
          marketId: fc.uint8Array({ minLength: 32, maxLength: 32 }),
          isBuy: fc.boolean(),
          size: word(128),
          limitPrice: word(256),
          expiry: word(256),
          nonce: word(256),
          salt: word(256),
          flags: fc.integer({ min: 0, max: 255 }),
        }),
        (r) => {
          const order: Order = { ...r, trader: TRADERS[r.trader], marketId: toHex(r.marketId) };
          expect(fast(order)).to.equal(hashOrder(domain, order));
        },
      ),
      { numRuns: 200 },
    );
  });
});
