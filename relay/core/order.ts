/**
 * One order as the relay keeps it, and the pure steps of its life: a fill, a chain reconciliation
 * (what `filled`, `isNonceUsed` and `minNonce` say), expiry at chain time, a rejection by the chain.
 */
import type { Hex } from "viem";

import type { Order } from "../../sdk/core/eip712/orders.js";
import { isLive, move, type OrderState } from "./state.js";

export interface RelayOrder {
  /** EIP-712 digest, as `Exchange.hashOrder`. */
  hash: Hex;
  order: Order;
  signature: Hex;
  /** Arrival number (time priority): lower is older. */
  seq: number;
  state: OrderState;
  /** Contracts filled so far, from the Clearinghouse's `Traded` events that name this order. */
  filled: bigint;
  /** Why the order left the book when it did not fill (contract error name and arguments). */
  reason?: string;
}

/** An order filled beyond its size: the event stream and the book disagree. */
export class OverfillError extends Error {
  constructor(
    readonly hash: Hex,
    readonly size: bigint,
    readonly filled: bigint,
  ) {
    super(`order ${hash} would be filled ${filled} of ${size}`);
    this.name = "OverfillError";
  }
}

/** What is left to trade. */
export function remaining(o: RelayOrder): bigint {
  return o.order.size > o.filled ? o.order.size - o.filled : 0n;
}

/** The order after a fill of `size` contracts; throws `OverfillError` past its size. */
export function withFill(o: RelayOrder, size: bigint): RelayOrder {
  const filled = o.filled + size;
  if (filled > o.order.size) throw new OverfillError(o.hash, o.order.size, filled);
  const state = filled === o.order.size ? "filled" : "partially_filled";
  return { ...o, filled, state: move(o.state, state) };
}

/** The order in terminal state `state` with `reason`; an order already terminal is returned unchanged. */
export function withEnd(
  o: RelayOrder,
  state: "cancelled" | "expired" | "rejected" | "voided",
  reason: string,
): RelayOrder {
  if (!isLive(o.state)) return o;
  return { ...o, state: move(o.state, state), reason };
}

/** What the chain says about an order's trader and nonce. */
export interface ChainOrderView {
  /** `filled(hash)`: what an incomplete order filled so far (zero again once it completes). */
  filledOnChain: bigint;
  nonceUsed: boolean;
  minNonce: bigint;
  /** An `OrderCancelled` event names this very order. */
  cancelled: boolean;
}

/**
 * The order as the chain has it at `now` (chain seconds): cancelled, voided by a used nonce or
 * `cancelUpTo`, filled, expired, or still live with what `filled(hash)` reports.
 */
export function reconcile(o: RelayOrder, view: ChainOrderView, now: bigint): RelayOrder {
  if (!isLive(o.state)) return o;
  let next = o;
  if (view.filledOnChain > next.filled && view.filledOnChain <= next.order.size) {
    next = withFill(next, view.filledOnChain - next.filled);
    if (!isLive(next.state)) return next;
  }
  if (view.cancelled) return withEnd(next, "cancelled", "OrderCancelled");
  if (next.order.nonce < view.minNonce) {
    return withEnd(next, "voided", `OrderNonceBelowMinimum(${next.order.nonce}, ${view.minNonce})`);
  }
  if (view.nonceUsed) {
    return withEnd(next, "voided", `OrderNonceUsed(${next.order.trader}, ${next.order.nonce})`);
  }
  if (next.order.expiry <= now) {
    return withEnd(next, "expired", `OrderExpired(${next.order.expiry}, ${now})`);
  }
  return next;
}
