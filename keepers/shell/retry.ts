/** Retry with exponential backoff and full jitter, and per-call timeouts, on an injected clock. */
import type { Clock } from "./clock.js";

export interface RetryOptions {
  /** Total attempts, first included. */
  attempts: number;
  /** Delay cap before the first retry (ms); doubles each retry. */
  baseMs: number;
  /** Largest delay cap (ms). */
  maxMs: number;
  clock: Clock;
  /** Uniform in [0, 1); `Math.random` unless injected. */
  random?: () => number;
  /** Whether an error is worth retrying; every error by default. */
  retryable?: (error: unknown) => boolean;
  /** Called before each retry with the attempt number (1 = first retry), the delay and the error. */
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
  signal?: AbortSignal;
}

/** The delay before retry `attempt` (1-based): uniform in `[0, min(maxMs, baseMs × 2^(attempt-1))]`. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const cap = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.floor(random() * (cap + 1));
}

/**
 * Runs `fn` until it succeeds, the error is not retryable, attempts run out or `signal` aborts;
 * rethrows the last error.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const random = options.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const last = attempt + 1 >= options.attempts;
      if (last || options.signal?.aborted || !(options.retryable?.(error) ?? true)) throw error;
      const delay = backoffDelay(attempt + 1, options.baseMs, options.maxMs, random);
      options.onRetry?.(attempt + 1, delay, error);
      await options.clock.sleep(delay, options.signal);
    }
  }
}

/** Thrown by `withTimeout` when the call took longer than allowed. */
export class TimeoutError extends Error {
  constructor(
    readonly label: string,
    readonly ms: number,
  ) {
    super(`${label} timed out after ${ms} ms`);
    this.name = "TimeoutError";
  }
}

/**
 * Resolves like `promise`, or rejects with `TimeoutError` once `timer.sleep(ms)` resolves first. The
 * timer is its own injection point (a real one in production; tests pass one they release by hand).
 */
export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  timer: Clock,
  label: string,
): Promise<T> {
  const abort = new AbortController();
  const timeout = timer.sleep(ms, abort.signal).then(() => {
    throw new TimeoutError(label, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    abort.abort();
    timeout.catch(() => undefined);
  }
}
