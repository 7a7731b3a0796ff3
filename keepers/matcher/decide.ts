/**
 * The matcher's decision, pure: from the signed orders it knows and their on-chain fill state, which
 * `matchOrders` calls to make. Price-time priority per market; the taker of a cross is the order that
 * cannot rest (immediate-or-cancel, fill-or-kill) or else the newer one, never a post-only order; makers
 * are the resting orders on the other side that cross the taker's limit, best price first, oldest first.
 *
 * A nonce names one order on the Exchange: once an order completes, is cancelled or (IOC) voided, every
 * order of its trader with the same nonce is void. An order whose nonce is used on chain is treated as
 * filled/cancelled, and within one decision an order this round completes (or voids) uses up its nonce for
 * the rest of the round, so no planned match carries an order the chain would reject.
 */
import type { Hex } from "viem";

import { OrderFlags, type Order } from "../../sdk/core/eip712/orders.js";

/** One order as the matcher sees it. */
export interface BookOrder {
  order: Order;
  signature: Hex;
  hash: Hex;
  /** Arrival order in the source: lower is older (time priority). */
  seq: number;
  /** `filled(hash)` on chain: what an incomplete order filled so far (zero again once it completes). */
  filled: bigint;
  /**
   * `isNonceUsed(trader, nonce)` on chain: the order (or another order of its trader with the same nonce)
   * completed, was cancelled or was voided; the order cannot fill any more.
   */
  nonceUsed: boolean;
  /** `minNonce(trader)` on chain. */
  minNonce: bigint;
  /** The trader's live position in the order's market (reduce-only capacity). */
  position: bigint;
}

export interface MatcherConfig {
  /** Most makers in one `matchOrders` call. */
  maxMakers: number;
  /** Orders expiring within this many seconds are left alone (they could expire before mining). */
  expiryMarginSeconds: bigint;
}

export interface MatchAction {
  type: "match";
  marketId: Hex;
  taker: BookOrder;
  makers: BookOrder[];
  fillSizes: bigint[];
}

/** The `Exchange.matchOrders` arguments of a match: taker, its signature, makers, theirs, fill sizes. */
export function matchOrdersArgs(action: MatchAction) {
  return [
    action.taker.order,
    action.taker.signature,
    action.makers.map((m) => m.order),
    action.makers.map((m) => m.signature),
    action.fillSizes,
  ] as const;
}

const KNOWN_FLAGS =
  OrderFlags.ReduceOnly | OrderFlags.PostOnly | OrderFlags.ImmediateOrCancel | OrderFlags.FillOrKill;

const has = (o: BookOrder, flag: number) => (o.order.flags & flag) !== 0;
const cannotRest = (o: BookOrder) => has(o, OrderFlags.ImmediateOrCancel) || has(o, OrderFlags.FillOrKill);

/** Whether the flag combination is one the Exchange accepts. */
export function validFlags(flags: number): boolean {
  if ((flags & ~KNOWN_FLAGS) !== 0) return false;
  const ioc = (flags & OrderFlags.ImmediateOrCancel) !== 0;
  const fok = (flags & OrderFlags.FillOrKill) !== 0;
  const post = (flags & OrderFlags.PostOnly) !== 0;
  return !(ioc && fok) && !(post && (ioc || fok));
}

/** Contracts the order can still trade: what is left, capped for reduce-only by the live position. */
export function capacity(o: BookOrder, now: bigint, config: MatcherConfig): bigint {
  const { order } = o;
  if (o.nonceUsed || order.nonce < o.minNonce || order.expiry <= now + config.expiryMarginSeconds) return 0n;
  if (!validFlags(order.flags) || order.size === 0n) return 0n;
  const left = order.size > o.filled ? order.size - o.filled : 0n;
  if (!has(o, OrderFlags.ReduceOnly)) return left;
  // a reduce-only buy needs a short position, a sell a long one, and never crosses zero
  const reducible = order.isBuy ? (o.position < 0n ? -o.position : 0n) : o.position > 0n ? o.position : 0n;
  return left < reducible ? left : reducible;
}

/** Price-time priority: the better limit price first, then the older arrival (`seq`). */
export const byPriority = (
  a: Pick<BookOrder, "order" | "seq">,
  b: Pick<BookOrder, "order" | "seq">,
): number => {
  if (a.order.limitPrice !== b.order.limitPrice) {
    const better = a.order.isBuy
      ? a.order.limitPrice > b.order.limitPrice
      : a.order.limitPrice < b.order.limitPrice;
    return better ? -1 : 1;
  }
  return a.seq - b.seq;
};

/** Decides every match at `now` (unix seconds). */
export function decideMatcher(
  orders: readonly BookOrder[],
  now: bigint,
  config: MatcherConfig,
): MatchAction[] {
  const actions: MatchAction[] = [];
  const markets = new Map<string, BookOrder[]>();
  for (const o of orders) {
    const list = markets.get(o.order.marketId.toLowerCase()) ?? [];
    list.push(o);
    markets.set(o.order.marketId.toLowerCase(), list);
  }
  for (const book of markets.values()) actions.push(...matchMarket(book, now, config));
  return actions;
}

/** The key of an order's (trader, nonce) pair: what the Exchange's replay protection tracks. */
const nonceKey = (o: BookOrder) => `${o.order.trader.toLowerCase()}:${o.order.nonce}`;

function matchMarket(book: readonly BookOrder[], now: bigint, config: MatcherConfig): MatchAction[] {
  const left = new Map<Hex, bigint>();
  for (const o of book) left.set(o.hash, capacity(o, now, config));
  const excluded = new Set<Hex>();
  // (trader, nonce) pairs this round uses up: every other order with the pair is void from then on
  const spent = new Set<string>();
  const spend = (o: BookOrder) => spent.add(nonceKey(o));
  const live = (o: BookOrder) =>
    (left.get(o.hash) ?? 0n) > 0n && !excluded.has(o.hash) && !spent.has(nonceKey(o));
  const bids = book.filter((o) => o.order.isBuy).sort(byPriority);
  const asks = book.filter((o) => !o.order.isBuy).sort(byPriority);
  const actions: MatchAction[] = [];
  for (;;) {
    const bid = bids.find(live);
    const ask = asks.find(live);
    if (bid === undefined || ask === undefined || bid.order.limitPrice < ask.order.limitPrice) break;
    const taker = chooseTaker(bid, ask);
    if (taker === undefined) {
      // two post-only orders cross: neither may take; set the newer aside for this tick
      excluded.add(bid.seq > ask.seq ? bid.hash : ask.hash);
      continue;
    }
    const makers: BookOrder[] = [];
    const fillSizes: bigint[] = [];
    let want = left.get(taker.hash) as bigint;
    for (const maker of taker.order.isBuy ? asks : bids) {
      if (want === 0n || makers.length >= config.maxMakers) break;
      if (!live(maker) || maker.hash === taker.hash || cannotRest(maker)) continue;
      if (maker.order.trader.toLowerCase() === taker.order.trader.toLowerCase()) continue;
      const crosses = taker.order.isBuy
        ? maker.order.limitPrice <= taker.order.limitPrice
        : maker.order.limitPrice >= taker.order.limitPrice;
      if (!crosses) break; // sorted by price: no later maker crosses either
      const available = left.get(maker.hash) as bigint;
      const size = available < want ? available : want;
      makers.push(maker);
      fillSizes.push(size);
      want -= size;
      // a maker this fill completes uses up its nonce: later makers of this call must not share it
      if (maker.filled + size === maker.order.size) spend(maker);
    }
    const total = fillSizes.reduce((s, x) => s + x, 0n);
    const fokShort = has(taker, OrderFlags.FillOrKill) && (taker.filled !== 0n || total !== taker.order.size);
    if (makers.length === 0 || fokShort) {
      // nothing is sent: the makers' nonces were not used after all
      makers.forEach((m, i) => {
        if (m.filled + fillSizes[i] === m.order.size) spent.delete(nonceKey(m));
      });
      excluded.add(taker.hash);
      continue;
    }
    left.set(taker.hash, (left.get(taker.hash) as bigint) - total);
    makers.forEach((m, i) => left.set(m.hash, (left.get(m.hash) as bigint) - fillSizes[i]));
    // an IOC taker's remainder is voided by the Exchange; a taker that completes uses up its nonce
    if (has(taker, OrderFlags.ImmediateOrCancel)) left.set(taker.hash, 0n);
    if (has(taker, OrderFlags.ImmediateOrCancel) || taker.filled + total === taker.order.size) spend(taker);
    actions.push({ type: "match", marketId: taker.order.marketId, taker, makers, fillSizes });
  }
  return actions;
}

function chooseTaker(bid: BookOrder, ask: BookOrder): BookOrder | undefined {
  const candidates = [bid, ask].filter((o) => !has(o, OrderFlags.PostOnly));
  if (candidates.length === 0) return undefined;
  const urgent = candidates.find(cannotRest);
  if (urgent !== undefined) return urgent;
  return candidates.reduce((a, b) => (a.seq > b.seq ? a : b));
}
