import type { Address, Hex } from "viem";

import { exchangeAbi } from "../../abi/generated/exchange.js";
import type { Order } from "../../core/eip712/orders.js";
import type { OrderHash } from "../../core/ids.js";
import {
  simulateAndSend,
  type WriteClient,
  type WriteResult,
  type ActionErrorType,
} from "../internal/send.js";
import type { ExchangeFillOrderRevert } from "../../core/errors/reverts.js";

/** Parameters of `fillOrder`. */
export interface FillOrderParameters {
  /** The Exchange. */
  address: Address;
  /** The resting (maker) order. */
  order: Order;
  signature: Hex;
  /** Contracts to fill, at most what is left of the order. */
  fillSize: bigint;
}

/** The transaction hash and the filled order's hash. */
export type FillOrderReturnType = WriteResult<OrderHash>;

/**
 * What `fillOrder` throws: the typed reverts of the contract function it calls (`ExchangeFillOrderRevert`),
 * or `ActionErrorType`.
 */
export type FillOrderErrorType = ExchangeFillOrderRevert | ActionErrorType;

/**
 * Takes `fillSize` of a signed order at its limit price (`Exchange.fillOrder`); the client's account is
 * the taker. Simulates first and throws the typed error (`OrderExpiredError`,
 * `FillExceedsRemainingError`, `SelfTradeError`, …) without sending.
 * @example
 * const { hash } = await fillOrder(takerClient, { address, order, signature, fillSize: 5n });
 */
export async function fillOrder(
  client: WriteClient,
  params: FillOrderParameters,
): Promise<FillOrderReturnType> {
  const { hash, result } = await simulateAndSend(client, {
    address: params.address,
    abi: exchangeAbi,
    functionName: "fillOrder",
    args: [params.order, params.signature, params.fillSize],
  });
  return { hash, result: result as OrderHash };
}
