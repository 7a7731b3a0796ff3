/**
 * A typed client of the order relay (`relay/`, docs/relay.md): place and cancel signed orders, read
 * markets, depth, trades, candles, an account's orders and history, index rounds, and subscribe to
 * depth updates over the WebSocket with gap detection. Integers travel as decimal strings and come back
 * as bigints. Works in Node 22+ and browsers (global `fetch` and `WebSocket`).
 */
import type { Address, Hex } from "viem";

import type { Order } from "../core/eip712/orders.js";
import { SdkError } from "../core/errors/SdkError.js";

/** The message a trader signs (EIP-191 `personal_sign`) to take an order off the relay. */
export function relayCancelMessage(hash: Hex): string {
  return `Cancel order ${hash.toLowerCase()}`;
}

/** Where an order is in its life on the relay. */
export type RelayOrderState =
  "open" | "partially_filled" | "filled" | "cancelled" | "expired" | "rejected" | "voided";

export interface RelayOrder {
  hash: Hex;
  order: Order;
  state: RelayOrderState;
  filled: bigint;
  remaining: bigint;
  /** Why it left the book without filling: the contract error and its arguments. */
  reason: string | null;
  seq: number;
}

export interface RelayMarket {
  marketId: Hex;
  indexId: Hex;
  expiry: bigint;
  contractSize: bigint;
  tickSize: bigint;
  minSize: bigint;
  status: string;
  paused: boolean;
  /** The index value (wad dollars per index unit) and when it was observed; null when stale. */
  index: bigint | null;
  indexUpdatedAt: bigint | null;
  mark: bigint | null;
  /** Annualised basis EMA, wad (signed). */
  basisRate: bigint;
  bestBid: bigint | null;
  bestAsk: bigint | null;
}

export interface RelayDepth {
  marketId: Hex;
  seq: number;
  bids: [bigint, bigint][];
  asks: [bigint, bigint][];
}

/**
 * One order fill, from the Clearinghouse's `Traded` that names a maker order (the fill's one event; `tx`
 * and `logIndex` are that log's): `takerIsBuy` is `takerSizeDelta > 0`, `size` its magnitude, `takerHash`
 * zero for `fillOrder`.
 */
export interface RelayFill {
  tx: Hex;
  logIndex: number;
  block: number;
  ts: number;
  marketId: Hex;
  makerHash: Hex;
  takerHash: Hex;
  maker: Address;
  taker: Address;
  takerIsBuy: boolean;
  size: bigint;
  price: bigint;
}

export interface RelayCandle {
  start: number;
  open: bigint;
  high: bigint;
  low: bigint;
  close: bigint;
  volume: bigint;
  trades: number;
}

export interface RelayHistoryEvent {
  tx: Hex;
  logIndex: number;
  block: number;
  ts: number;
  kind: "liquidation" | "deleverage" | "settlement" | "claim";
  account: Address;
  marketId: Hex;
  data: Record<string, string>;
}

export interface RelayIndexRound {
  indexId: Hex;
  roundId: number;
  value: bigint;
  observedAt: number;
  inputsHash: Hex;
  block: number;
  tx: Hex;
}

/**
 * The relay refused a request: `status` is the HTTP status, `error` the name (the contract's custom error
 * where the chain would refuse the same way, e.g. `OrderExpired`), `args` its arguments.
 * @example try { await relay.placeOrder(signed) } catch (e) { if (e instanceof RelayError) console.log(e.data.error) }
 */
export class RelayError extends SdkError<{ status: number; error: string; args: Record<string, string> }> {
  override name = "RelayError";
  constructor(status: number, error: string, args: Record<string, string>, message: string) {
    super(`Relay refused (${status} ${error}): ${message}`, { data: { status, error, args } });
  }
}

const big = (v: unknown) => BigInt(v as string);
const bigOrNull = (v: unknown) => (v === null || v === undefined ? null : BigInt(v as string));

function toOrder(o: Record<string, unknown>): Order {
  return {
    trader: o.trader as Address,
    marketId: o.marketId as Hex,
    isBuy: o.isBuy as boolean,
    size: big(o.size),
    limitPrice: big(o.limitPrice),
    expiry: big(o.expiry),
    nonce: big(o.nonce),
    salt: big(o.salt),
    flags: o.flags as number,
  };
}

function toRelayOrder(r: Record<string, unknown>): RelayOrder {
  return {
    hash: r.hash as Hex,
    order: toOrder(r.order as Record<string, unknown>),
    state: r.state as RelayOrderState,
    filled: big(r.filled),
    remaining: big(r.remaining),
    reason: (r.reason as string | null) ?? null,
    seq: r.seq as number,
  };
}

function toFill(f: Record<string, unknown>): RelayFill {
  return { ...(f as unknown as RelayFill), size: big(f.size), price: big(f.price) };
}

function toDepth(d: Record<string, unknown>): RelayDepth {
  const levels = (x: unknown) =>
    (x as [string, string][]).map(([p, s]) => [BigInt(p), BigInt(s)] as [bigint, bigint]);
  return { marketId: d.marketId as Hex, seq: d.seq as number, bids: levels(d.bids), asks: levels(d.asks) };
}

/** Anything that signs an EIP-191 message: a viem local account or wallet client. */
export interface MessageSigner {
  signMessage(args: { message: string }): Promise<Hex>;
}

export interface RelayClientOptions {
  /** The relay's base URL, e.g. `http://127.0.0.1:8600`. */
  url: string;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
}

/** A depth subscription: `close()` stops it. */
export interface RelaySubscription {
  close(): void;
}

/**
 * A relay client.
 * @example
 * const relay = createRelayClient({ url: "http://127.0.0.1:8600" });
 * const placed = await relay.placeOrder({ order, signature });
 */
export function createRelayClient(options: RelayClientOptions) {
  const base = options.url.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;

  async function request(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await doFetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body:
        body === undefined
          ? undefined
          : JSON.stringify(body, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === "" ? {} : JSON.parse(text);
    } catch {
      throw new RelayError(res.status, "MalformedResponse", {}, text.slice(0, 200));
    }
    if (!res.ok) {
      const e = json as { error?: string; args?: Record<string, string>; message?: string };
      throw new RelayError(res.status, e.error ?? "Unknown", e.args ?? {}, e.message ?? res.statusText);
    }
    return json;
  }

  return {
    /** Places a signed order; resolves with the accepted order (stored durably by the relay). */
    async placeOrder(signed: { order: Order; signature: Hex }): Promise<RelayOrder> {
      return toRelayOrder((await request("POST", "/orders", signed)) as Record<string, unknown>);
    },
    /** Takes an order off the relay with the trader's EIP-191 signature of `relayCancelMessage(hash)`. */
    async cancelOrder(hash: Hex, signature: Hex): Promise<RelayOrder> {
      return toRelayOrder(
        (await request("DELETE", `/orders/${hash}`, { signature })) as Record<string, unknown>,
      );
    },
    /** Signs the cancel message with `signer` and cancels. */
    async cancelOrderWith(signer: MessageSigner, hash: Hex): Promise<RelayOrder> {
      const signature = await signer.signMessage({ message: relayCancelMessage(hash) });
      return this.cancelOrder(hash, signature);
    },
    async order(hash: Hex): Promise<RelayOrder> {
      return toRelayOrder((await request("GET", `/orders/${hash}`)) as Record<string, unknown>);
    },
    async markets(): Promise<RelayMarket[]> {
      const list = (await request("GET", "/markets")) as Record<string, unknown>[];
      return list.map((m) => ({
        ...(m as unknown as RelayMarket),
        expiry: big(m.expiry),
        contractSize: big(m.contractSize),
        tickSize: big(m.tickSize),
        minSize: big(m.minSize),
        index: bigOrNull(m.index),
        indexUpdatedAt: bigOrNull(m.indexUpdatedAt),
        mark: bigOrNull(m.mark),
        basisRate: big(m.basisRate),
        bestBid: bigOrNull(m.bestBid),
        bestAsk: bigOrNull(m.bestAsk),
      }));
    },
    async book(marketId: Hex, levels = 50): Promise<RelayDepth> {
      return toDepth(
        (await request("GET", `/markets/${marketId}/book?levels=${levels}`)) as Record<string, unknown>,
      );
    },
    async trades(marketId: Hex, limit = 100): Promise<RelayFill[]> {
      const list = (await request("GET", `/markets/${marketId}/trades?limit=${limit}`)) as Record<
        string,
        unknown
      >[];
      return list.map(toFill);
    },
    async candles(marketId: Hex, intervalSeconds = 60, from = 0): Promise<RelayCandle[]> {
      const list = (await request(
        "GET",
        `/markets/${marketId}/candles?interval=${intervalSeconds}&from=${from}`,
      )) as Record<string, unknown>[];
      return list.map((c) => ({
        start: c.start as number,
        open: big(c.open),
        high: big(c.high),
        low: big(c.low),
        close: big(c.close),
        volume: big(c.volume),
        trades: c.trades as number,
      }));
    },
    /** An account's orders, newest first; `live` for its open ones only. */
    async accountOrders(
      account: Address,
      opts: { live?: boolean; limit?: number } = {},
    ): Promise<RelayOrder[]> {
      const q = opts.live === true ? "state=live" : `limit=${opts.limit ?? 100}`;
      const list = (await request("GET", `/accounts/${account}/orders?${q}`)) as Record<string, unknown>[];
      return list.map(toRelayOrder);
    },
    async accountHistory(
      account: Address,
      limit = 100,
    ): Promise<{ fills: RelayFill[]; events: RelayHistoryEvent[] }> {
      const h = (await request("GET", `/accounts/${account}/history?limit=${limit}`)) as {
        fills: Record<string, unknown>[];
        events: RelayHistoryEvent[];
      };
      return { fills: h.fills.map(toFill), events: h.events };
    },
    async indexRounds(indexId?: Hex, limit = 100): Promise<RelayIndexRound[]> {
      const q = indexId === undefined ? `limit=${limit}` : `indexId=${indexId}&limit=${limit}`;
      const list = (await request("GET", `/indexes/rounds?${q}`)) as Record<string, unknown>[];
      return list.map((r) => ({ ...(r as unknown as RelayIndexRound), value: big(r.value) }));
    },
    /**
     * Keeps a market's depth: the snapshot, then every update applied in sequence. A missing sequence
     * number (a dropped message) resubscribes for a fresh snapshot; `onDepth` gets each new state.
     * `options.socket` hands over a WebSocket to the relay's `/ws` opened earlier (a page can open it
     * and subscribe before its code has loaded): it is used instead of a new one, its `received`
     * messages are applied first, in order, and the subscription is sent only if `subscribed` is false.
     */
    subscribeBook(
      marketId: Hex,
      onDepth: (depth: RelayDepth) => void,
      onError?: (e: Error) => void,
      options: { socket?: RelayBookSocket } = {},
    ): RelaySubscription {
      const early = options.socket;
      const ws = early?.ws ?? new WebSocket(`${base.replace(/^http/, "ws")}/ws`);
      let depth: RelayDepth | undefined;
      const subscribe = () => ws.send(JSON.stringify({ op: "subscribe", channel: "book", marketId }));
      if (early?.subscribed !== true) {
        if (ws.readyState === WebSocket.OPEN) subscribe();
        else ws.addEventListener("open", subscribe, { once: true });
      }
      ws.addEventListener("error", () => onError?.(new Error("relay WebSocket error")));
      const handle = (data: string) => {
        const m = JSON.parse(data) as Record<string, unknown>;
        if (m.type === "snapshot") {
          if (typeof m.marketId === "string" && m.marketId.toLowerCase() !== marketId.toLowerCase()) return;
          depth = toDepth(m);
          onDepth(depth);
          return;
        }
        if (m.type !== "book" || depth === undefined) return;
        if (typeof m.marketId === "string" && m.marketId.toLowerCase() !== marketId.toLowerCase()) return;
        if (m.seq !== depth.seq + 1) {
          depth = undefined;
          subscribe();
          return;
        }
        depth = applyBookUpdate(
          depth,
          m.seq as number,
          m.changes as { side: "bid" | "ask"; price: string; size: string }[],
        );
        onDepth(depth);
      };
      ws.addEventListener("message", (event: MessageEvent) => handle(String(event.data)));
      for (const data of early?.received ?? []) handle(data);
      return { close: () => ws.close() };
    },
  };
}

/**
 * A WebSocket to the relay's `/ws` opened before `subscribeBook` was called, for its `socket` option.
 */
export interface RelayBookSocket {
  /** The socket, open or still connecting. */
  ws: WebSocket;
  /** Whether its opener subscribes it to the market's book (sent, or sent when it opens). */
  subscribed: boolean;
  /** The `data` of every message it received before `subscribeBook` listened, oldest first. */
  received: readonly string[];
}

/** The type `createRelayClient` returns. */
export type RelayClient = ReturnType<typeof createRelayClient>;

/**
 * Applies one depth update (new level totals; size 0 removes the level) to a snapshot.
 * @example const next = applyBookUpdate(depth, 8, [{ side: "bid", price: "100", size: "0" }]);
 */
export function applyBookUpdate(
  depth: RelayDepth,
  seq: number,
  changes: readonly { side: "bid" | "ask"; price: string | bigint; size: string | bigint }[],
): RelayDepth {
  const bids = new Map(depth.bids.map(([p, s]) => [p, s]));
  const asks = new Map(depth.asks.map(([p, s]) => [p, s]));
  for (const c of changes) {
    const side = c.side === "bid" ? bids : asks;
    const price = BigInt(c.price);
    const size = BigInt(c.size);
    if (size === 0n) side.delete(price);
    else side.set(price, size);
  }
  const sorted = (m: Map<bigint, bigint>, desc: boolean) =>
    [...m.entries()].sort((a, b) => (a[0] === b[0] ? 0 : a[0] > b[0] === desc ? -1 : 1));
  return { marketId: depth.marketId, seq, bids: sorted(bids, true), asks: sorted(asks, false) };
}
