import { erc20Abi, type Address, type Hash } from "viem";
import { readContract, simulateContract, waitForTransactionReceipt, writeContract } from "viem/actions";

import { clearinghouseAbi } from "../../abi/generated/clearinghouse.js";
import { throwDecoded, type WriteClient, type WriteResult } from "../internal/send.js";

/** Parameters of `deposit`. */
export interface DepositParameters {
  /** The Clearinghouse. */
  address: Address;
  /** Collateral units (the token's smallest unit). */
  amount: bigint;
  /** Credit this account instead of the caller (`depositFor`); the caller still pays. */
  account?: Address;
  /** The collateral token; read from `Clearinghouse.collateral()` when left out. */
  collateral?: Address;
  /**
   * What to approve when the allowance is short: `"exact"` (the amount, the default) or `"max"`
   * (`2^256 − 1`, so later deposits need no approval).
   */
  approve?: "exact" | "max";
}

/** The deposit's hash, and the approval's when one was needed (already mined when returned). */
export interface DepositReturnType extends WriteResult<void> {
  approveHash: Hash | undefined;
}

/**
 * Deposits collateral (`deposit`, or `depositFor` when `account` is given). When the Clearinghouse's
 * allowance is short it first sends `approve` and waits for it to be mined, since the deposit's
 * simulation needs it. Both calls are simulated first; a revert throws its typed error
 * (`ZeroAmountError`, `NothingReceivedError`, `ERC20InsufficientBalanceError`, …) without sending.
 *
 * There is no EIP-2612 `permit` path: the Clearinghouse has no entry point taking a permit, so a
 * permit could only be submitted as its own transaction, which saves nothing over `approve`.
 * @example
 * const { hash, approveHash } = await deposit(wallet, { address: book.clearinghouse, amount: 1_000_000_000n });
 */
export async function deposit(client: WriteClient, params: DepositParameters): Promise<DepositReturnType> {
  try {
    const token =
      params.collateral ??
      (await readContract(client, {
        address: params.address,
        abi: clearinghouseAbi,
        functionName: "collateral",
      }));
    const owner = client.account.address;
    const allowance = await readContract(client, {
      address: token,
      abi: erc20Abi,
      functionName: "allowance",
      args: [owner, params.address],
    });
    let approveHash: Hash | undefined;
    if (allowance < params.amount) {
      const value = params.approve === "max" ? 2n ** 256n - 1n : params.amount;
      const { request } = await simulateContract(client, {
        account: client.account,
        chain: client.chain,
        address: token,
        abi: erc20Abi,
        functionName: "approve",
        args: [params.address, value],
      });
      approveHash = await writeContract(client, request);
      const receipt = await waitForTransactionReceipt(client, { hash: approveHash });
      if (receipt.status !== "success") throw new Error(`approve ${approveHash} reverted`);
    }
    const base = {
      account: client.account,
      chain: client.chain,
      address: params.address,
      abi: clearinghouseAbi,
    };
    let hash: Hash;
    if (params.account === undefined) {
      const { request } = await simulateContract(client, {
        ...base,
        functionName: "deposit",
        args: [params.amount],
      });
      hash = await writeContract(client, request);
    } else {
      const { request } = await simulateContract(client, {
        ...base,
        functionName: "depositFor",
        args: [params.account, params.amount],
      });
      hash = await writeContract(client, request);
    }
    return { hash, result: undefined, approveHash };
  } catch (err) {
    throwDecoded(err);
  }
}
