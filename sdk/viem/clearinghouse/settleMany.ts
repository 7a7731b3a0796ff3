import type { Address } from "viem";
import { simulateContract, writeContract } from "viem/actions";

import { clearinghouseAbi } from "../../abi/generated/clearinghouse.js";
import type { MarketId } from "../../core/ids.js";
import { throwDecoded, type WriteClient, type WriteResult } from "../internal/send.js";

/** Parameters of `settleMany`. */
export interface SettleManyParameters {
  /** The Clearinghouse. */
  address: Address;
  marketId: MarketId;
  /** Accounts to settle; those with nothing to settle are skipped. */
  accounts: readonly Address[];
}

/** The transaction hash. */
export type SettleManyReturnType = WriteResult<void>;

/**
 * `settle` for a batch (`settleMany`); accounts with nothing to settle are skipped.
 * Simulates first and throws the typed error without sending.
 * @example
 * await settleMany(keeper, { address, marketId, accounts });
 */
export async function settleMany(
  client: WriteClient,
  params: SettleManyParameters,
): Promise<SettleManyReturnType> {
  try {
    const { request } = await simulateContract(client, {
      account: client.account,
      chain: client.chain,
      address: params.address,
      abi: clearinghouseAbi,
      functionName: "settleMany",
      args: [params.marketId, params.accounts],
    });
    return { hash: await writeContract(client, request), result: undefined };
  } catch (err) {
    throwDecoded(err);
  }
}
