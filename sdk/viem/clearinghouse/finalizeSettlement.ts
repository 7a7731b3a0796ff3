import type { Address } from "viem";

import { clearinghouseAbi } from "../../abi/generated/clearinghouse.js";
import type { MarketId } from "../../core/ids.js";
import {
  simulateAndSend,
  type WriteClient,
  type WriteResult,
  type ActionErrorType,
} from "../internal/send.js";
import type { ClearinghouseFinalizeSettlementRevert } from "../../core/errors/reverts.js";

/** Parameters of `finalizeSettlement`. */
export interface FinalizeSettlementParameters {
  /** The Clearinghouse. */
  address: Address;
  marketId: MarketId;
}

/** The transaction hash. */
export type FinalizeSettlementReturnType = WriteResult<void>;

/**
 * What `finalizeSettlement` throws: the typed reverts of the contract function it calls
 * (`ClearinghouseFinalizeSettlementRevert`), or `ActionErrorType`.
 */
export type FinalizeSettlementErrorType = ClearinghouseFinalizeSettlementRevert | ActionErrorType;

/**
 * Finalizes an undisputed proposal after its dispute window, or the on-chain TWAP after the fallback
 * deadline (`finalizeSettlement`). Typed reverts: `SettlementNotReadyError` (with `readyAt`), …
 * Simulates first and throws the typed error without sending.
 * @example
 * await finalizeSettlement(keeper, { address, marketId });
 */
export async function finalizeSettlement(
  client: WriteClient,
  params: FinalizeSettlementParameters,
): Promise<FinalizeSettlementReturnType> {
  return simulateAndSend(client, {
    address: params.address,
    abi: clearinghouseAbi,
    functionName: "finalizeSettlement",
    args: [params.marketId],
  });
}
