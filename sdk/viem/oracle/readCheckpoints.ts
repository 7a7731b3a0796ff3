import type { Address, Hex } from "viem";
import { multicall, readContract } from "viem/actions";

import { indexOracleAbi } from "../../abi/generated/indexOracle.js";
import type { Checkpoint } from "../../core/oracle/checkpoints.js";
import { throwDecoded, type ReadClient, type ActionErrorType } from "../internal/send.js";
import { batchTarget } from "./readIndex.js";
import type { IndexOracleCheckpointRevert } from "../../core/errors/reverts.js";

/** Parameters of `readCheckpoints`. */
export interface ReadCheckpointsParameters {
  /** The IndexOracle. */
  address: Address;
  indexId: Hex;
  /** First round id to read (round ids start at 1). Default 1. */
  fromRound?: bigint;
  /** Last round id to read, inclusive. Default: the latest round. */
  toRound?: bigint;
  blockNumber?: bigint;
  /** A deployed Multicall3; deployless multicall when left out. */
  multicallAddress?: Address;
}

/** The checkpoints of rounds `fromRound..toRound`, oldest first. */
export type ReadCheckpointsReturnType = Checkpoint[];

/**
 * What `readCheckpoints` throws: `checkpointCount` and `checkpoint` reverts (unknown index, a round id past
 * the latest), or `ActionErrorType`.
 */
export type ReadCheckpointsErrorType = IndexOracleCheckpointRevert | ActionErrorType;

/**
 * Reads a run of an index's checkpoints in one batched call. With all of them, the core's `twap`,
 * `range` and `valueAt` reproduce the contract's views off-chain.
 * @example
 * const checkpoints = await readCheckpoints(publicClient, { address, indexId });
 * const avg = twap(checkpoints, from, to, { indexId, now });
 */
export async function readCheckpoints(
  client: ReadClient,
  params: ReadCheckpointsParameters,
): Promise<ReadCheckpointsReturnType> {
  const target = { address: params.address, abi: indexOracleAbi } as const;
  let last = params.toRound;
  if (last === undefined) {
    try {
      last = await readContract(client, {
        ...target,
        functionName: "checkpointCount",
        args: [params.indexId],
        blockNumber: params.blockNumber,
      });
    } catch (err) {
      throwDecoded(err);
    }
  }
  const first = params.fromRound ?? 1n;
  if (last < first) return [];
  const rounds = Array.from({ length: Number(last - first + 1n) }, (_, i) => first + BigInt(i));
  const results = await multicall(client, {
    contracts: rounds.map((round) => ({
      ...target,
      functionName: "checkpoint" as const,
      args: [params.indexId, round] as const,
    })),
    allowFailure: true,
    blockNumber: params.blockNumber,
    ...batchTarget(params.multicallAddress),
  });
  return results.map((r) => {
    if (r.status === "failure") throwDecoded(r.error);
    return { timestamp: BigInt(r.result.timestamp), value: r.result.value, cumulative: r.result.cumulative };
  });
}
