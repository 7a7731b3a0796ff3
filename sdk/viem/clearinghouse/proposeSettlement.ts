import type { Address } from "viem";
import { simulateContract, writeContract } from "viem/actions";

import { clearinghouseAbi } from "../../abi/generated/clearinghouse.js";
import type { MarketId } from "../../core/ids.js";
import { throwDecoded, type WriteClient, type WriteResult } from "../internal/send.js";

/** Parameters of `proposeSettlement`. */
export interface ProposeSettlementParameters {
  /** The Clearinghouse. */
  address: Address;
  marketId: MarketId;
}

/** The transaction hash. */
export type ProposeSettlementReturnType = WriteResult<void>;

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
  try {
    const { request } = await simulateContract(client, {
      account: client.account,
      chain: client.chain,
      address: params.address,
      abi: clearinghouseAbi,
      functionName: "proposeSettlement",
      args: [params.marketId],
    });
    return { hash: await writeContract(client, request), result: undefined };
  } catch (err) {
    throwDecoded(err);
  }
}
