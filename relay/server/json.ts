/** JSON for the wire: bigints as decimal strings; orders in their public form. */
import type { RelayOrder } from "../core/order.js";
import { orderToJson } from "../validate/schema.js";

export function stringify(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/** An order as the API shows it (the signature is not published). */
export function publicOrder(o: RelayOrder): Record<string, unknown> {
  return {
    hash: o.hash,
    order: orderToJson(o.order),
    state: o.state,
    filled: o.filled.toString(),
    remaining: (o.order.size - o.filled).toString(),
    reason: o.reason ?? null,
    seq: o.seq,
  };
}
