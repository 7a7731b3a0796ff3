/**
 * The wire form of `POST /orders`: `{ order, signature }` with integers as decimal strings (or safe
 * JSON integers), each bounded by its Solidity type, and a signature of at most 1,024 bytes (an EOA
 * signature is 65; EIP-1271 wallets may use more).
 */
import type { Hex } from "viem";
import { z } from "zod";

import type { Order } from "../../sdk/core/eip712/orders.js";
import { Refusal } from "./refusal.js";

const MAX_SIGNATURE_BYTES = 1024;

const hex = (bytes: number) =>
  z
    .string()
    .regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`), `0x and ${bytes * 2} hex digits`)
    .transform((s) => s as Hex);

const uint = (bits: number) =>
  z
    .union([
      z.string().regex(/^(0|[1-9][0-9]{0,77})$/, "a decimal integer string"),
      z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    ])
    .transform((v) => BigInt(v))
    .refine((v) => v < 1n << BigInt(bits), `at most 2^${bits} − 1 (uint${bits})`);

export const orderSchema = z
  .object({
    trader: hex(20),
    marketId: hex(32),
    isBuy: z.boolean(),
    size: uint(128),
    limitPrice: uint(256),
    expiry: uint(256),
    nonce: uint(256),
    salt: uint(256),
    flags: z.number().int().min(0).max(255),
  })
  .strict();

export const signedOrderBody = z
  .object({
    order: orderSchema,
    signature: z
      .string()
      .regex(/^0x([0-9a-fA-F]{2})*$/, "0x and an even number of hex digits")
      .max(2 + 2 * MAX_SIGNATURE_BYTES, `at most ${MAX_SIGNATURE_BYTES} bytes`)
      .transform((s) => s as Hex),
  })
  .strict();

export interface SignedOrderInput {
  order: Order;
  signature: Hex;
}

/** Parses a request body; a bad one is a `400 InvalidOrder` naming the first bad field. */
export function parseSignedOrder(body: unknown): SignedOrderInput {
  const parsed = signedOrderBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join(".") || "(body)";
    throw new Refusal(400, "InvalidOrder", { field, problem: issue.message }, `${field}: ${issue.message}`);
  }
  return parsed.data;
}

/** The JSON form of an order (integers as decimal strings). */
export function orderToJson(order: Order): Record<string, string | number | boolean> {
  return {
    trader: order.trader,
    marketId: order.marketId,
    isBuy: order.isBuy,
    size: order.size.toString(),
    limitPrice: order.limitPrice.toString(),
    expiry: order.expiry.toString(),
    nonce: order.nonce.toString(),
    salt: order.salt.toString(),
    flags: order.flags,
  };
}
