import type { Address } from "viem";

import { exchangeAbi } from "../../abi/generated/exchange.js";
import {
  simulateAndSend,
  type WriteClient,
  type WriteResult,
  type ActionErrorType,
} from "../internal/send.js";
import type { ExchangeCancelUpToRevert } from "../../core/errors/reverts.js";

/** Parameters of `cancelUpTo`. */
export interface CancelUpToParameters {
  /** The Exchange. */
  address: Address;
  /** Every order of the caller with a nonce below this is void; must exceed the current minimum. */
  newMinNonce: bigint;
}

/** The transaction hash. */
export type CancelUpToReturnType = WriteResult<void>;

/**
 * What `cancelUpTo` throws: the typed reverts of the contract function it calls
 * (`ExchangeCancelUpToRevert`), or `ActionErrorType`.
 */
export type CancelUpToErrorType = ExchangeCancelUpToRevert | ActionErrorType;

/**
 * Voids all of the caller's orders with `nonce < newMinNonce` at once (`Exchange.cancelUpTo`).
 * Simulates first and throws `NonceNotIncreasingError` without sending.
 * @example
 * await cancelUpTo(makerClient, { address, newMinNonce: 10n });
 */
export async function cancelUpTo(
  client: WriteClient,
  params: CancelUpToParameters,
): Promise<CancelUpToReturnType> {
  return simulateAndSend(client, {
    address: params.address,
    abi: exchangeAbi,
    functionName: "cancelUpTo",
    args: [params.newMinNonce],
  });
}
