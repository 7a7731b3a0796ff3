import type { Address } from "viem";
import { simulateContract, writeContract } from "viem/actions";

import { clearinghouseAbi } from "../../abi/generated/clearinghouse.js";
import { throwDecoded, type WriteClient, type WriteResult } from "../internal/send.js";

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
 * Withdraws `amount` collateral units to the caller (`withdraw`). Needs `amount <= balance` and initial
 * margin afterwards (`InsufficientBalanceError`, `InsufficientMarginError`).
 * Simulates first and throws the typed error without sending.
 * @example
 * await withdraw(wallet, { address: book.clearinghouse, amount: 500_000_000n });
 */
export async function withdraw(client: WriteClient, params: WithdrawParameters): Promise<WithdrawReturnType> {
  try {
    const { request } = await simulateContract(client, {
      account: client.account,
      chain: client.chain,
      address: params.address,
      abi: clearinghouseAbi,
      functionName: "withdraw",
      args: [params.amount],
    });
    return { hash: await writeContract(client, request), result: undefined };
  } catch (err) {
    throwDecoded(err);
  }
}
