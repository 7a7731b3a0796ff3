import type { Address } from "viem";

import { clearinghouseAbi } from "../../abi/generated/clearinghouse.js";
import type { MarketId } from "../../core/ids.js";
import {
  simulateAndSend,
  type WriteClient,
  type WriteResult,
  type ActionErrorType,
} from "../internal/send.js";
import type { ClearinghouseSettleRevert } from "../../core/errors/reverts.js";

/** Parameters of `settle`. */
export interface SettleParameters {
  /** The Clearinghouse. */
  address: Address;
  /** The account whose position (or claim) is settled. */
  account: Address;
  marketId: MarketId;
}

/** The transaction hash. */
export type SettleReturnType = WriteResult<void>;

/**
 * What `settle` throws: the typed reverts of the contract function it calls (`ClearinghouseSettleRevert`),
 * or `ActionErrorType`.
 */
export type SettleErrorType = ClearinghouseSettleRevert | ActionErrorType;

/**
 * Closes `account`'s position in a settled market at the final price, and pays its claim once every
 * position of the market is closed (`settle`). Typed reverts: `MarketNotSettledError`,
 * `NothingToSettleError`, `ClaimNotYetPayableError`.
 * Simulates first and throws the typed error without sending.
 * @example
 * await settle(keeper, { address, account, marketId });
 */
export async function settle(client: WriteClient, params: SettleParameters): Promise<SettleReturnType> {
  return simulateAndSend(client, {
    address: params.address,
    abi: clearinghouseAbi,
    functionName: "settle",
    args: [params.account, params.marketId],
  });
}
