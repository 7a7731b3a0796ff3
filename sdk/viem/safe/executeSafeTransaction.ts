import { isHex, size, type Address, type Hex } from "viem";

import {
  encodeSafeSignatures,
  safeAbi,
  safeTransactionArgs,
  safeTransactionTypedData,
  type SafeOwnerSignature,
  type SafeTransaction,
} from "../../core/eip712/safe.js";
import { InvalidArgumentError } from "../../core/errors/SdkError.js";
import { simulateAndSend, type WriteClient, type WriteResult } from "../internal/send.js";

/** Parameters of `executeSafeTransaction`. */
export interface ExecuteSafeTransactionParameters {
  safe: Address;
  /** The transaction the owners signed (its `nonce` must be the Safe's current one). */
  transaction: SafeTransaction;
  /**
   * At least `threshold` owners' 65-byte signatures of the transaction's typed data (or of its
   * `safeTxHash`): a list, sorted here by owner, or already concatenated in ascending owner order.
   */
  signatures: readonly SafeOwnerSignature[] | Hex;
}

/** The transaction hash and whether the Safe's inner call succeeded (always `true`: see below). */
export type ExecuteSafeTransactionReturnType = WriteResult<boolean>;

/**
 * Sends `Safe.execTransaction` for `transaction` with the owners' signatures; any account may send it.
 * Simulates first: a refusal by the Safe (`GS013` the inner call failed, `GS020`/`GS026` too few or
 * wrong signatures, a stale nonce) is thrown as `UnknownContractError` with the Safe's reason string,
 * and nothing is sent. Throws `InvalidArgumentError` for a malformed transaction or signature list.
 * @example
 * const { hash } = await executeSafeTransaction(wallet, { safe, transaction, signatures });
 */
export async function executeSafeTransaction(
  client: WriteClient,
  params: ExecuteSafeTransactionParameters,
): Promise<ExecuteSafeTransactionReturnType> {
  // Field checks (the chain id does not matter here).
  safeTransactionTypedData(params.safe, 1n, params.transaction);
  const signatures =
    typeof params.signatures === "string" ? params.signatures : encodeSafeSignatures(params.signatures);
  // A contract owner's signature carries dynamic data after the 65-byte parts, so only the minimum is checked.
  if (!isHex(signatures, { strict: true }) || signatures.length % 2 !== 0 || size(signatures) < 65) {
    throw new InvalidArgumentError("signatures", params.signatures, "at least one 65-byte owner signature");
  }
  const t = params.transaction;
  return simulateAndSend(client, {
    address: params.safe,
    abi: safeAbi,
    functionName: "execTransaction",
    args: [...safeTransactionArgs(t), signatures],
  });
}
