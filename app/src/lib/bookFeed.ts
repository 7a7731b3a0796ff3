/**
 * One depth subscription per market, shared by every component that shows the book and kept warm from
 * start-up. On a trade page `index.html` opens the book's WebSocket and subscribes as soon as
 * `config.json` has arrived, while the app's code still downloads and parses; `main.tsx` takes that
 * socket over (with the messages it has kept) before React renders, so the first paint of the page finds
 * the snapshot already there. The SDK's `subscribeBook` does the sequencing and gap detection.
 */
import type { Hex } from "viem";

import type {
  RelayBookSocket,
  RelayClient,
  RelayDepth,
  RelaySubscription,
} from "../../../sdk/relay/client.js";

/** What `index.html` leaves on `window.__atfEarlyBook`: the trade page's book socket, opened early. */
export interface EarlyBook {
  marketId: string;
  ws: WebSocket;
  subscribed: boolean;
  /** Every message's data until the app takes the socket (then `claimed` stops the keeping). */
  received: string[];
  claimed: boolean;
}

/**
 * Takes over the socket `index.html` opened for `marketId`'s book, if there is one still usable;
 * another market's early socket is closed (the page moved on before the app started).
 */
export function takeEarlyBook(
  marketId: Hex,
  holder: { __atfEarlyBook?: EarlyBook } = globalThis as { __atfEarlyBook?: EarlyBook },
): RelayBookSocket | undefined {
  const early = holder.__atfEarlyBook;
  if (early === undefined) return undefined;
  delete holder.__atfEarlyBook;
  early.claimed = true;
  const usable = early.ws.readyState === WebSocket.CONNECTING || early.ws.readyState === WebSocket.OPEN;
  if (early.marketId.toLowerCase() !== marketId.toLowerCase() || !usable) {
    early.ws.close();
    return undefined;
  }
  return { ws: early.ws, subscribed: early.subscribed, received: early.received };
}

interface Feed {
  sub: RelaySubscription;
  depth: RelayDepth | undefined;
  error: string | undefined;
  listeners: Set<() => void>;
  holds: number;
}

const feeds = new Map<string, Feed>();

function feedOf(relay: RelayClient, marketId: Hex): Feed {
  const key = marketId.toLowerCase();
  let feed = feeds.get(key);
  if (feed === undefined) {
    const f: Feed = {
      sub: { close: () => undefined },
      depth: undefined,
      error: undefined,
      listeners: new Set(),
      holds: 0,
    };
    f.sub = relay.subscribeBook(
      marketId,
      (d) => {
        f.depth = d;
        f.error = undefined;
        f.listeners.forEach((l) => l());
      },
      (e) => {
        f.error = e.message;
        f.listeners.forEach((l) => l());
      },
      { socket: takeEarlyBook(marketId) },
    );
    feeds.set(key, f);
    feed = f;
  }
  return feed;
}

function release(marketId: Hex, feed: Feed): void {
  feed.holds--;
  if (feed.holds > 0) return;
  feed.sub.close();
  feeds.delete(marketId.toLowerCase());
}

/**
 * Follows a market's depth; `onChange` runs after every update. Returns the unsubscribe function.
 * @example const stop = watchBook(relay, marketId, () => setDepth(currentBook(marketId)));
 */
export function watchBook(relay: RelayClient, marketId: Hex, onChange: () => void): () => void {
  const feed = feedOf(relay, marketId);
  feed.holds++;
  feed.listeners.add(onChange);
  return () => {
    feed.listeners.delete(onChange);
    release(marketId, feed);
  };
}

/** The latest depth and error of a followed market. */
export function currentBook(marketId: Hex): { depth: RelayDepth | undefined; error: string | undefined } {
  const feed = feeds.get(marketId.toLowerCase());
  return { depth: feed?.depth, error: feed?.error };
}

/** Opens a market's book ahead of its page; released after `ms` (the page holds it by then). */
export function prefetchBook(relay: RelayClient, marketId: Hex, ms = 15_000): void {
  const stop = watchBook(relay, marketId, () => undefined);
  setTimeout(stop, ms);
}
