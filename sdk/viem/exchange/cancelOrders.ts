import type { Address } from "viem";

import { exchangeAbi } from "../../abi/generated/exchange.js";
import type { Order } from "../../core/eip712/orders.js";
import {
  simulateAndSend,
  type WriteClient,
  type WriteResult,
  type ActionErrorType,
} from "../internal/send.js";
import type { ExchangeCancelOrdersRevert } from "../../core/errors/reverts.js";

/** Parameters of `cancelOrders`. */
export interface CancelOrdersParameters {
  /** The Exchange. */
  address: Address;
  /** Orders of the caller (or of traders it is a delegate of). */
  orders: readonly Order[];
}

/** The transaction hash. */
export type CancelOrdersReturnType = WriteResult<void>;

/**
 * What `cancelOrders` throws: the typed reverts of the contract function it calls
 * (`ExchangeCancelOrdersRevert`), or `ActionErrorType`.
 */
export type CancelOrdersErrorType = ExchangeCancelOrdersRevert | ActionErrorType;

/**
 * Cancels orders by hash (`Exchange.cancelOrders`). Simulates first and throws the typed error
 * (`NotTraderOrDelegateError`, `OrderNonceUsedError`, `NoOrdersToCancelError`) without sending.
 * @example
 * await cancelOrders(makerClient, { address, orders: [order] });
 */
export async function cancelOrders(
  client: WriteClient,
  params: CancelOrdersParameters,
): Promise<CancelOrdersReturnType> {
  return simulateAndSend(client, {
    address: params.address,
    abi: exchangeAbi,
    functionName: "cancelOrders",
    args: [params.orders],
  });
}
