/**
 * Operator actions through the AccessManager: `createMarket` on the Clearinghouse, called directly
 * when the caller's role has no execution delay, or scheduled then executed when it has one.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  encodeFunctionData,
  getAbiItem,
  parseAbi,
  toFunctionSelector,
  type Address,
  type Hash,
  type Hex,
  type PublicClient,
} from "viem";
import { writeContract } from "viem/actions";

import { clearinghouseAbi } from "../sdk/abi/index.js";
import { decodeContractError } from "../sdk/core/errors/index.js";
import { marketIdOf, type MarketParams } from "../sdk/core/math/market.js";
import type { WriteClient } from "../sdk/viem/index.js";
import { CommandFailedError, InputError } from "./errors.js";

/** The AccessManager functions and errors the CLI uses (OpenZeppelin Contracts 5). */
export const accessManagerAbi = parseAbi([
  "function canCall(address caller, address target, bytes4 selector) view returns (bool immediate, uint32 delay)",
  "function schedule(address target, bytes data, uint48 when) returns (bytes32 operationId, uint32 nonce)",
  "function execute(address target, bytes data) payable returns (uint32)",
  "function hashOperation(address caller, address target, bytes data) view returns (bytes32)",
  "function getSchedule(bytes32 id) view returns (uint48)",
  "error AccessManagerNotScheduled(bytes32 operationId)",
  "error AccessManagerNotReady(bytes32 operationId)",
  "error AccessManagerExpired(bytes32 operationId)",
  "error AccessManagerAlreadyScheduled(bytes32 operationId)",
  "error AccessManagerUnauthorizedCall(address caller, address target, bytes4 selector)",
  "error AccessManagerUnauthorizedAccount(address msgsender, uint64 roleId)",
]);

/** A market as `createMarket` takes it. */
export interface NewMarket {
  params: MarketParams;
  risk: Record<string, bigint | number>;
  terms: { disputeWindow: number | bigint; fallbackDelay: number | bigint };
}

/** What `createMarketAsOperator` did. */
export type CreateMarketOutcome =
  | { kind: "created"; id: Hex; hash: Hash }
  | { kind: "scheduled"; id: Hex; hash: Hash; operationId: Hex; readyAt: bigint }
  | { kind: "executed"; id: Hex; hash: Hash };

/** `"direct"` when allowed at once, else `"schedule"` / `"execute"` (required when the role has a delay). */
export type OperatorMode = "direct" | "schedule" | "execute";

const CREATE_MARKET_SELECTOR = toFunctionSelector(
  getAbiItem({ abi: clearinghouseAbi, name: "createMarket" }),
);

/** Turns a revert of the AccessManager or the Clearinghouse into a readable error. */
function rethrow(err: unknown): never {
  const typed = decodeContractError(err);
  if (typed !== undefined && typed.constructor.name !== "UnknownContractError") throw typed;
  if (err instanceof BaseError) {
    const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError && reverted.data !== undefined) {
      const args = (reverted.data.args ?? []).map(String).join(", ");
      throw new CommandFailedError(`reverted: ${reverted.data.errorName}(${args})`);
    }
  }
  throw typed ?? err;
}

/**
 * Creates a market with the caller's AccessManager permission. A role without delay calls
 * `createMarket` at once; a role with a delay must `schedule` first (mode `"schedule"`) and
 * `execute` once the delay has passed (mode `"execute"`), the call data being identical.
 */
export async function createMarketAsOperator(
  publicClient: PublicClient,
  wallet: WriteClient,
  args: { accessManager: Address; clearinghouse: Address; market: NewMarket; mode?: OperatorMode },
): Promise<CreateMarketOutcome> {
  const id = marketIdOf(args.market.params);
  const data = encodeFunctionData({
    abi: clearinghouseAbi,
    functionName: "createMarket",
    args: [args.market.params, args.market.risk, args.market.terms] as never,
  });
  const caller = wallet.account.address;
  const [immediate, delay] = await publicClient.readContract({
    address: args.accessManager,
    abi: accessManagerAbi,
    functionName: "canCall",
    args: [caller, args.clearinghouse, CREATE_MARKET_SELECTOR],
  });
  const mode = args.mode ?? "direct";
  if (mode === "direct") {
    if (!immediate && delay > 0) {
      throw new InputError(
        `the caller's role has an execution delay of ${delay} s: run with --schedule, then --execute after the delay`,
      );
    }
    try {
      const { request } = await publicClient.simulateContract({
        account: wallet.account,
        address: args.clearinghouse,
        abi: clearinghouseAbi,
        functionName: "createMarket",
        args: [args.market.params, args.market.risk, args.market.terms] as never,
      });
      const hash = await writeContract(wallet, request as never);
      return { kind: "created", id, hash };
    } catch (err) {
      rethrow(err);
    }
  }
  try {
    if (mode === "schedule") {
      const { request, result } = await publicClient.simulateContract({
        account: wallet.account,
        address: args.accessManager,
        abi: accessManagerAbi,
        functionName: "schedule",
        args: [args.clearinghouse, data, 0],
      });
      const hash = await writeContract(wallet, request as never);
      await publicClient.waitForTransactionReceipt({ hash });
      const readyAt = BigInt(
        await publicClient.readContract({
          address: args.accessManager,
          abi: accessManagerAbi,
          functionName: "getSchedule",
          args: [result[0]],
        }),
      );
      return { kind: "scheduled", id, hash, operationId: result[0], readyAt };
    }
    const { request } = await publicClient.simulateContract({
      account: wallet.account,
      address: args.accessManager,
      abi: [...accessManagerAbi, ...clearinghouseAbi],
      functionName: "execute",
      args: [args.clearinghouse, data],
    });
    const hash = await writeContract(wallet, request as never);
    return { kind: "executed", id, hash };
  } catch (err) {
    rethrow(err);
  }
}
