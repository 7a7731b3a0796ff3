/**
 * Shared plumbing of the write actions: simulate, turn a revert into its typed error, then send.
 */
import type { Account, Chain, Client, Hash, Transport } from "viem";

import { decodeContractError } from "../../core/errors/decode.js";

/** A client that can sign and send: a wallet client with an account (hoisted or local). */
export type WriteClient = Client<Transport, Chain | undefined, Account>;

/** A client that can read: any public or wallet client. */
export type ReadClient = Client<Transport, Chain | undefined>;

/** What every write action returns: the transaction hash and the value the call returned in simulation. */
export interface WriteResult<TResult> {
  /** Hash of the sent transaction (not yet mined: wait for it with `waitForTransactionReceipt`). */
  hash: Hash;
  /** The function's return value as simulated against the latest block. */
  result: TResult;
}

/**
 * Throws the typed protocol error behind `err` (see `decodeContractError`), or `err` itself when it is
 * not a revert.
 */
export function throwDecoded(err: unknown): never {
  throw decodeContractError(err) ?? err;
}
