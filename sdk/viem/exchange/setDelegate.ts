import type { Address } from "viem";

import { exchangeAbi } from "../../abi/generated/exchange.js";
import {
  simulateAndSend,
  type WriteClient,
  type WriteResult,
  type ActionErrorType,
} from "../internal/send.js";
import type { ExchangeSetDelegateRevert } from "../../core/errors/reverts.js";

/** Parameters of `setDelegate`. */
export interface SetDelegateParameters {
  /** The Exchange. */
  address: Address;
  /** The key allowed to sign and cancel the caller's orders. */
  delegate: Address;
  /** `true` to approve, `false` to revoke. */
  approved: boolean;
}

/** The transaction hash. */
export type SetDelegateReturnType = WriteResult<void>;

/**
 * What `setDelegate` throws: the typed reverts of the contract function it calls
 * (`ExchangeSetDelegateRevert`), or `ActionErrorType`.
 */
export type SetDelegateErrorType = ExchangeSetDelegateRevert | ActionErrorType;

/**
 * Approves or revokes a delegate signer for the caller's orders (`Exchange.setDelegate`). Simulates
 * first and throws `InvalidDelegateError` without sending.
 * @example
 * await setDelegate(traderClient, { address, delegate: hotKey.address, approved: true });
 */
export async function setDelegate(
  client: WriteClient,
  params: SetDelegateParameters,
): Promise<SetDelegateReturnType> {
  return simulateAndSend(client, {
    address: params.address,
    abi: exchangeAbi,
    functionName: "setDelegate",
    args: [params.delegate, params.approved],
  });
}
