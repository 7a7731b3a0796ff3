/**
 * The matching choice: which `matchOrders` calls to make from a market's crossing orders, reusing the
 * matcher keeper's pure `decideMatcher` (price-time priority, taker choice, nonce bookkeeping), and
 * what a confirmed match does to the orders. An order the chain refuses is set aside (`excluded`) and
 * the round decided again without it, so it never blocks, drops or reorders anyone else's order.
 */
import type { Hex } from "viem";

import {
  decideMatcher,
  type BookOrder,
  type MatchAction,
  type MatcherConfig,
} from "../../keepers/matcher/decide.js";
import { OrderFlags } from "../../sdk/core/eip712/orders.js";
import { withEnd, withFill, type RelayOrder } from "./order.js";
import { isLive } from "./state.js";

export type { MatchAction, MatcherConfig };

/** Chain facts one order's match needs (read just before deciding). */
export interface MatchView {
  nonceUsed: boolean;
  minNonce: bigint;
  /** The trader's position in the order's market (reduce-only capacity). */
  position: bigint;
}

/** The relay order as the matcher's decision sees it. */
export function toBookOrder(o: RelayOrder, view: MatchView): BookOrder {
  return {
    order: o.order,
    signature: o.signature,
    hash: o.hash,
    seq: o.seq,
    filled: o.filled,
    nonceUsed: view.nonceUsed,
    minNonce: view.minNonce,
    position: view.position,
  };
}

const FREE: MatchView = { nonceUsed: false, minNonce: 0n, position: 0n };

/** The matches to send for `orders` at chain time `now`, leaving out the `excluded` hashes. */
export function planRound(
  orders: readonly RelayOrder[],
  views: ReadonlyMap<Hex, MatchView>,
  now: bigint,
  config: MatcherConfig,
  excluded: ReadonlySet<Hex> = new Set(),
): MatchAction[] {
  const book = orders
    .filter((o) => isLive(o.state) && !excluded.has(o.hash))
    .map((o) => toBookOrder(o, views.get(o.hash) ?? FREE));
  return decideMatcher(book, now, config);
}

/** What one confirmed match did to its orders: each taker and maker after its fill. */
export function applyMatch(orders: ReadonlyMap<Hex, RelayOrder>, action: MatchAction): RelayOrder[] {
  const out: RelayOrder[] = [];
  const total = action.fillSizes.reduce((s, x) => s + x, 0n);
  action.makers.forEach((m, i) => {
    const current = orders.get(m.hash);
    if (current !== undefined) out.push(withFill(current, action.fillSizes[i]));
  });
  const taker = orders.get(action.taker.hash);
  if (taker !== undefined) {
    let next = withFill(taker, total);
    if ((next.order.flags & OrderFlags.ImmediateOrCancel) !== 0) {
      next = withEnd(next, "voided", `OrderRemainderVoided(${next.filled}, ${next.order.size})`);
    }
    out.push(next);
  }
  return out;
}

/** Immediate orders (IOC, FOK) a round left live: they cannot rest. */
export function unrestable(orders: readonly RelayOrder[]): RelayOrder[] {
  return orders
    .filter(
      (o) =>
        isLive(o.state) && (o.order.flags & (OrderFlags.ImmediateOrCancel | OrderFlags.FillOrKill)) !== 0,
    )
    .map((o) => withEnd(o, "expired", `ImmediateOrderCannotRest(${o.hash})`));
}
