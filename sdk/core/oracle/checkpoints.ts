/**
 * The oracle's checkpoint arithmetic, bit for bit as `CheckpointLib` and `IndexOracle.twap` /
 * `range` / `valueAt` compute it, so a reader holding the checkpoints can reproduce every view
 * without a call (and a keeper can tell in advance whether a window is readable).
 *
 * Units: values 18-decimal fixed point, times unix seconds, cumulatives `∫ value dt` modulo `2^128`.
 */
import type { Hex } from "viem";

import {
  InsufficientCoverageError,
  InvalidWindowError,
  NoRoundsError,
  TimestampOutOfRangeError,
  TooManyRoundsInWindowError,
  WindowInFutureError,
  WindowNotCoveredError,
} from "../errors/generated.js";
import { InvalidArgumentError } from "../errors/SdkError.js";
import { WAD } from "../math/wad.js";

// Declared once, with the fixed-point primitives; still exported here, where the SDK first exported it.
export { WAD };
/** `IndexOracle.MAX_WINDOW_ROUNDS`: the most rounds `twap` and `range` read for one window. */
export const MAX_WINDOW_ROUNDS = 512n;
/** `IndexOracle.MAX_REPORTERS`: the most reporters an index has, and the most reports one `submit` takes. */
export const MAX_REPORTERS = 32;
/** `IndexOracle.MIN_TWAP_COVERAGE`: the least fresh fraction of a window `twap` answers for. */
export const MIN_TWAP_COVERAGE = WAD / 2n;
const U128 = 1n << 128n;
const U32_MAX = (1n << 32n) - 1n;

/** One accepted round (`IIndexOracle.Checkpoint`). */
export interface Checkpoint {
  /** `block.timestamp` of the accepting transaction. */
  timestamp: bigint;
  /** The round's median value (18 decimals, below `2^96`). */
  value: bigint;
  /** `∫ value dt` from the first checkpoint to `timestamp`, modulo `2^128`. */
  cumulative: bigint;
}

/**
 * The cumulative at `t >= c.timestamp`, where `c` is the last checkpoint at or before `t`:
 * `c.cumulative + c.value × (t − c.timestamp)` modulo `2^128` (`CheckpointLib.cumulativeAt`).
 * @example cumulativeAt({ timestamp: 100n, value: 2n, cumulative: 0n }, 110n) // 20n
 */
export function cumulativeAt(c: Checkpoint, t: bigint): bigint {
  if (t < c.timestamp) throw new InvalidArgumentError("t", t, `a time at or after ${c.timestamp}`);
  return (c.cumulative + c.value * (t - c.timestamp)) % U128;
}

/**
 * The average over `[from, to)` from the cumulatives at both ends, rounded down, with the wrapping
 * subtraction the contract does (`CheckpointLib.averageDown`).
 * @example averageDown(0n, 25n, 0n, 10n) // 2n
 */
export function averageDown(cumulativeFrom: bigint, cumulativeTo: bigint, from: bigint, to: bigint): bigint {
  if (from >= to) throw new InvalidArgumentError("window", [from, to], "from < to");
  const delta = (((cumulativeTo - cumulativeFrom) % U128) + U128) % U128;
  return delta / (to - from);
}

/**
 * The cumulative of the next checkpoint when a round of `value` is accepted at `timestamp` after
 * `last` (`0` for the first round), as `IndexOracle` writes it.
 * @example nextCheckpoint(undefined, 100n, 5n) // { timestamp: 100n, value: 5n, cumulative: 0n }
 */
export function nextCheckpoint(last: Checkpoint | undefined, timestamp: bigint, value: bigint): Checkpoint {
  return { timestamp, value, cumulative: last ? cumulativeAt(last, timestamp) : 0n };
}

/**
 * Index (0-based) of the last checkpoint at or before `t` in `checkpoints` (ascending by timestamp,
 * round 1 first), or `-1` when `t` is before the first. The contract's `_findRound` minus one.
 * @example findRound([{ timestamp: 10n, … }, { timestamp: 20n, … }], 15n) // 0
 */
export function findRound(checkpoints: readonly Checkpoint[], t: bigint): number {
  let lo = 0;
  let hi = checkpoints.length - 1;
  if (hi < 0 || checkpoints[0].timestamp > t) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (checkpoints[mid].timestamp <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Where a window check runs: the index and the chain's current time. */
export interface WindowContext {
  indexId: Hex;
  /** `block.timestamp` of the block the contract would read at. */
  now: bigint;
}

/** What `twap` also needs: the index's current `maxAge` (a round is fresh until `maxAge` after it). */
export interface TwapContext extends WindowContext {
  maxAge: bigint;
}

/**
 * The contract's window rules for `twap` and `range` (`_windowRounds`), throwing the same typed
 * errors; returns the 0-based indices of the rounds in force at `from` and at `to`.
 */
function windowRounds(
  checkpoints: readonly Checkpoint[],
  from: bigint,
  to: bigint,
  ctx: WindowContext,
): [number, number] {
  if (from >= to) throw new InvalidWindowError({ from, to });
  if (to > ctx.now) throw new WindowInFutureError({ to, nowTs: ctx.now });
  if (to > U32_MAX) throw new TimestampOutOfRangeError({ timestamp: to });
  requireCovered(checkpoints, from, ctx.indexId);
  const first = findRound(checkpoints, from);
  const last = findRound(checkpoints, to);
  const rounds = BigInt(last - first + 1);
  if (rounds > MAX_WINDOW_ROUNDS) {
    throw new TooManyRoundsInWindowError({ indexId: ctx.indexId, rounds, max: MAX_WINDOW_ROUNDS });
  }
  return [first, last];
}

function requireCovered(checkpoints: readonly Checkpoint[], t: bigint, indexId: Hex): void {
  if (checkpoints.length === 0) throw new NoRoundsError({ indexId });
  const first = checkpoints[0].timestamp;
  if (t < first) throw new WindowNotCoveredError({ indexId, from: t, firstTimestamp: first });
}

/**
 * The average over the fresh seconds of `[from, to]` (a round counts until `maxAge` after it was
 * accepted), rounded down, exactly as `IndexOracle.twap` returns it when given all the index's
 * checkpoints; throws the contract's typed errors, `InsufficientCoverageError` when fewer than
 * `MIN_TWAP_COVERAGE` of the window's seconds are fresh.
 * @example twap(checkpoints, now - 3600n, now, { indexId, now, maxAge })
 */
export function twap(checkpoints: readonly Checkpoint[], from: bigint, to: bigint, ctx: TwapContext): bigint {
  const [first, last] = windowRounds(checkpoints, from, to, ctx);
  let covered = 0n;
  let weighted = 0n;
  for (let r = first; r <= last; r++) {
    const c = checkpoints[r];
    let end = r < last ? checkpoints[r + 1].timestamp : to;
    const start = c.timestamp > from ? c.timestamp : from;
    if (c.timestamp + ctx.maxAge < end) end = c.timestamp + ctx.maxAge;
    if (end > start) {
      covered += end - start;
      weighted += c.value * (end - start);
    }
  }
  const required = ((to - from) * MIN_TWAP_COVERAGE + WAD - 1n) / WAD;
  if (covered < required) {
    throw new InsufficientCoverageError({ indexId: ctx.indexId, from, to, covered, required });
  }
  return weighted / covered;
}

/**
 * The average over `[max(from, first round), to]` counting every value however old, rounded down
 * (`IndexOracle.fallbackTwap`, what a settlement falls back to when `twap` cannot answer).
 * @example fallbackTwap(checkpoints, expiry - window, expiry, { indexId, now })
 */
export function fallbackTwap(
  checkpoints: readonly Checkpoint[],
  from: bigint,
  to: bigint,
  ctx: WindowContext,
): bigint {
  if (from >= to) throw new InvalidWindowError({ from, to });
  if (to > ctx.now) throw new WindowInFutureError({ to, nowTs: ctx.now });
  if (to > U32_MAX) throw new TimestampOutOfRangeError({ timestamp: to });
  requireCovered(checkpoints, to, ctx.indexId);
  const start = from < checkpoints[0].timestamp ? checkpoints[0].timestamp : from;
  const b = checkpoints[findRound(checkpoints, to)];
  if (start === to) return b.value;
  const a = checkpoints[findRound(checkpoints, start)];
  return averageDown(cumulativeAt(a, start), cumulativeAt(b, to), start, to);
}

/**
 * The smallest and largest value in force during `[from, to]` (`IndexOracle.range`).
 * @example const { min, max } = range(checkpoints, from, to, { indexId, now })
 */
export function range(
  checkpoints: readonly Checkpoint[],
  from: bigint,
  to: bigint,
  ctx: WindowContext,
): { min: bigint; max: bigint } {
  const [first, last] = windowRounds(checkpoints, from, to, ctx);
  let min = (1n << 256n) - 1n;
  let max = 0n;
  for (let i = first; i <= last; i++) {
    const c = checkpoints[i];
    if (c.value < min) min = c.value;
    if (c.value > max) max = c.value;
  }
  return { min, max };
}

/**
 * The value in force at `timestamp` and when it took effect (`IndexOracle.valueAt`).
 * @example valueAt(checkpoints, expiry, { indexId, now })
 */
export function valueAt(
  checkpoints: readonly Checkpoint[],
  timestamp: bigint,
  ctx: WindowContext,
): { value: bigint; updatedAt: bigint } {
  if (timestamp > ctx.now) throw new WindowInFutureError({ to: timestamp, nowTs: ctx.now });
  requireCovered(checkpoints, timestamp, ctx.indexId);
  const c = checkpoints[findRound(checkpoints, timestamp)];
  return { value: c.value, updatedAt: c.timestamp };
}

/**
 * Whether `value` moves more than `maxDeviation` (`1e18` = 100 %) from `previous`:
 * `|value − previous| × 1e18 > maxDeviation × previous` (`CheckpointLib.exceedsDeviation`).
 * @example exceedsDeviation(100n, 111n, WAD / 10n) // true
 */
export function exceedsDeviation(previous: bigint, value: bigint, maxDeviation: bigint): boolean {
  const diff = value > previous ? value - previous : previous - value;
  return diff * WAD > maxDeviation * previous;
}

/**
 * How many of `values` agree with `median` as the oracle counts them for a move beyond the deviation
 * bound (`MedianLib.countWithin`): `|value − median| × 2e18 <= maxDeviation × median`.
 * @example countAgreeing([95n, 100n, 106n], 100n, WAD / 10n) // 2
 */
export function countAgreeing(values: readonly bigint[], median: bigint, maxDeviation: bigint): number {
  return values.filter((v) => (v > median ? v - median : median - v) * 2n * WAD <= maxDeviation * median)
    .length;
}

/**
 * The agreeing reports a round beyond the deviation bound needs: `⌈2n/3⌉` of `n` reporters (at least
 * `2f + 1` under the oracle's bounds).
 * @example supermajority(5n) // 4n
 */
export function supermajority(n: bigint): bigint {
  return (2n * n + 2n) / 3n;
}
