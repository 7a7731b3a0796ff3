/**
 * The oracle's checkpoint arithmetic, bit for bit as `CheckpointLib` and `IndexOracle.twap` /
 * `range` / `valueAt` compute it, so a reader holding the checkpoints can reproduce every view
 * without a call (and a keeper can tell in advance whether a window is readable).
 *
 * Units: values 18-decimal fixed point, times unix seconds, cumulatives `∫ value dt` modulo `2^128`.
 */
import type { Hex } from "viem";

import {
  InvalidWindowError,
  NoRoundsError,
  TimestampOutOfRangeError,
  WindowInFutureError,
  WindowNotCoveredError,
} from "../errors/generated.js";
import { InvalidArgumentError } from "../errors/SdkError.js";

/** `1e18`: one in 18-decimal fixed point. */
export const WAD = 10n ** 18n;
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

/** The contract's window rules for `twap` and `range` (`_checkWindow`), throwing the same typed errors. */
function checkWindow(checkpoints: readonly Checkpoint[], from: bigint, to: bigint, ctx: WindowContext): void {
  if (from >= to) throw new InvalidWindowError({ from, to });
  if (to > ctx.now) throw new WindowInFutureError({ to, nowTs: ctx.now });
  if (to > U32_MAX) throw new TimestampOutOfRangeError({ timestamp: to });
  requireCovered(checkpoints, from, ctx.indexId);
}

function requireCovered(checkpoints: readonly Checkpoint[], t: bigint, indexId: Hex): void {
  if (checkpoints.length === 0) throw new NoRoundsError({ indexId });
  const first = checkpoints[0].timestamp;
  if (t < first) throw new WindowNotCoveredError({ indexId, from: t, firstTimestamp: first });
}

/**
 * The time-weighted average over `[from, to]`, rounded down, exactly as `IndexOracle.twap` returns it
 * when given all the index's checkpoints; throws the contract's typed errors for a bad window.
 * @example twap(checkpoints, now - 3600n, now, { indexId, now })
 */
export function twap(
  checkpoints: readonly Checkpoint[],
  from: bigint,
  to: bigint,
  ctx: WindowContext,
): bigint {
  checkWindow(checkpoints, from, to, ctx);
  const a = checkpoints[findRound(checkpoints, from)];
  const b = checkpoints[findRound(checkpoints, to)];
  return averageDown(cumulativeAt(a, from), cumulativeAt(b, to), from, to);
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
  checkWindow(checkpoints, from, to, ctx);
  let min = (1n << 256n) - 1n;
  let max = 0n;
  for (let i = findRound(checkpoints, from); i < checkpoints.length; i++) {
    const c = checkpoints[i];
    if (c.timestamp > to) break;
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
 * The signatures a round beyond the deviation bound needs: `⌈2n/3⌉` of `n` reporters.
 * @example supermajority(5n) // 4n
 */
export function supermajority(n: bigint): bigint {
  return (2n * n + 2n) / 3n;
}
