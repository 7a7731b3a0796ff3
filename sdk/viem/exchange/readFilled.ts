import type { Address, Hex } from "viem";
import { multicall } from "viem/actions";

import { exchangeAbi } from "../../abi/generated/exchange.js";
import type { OrderHash } from "../../core/ids.js";
import { throwDecoded, type ReadClient } from "../internal/send.js";
import { batchTarget } from "../oracle/readIndex.js";

/** Parameters of `readFilled`. */
export interface ReadFilledParameters {
  /** The Exchange. */
  address: Address;
  orderHashes: readonly Hex[];
  blockNumber?: bigint;
  /** A deployed Multicall3; deployless multicall when left out. */
  multicallAddress?: Address;
}

/** Per order, in the order asked: contracts filled so far and whether it was cancelled. */
export type ReadFilledReturnType = { orderHash: OrderHash; filled: bigint; cancelled: boolean }[];

/**
 * Reads `filled(hash)` and `isCancelled(hash)` of many orders in one batched call.
 * @example
 * const [{ filled, cancelled }] = await readFilled(publicClient, { address, orderHashes: [hash] });
 */
export async function readFilled(
  client: ReadClient,
  params: ReadFilledParameters,
): Promise<ReadFilledReturnType> {
  if (params.orderHashes.length === 0) return [];
  const target = { address: params.address, abi: exchangeAbi } as const;
  const results = await multicall(client, {
    contracts: params.orderHashes.flatMap((hash) => [
      { ...target, functionName: "filled" as const, args: [hash] as const },
      { ...target, functionName: "isCancelled" as const, args: [hash] as const },
    ]),
    allowFailure: true,
    blockNumber: params.blockNumber,
    ...batchTarget(params.multicallAddress),
  });
  return params.orderHashes.map((hash, i) => {
    const filled = results[2 * i];
    const cancelled = results[2 * i + 1];
    if (filled.status === "failure") throwDecoded(filled.error);
    if (cancelled.status === "failure") throwDecoded(cancelled.error);
    return {
      orderHash: hash as OrderHash,
      filled: filled.result as bigint,
      cancelled: cancelled.result as boolean,
    };
  });
}
