import type { Address, Hex } from "viem";

import { exchangeAbi } from "../../abi/generated/exchange.js";
import type { Order } from "../../core/eip712/orders.js";
import {
  simulateAndSend,
  type WriteClient,
  type WriteResult,
  type ActionErrorType,
} from "../internal/send.js";
import type { ExchangeMatchOrdersRevert } from "../../core/errors/reverts.js";

/** One maker in a match: its signed order and the contracts to fill against it. */
export interface MatchMaker {
  order: Order;
  signature: Hex;
  fillSize: bigint;
}

/** Parameters of `matchOrders`. */
export interface MatchOrdersParameters {
  /** The Exchange. */
  address: Address;
  /** The signed taker order. */
  taker: { order: Order; signature: Hex };
  /** The makers, each filled at its own limit price. */
  makers: readonly MatchMaker[];
}

/** The transaction hash and the contracts the taker filled. */
export type MatchOrdersReturnType = WriteResult<bigint>;

/**
 * What `matchOrders` throws: the typed reverts of the contract function it calls
 * (`ExchangeMatchOrdersRevert`), or `ActionErrorType`.
 */
export type MatchOrdersErrorType = ExchangeMatchOrdersRevert | ActionErrorType;

/**
 * Crosses a signed taker order with signed makers (`Exchange.matchOrders`); the client's account is
 * only the matcher and gains nothing. Simulates first and throws the typed error
 * (`PriceNotCrossingError`, `SameSideError`, `FillOrKillNotFilledError`, …) without sending.
 * @example
 * const { result: filled } = await matchOrders(matcherClient, { address, taker, makers: [{ ...maker, fillSize: 3n }] });
 */
export async function matchOrders(
  client: WriteClient,
  params: MatchOrdersParameters,
): Promise<MatchOrdersReturnType> {
  return simulateAndSend(client, {
    address: params.address,
    abi: exchangeAbi,
    functionName: "matchOrders",
    args: [
      params.taker.order,
      params.taker.signature,
      params.makers.map((m) => m.order),
      params.makers.map((m) => m.signature),
      params.makers.map((m) => m.fillSize),
    ],
  });
}
