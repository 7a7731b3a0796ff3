/**
 * The relay's HTTP and WebSocket front (`node:http` + `ws`): routes, request size cap, rate limits per IP
 * and per trader, JSON with bigints as strings, and `/ws` subscriptions (book with sequence numbers,
 * trades, an account's orders).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { parseAbi, type Address, type Hex } from "viem";
import { WebSocketServer, type WebSocket } from "ws";
import { z } from "zod";

import type { Clock } from "../../keepers/shell/clock.js";
import type { Logger } from "../../keepers/shell/log.js";
import { candles } from "../core/candles.js";
import { Refusal } from "../validate/refusal.js";
import { publicOrder, stringify } from "./json.js";
import { OPENAPI } from "./openapi.js";
import { clientIp, RateLimiter, type RateLimit, type TakeResult } from "./ratelimit.js";
import type { RelayMessage, RelayService } from "./service.js";

const MARKET_COUNT_ABI = parseAbi([
  "function marketCount() view returns (uint32)",
  "function marketIdAt(uint32 index) view returns (bytes32)",
]);

export interface HttpOptions {
  host: string;
  port: number;
  /** Largest request body, bytes. */
  maxBodyBytes: number;
  perIp: RateLimit;
  perTrader: RateLimit;
  /**
   * Addresses of reverse proxies in front of the relay: their requests are limited by the client address
   * they forward (`X-Forwarded-For`) instead of their own. Empty by default.
   */
  trustedProxies?: readonly string[];
  /** Depth levels in a WebSocket snapshot. */
  snapshotLevels: number;
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const HEX20 = /^0x[0-9a-fA-F]{40}$/;

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > max) {
      reject(new BodyTooLarge());
      return;
    }
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const limitOf = (url: URL, fallback: number, max = 1000) => {
  const raw = url.searchParams.get("limit");
  if (raw === null) return fallback;
  if (!/^[0-9]{1,6}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new Refusal(400, "InvalidQuery", { field: "limit", problem: `an integer from 1 to ${max}` });
  }
  return Number(raw);
};

const wsMessage = z.discriminatedUnion("channel", [
  z.object({
    op: z.enum(["subscribe", "unsubscribe"]),
    channel: z.literal("book"),
    marketId: z.string().regex(HEX32),
  }),
  z.object({
    op: z.enum(["subscribe", "unsubscribe"]),
    channel: z.literal("trades"),
    marketId: z.string().regex(HEX32),
  }),
  z.object({
    op: z.enum(["subscribe", "unsubscribe"]),
    channel: z.literal("orders"),
    account: z.string().regex(HEX20),
  }),
]);

export class RelayHttpServer {
  readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly ipLimiter: RateLimiter;
  private readonly traderLimiter: RateLimiter;
  private readonly trustedProxies: ReadonlySet<string>;
  private readonly subscriptions = new Map<WebSocket, Set<string>>();
  private unsubscribe?: () => void;

  constructor(
    private readonly relay: RelayService,
    private readonly options: HttpOptions,
    clock: Clock,
    private readonly log: Logger,
  ) {
    this.ipLimiter = new RateLimiter(options.perIp, clock);
    this.traderLimiter = new RateLimiter(options.perTrader, clock);
    this.trustedProxies = new Set(options.trustedProxies ?? []);
    this.server = createServer((req, res) => void this.handle(req, res));
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
    this.server.on("upgrade", (req, socket, head) => {
      if (new URL(req.url ?? "/", "http://relay").pathname !== "/ws") {
        socket.destroy();
        return;
      }
      const taken = this.ipLimiter.take(clientIp(req, this.trustedProxies));
      if (!taken.allowed) {
        socket.end(
          `HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${taken.retryAfterSeconds}\r\nContent-Length: 0\r\n\r\n`,
        );
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
  }

  async listen(): Promise<string> {
    this.unsubscribe = this.relay.subscribe((m) => this.broadcast(m));
    // a port in use or a host it cannot bind rejects here instead of an unhandled 'error' event
    await new Promise<void>((resolve, reject) => {
      const failed = (error: Error) => {
        this.unsubscribe?.();
        reject(error);
      };
      this.server.once("error", failed);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off("error", failed);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    return `http://${this.options.host}:${port}`;
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = stringify(body);
    res.writeHead(status, {
      ...headers,
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
    });
    res.end(text);
  }

  /** Takes a token of `limiter` for `key`; an empty bucket is a 429 `RateLimited` with Retry-After. */
  private limit(limiter: RateLimiter, key: string, args: Record<string, string>, message: string): void {
    const taken: TakeResult = limiter.take(key);
    if (!taken.allowed) {
      throw new RateLimited(
        { ...args, retryAfterSeconds: String(taken.retryAfterSeconds) },
        message,
        taken.retryAfterSeconds,
      );
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      this.limit(
        this.ipLimiter,
        clientIp(req, this.trustedProxies),
        { scope: "ip" },
        "too many requests from this address",
      );
      const url = new URL(req.url ?? "/", "http://relay");
      const { status, body } = await this.route(req, url);
      this.send(res, status, body);
    } catch (error) {
      if (error instanceof Refusal) {
        const headers: Record<string, string> =
          error instanceof RateLimited ? { "retry-after": String(error.retryAfterSeconds) } : {};
        this.send(res, error.status, error.toJSON(), headers);
        return;
      }
      if (error instanceof BodyTooLarge) {
        this.send(res, 413, {
          error: "BodyTooLarge",
          args: { max: String(this.options.maxBodyBytes) },
          message: `request bodies are limited to ${this.options.maxBodyBytes} bytes`,
        });
        return;
      }
      this.log.error({ err: error, url: req.url }, "request failed");
      this.send(res, 503, {
        error: "Unavailable",
        args: {},
        message: "the relay could not serve this request now",
      });
    }
  }

  private async route(req: IncomingMessage, url: URL): Promise<{ status: number; body: unknown }> {
    const path = url.pathname.split("/").filter((s) => s !== "");
    const method = req.method ?? "GET";
    const store = this.relay.deps.store;
    const notFound = () =>
      new Refusal(404, "NotFound", { path: url.pathname }, `no route ${method} ${url.pathname}`);
    const marketOf = (s: string) => {
      if (!HEX32.test(s))
        throw new Refusal(400, "InvalidQuery", { field: "marketId", problem: "0x and 64 hex digits" });
      return s.toLowerCase() as Hex;
    };

    if (method === "GET" && url.pathname === "/healthz") {
      const s = this.relay.status;
      return { status: s.chain === "ok" ? 200 : 503, body: s };
    }
    if (method === "GET" && url.pathname === "/openapi.json") return { status: 200, body: OPENAPI };
    if (method === "POST" && url.pathname === "/orders") {
      const text = await readBody(req, this.options.maxBodyBytes);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new Refusal(400, "MalformedJson", {}, "the request body is not JSON");
      }
      const trader = (body as { order?: { trader?: unknown } } | null)?.order?.trader;
      if (typeof trader === "string") {
        this.limit(
          this.traderLimiter,
          trader.toLowerCase(),
          { scope: "trader", trader },
          "too many orders from this trader",
        );
      }
      const order = await this.relay.place(body);
      return { status: 201, body: publicOrder(order) };
    }
    if (path[0] === "orders" && path.length === 2) {
      if (!HEX32.test(path[1]))
        throw new Refusal(400, "InvalidQuery", { field: "hash", problem: "0x and 64 hex digits" });
      const hash = path[1].toLowerCase() as Hex;
      if (method === "GET") {
        const o = this.relay.books.find(hash) ?? (await store.order(hash));
        if (o === undefined) throw new Refusal(404, "UnknownOrder", { orderHash: hash });
        return { status: 200, body: publicOrder(o) };
      }
      if (method === "DELETE") {
        const text = await readBody(req, this.options.maxBodyBytes);
        const parsed = z
          .object({ signature: z.string().regex(/^0x([0-9a-fA-F]{2})+$/) })
          .safeParse(safeJson(text));
        if (!parsed.success)
          throw new Refusal(400, "InvalidCancel", { field: "signature", problem: "0x and hex digits" });
        // a cancel counts against its order's trader, as a placement does
        const target = this.relay.books.find(hash) ?? (await store.order(hash));
        if (target !== undefined) {
          const trader = target.order.trader;
          this.limit(
            this.traderLimiter,
            trader.toLowerCase(),
            { scope: "trader", trader },
            "too many orders and cancels from this trader",
          );
        }
        const o = await this.relay.cancel(hash, parsed.data.signature as Hex);
        return { status: 200, body: publicOrder(o) };
      }
    }
    if (method !== "GET") throw notFound();
    if (url.pathname === "/markets") return { status: 200, body: await this.markets() };
    if (path[0] === "markets" && path.length === 3) {
      const marketId = marketOf(path[1]);
      if (path[2] === "book") {
        const levels = url.searchParams.has("levels")
          ? limitOf(new URL(`http://x/?limit=${url.searchParams.get("levels")}`), 50, 500)
          : 50;
        return { status: 200, body: this.relay.books.market(marketId).depth(levels) };
      }
      if (path[2] === "trades") return { status: 200, body: await store.fills(marketId, limitOf(url, 100)) };
      if (path[2] === "candles") {
        const interval = Number(url.searchParams.get("interval") ?? "60");
        const from = Number(url.searchParams.get("from") ?? "0");
        if (!Number.isSafeInteger(interval) || interval < 1 || !Number.isSafeInteger(from) || from < 0) {
          throw new Refusal(400, "InvalidQuery", {
            field: "interval/from",
            problem: "positive integers (seconds)",
          });
        }
        return { status: 200, body: candles(await store.fillsSince(marketId, from), interval) };
      }
    }
    if (path[0] === "accounts" && path.length === 3) {
      if (!HEX20.test(path[1]))
        throw new Refusal(400, "InvalidQuery", { field: "address", problem: "0x and 40 hex digits" });
      const account = path[1] as Address;
      if (path[2] === "orders") {
        const liveOnly = url.searchParams.get("state") === "live";
        const orders = liveOnly
          ? this.relay.openOrdersOf(account)
          : await store.ordersOf(account, limitOf(url, 100));
        return { status: 200, body: orders.map(publicOrder) };
      }
      if (path[2] === "history") {
        const limit = limitOf(url, 100);
        return {
          status: 200,
          body: { fills: await store.fillsOf(account, limit), events: await store.historyOf(account, limit) },
        };
      }
    }
    if (url.pathname === "/indexes/rounds") {
      const indexId = url.searchParams.get("indexId");
      return {
        status: 200,
        body: await store.rounds(indexId === null ? undefined : marketOf(indexId), limitOf(url, 100)),
      };
    }
    throw notFound();
  }

  private async markets(): Promise<unknown[]> {
    const chain = this.relay.deps.chain;
    const address = this.relay.deps.config.addresses.clearinghouse;
    const count = await chain.client.readContract({
      address,
      abi: MARKET_COUNT_ABI,
      functionName: "marketCount",
    });
    const out: unknown[] = [];
    // market indices start at 1
    for (let i = 1; i <= count; i++) {
      const id = await chain.client.readContract({
        address,
        abi: MARKET_COUNT_ABI,
        functionName: "marketIdAt",
        args: [i],
      });
      const s = await chain.market(id);
      if (s === undefined) continue;
      const book = this.relay.books.market(id);
      out.push({
        marketId: id,
        indexId: s.market.params.indexId,
        expiry: s.market.params.expiry,
        contractSize: s.market.params.contractSize,
        tickSize: s.market.params.tickSize,
        minSize: s.market.params.minSize,
        status: s.status,
        paused: s.paused,
        index: s.index?.value ?? null,
        indexUpdatedAt: s.index?.updatedAt ?? null,
        mark: s.mark ?? null,
        basisRate: s.market.state.basisRate,
        bestBid: book.best("bid") ?? null,
        bestAsk: book.best("ask") ?? null,
      });
    }
    return out;
  }

  private onSocket(ws: WebSocket): void {
    const subs = new Set<string>();
    this.subscriptions.set(ws, subs);
    ws.on("close", () => this.subscriptions.delete(ws));
    ws.on("error", () => this.subscriptions.delete(ws));
    ws.on("message", (data) => {
      const parsed = wsMessage.safeParse(safeJson(String(data)));
      if (!parsed.success) {
        ws.send(
          stringify({ type: "error", error: "InvalidMessage", message: parsed.error.issues[0].message }),
        );
        return;
      }
      const m = parsed.data;
      const key =
        m.channel === "orders"
          ? `orders:${m.account.toLowerCase()}`
          : `${m.channel}:${m.marketId.toLowerCase()}`;
      if (m.op === "unsubscribe") {
        subs.delete(key);
        return;
      }
      subs.add(key);
      if (m.channel === "book") {
        const depth = this.relay.books.market(m.marketId as Hex).depth(this.options.snapshotLevels);
        ws.send(stringify({ type: "snapshot", ...depth }));
      } else {
        ws.send(stringify({ type: "subscribed", channel: m.channel, key }));
      }
    });
  }

  private broadcast(m: RelayMessage): void {
    let key: string;
    let payload: unknown;
    if (m.type === "book") {
      key = `book:${m.marketId.toLowerCase()}`;
      payload = m;
    } else if (m.type === "trade") {
      key = `trades:${m.fill.marketId.toLowerCase()}`;
      payload = m;
    } else {
      key = `orders:${m.order.order.trader.toLowerCase()}`;
      payload = { type: "order", order: publicOrder(m.order) };
    }
    let text: string | undefined;
    for (const [ws, subs] of this.subscriptions) {
      if (!subs.has(key) || ws.readyState !== ws.OPEN) continue;
      text ??= stringify(payload);
      ws.send(text);
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A 429: the bucket of an IP or a trader is empty; `retryAfterSeconds` goes out as Retry-After. */
class RateLimited extends Refusal {
  constructor(
    args: Record<string, string>,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, "RateLimited", args, message);
  }
}
