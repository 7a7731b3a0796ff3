import type { Address } from "viem";
import { multicall } from "viem/actions";

import { clearinghouseAbi } from "../../abi/generated/clearinghouse.js";
import { throwDecoded, type ReadClient, type ActionErrorType } from "../internal/send.js";
import { batchTarget } from "../oracle/readIndex.js";
import type { ClearinghouseHealthRevert } from "../../core/errors/reverts.js";

/** Parameters of `fetchHealth`. */
export interface FetchHealthParameters {
  /** The Clearinghouse. */
  address: Address;
  account: Address;
  blockNumber?: bigint;
  /** A deployed Multicall3; the deployless mode when left out. */
  multicallAddress?: Address;
}

/** The contract's own view of an account's health. */
export interface FetchHealthReturnType {
  /** Wad. */
  equity: bigint;
  /** Wad. */
  initialMargin: bigint;
  /** Wad. */
  maintenanceMargin: bigint;
  /** Collateral units, rounded down. */
  freeCollateral: bigint;
  liquidatable: boolean;
}

/**
 * What `fetchHealth` throws: the typed reverts of the contract function it calls
 * (`ClearinghouseHealthRevert`), or `ActionErrorType`.
 */
export type FetchHealthErrorType = ClearinghouseHealthRevert | ActionErrorType;

/**
 * Reads `health`, `freeCollateral` and `isLiquidatable` in one multicall (one `eth_call`). Throws the
 * typed error when a view reverts (e.g. the oracle's stale-index error for a needed index).
 * @example
 * const { equity, liquidatable } = await fetchHealth(publicClient, { address: book.clearinghouse, account });
 */
export async function fetchHealth(
  client: ReadClient,
  params: FetchHealthParameters,
): Promise<FetchHealthReturnType> {
  const target = { address: params.address, abi: clearinghouseAbi } as const;
  const [h, free, liq] = await multicall(client, {
    contracts: [
      { ...target, functionName: "health", args: [params.account] },
      { ...target, functionName: "freeCollateral", args: [params.account] },
      { ...target, functionName: "isLiquidatable", args: [params.account] },
    ],
    allowFailure: true,
    blockNumber: params.blockNumber,
    ...batchTarget(params.multicallAddress),
  });
  if (h.status === "failure") throwDecoded(h.error);
  if (free.status === "failure") throwDecoded(free.error);
  if (liq.status === "failure") throwDecoded(liq.error);
  const [equity, initialMargin, maintenanceMargin] = h.result;
  return { equity, initialMargin, maintenanceMargin, freeCollateral: free.result, liquidatable: liq.result };
}
