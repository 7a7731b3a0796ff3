import type { Address } from "viem";
import { getChainId, multicall } from "viem/actions";

import { exchangeAbi } from "../../abi/generated/exchange.js";
import { exchangeDomain, hashOrder, type Order } from "../../core/eip712/orders.js";
import type { OrderHash } from "../../core/ids.js";
import { throwDecoded, type ReadClient, type ActionErrorType } from "../internal/send.js";
import { batchTarget } from "../oracle/readIndex.js";

/** Parameters of `readFilled`. */
export interface ReadFilledParameters {
  /** The Exchange. */
  address: Address;
  orders: readonly Order[];
  blockNumber?: bigint;
  /** A deployed Multicall3; deployless multicall when left out. */
  multicallAddress?: Address;
}

/**
 * Per order, in the order asked: its hash; `filled`, what it filled so far while incomplete (the Exchange
 * clears it once the order completes); `nonceUsed`, whether its trader's nonce is used up (the order, or
 * another order of the trader with the same nonce, completed, was cancelled or voided); and `remaining`,
 * what it may still fill (zero once the nonce is used or below the trader's `minNonce`; expiry, flags and
 * signature are not considered).
 */
export type ReadFilledReturnType = {
  orderHash: OrderHash;
  filled: bigint;
  nonceUsed: boolean;
  remaining: bigint;
}[];

/**
 * What `readFilled` throws: the Exchange's `filled`, `isNonceUsed` and `remaining` never revert, so only
 * `ActionErrorType`.
 */
export type ReadFilledErrorType = ActionErrorType;

/**
 * Reads `filled(hash)`, `isNonceUsed(trader, nonce)` and `remaining(order)` of many orders in one batched
 * call.
 * @example
 * const [{ remaining, nonceUsed }] = await readFilled(publicClient, { address, orders: [order] });
 */
export async function readFilled(
  client: ReadClient,
  params: ReadFilledParameters,
): Promise<ReadFilledReturnType> {
  if (params.orders.length === 0) return [];
  const domain = exchangeDomain(await getChainId(client), params.address);
  const hashes = params.orders.map((order) => hashOrder(domain, order));
  const target = { address: params.address, abi: exchangeAbi } as const;
  const results = await multicall(client, {
    contracts: params.orders.flatMap((order, i) => [
      { ...target, functionName: "filled" as const, args: [hashes[i]] as const },
      { ...target, functionName: "isNonceUsed" as const, args: [order.trader, order.nonce] as const },
      { ...target, functionName: "remaining" as const, args: [order] as const },
    ]),
    allowFailure: true,
    blockNumber: params.blockNumber,
    ...batchTarget(params.multicallAddress),
  });
  return hashes.map((orderHash, i) => {
    const [filled, nonceUsed, remaining] = results.slice(3 * i, 3 * i + 3);
    for (const r of [filled, nonceUsed, remaining]) if (r.status === "failure") throwDecoded(r.error);
    return {
      orderHash,
      filled: filled.result as bigint,
      nonceUsed: nonceUsed.result as boolean,
      remaining: remaining.result as bigint,
    };
  });
}
