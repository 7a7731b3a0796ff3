/**
 * The file matcher's orders file (JSON signed orders), read and written atomically by
 * `atf order place|list|cancel --orders-file`.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

import { encodeOrders, signedOrderSchema, type SignedOrder } from "../keepers/matcher/orders.js";
import { InputError } from "./errors.js";

/** The orders in `file`; a missing or empty file holds none. */
export function readOrdersFile(file: string): SignedOrder[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const parsed = signedOrderSchema.array().safeParse(JSON.parse(text === "" ? "[]" : text));
  if (!parsed.success)
    throw new InputError(`orders file ${file} is malformed: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

/** Replaces the file's orders (written to a temporary file, then renamed). */
export function writeOrdersFile(file: string, orders: readonly SignedOrder[]): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, encodeOrders(orders) + "\n");
  renameSync(tmp, file); // atomic: the matcher never reads half a file
}
