import type { Address } from "viem";

import { clearinghouseAbi } from "../../abi/generated/clearinghouse.js";
import type { MarketId } from "../../core/ids.js";
import {
  simulateAndSend,
  type WriteClient,
  type WriteResult,
  type ActionErrorType,
} from "../internal/send.js";
import type { ClearinghouseLiquidateRevert } from "../../core/errors/reverts.js";

/** Parameters of `liquidate`. */
export interface LiquidateParameters {
  /** The Clearinghouse. */
  address: Address;
  /** The unhealthy account. */
  account: Address;
  marketId: MarketId;
  /** Contracts to take over, at most what restores maintenance margin (see `maxLiquidationSizeUp`). */
  size: bigint;
  /** Highest mark accepted when taking over a long, lowest when taking over a short. */
  priceLimit: bigint;
}

/** The transaction hash. */
export type LiquidateReturnType = WriteResult<void>;

/**
 * What `liquidate` throws: the typed reverts of the contract function it calls
 * (`ClearinghouseLiquidateRevert`), or `ActionErrorType`.
 */
export type LiquidateErrorType = ClearinghouseLiquidateRevert | ActionErrorType;

/**
 * Liquidates `size` contracts of `account`'s position in `marketId`: the caller takes them over at mark
 * and receives its share of the penalty (`liquidate`). Typed reverts: `AccountHealthyError`,
 * `LiquidationSizeTooLargeError`, `PriceLimitExceededError`, `BadDebtExceedsInsuranceError`, …
 * Simulates first and throws the typed error without sending.
 * @example
 * await liquidate(keeper, { address, account, marketId, size: 5n, priceLimit: mark });
 */
export async function liquidate(
  client: WriteClient,
  params: LiquidateParameters,
): Promise<LiquidateReturnType> {
  return simulateAndSend(client, {
    address: params.address,
    abi: clearinghouseAbi,
    functionName: "liquidate",
    args: [params.account, params.marketId, params.size, params.priceLimit],
  });
}
