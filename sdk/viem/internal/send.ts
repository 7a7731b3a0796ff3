/**
 * Shared plumbing of the write actions: simulate, turn a revert into its typed error, then send.
 */
import type {
  Abi,
  Account,
  Address,
  Chain,
  Client,
  ContractFunctionArgs,
  ContractFunctionName,
  ContractFunctionReturnType,
  Hash,
  Transport,
} from "viem";
import type { BaseError } from "viem";
import { simulateContract, writeContract } from "viem/actions";

import type { UnknownContractError } from "../../core/errors/contract.js";
import { decodeContractError } from "../../core/errors/decode.js";

/** A client that can sign and send: a wallet client with an account (hoisted or local). */
export type WriteClient = Client<Transport, Chain | undefined, Account>;

/** A client that can read: any public or wallet client. */
export type ReadClient = Client<Transport, Chain | undefined>;

/** What every write action returns: the transaction hash and the value the call returned in simulation. */
export interface WriteResult<TResult> {
  /** Hash of the sent transaction (not yet mined: wait for it with `waitForTransactionReceipt`). */
  hash: Hash;
  /** The function's return value as simulated against the latest block. */
  result: TResult;
}

/**
 * What any action that calls a contract can throw besides the function's typed reverts: a revert no
 * protocol ABI describes (`UnknownContractError`: a token's own error, a panic, a wrong address) and
 * viem's errors for everything that is not a revert (transport, RPC, signing, decoding), which all
 * extend viem's `BaseError`. Each action's `…ErrorType` is its reverts' union plus this.
 */
export type ActionErrorType = UnknownContractError | BaseError;

/**
 * Throws the typed protocol error behind `err` (see `decodeContractError`), or `err` itself when it is
 * not a revert.
 */
export function throwDecoded(err: unknown): never {
  throw decodeContractError(err) ?? err;
}

type Mutability = "nonpayable" | "payable";

/**
 * Simulates `functionName` from the client's account against the latest block, then sends the
 * simulated request; a revert of either step is thrown as its typed error (see `throwDecoded`), so
 * nothing is sent when the simulation reverts. Returns the hash and the simulated return value.
 */
export async function simulateAndSend<
  const TAbi extends Abi,
  TFunctionName extends ContractFunctionName<TAbi, Mutability>,
  const TArgs extends ContractFunctionArgs<TAbi, Mutability, TFunctionName>,
>(
  client: WriteClient,
  call: { address: Address; abi: TAbi; functionName: TFunctionName; args: TArgs },
): Promise<WriteResult<ContractFunctionReturnType<TAbi, Mutability, TFunctionName, TArgs>>> {
  try {
    // viem cannot narrow its request types on a generic ABI; the signature above checks each call.
    const { request, result } = await simulateContract(client, {
      account: client.account,
      chain: client.chain,
      ...call,
    } as never);
    return { hash: await writeContract(client, request as never), result };
  } catch (err) {
    throwDecoded(err);
  }
}
