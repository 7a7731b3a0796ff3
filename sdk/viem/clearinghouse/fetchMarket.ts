import type { Address } from "viem";

import type { Market } from "../../core/entities/Market.js";
import type { MarketId } from "../../core/ids.js";
import type { ReadClient, ActionErrorType } from "../internal/send.js";
import { callLens, toContext, toMarket, type ClearinghouseContext, type IndexPrice } from "./internal.js";
import type { ClearinghouseMarketViewRevert } from "../../core/errors/reverts.js";

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
  /**
   * The contract's mark at the block (`markPrice`, read by the lens), `undefined` when it reverts (the
   * index, or after expiry the settlement TWAP, is missing). Within a second in which the market traded it
   * uses the basis from before that second's first trade, which `market` does not hold (no view returns
   * it), so this can differ from `market.markAt(now, index)` in that second only.
   */
  mark: bigint | undefined;
  /**
   * The contract's liquidation mark at the block (`liquidationMarkPrice`: the basis averaged over 30
   * minutes), `undefined` when it reverts. Liquidation needs an account below maintenance at both marks.
   */
  liquidationMark: bigint | undefined;
  context: ClearinghouseContext;
}

/**
 * What `fetchMarket` throws: the typed reverts of the contract function it calls
 * (`ClearinghouseMarketViewRevert`), or `ActionErrorType`.
 */
export type FetchMarketErrorType = ClearinghouseMarketViewRevert | ActionErrorType;

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
  const context = toContext(c);
  const { market, index, mark, liquidationMark } = toMarket(m, context.timestamp);
  return { market, index, mark, liquidationMark, context };
}

/**
 * The mark at `now` computed from the entity (`Market.markAt`): before expiry the live mark from the index (`undefined` when the index is missing);
 * from expiry on the settlement value (final price, else proposed price, else the settlement-window TWAP
 * the lens read; `undefined` when that TWAP could not be read), never the index.
 */
export function markOf(market: Market, index: IndexPrice | undefined, now: bigint): bigint | undefined {
  if (now >= market.params.expiry) {
    const { finalPrice, proposedPrice, settlementTwap } = market.settlement;
    if (finalPrice === 0n && proposedPrice === 0n && settlementTwap === undefined) return undefined;
    return market.markAt(now, 0n);
  }
  if (index !== undefined) return market.markAt(now, index.value);
  return undefined;
}
