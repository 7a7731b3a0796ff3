import type { Address, Hex } from "viem";
import { getChainId, readContract } from "viem/actions";

import {
  safeAbi,
  safeOrderApprovalTransaction,
  safeTransactionHash,
  safeTransactionTypedData,
  type SafeTransaction,
} from "../../core/eip712/safe.js";
import type { OrderHash } from "../../core/ids.js";
import { throwDecoded, type ReadClient } from "../internal/send.js";

/** Parameters of `prepareSafeOrderApproval`. */
export interface PrepareSafeOrderApprovalParameters {
  /** The Safe (1.3 / 1.4.1, with `CompatibilityFallbackHandler` as its fallback handler) that is the order's trader. */
  safe: Address;
  /** `SignMessageLib` of the Safe's version, deployed on this chain. */
  signMessageLib: Address;
  /** The order's hash under the Exchange's domain (`hashOrder(exchangeDomain(chainId, exchange), order)`). */
  orderHash: OrderHash | Hex;
  /** The Safe nonce to sign for; the Safe's current `nonce()` when left out. */
  nonce?: bigint;
}

/** The approval transaction, the typed data its owners sign, and that data's digest. */
export interface PrepareSafeOrderApprovalReturnType {
  transaction: SafeTransaction;
  typedData: ReturnType<typeof safeTransactionTypedData>;
  /** What `Safe.getTransactionHash` returns for `transaction` (owners may sign it as a raw hash). */
  safeTxHash: Hex;
  chainId: bigint;
}

/**
 * Builds the Safe transaction that approves `orderHash` on chain (a delegatecall of
 * `SignMessageLib.signMessage(orderHash)`) at the Safe's current nonce, with the typed data each owner
 * signs. Hand `transaction` to the owners' own tooling, or collect their signatures of `typedData` and
 * send it with `executeSafeTransaction`. Afterwards the order trades with the empty signature
 * `SAFE_ON_CHAIN_SIGNATURE`.
 * @example
 * const { transaction, typedData } = await prepareSafeOrderApproval(publicClient, { safe, signMessageLib, orderHash });
 * const signatures = [{ owner: a.address, signature: await a.signTypedData(typedData) }, …];
 * await executeSafeTransaction(wallet, { safe, transaction, signatures });
 */
export async function prepareSafeOrderApproval(
  client: ReadClient,
  params: PrepareSafeOrderApprovalParameters,
): Promise<PrepareSafeOrderApprovalReturnType> {
  // Validates the addresses, hash and nonce before any request.
  safeTransactionTypedData(
    params.safe,
    1n,
    safeOrderApprovalTransaction({ ...params, nonce: params.nonce ?? 0n }),
  );
  let nonce = params.nonce;
  let chainId: bigint;
  try {
    chainId = BigInt(await getChainId(client));
    nonce ??= await readContract(client, { address: params.safe, abi: safeAbi, functionName: "nonce" });
  } catch (err) {
    throwDecoded(err);
  }
  const transaction = safeOrderApprovalTransaction({ ...params, nonce });
  return {
    transaction,
    typedData: safeTransactionTypedData(params.safe, chainId, transaction),
    safeTxHash: safeTransactionHash(params.safe, chainId, transaction),
    chainId,
  };
}
