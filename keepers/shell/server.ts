/**
 * The keeper's HTTP server (node:http), on loopback by default: `GET /metrics` (Prometheus text),
 * `GET /healthz` (200 while ticks complete on time, else 503), plus routes a keeper adds (the reporter
 * serves `GET /report/<indexName>`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import type { Clock } from "./clock.js";
import type { KeeperMetrics } from "./metrics.js";

/** A route handler returns true when it answered the request. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface HealthSource {
  /** Milliseconds since the epoch of the last completed tick, undefined before the first. */
  lastTickMs(): number | undefined;
  /** Whether the keeper is shutting down. */
  stopping(): boolean;
}

export interface KeeperServerOptions {
  host: string;
  port: number;
  metrics: KeeperMetrics;
  health: HealthSource;
  clock: Clock;
  staleMs: number;
  routes?: RouteHandler[];
}

export class KeeperServer {
  private server?: Server;
  constructor(private readonly options: KeeperServerOptions) {}

  /** Starts listening; resolves with the bound port. */
  async start(): Promise<number> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(e));
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  /** Stops accepting connections and closes idle ones. */
  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }

  /** The health verdict `/healthz` returns. */
  health(): { ok: boolean; lastTickMs?: number; ageMs?: number; stopping: boolean } {
    const last = this.options.health.lastTickMs();
    const stopping = this.options.health.stopping();
    if (last === undefined) return { ok: false, stopping };
    const ageMs = this.options.clock.nowMs() - last;
    return { ok: !stopping && ageMs <= this.options.staleMs, lastTickMs: last, ageMs, stopping };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/metrics") {
      res.writeHead(200, { "content-type": this.options.metrics.registry.contentType });
      res.end(await this.options.metrics.registry.metrics());
      return;
    }
    if (req.method === "GET" && path === "/healthz") {
      const health = this.health();
      res.writeHead(health.ok ? 200 : 503, { "content-type": "application/json" });
      res.end(JSON.stringify(health));
      return;
    }
    for (const route of this.options.routes ?? []) if (await route(req, res)) return;
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found");
  }
}
