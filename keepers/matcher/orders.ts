/**
 * Where the matcher gets signed orders: in memory (an embedding process adds them) or a JSON file of
 * `[{ order, signature }]` re-read every tick (integers as decimal strings or numbers).
 */
import { readFileSync } from "node:fs";

import { z } from "zod";

import type { Order } from "../../sdk/core/eip712/orders.js";

export interface SignedOrder {
  order: Order;
  signature: `0x${string}`;
}

/** Signed orders in arrival order (the list index is the time priority). */
export interface OrderSource {
  readonly location: string;
  list(): Promise<SignedOrder[]>;
}

export class InMemoryOrderSource implements OrderSource {
  readonly location = "memory";
  private readonly orders: SignedOrder[] = [];
  add(...orders: SignedOrder[]): void {
    this.orders.push(...orders);
  }
  async list(): Promise<SignedOrder[]> {
    return [...this.orders];
  }
}

const hex = (bytes: number) =>
  z
    .string()
    .regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`))
    .transform((s) => s as `0x${string}`);
const uint = z
  .union([z.string().regex(/^(0|[1-9][0-9]*)$/), z.number().int().nonnegative()])
  .transform((v) => BigInt(v));

export const signedOrderSchema = z.object({
  order: z.object({
    trader: hex(20),
    marketId: hex(32),
    isBuy: z.boolean(),
    size: uint,
    limitPrice: uint,
    expiry: uint,
    nonce: uint,
    salt: uint,
    flags: z.number().int().min(0).max(255),
  }),
  signature: z
    .string()
    .regex(/^0x([0-9a-fA-F]{2})*$/)
    .transform((s) => s as `0x${string}`),
});

/** Orders from a JSON file. A malformed file throws, naming the bad entry and field. */
export function jsonFileOrderSource(path: string): OrderSource {
  return {
    location: path,
    list: async () => {
      const parsed = z.array(signedOrderSchema).safeParse(JSON.parse(readFileSync(path, "utf8")));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`orders file ${path}: [${issue.path.join(".")}] ${issue.message}`);
      }
      return parsed.data;
    },
  };
}

/** The JSON form of signed orders, for writing an orders file. */
export function encodeOrders(orders: readonly SignedOrder[]): string {
  return JSON.stringify(orders, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}
