import type { Address, Hex } from "viem";
import { getChainId, readContract } from "viem/actions";

import { safeAbi, safeMessageHash } from "../../core/eip712/safe.js";
import type { OrderHash } from "../../core/ids.js";
import { throwDecoded, type ReadClient } from "../internal/send.js";

/** Parameters of `readSafeOrderApproval`. */
export interface ReadSafeOrderApprovalParameters {
  safe: Address;
  orderHash: OrderHash | Hex;
  blockNumber?: bigint;
}

/**
 * Whether the Safe approved `orderHash` on chain (`signedMessages(safeMessageHash(...)) != 0`), i.e.
 * whether the order's empty signature `SAFE_ON_CHAIN_SIGNATURE` is accepted. Throws
 * `InvalidArgumentError` for a malformed address or hash.
 * @example
 * if (await readSafeOrderApproval(publicClient, { safe, orderHash })) await relay.placeOrder({ order, signature: "0x" });
 */
export async function readSafeOrderApproval(
  client: ReadClient,
  params: ReadSafeOrderApprovalParameters,
): Promise<boolean> {
  // Validates the address and hash before any request.
  safeMessageHash(params.safe, 1n, params.orderHash);
  try {
    const chainId = await getChainId(client);
    const hash = safeMessageHash(params.safe, chainId, params.orderHash);
    const flag = await readContract(client, {
      address: params.safe,
      abi: safeAbi,
      functionName: "signedMessages",
      args: [hash],
      blockNumber: params.blockNumber,
    });
    return flag !== 0n;
  } catch (err) {
    throwDecoded(err);
  }
}
