import { erc20Abi, parseSignature, type Address, type Hash } from "viem";
import {
  getBlock,
  readContract,
  signTypedData,
  simulateContract,
  waitForTransactionReceipt,
  writeContract,
} from "viem/actions";

import { clearinghouseAbi } from "../../abi/generated/clearinghouse.js";
import { permitTypedData } from "../../core/eip712/permit.js";
import { TransactionRevertedError } from "../../core/errors/SdkError.js";
import { throwDecoded, type WriteClient, type WriteResult, type ActionErrorType } from "../internal/send.js";
import type { ClearinghouseDepositRevert } from "../../core/errors/reverts.js";
import { isContractAccount, permitReadsAbi, readPermitDomain } from "./permitDomain.js";

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
   * When the allowance is short: `"auto"` (the default) signs an EIP-2612 permit and deposits in one
   * transaction (`depositWithPermit`) when the token supports it, else approves first; `"never"` always
   * approves. A deposit for another `account` always approves (`depositWithPermit` credits the caller),
   * and so does a smart-contract wallet (an account with code other than an EIP-7702 delegation): an
   * EIP-2612 permit is checked by `ecrecover`, which a contract's (EIP-1271) signature never passes.
   */
  permit?: "auto" | "never";
  /** Seconds the permit stays valid, counted from the latest block's timestamp (default 3,600). */
  permitValidFor?: bigint;
  /**
   * What to approve when the allowance is short and no permit is used: `"exact"` (the amount, the
   * default) or `"max"` (`2^256 − 1`, so later deposits need no approval).
   */
  approve?: "exact" | "max";
}

/** The deposit's hash; the approval's when one was needed (already mined when returned); whether a permit was used. */
export interface DepositReturnType extends WriteResult<void> {
  approveHash: Hash | undefined;
  permitUsed: boolean;
}

/**
 * What `deposit` throws: the Clearinghouse's deposit reverts (`ClearinghouseDepositRevert`), or
 * `ActionErrorType` (the collateral token's own errors, e.g. OpenZeppelin's `ERC20InsufficientBalance`, are
 * `UnknownContractError`). An approval that is mined but reverts throws `TransactionRevertedError` (action
 * `"approve"`, its hash), and no deposit is sent.
 */
export type DepositErrorType = ClearinghouseDepositRevert | ActionErrorType | TransactionRevertedError;

/**
 * Deposits collateral (`deposit`, or `depositFor` when `account` is given). When the Clearinghouse's
 * allowance is short, it signs an EIP-2612 permit and sends one `depositWithPermit` when the token supports
 * permits (see `readPermitDomain`) and the caller is not a smart-contract wallet, else it first sends `approve` and waits for it to be mined, since the
 * deposit's simulation needs it. Every call is simulated first; a revert throws its typed error
 * (`ZeroAmountError`, `NothingReceivedError`, `PermitFailedError`, `ERC20InsufficientBalanceError`, …)
 * without sending.
 * @example
 * const { hash, permitUsed } = await deposit(wallet, { address: book.clearinghouse, amount: 1_000_000_000n });
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
    const base = {
      account: client.account,
      chain: client.chain,
      address: params.address,
      abi: clearinghouseAbi,
    };
    const short = allowance < params.amount;
    if (
      short &&
      params.account === undefined &&
      (params.permit ?? "auto") === "auto" &&
      !(await isContractAccount(client, owner))
    ) {
      const domain = await readPermitDomain(client, token);
      if (domain !== undefined) {
        const nonce = await readContract(client, {
          address: token,
          abi: permitReadsAbi,
          functionName: "nonces",
          args: [owner],
        });
        const { timestamp } = await getBlock(client);
        const deadline = timestamp + (params.permitValidFor ?? 3_600n);
        const signature = await signTypedData(client, {
          account: client.account,
          ...permitTypedData(domain, {
            owner,
            spender: params.address,
            value: params.amount,
            nonce,
            deadline,
          }),
        });
        const { r, s, v, yParity } = parseSignature(signature);
        const { request } = await simulateContract(client, {
          ...base,
          functionName: "depositWithPermit",
          args: [params.amount, deadline, Number(v ?? BigInt(yParity + 27)), r, s],
        });
        return {
          hash: await writeContract(client, request),
          result: undefined,
          approveHash: undefined,
          permitUsed: true,
        };
      }
    }
    let approveHash: Hash | undefined;
    if (short) {
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
      if (receipt.status !== "success") throw new TransactionRevertedError("approve", approveHash);
    }
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
    return { hash, result: undefined, approveHash, permitUsed: false };
  } catch (err) {
    throwDecoded(err);
  }
}
