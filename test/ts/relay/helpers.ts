/**
 * Shared pieces of the relay tests and benchmark: the options of a relay on the in-process chain, HTTP
 * requests (with a chosen source address) and WebSockets.
 */
import { request as httpRequest } from "node:http";

import { createPublicClient, custom, type Hex, type PublicClient } from "viem";
import { WebSocket } from "ws";

import { createLogger } from "../../../keepers/shell/log.js";
import { DEFAULT_HTTP, type RelayOptions } from "../../../relay/app.js";
import type { Protocol } from "../helpers/protocolFixture.js";

/**
 * A relay on the in-process chain (`provider`) where `p` is deployed: in-memory database, any free
 * port, no loop of its own (the test calls `tick`), the head read again for every order, silent
 * (`RELAY_TEST_LOG=debug` shows its log). `overrides` replace any of these.
 */
export async function relayOptions(
  p: Protocol,
  provider: Parameters<typeof custom>[0],
  overrides: Partial<RelayOptions> = {},
): Promise<RelayOptions> {
  return {
    client: createPublicClient({ transport: custom(provider), pollingInterval: 1 }) as PublicClient,
    chainId: 31337,
    addresses: {
      exchange: (await p.exchange.getAddress()) as Hex,
      clearinghouse: (await p.ch.getAddress()) as Hex,
      indexOracle: (await p.oracle!.getAddress()) as Hex,
    },
    fromBlock: 0n,
    databaseUrl: ":memory:",
    http: { ...DEFAULT_HTTP, port: 0 },
    pollIntervalMs: 0,
    headMaxAgeMs: 0,
    maxMakers: 8,
    expiryMarginSeconds: 5n,
    maxOpenOrders: 50,
    logLevel: "silent",
    log: createLogger("relay-test", process.env.RELAY_TEST_LOG ?? "silent"),
    ...overrides,
  };
}

export interface Reply {
  status: number;
  body: Record<string, unknown> & { error?: string; args?: Record<string, string> };
  headers: Record<string, string | string[] | undefined>;
}

/**
 * One HTTP request; `localAddress` picks the client's loopback address (127.0.0.x) to act as another IP;
 * `headers` are sent as given.
 */
export function call(
  method: string,
  url: string,
  body?: unknown,
  options: { localAddress?: string; raw?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const text = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method,
        localAddress: options.localAddress,
        headers: {
          ...options.headers,
          ...(text === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(text) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const s = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            body: s === "" ? {} : (JSON.parse(s) as Reply["body"]),
            headers: res.headers,
          });
        });
      },
    );
    req.on("error", reject);
    if (text !== undefined) req.write(text);
    req.end();
  });
}

/** A WebSocket client that queues messages and waits for the next one matching a predicate. */
export class WsClient {
  private readonly queue: Record<string, unknown>[] = [];
  private waiters: {
    test: (m: Record<string, unknown>) => boolean;
    resolve: (m: Record<string, unknown>) => void;
  }[] = [];
  /** Messages seen so far (a waiter that times out names the last few). */
  private seen = 0;
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const m = JSON.parse(String(data)) as Record<string, unknown>;
      this.seen++;
      const w = this.waiters.find((x) => x.test(m));
      if (w !== undefined) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(m);
      } else this.queue.push(m);
    });
  }

  static open(url: string): Promise<WsClient> {
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new WsClient(ws)));
      ws.once("error", reject);
    });
  }

  send(m: unknown): void {
    this.ws.send(JSON.stringify(m));
  }

  /**
   * The first queued or coming message that passes `test`; rejects after `timeoutMs` (a message that
   * never comes fails the caller instead of hanging it).
   */
  next(
    test: (m: Record<string, unknown>) => boolean = () => true,
    timeoutMs = 20_000,
  ): Promise<Record<string, unknown>> {
    const i = this.queue.findIndex(test);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter = {
        test,
        resolve: (m: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== waiter);
        reject(new Error(`no matching WebSocket message within ${timeoutMs} ms (${this.seen} received)`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
