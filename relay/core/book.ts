/**
 * The relay's books: per market, the live orders in price-time priority and the depth aggregated per
 * price level. Every change to a level bumps the market's sequence number, so a client holding a
 * snapshot at `seq` applies updates `seq + 1, seq + 2, …` and sees a gap when one is missing.
 */
import type { Hex } from "viem";

import { byPriority } from "../../keepers/matcher/decide.js";
import { OrderFlags } from "../../sdk/core/eip712/orders.js";
import { remaining, type RelayOrder } from "./order.js";
import { isLive } from "./state.js";

export type Side = "bid" | "ask";

/** A price level's new total (zero: the level is gone). */
export interface LevelChange {
  side: Side;
  price: bigint;
  size: bigint;
}

/** One book update: the changes that take the market from `seq − 1` to `seq`. */
export interface BookUpdate {
  marketId: Hex;
  seq: number;
  changes: LevelChange[];
}

export interface DepthSnapshot {
  marketId: Hex;
  seq: number;
  /** Best first: `[price, size]`. */
  bids: [bigint, bigint][];
  asks: [bigint, bigint][];
}

const sideOf = (o: RelayOrder): Side => (o.order.isBuy ? "bid" : "ask");

export class MarketBook {
  private readonly orders = new Map<Hex, RelayOrder>();
  private readonly levels: Record<Side, Map<bigint, bigint>> = { bid: new Map(), ask: new Map() };
  seq = 0;

  constructor(readonly marketId: Hex) {}

  get size(): number {
    return this.orders.size;
  }

  get(hash: Hex): RelayOrder | undefined {
    return this.orders.get(hash);
  }

  /** Live orders, price-time priority per side (bids then asks). */
  live(): RelayOrder[] {
    const all = [...this.orders.values()];
    return [
      ...all.filter((o) => o.order.isBuy).sort(byPriority),
      ...all.filter((o) => !o.order.isBuy).sort(byPriority),
    ];
  }

  /**
   * Puts the order's new version in the book (a live order rests with what it has left; a terminal
   * one leaves). Returns the update when a level changed.
   */
  put(o: RelayOrder): BookUpdate | undefined {
    const before = this.orders.get(o.hash);
    const changes = new Map<string, LevelChange & { was: bigint }>();
    const shift = (x: RelayOrder, sign: 1n | -1n) => {
      const amount = remaining(x);
      if (amount === 0n) return;
      const side = sideOf(x);
      const level = this.levels[side];
      const was = level.get(x.order.limitPrice) ?? 0n;
      const total = was + sign * amount;
      if (total === 0n) level.delete(x.order.limitPrice);
      else level.set(x.order.limitPrice, total);
      const key = `${side}:${x.order.limitPrice}`;
      const first = changes.get(key)?.was ?? was;
      changes.set(key, { side, price: x.order.limitPrice, size: total, was: first });
    };
    if (before !== undefined) {
      shift(before, -1n);
      this.orders.delete(o.hash);
    }
    if (isLive(o.state) && remaining(o) > 0n) {
      this.orders.set(o.hash, o);
      shift(o, 1n);
    }
    const list = [...changes.values()]
      .filter((c) => c.size !== c.was)
      .map(({ side, price, size }) => ({ side, price, size }));
    if (list.length === 0) return undefined;
    this.seq += 1;
    return { marketId: this.marketId, seq: this.seq, changes: list };
  }

  best(side: Side): bigint | undefined {
    let best: bigint | undefined;
    for (const price of this.levels[side].keys()) {
      if (best === undefined || (side === "bid" ? price > best : price < best)) best = price;
    }
    return best;
  }

  /** Whether some bid is at or above some ask. */
  crossed(): boolean {
    const bid = this.best("bid");
    const ask = this.best("ask");
    return bid !== undefined && ask !== undefined && bid >= ask;
  }

  /**
   * The orders that can take part in a match now: bids at or above the best ask, asks at or below the
   * best bid (empty when the book does not cross).
   */
  crossing(): RelayOrder[] {
    const bid = this.best("bid");
    const ask = this.best("ask");
    if (bid === undefined || ask === undefined || bid < ask) return [];
    return [...this.orders.values()].filter((o) =>
      o.order.isBuy ? o.order.limitPrice >= ask : o.order.limitPrice <= bid,
    );
  }

  /** The `levels` best levels of each side. */
  depth(levels: number): DepthSnapshot {
    const sorted = (side: Side): [bigint, bigint][] =>
      [...this.levels[side].entries()]
        .sort((a, b) => (side === "bid" ? (a[0] > b[0] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
        .slice(0, levels);
    return { marketId: this.marketId, seq: this.seq, bids: sorted("bid"), asks: sorted("ask") };
  }

  /**
   * Why `o` may not rest in this book, or undefined: a post-only order that would cross takes
   * (`PostOnlyCannotTake`), and an order crossing its own trader's resting order would self-trade
   * (`SelfTrade`). `pending`: orders accepted but not yet resting (being stored), judged as resting.
   */
  admissionRefusal(
    o: RelayOrder,
    pending: Iterable<RelayOrder> = [],
  ): { error: string; args: Record<string, string> } | undefined {
    const crossesPrice = (other: RelayOrder) =>
      other.order.isBuy !== o.order.isBuy &&
      (o.order.isBuy
        ? other.order.limitPrice <= o.order.limitPrice
        : other.order.limitPrice >= o.order.limitPrice);
    const postOnly = (o.order.flags & OrderFlags.PostOnly) !== 0;
    const trader = o.order.trader.toLowerCase();
    // the common case: nothing resting on the other side reaches this price
    const opposite = this.best(o.order.isBuy ? "ask" : "bid");
    const reaches =
      opposite !== undefined &&
      (o.order.isBuy ? opposite <= o.order.limitPrice : opposite >= o.order.limitPrice);
    const resting = reaches ? this.orders.values() : [];
    for (const other of [...resting, ...pending]) {
      if (!crossesPrice(other)) continue;
      if (other.order.trader.toLowerCase() === trader) {
        return { error: "SelfTrade", args: { trader: o.order.trader, restingOrder: other.hash } };
      }
      if (postOnly) return { error: "PostOnlyCannotTake", args: { orderHash: o.hash } };
    }
    return undefined;
  }
}

/** Every market's book, with an index from a live order's hash to its book. */
export class Books {
  private readonly books = new Map<string, MarketBook>();
  private readonly byHash = new Map<string, MarketBook>();

  market(marketId: Hex): MarketBook {
    const key = marketId.toLowerCase();
    let book = this.books.get(key);
    if (book === undefined) {
      book = new MarketBook(key as Hex);
      this.books.set(key, book);
    }
    return book;
  }

  all(): MarketBook[] {
    return [...this.books.values()];
  }

  /** Live orders in every book. */
  get size(): number {
    return this.byHash.size;
  }

  find(hash: Hex): RelayOrder | undefined {
    return this.byHash.get(hash.toLowerCase())?.get(hash.toLowerCase() as Hex);
  }

  put(o: RelayOrder): BookUpdate | undefined {
    const book = this.market(o.order.marketId);
    const update = book.put(o);
    const key = o.hash.toLowerCase();
    if (book.get(o.hash) !== undefined) this.byHash.set(key, book);
    else this.byHash.delete(key);
    return update;
  }
}
