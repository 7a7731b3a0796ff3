import { decodeFunctionResult, encodeFunctionData, type Address } from "viem";
import { call } from "viem/actions";

import type { Market } from "../../core/entities/Market.js";
import type { MarketId } from "../../core/ids.js";
import { throwDecoded, type ReadClient } from "../internal/send.js";
import { toContext, toMarket, type ClearinghouseContext, type IndexPrice } from "./internal.js";
import { clearinghouseLensAbi, clearinghouseLensBytecode } from "./lens.generated.js";

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
  let data: `0x${string}` | undefined;
  try {
    ({ data } = await call(client, {
      code: clearinghouseLensBytecode,
      data: encodeFunctionData({
        abi: clearinghouseLensAbi,
        functionName: "loadMarket",
        args: [params.address, params.marketId],
      }),
      blockNumber: params.blockNumber,
    }));
  } catch (err) {
    throwDecoded(err);
  }
  const [m, c] = decodeFunctionResult({
    abi: clearinghouseLensAbi,
    functionName: "loadMarket",
    data: data ?? "0x",
  });
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
