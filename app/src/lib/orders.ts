/**
 * A placed order's life on the relay, for the ticket: which of two answers about one order is newer
 * (states only move forward: open → partially filled → one terminal state), and the line that says
 * where it is now.
 */
import type { RelayOrder, RelayOrderState } from "../../../sdk/relay/client.js";
import { contracts } from "./format.js";

/** Whether the order can still trade (it rests in the book). */
export function isLive(o: Pick<RelayOrder, "state">): boolean {
  return o.state === "open" || o.state === "partially_filled";
}

function rank(state: RelayOrderState): number {
  return state === "open" ? 0 : state === "partially_filled" ? 1 : 2;
}

/**
 * The later of two answers about the same order: the one further along its states, or with more
 * filled. A late HTTP answer never moves a filled order back to open. Answers about different orders:
 * the first.
 */
export function furthest(a: RelayOrder, b: RelayOrder): RelayOrder {
  if (a.hash.toLowerCase() !== b.hash.toLowerCase()) return a;
  if (rank(b.state) !== rank(a.state)) return rank(b.state) > rank(a.state) ? b : a;
  return b.filled > a.filled ? b : a;
}

/**
 * Where the order is now, in words.
 * @example placedOrderWords(order) // "filled: 2 contracts of 2"
 */
export function placedOrderWords(o: RelayOrder): string {
  const size = o.order.size;
  switch (o.state) {
    case "open":
      return `open in the book: ${contracts(size)}, none filled yet`;
    case "partially_filled":
      return `partially filled: ${contracts(o.filled)} of ${size.toString()}, the rest open in the book`;
    case "filled":
      return `filled: ${contracts(o.filled)} of ${size.toString()}`;
    case "cancelled":
      return `cancelled${o.filled > 0n ? ` after ${contracts(o.filled)} filled` : ""}`;
    case "expired":
      return `expired${o.filled > 0n ? ` after ${contracts(o.filled)} filled` : " without a fill"}`;
    case "rejected":
      return `rejected by the chain${o.reason ? ` (${o.reason})` : ""}`;
    case "voided":
      return `voided${o.reason ? ` (${o.reason})` : ""}`;
  }
}
