/**
 * Live relay data over WebSocket: depth (SDK `subscribeBook`, gap-checked, repainted at most once per
 * animation frame however fast updates arrive), recent trades, and an account's order changes.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { Address, Hex } from "viem";

import type { RelayDepth, RelayFill, RelayOrder } from "../../../sdk/relay/client.js";
import { currentBook, watchBook } from "../lib/bookFeed.js";
import { furthest, isLive } from "../lib/orders.js";
import { subscribeRelay } from "../lib/relayLive.js";
import { useProtocol } from "../protocol.js";

export function useBook(marketId: Hex | undefined): {
  depth: RelayDepth | undefined;
  error: string | undefined;
} {
  const { relay } = useProtocol();
  const [state, setState] = useState(() =>
    marketId === undefined ? { depth: undefined, error: undefined } : currentBook(marketId),
  );
  useEffect(() => {
    if (marketId === undefined) return;
    setState(currentBook(marketId));
    let frame: number | undefined;
    const paint = () => {
      frame = undefined;
      setState(currentBook(marketId));
    };
    const stop = watchBook(relay, marketId, () => {
      frame ??= requestAnimationFrame(paint);
    });
    return () => {
      stop();
      if (frame !== undefined) cancelAnimationFrame(frame);
    };
  }, [relay, marketId]);
  return state;
}

function toFill(f: Record<string, unknown>): RelayFill {
  return { ...(f as unknown as RelayFill), size: BigInt(f.size as string), price: BigInt(f.price as string) };
}

/** The market's recent trades: the relay's list, then every new one pushed over the WebSocket. */
export function useTrades(marketId: Hex | undefined, limit = 40): RelayFill[] {
  const { relay, config } = useProtocol();
  const [trades, setTrades] = useState<RelayFill[]>([]);
  useEffect(() => {
    if (marketId === undefined) return;
    let alive = true;
    setTrades([]);
    void relay
      .trades(marketId, limit)
      .then((list) => alive && setTrades((live) => dedupe([...live, ...list]).slice(0, limit)))
      .catch(() => undefined);
    const sub = subscribeRelay(config.relayUrl, { channel: "trades", marketId }, (m) => {
      if (m.type !== "trade") return;
      const fill = toFill(m.fill as Record<string, unknown>);
      setTrades((list) => dedupe([fill, ...list]).slice(0, limit));
    });
    return () => {
      alive = false;
      sub.close();
    };
  }, [relay, config.relayUrl, marketId, limit]);
  return trades;
}

function dedupe(fills: RelayFill[]): RelayFill[] {
  const seen = new Set<string>();
  return fills
    .filter((f) => {
      const key = `${f.tx}:${f.logIndex}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => b.block - a.block || b.logIndex - a.logIndex);
}

/** Refreshes the account's queries whenever the relay reports a change to one of its orders. */
export function useOrderEvents(account: Address | undefined): void {
  const { config } = useProtocol();
  const queryClient = useQueryClient();
  useEffect(() => {
    if (account === undefined) return;
    const sub = subscribeRelay(config.relayUrl, { channel: "orders", account }, (m) => {
      if (m.type !== "order") return;
      void queryClient.invalidateQueries({ queryKey: ["account", account] });
      void queryClient.invalidateQueries({ queryKey: ["order"] });
    });
    return () => sub.close();
  }, [config.relayUrl, account, queryClient]);
}

/**
 * An order the ticket just placed, as the relay sees it now: the answer to the placement first, then
 * read again over HTTP whenever the relay's WebSocket reports a change to one of the account's orders
 * (`useOrderEvents`), and every 2 s while it can still trade.
 */
export function usePlacedOrder(placed: RelayOrder | undefined): RelayOrder | undefined {
  const { relay } = useProtocol();
  const query = useQuery({
    queryKey: ["order", placed?.hash],
    enabled: placed !== undefined,
    initialData: placed,
    refetchInterval: (q) => (q.state.data === undefined || isLive(q.state.data) ? 2_000 : false),
    queryFn: () => relay.order(placed!.hash),
  });
  if (placed === undefined) return undefined;
  return query.data === undefined ? placed : furthest(placed, query.data);
}

/** The index's oracle rounds (newest first), from the relay's index follower. */
export function useIndexRounds(indexId: Hex | undefined, limit = 200) {
  const { relay } = useProtocol();
  return useQuery({
    queryKey: ["rounds", indexId, limit],
    enabled: indexId !== undefined,
    refetchInterval: 10_000,
    queryFn: () => relay.indexRounds(indexId, limit),
  });
}
