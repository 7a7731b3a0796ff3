/**
 * The relayer's decision, pure: from the oracle's state and the reports collected, whether to submit a
 * round now. A round goes in when a quorum of fresh, authorised reports agrees and either the index
 * has no round yet, the heartbeat is due, or the agreed value moved past the deviation threshold.
 */
import type { Address, Hex } from "viem";

import { lowerMedian, type SignedOracleReport } from "../../sdk/core/eip712/reports.js";
import { WAD } from "../../sdk/core/math/wad.js";
import { MAX_REPORTERS } from "../../sdk/core/oracle/checkpoints.js";

/** What the relayer reads from the oracle for one index. */
export interface OracleIndexView {
  indexId: Hex;
  quorum: number;
  reporterCount: number;
  maxAge: bigint;
  minInterval: bigint;
  /** 18-decimal fraction. */
  maxDeviation: bigint;
  /** Newest `observedAt` of the last accepted round (0 before the first). */
  lastObservedAt: bigint;
  /** The last round's value and block time, absent before the first round. */
  last?: { value: bigint; timestamp: bigint };
  /** Addresses allowed to sign. */
  reporters: readonly Address[];
}

/** A collected report whose signature the adapter already recovered. */
export interface CollectedReport {
  signer: Address;
  signed: SignedOracleReport;
}

export interface RelayerState {
  oracle: OracleIndexView;
  reports: readonly CollectedReport[];
}

export interface RelayerConfig {
  /** Submit when this many seconds passed since the last round. */
  heartbeatSeconds: bigint;
  /** Submit when the agreed value moved by at least this 18-decimal fraction of the last value. */
  deviationThreshold: bigint;
  /** Reports within this 18-decimal fraction of the median agree with it. */
  agreementTolerance: bigint;
  /** Reports closer than this to `maxAge` are left out (they could go stale before mining). */
  freshnessMarginSeconds: bigint;
}

export type RelayerAction =
  | {
      type: "submit";
      indexId: Hex;
      reports: SignedOracleReport[];
      /** Newest `observedAt` in the batch: the round's idempotency key. */
      observedAt: bigint;
      median: bigint;
      reason: "first-round" | "heartbeat" | "deviation";
    }
  | { type: "wait"; reason: string };

/** `|a − b| × 1e18 ≥ threshold × b`, the oracle's own comparison. */
export function deviates(value: bigint, previous: bigint, threshold: bigint): boolean {
  const diff = value > previous ? value - previous : previous - value;
  return diff * WAD >= threshold * previous;
}

/** `|a − b| × 1e18 > bound × b`: the oracle's deviation guard. */
export function exceeds(value: bigint, previous: bigint, bound: bigint): boolean {
  const diff = value > previous ? value - previous : previous - value;
  return diff * WAD > bound * previous;
}

/** `|value − median| × 2e18 ≤ maxDeviation × median`: the oracle's agreement test for a jump. */
export function withinHalfDeviation(value: bigint, median: bigint, maxDeviation: bigint): boolean {
  const diff = value > median ? value - median : median - value;
  return diff * 2n * WAD <= maxDeviation * median;
}

/** `⌈2n/3⌉`, the agreeing reports a round over the oracle's deviation bound needs. */
export function supermajority(reporterCount: number): number {
  return Math.ceil((2 * reporterCount) / 3);
}

/** Decides at `now` (unix seconds). */
export function decideRelayer(state: RelayerState, now: bigint, config: RelayerConfig): RelayerAction[] {
  const { oracle } = state;
  const allowed = new Set(oracle.reporters.map((a) => a.toLowerCase()));
  const oldest = now - oracle.maxAge + config.freshnessMarginSeconds;
  // one report per signer: its newest fresh one
  const bySigner = new Map<string, CollectedReport>();
  for (const c of state.reports) {
    const r = c.signed.report;
    const signer = c.signer.toLowerCase();
    if (r.indexId.toLowerCase() !== oracle.indexId.toLowerCase() || !allowed.has(signer)) continue;
    if (r.observedAt <= oracle.lastObservedAt || r.observedAt > now || r.observedAt < oldest) continue;
    if (r.value === 0n || r.value >= 1n << 96n) continue;
    const current = bySigner.get(signer);
    if (current === undefined || current.signed.report.observedAt < r.observedAt) bySigner.set(signer, c);
  }
  const fresh = [...bySigner.values()];
  if (fresh.length < oracle.quorum) {
    return [{ type: "wait", reason: `fresh reports ${fresh.length} below quorum ${oracle.quorum}` }];
  }
  if (oracle.last !== undefined && now < oracle.last.timestamp + oracle.minInterval) {
    return [{ type: "wait", reason: "minimum interval since the last round not reached" }];
  }
  const median = lowerMedian(fresh.map((c) => c.signed.report.value));
  const agreeing = fresh
    .filter((c) => !exceeds(c.signed.report.value, median, config.agreementTolerance))
    .sort((a, b) => (a.signer.toLowerCase() < b.signer.toLowerCase() ? -1 : 1))
    .slice(0, MAX_REPORTERS);
  if (agreeing.length < oracle.quorum) {
    return [{ type: "wait", reason: `only ${agreeing.length} reports agree, quorum ${oracle.quorum}` }];
  }
  const value = lowerMedian(agreeing.map((c) => c.signed.report.value));
  let reason: "first-round" | "heartbeat" | "deviation";
  if (oracle.last === undefined) reason = "first-round";
  else if (now >= oracle.last.timestamp + config.heartbeatSeconds) reason = "heartbeat";
  else if (deviates(value, oracle.last.value, config.deviationThreshold)) reason = "deviation";
  else return [{ type: "wait", reason: "no heartbeat due and no deviation" }];
  // The oracle counts, for a move beyond `maxDeviation`, the reports within half of `maxDeviation` of the
  // new value (`MedianLib.countWithin`): at least ⌈2n/3⌉ of them must agree, not merely sign.
  if (
    oracle.last !== undefined &&
    exceeds(value, oracle.last.value, oracle.maxDeviation) &&
    agreeing.filter((c) => withinHalfDeviation(c.signed.report.value, value, oracle.maxDeviation)).length <
      supermajority(oracle.reporterCount)
  ) {
    return [{ type: "wait", reason: "move beyond the oracle's deviation bound needs a supermajority" }];
  }
  const observedAt = agreeing.reduce(
    (m, c) => (c.signed.report.observedAt > m ? c.signed.report.observedAt : m),
    0n,
  );
  return [
    {
      type: "submit",
      indexId: oracle.indexId,
      reports: agreeing.map((c) => c.signed),
      observedAt,
      median: value,
      reason,
    },
  ];
}
