/**
 * Token buckets per key (an IP, a trader): `burst` requests at once, refilled at `perSecond`. Kept in the
 * process's memory: each relay process limits what reaches it.
 */
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";

import type { Clock } from "../../keepers/shell/clock.js";

export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** What `take` decided: allowed, or refused with the whole seconds until a token is back. */
export type TakeResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock,
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes one token for `key`; when the bucket is empty, says how long until the next token. */
  take(key: string): TakeResult {
    const now = this.clock.nowMs();
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= this.maxKeys) this.evict(now);
      b = { tokens: this.limit.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.limit.burst, b.tokens + ((now - b.at) / 1000) * this.limit.perSecond);
    b.at = now;
    if (b.tokens < 1) {
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.limit.perSecond)),
      };
    }
    b.tokens -= 1;
    return { allowed: true };
  }

  /** Drops full buckets (keys idle long enough to have refilled). */
  private evict(now: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.limit.perSecond >= this.limit.burst) this.buckets.delete(k);
    }
  }
}

/** `::ffff:127.0.0.1` and `127.0.0.1` are the same client. */
const plainIp = (ip: string) => (ip.startsWith("::ffff:") && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip);

/**
 * The client's IP for rate limits. A request from one of `trustedProxies` (a reverse proxy or load
 * balancer in front of the relay) is keyed by the rightmost `X-Forwarded-For` entry that is not itself a
 * trusted proxy; any other request by its connection's address, whatever headers it sends (a client
 * cannot pick its own key).
 */
export function clientIp(req: IncomingMessage, trustedProxies: ReadonlySet<string>): string {
  const peer = plainIp(req.socket.remoteAddress ?? "unknown");
  if (!trustedProxies.has(peer)) return peer;
  const header = req.headers["x-forwarded-for"];
  const hops = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((h) => plainIp(h.trim()))
    .filter((h) => h !== "");
  for (let i = hops.length - 1; i >= 0; i--) {
    if (isIP(hops[i]) === 0) return peer; // a malformed chain: the proxy itself is the key
    if (!trustedProxies.has(hops[i])) return hops[i];
  }
  return peer;
}
