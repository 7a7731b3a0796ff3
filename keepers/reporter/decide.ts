/**
 * The reporter's decision, pure: given the parsed price data and what it last published, which round
 * (if any) to sign now. Observation times are aligned to `periodSeconds`, so every honest reporter
 * signs the same `observedAt` and the same inputs in a period and their reports agree exactly.
 */
import {
  computeRound,
  dateOfTimestamp,
  IndexError,
  type IndexData,
  type IndexSpec,
  type Round,
} from "../../index/index.js";

export interface ReporterConfig {
  spec: IndexSpec;
  /** Seconds between two observations; `observedAt = now − now mod periodSeconds`. */
  periodSeconds: number;
}

export interface ReporterState {
  /** Parsed source data (list prices or genai-prices rows for ATPI specs, GPU quotes for compute specs). */
  rows: IndexData;
  /** `observedAt` of the newest report already published for this index, if any. */
  lastPublishedAt?: bigint;
}

export type ReporterAction =
  { type: "publish"; round: Round } | { type: "skip"; observedAt: bigint; reason: string; code?: string };

/** The period start at or before `now` (unix seconds). */
export function observationTime(now: bigint, periodSeconds: number): bigint {
  const period = BigInt(periodSeconds);
  return now - (now % period);
}

/**
 * Decides what to publish at `now` (unix seconds): nothing when this period's report is out, else the
 * round computed with the index methodology, or a `skip` naming why the data cannot produce one.
 */
export function decideReporter(state: ReporterState, now: bigint, config: ReporterConfig): ReporterAction[] {
  const observedAt = observationTime(now, config.periodSeconds);
  if (state.lastPublishedAt !== undefined && state.lastPublishedAt >= observedAt) return [];
  const asOf = dateOfTimestamp(observedAt);
  try {
    const round = computeRound(config.spec, state.rows, asOf, { observedAt });
    return [{ type: "publish", round }];
  } catch (error) {
    if (error instanceof IndexError) {
      return [{ type: "skip", observedAt, reason: error.message, code: error.code }];
    }
    throw error;
  }
}
