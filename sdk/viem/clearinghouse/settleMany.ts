import type { Address } from "viem";

import { clearinghouseAbi } from "../../abi/generated/clearinghouse.js";
import type { MarketId } from "../../core/ids.js";
import {
  simulateAndSend,
  type WriteClient,
  type WriteResult,
  type ActionErrorType,
} from "../internal/send.js";
import type { ClearinghouseSettleManyRevert } from "../../core/errors/reverts.js";

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
 * What `settleMany` throws: the typed reverts of the contract function it calls
 * (`ClearinghouseSettleManyRevert`), or `ActionErrorType`.
 */
export type SettleManyErrorType = ClearinghouseSettleManyRevert | ActionErrorType;

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
  return simulateAndSend(client, {
    address: params.address,
    abi: clearinghouseAbi,
    functionName: "settleMany",
    args: [params.marketId, params.accounts],
  });
}
