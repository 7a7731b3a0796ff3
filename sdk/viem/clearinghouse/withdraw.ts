import type { Address } from "viem";

import { clearinghouseAbi } from "../../abi/generated/clearinghouse.js";
import {
  simulateAndSend,
  type WriteClient,
  type WriteResult,
  type ActionErrorType,
} from "../internal/send.js";
import type { ClearinghouseWithdrawRevert } from "../../core/errors/reverts.js";

/** Parameters of `withdraw`. */
export interface WithdrawParameters {
  /** The Clearinghouse. */
  address: Address;
  /** Collateral units. */
  amount: bigint;
}

/** The transaction hash. */
export type WithdrawReturnType = WriteResult<void>;

/**
 * What `withdraw` throws: the typed reverts of the contract function it calls
 * (`ClearinghouseWithdrawRevert`), or `ActionErrorType`.
 */
export type WithdrawErrorType = ClearinghouseWithdrawRevert | ActionErrorType;

/**
 * Withdraws `amount` collateral units to the caller (`withdraw`). Needs `amount <= balance` and initial
 * margin afterwards (`InsufficientBalanceError`, `InsufficientMarginError`).
 * Simulates first and throws the typed error without sending.
 * @example
 * await withdraw(wallet, { address: book.clearinghouse, amount: 500_000_000n });
 */
export async function withdraw(client: WriteClient, params: WithdrawParameters): Promise<WithdrawReturnType> {
  return simulateAndSend(client, {
    address: params.address,
    abi: clearinghouseAbi,
    functionName: "withdraw",
    args: [params.amount],
  });
}
