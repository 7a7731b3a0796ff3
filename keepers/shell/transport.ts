/**
 * A viem transport around any EIP-1193 provider (an HTTP endpoint, or the in-process chain in tests)
 * that puts a timeout on every call and retries transient failures (timeouts, HTTP 429/5xx, dropped
 * sockets) with backoff and jitter. Execution reverts and nonce errors are never retried here: they are
 * answers, not outages.
 */
import { custom, http, type Transport } from "viem";

import type { Clock } from "./clock.js";
import type { KeeperMetrics } from "./metrics.js";
import { retry, TimeoutError, withTimeout } from "./retry.js";

/** The one method of an EIP-1193 provider the keepers use. */
export interface Eip1193Like {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
}

export interface ResilientOptions {
  clock: Clock;
  /** Clock used for call timeouts; the real one in production. */
  timer: Clock;
  timeoutMs: number;
  attempts: number;
  baseMs: number;
  maxMs: number;
  random?: () => number;
  metrics?: KeeperMetrics;
  onRetry?: (method: string, attempt: number, delayMs: number, error: unknown) => void;
}

const RETRYABLE_NAMES = new Set([
  "TimeoutError",
  "HttpRequestError",
  "SocketClosedError",
  "WebSocketRequestError",
]);
/** JSON-RPC codes that mean "try again later": limit exceeded, resource unavailable, rate limit. */
const RETRYABLE_CODES = new Set([-32005, -32002, 429]);
const RETRYABLE_SYSCALL = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN"]);

/** Whether a JSON-RPC failure is transient. */
export function isTransientRpcError(error: unknown): boolean {
  if (error instanceof TimeoutError) return true;
  const e = error as { name?: string; code?: unknown; status?: number; cause?: unknown };
  if (e === null || typeof e !== "object") return false;
  if (e.name === "HttpRequestError" && e.status !== undefined) return e.status === 429 || e.status >= 500;
  if (e.name !== undefined && RETRYABLE_NAMES.has(e.name)) return true;
  if (typeof e.code === "number" && RETRYABLE_CODES.has(e.code)) return true;
  if (typeof e.code === "string" && RETRYABLE_SYSCALL.has(e.code)) return true;
  return e.cause !== undefined && e.cause !== error && isTransientRpcError(e.cause);
}

/**
 * The kind of a failed JSON-RPC call for `keeper_rpc_errors_total`: `timeout`, `rate_limit`, `http`
 * (5xx and other HTTP statuses), `connection` (refused, reset, DNS), or `rpc` (any other error the
 * node answered); undefined for the answers that are not outages (reverts, nonce and
 * already-known errors).
 */
export function rpcErrorKind(error: unknown): string | undefined {
  if (error instanceof TimeoutError) return "timeout";
  const e = error as { name?: string; code?: unknown; status?: number; cause?: unknown; message?: string };
  if (e === null || typeof e !== "object") return "rpc";
  if (e.name === "TimeoutError") return "timeout";
  if (e.status === 429 || e.code === 429 || e.code === -32005) return "rate_limit";
  if (e.name === "HttpRequestError" && e.status !== undefined) return "http";
  if (typeof e.code === "string" && RETRYABLE_SYSCALL.has(e.code)) return "connection";
  if (e.cause !== undefined && e.cause !== error) {
    const inner = rpcErrorKind(e.cause);
    if (inner !== "rpc") return inner;
  }
  if (e.name === "HttpRequestError" || e.name === "SocketClosedError") return "connection";
  if (e.code === 3 || /revert|nonce|already known|known transaction/i.test(e.message ?? "")) return undefined;
  return "rpc";
}

/** Wraps `provider` so every request has a timeout and transient failures are retried. */
export function resilientProvider(provider: Eip1193Like, options: ResilientOptions): Eip1193Like {
  const counted = async (args: { method: string; params?: unknown }): Promise<unknown> => {
    try {
      return await withTimeout(provider.request(args), options.timeoutMs, options.timer, args.method);
    } catch (error) {
      const kind = rpcErrorKind(error);
      if (kind !== undefined) options.metrics?.rpcErrors.inc({ kind });
      throw error;
    }
  };
  return {
    request: (args) =>
      retry(() => counted(args), {
        attempts: options.attempts,
        baseMs: options.baseMs,
        maxMs: options.maxMs,
        clock: options.clock,
        random: options.random,
        retryable: isTransientRpcError,
        onRetry: (attempt, delay, error) => {
          options.metrics?.rpcRetries.inc({ method: args.method });
          options.onRetry?.(args.method, attempt, delay, error);
        },
      }),
  };
}

/** A viem transport over `provider` with timeouts and retries (viem's own retries switched off). */
export function resilientTransport(provider: Eip1193Like, options: ResilientOptions): Transport {
  return custom(resilientProvider(provider, options), { retryCount: 0 });
}

/** An EIP-1193 provider for a JSON-RPC URL (viem's HTTP transport without its own retries). */
export function httpProvider(url: string): Eip1193Like {
  const transport = http(url, { retryCount: 0, timeout: 0 })({ retryCount: 0 });
  return { request: (args) => transport.request(args as never) };
}
