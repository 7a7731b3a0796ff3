import { erc20Abi, parseAbi, parseSignature, type Address, type Hash, type TypedDataDomain } from "viem";
import {
  getBlock,
  getChainId,
  getCode,
  readContract,
  signTypedData,
  simulateContract,
  waitForTransactionReceipt,
  writeContract,
} from "viem/actions";

import { clearinghouseAbi } from "../../abi/generated/clearinghouse.js";
import { domainMatchesSeparator, permitTypedData } from "../../core/eip712/permit.js";
import {
  throwDecoded,
  type ReadClient,
  type WriteClient,
  type WriteResult,
  type ActionErrorType,
} from "../internal/send.js";
import type { ClearinghouseDepositRevert } from "../../core/errors/reverts.js";

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
 * `UnknownContractError`). An approval that is mined but reverts throws a plain `Error` (`approve <hash>
 * reverted`).
 */
export type DepositErrorType = ClearinghouseDepositRevert | ActionErrorType;

/** The reads that tell whether a token supports EIP-2612 and under which EIP-712 domain. */
const permitReadsAbi = parseAbi([
  "function DOMAIN_SEPARATOR() view returns (bytes32)",
  "function nonces(address owner) view returns (uint256)",
  "function version() view returns (string)",
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)",
]);

/**
 * The EIP-712 domain of `token`'s `permit`, or `undefined` when the token has no EIP-2612 support the SDK can
 * verify: the name and version come from ERC-5267 `eip712Domain()` or from `name()` and `version()` (version
 * "1" when absent), and the domain is used only if it hashes to the token's `DOMAIN_SEPARATOR()`.
 */
export async function readPermitDomain(
  client: ReadClient,
  token: Address,
): Promise<TypedDataDomain | undefined> {
  const read = <T>(functionName: "DOMAIN_SEPARATOR" | "version" | "eip712Domain") =>
    readContract(client, { address: token, abi: permitReadsAbi, functionName }) as Promise<T>;
  let separator: `0x${string}`;
  try {
    separator = await read<`0x${string}`>("DOMAIN_SEPARATOR");
  } catch {
    return undefined;
  }
  const chainId = await getChainId(client);
  let name: string;
  let version: string;
  try {
    [, name, version] = await read<readonly [string, string, string]>("eip712Domain");
  } catch {
    name = await readContract(client, { address: token, abi: erc20Abi, functionName: "name" });
    version = await read<string>("version").catch(() => "1");
  }
  const domain: TypedDataDomain = { name, version, chainId, verifyingContract: token };
  return domainMatchesSeparator(domain, separator) ? domain : undefined;
}

/** The code prefix of an EIP-7702 delegated EOA, whose key still signs (so a permit works). */
const EIP7702_DESIGNATOR = "0xef0100";

/** Whether `account` is a smart-contract wallet: it has code that is not an EIP-7702 delegation. */
async function isContractAccount(client: ReadClient, account: Address): Promise<boolean> {
  const code = await getCode(client, { address: account });
  return code !== undefined && code !== "0x" && !code.toLowerCase().startsWith(EIP7702_DESIGNATOR);
}

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
      if (receipt.status !== "success") throw new Error(`approve ${approveHash} reverted`);
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
