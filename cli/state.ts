/**
 * The CLI's local state: the next order nonce per (chain, exchange, trader), persisted in a JSON file
 * so that every order the CLI signs carries its own nonce. A nonce then names exactly one order, as
 * the Exchange may require, and `order cancel --all-below-nonce` voids exactly the orders below it.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

import type { Address } from "viem";

type State = { nonces: Record<string, string> };

function read(file: string): State {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<State>;
    return { nonces: parsed.nonces ?? {} };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { nonces: {} };
    throw err;
  }
}

function write(file: string, state: State): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n");
  renameSync(tmp, file);
}

const keyOf = (chainId: number, exchange: Address, trader: Address) =>
  `${chainId}:${exchange.toLowerCase()}:${trader.toLowerCase()}`;

/**
 * Reserves the next nonce: at least the stored counter, the chain's `minNonce` and one above every
 * nonce already used in the orders file; stores it + 1.
 */
export function reserveNonce(
  file: string,
  key: { chainId: number; exchange: Address; trader: Address },
  floor: bigint,
): bigint {
  const state = read(file);
  const k = keyOf(key.chainId, key.exchange, key.trader);
  const stored = BigInt(state.nonces[k] ?? "0");
  const nonce = stored > floor ? stored : floor;
  state.nonces[k] = (nonce + 1n).toString();
  write(file, state);
  return nonce;
}
