/**
 * Every market of the address book, read from the chain with the SDK (`fetchMarket`: parameters, risk,
 * state, settlement, index price and mark at one block), with the relay's best bid and ask beside it when
 * the relay answers. Refreshed every 2 s.
 */
import { useQuery } from "@tanstack/react-query";
import type { Hex } from "viem";

import type { Market, MarketStatusName } from "../../../sdk/core/entities/Market.js";
import type { MarketId } from "../../../sdk/core/ids.js";
import { fetchMarket } from "../../../sdk/viem/clearinghouse/fetchMarket.js";
import type { IndexPrice } from "../../../sdk/viem/clearinghouse/internal.js";
import { indexInfo, type IndexInfo } from "../lib/indexes.js";
import { useProtocol } from "../protocol.js";

export interface MarketView {
  id: MarketId;
  symbol: string;
  info: IndexInfo;
  market: Market;
  /** `undefined` when the oracle's latest value is stale or missing. */
  index: IndexPrice | undefined;
  mark: bigint | undefined;
  status: MarketStatusName;
  /** The market or the whole Clearinghouse is paused. */
  paused: boolean;
  /** The chain time the snapshot was read at. */
  now: bigint;
  bestBid: bigint | null;
  bestAsk: bigint | null;
}

export function useMarkets() {
  const { config, client, relay } = useProtocol();
  return useQuery({
    queryKey: ["markets"],
    refetchInterval: 2_000,
    queryFn: async (): Promise<MarketView[]> => {
      const entries = Object.entries(config.addressBook.markets ?? {});
      const [chain, books] = await Promise.all([
        Promise.all(
          entries.map(([, m]) =>
            fetchMarket(client, { address: config.addressBook.clearinghouse, marketId: m.id as MarketId }),
          ),
        ),
        relay.markets().catch(() => []),
      ]);
      const best = new Map(books.map((b) => [b.marketId.toLowerCase(), b]));
      return entries
        .map(([symbol, m], i) => {
          const { market, index, mark, context } = chain[i];
          const b = best.get(m.id.toLowerCase());
          return {
            id: market.id,
            symbol,
            info: indexInfo(market.params.indexId),
            market,
            index,
            mark,
            status: market.statusAt(context.timestamp),
            paused: market.state.paused || context.globalPaused,
            now: context.timestamp,
            bestBid: b?.bestBid ?? null,
            bestAsk: b?.bestAsk ?? null,
          };
        })
        .sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
    },
  });
}

/** One market by id from `useMarkets`. */
export function useMarket(id: Hex | undefined) {
  const q = useMarkets();
  return { ...q, data: q.data?.find((m) => m.id.toLowerCase() === id?.toLowerCase()) };
}
