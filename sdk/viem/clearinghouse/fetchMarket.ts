import type { Address } from "viem";

import type { Market } from "../../core/entities/Market.js";
import type { MarketId } from "../../core/ids.js";
import type { ReadClient } from "../internal/send.js";
import { callLens, toContext, toMarket, type ClearinghouseContext, type IndexPrice } from "./internal.js";

/** Parameters of `fetchMarket`. */
export interface FetchMarketParameters {
  /** The Clearinghouse. */
  address: Address;
  marketId: MarketId;
  blockNumber?: bigint;
}

/** A market, its index price and the context, all read at one block. */
export interface FetchMarketReturnType {
  market: Market;
  /** The index value, `undefined` when the oracle's `latest` reverts (stale or unknown index). */
  index: IndexPrice | undefined;
  /** The mark at the block's timestamp, `undefined` when it needs the index and the index is missing. */
  mark: bigint | undefined;
  context: ClearinghouseContext;
}

/**
 * Loads a market (params, risk, terms, state, settlement), its index price and the context in ONE
 * JSON-RPC request: an `eth_call` running the read-only `ClearinghouseLens` deployless (its creation
 * code travels in the call; nothing is deployed). Throws `UnknownMarketError` for an unknown id.
 * @example
 * const { market, mark } = await fetchMarket(publicClient, { address: book.clearinghouse, marketId });
 */
export async function fetchMarket(
  client: ReadClient,
  params: FetchMarketParameters,
): Promise<FetchMarketReturnType> {
  const [m, c] = await callLens(client, "loadMarket", [params.address, params.marketId], params.blockNumber);
  const { market, index } = toMarket(m);
  const context = toContext(c);
  const mark = markOf(market, index, context.timestamp);
  return { market, index, mark, context };
}

/** The mark at `now`, `undefined` when it needs an index that is missing. */
export function markOf(market: Market, index: IndexPrice | undefined, now: bigint): bigint | undefined {
  if (index !== undefined) return market.markAt(now, index.value);
  if (now >= market.params.expiry && market.settlement.finalPrice !== 0n) return market.settlement.finalPrice;
  return undefined;
}
