import type { Address } from "viem";

import { clearinghouseAbi } from "../../abi/generated/clearinghouse.js";
import type { MarketId } from "../../core/ids.js";
import {
  simulateAndSend,
  type WriteClient,
  type WriteResult,
  type ActionErrorType,
} from "../internal/send.js";
import type { ClearinghouseProposeSettlementRevert } from "../../core/errors/reverts.js";

/** Parameters of `proposeSettlement`. */
export interface ProposeSettlementParameters {
  /** The Clearinghouse. */
  address: Address;
  marketId: MarketId;
}

/** The transaction hash. */
export type ProposeSettlementReturnType = WriteResult<void>;

/**
 * What `proposeSettlement` throws: the typed reverts of the contract function it calls
 * (`ClearinghouseProposeSettlementRevert`), or `ActionErrorType`.
 */
export type ProposeSettlementErrorType = ClearinghouseProposeSettlementRevert | ActionErrorType;

/**
 * After expiry, proposes the oracle TWAP over the settlement window as the settlement price
 * (`proposeSettlement`). Typed reverts: `MarketNotExpiredError`, `SettlementAlreadyProposedError`, …
 * Simulates first and throws the typed error without sending.
 * @example
 * await proposeSettlement(keeper, { address, marketId });
 */
export async function proposeSettlement(
  client: WriteClient,
  params: ProposeSettlementParameters,
): Promise<ProposeSettlementReturnType> {
  return simulateAndSend(client, {
    address: params.address,
    abi: clearinghouseAbi,
    functionName: "proposeSettlement",
    args: [params.marketId],
  });
}
