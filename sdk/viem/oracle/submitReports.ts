import type { Address, Hex } from "viem";

import { indexOracleAbi } from "../../abi/generated/indexOracle.js";
import type { SignedOracleReport } from "../../core/eip712/reports.js";
import {
  simulateAndSend,
  type WriteClient,
  type WriteResult,
  type ActionErrorType,
} from "../internal/send.js";
import type { IndexOracleSubmitRevert } from "../../core/errors/reverts.js";

/** Parameters of `submitReports`. */
export interface SubmitReportsParameters {
  /** The IndexOracle. */
  address: Address;
  indexId: Hex;
  /** The round's signed reports (`signReportWithViem` / `signReportWithEthers`), at least a quorum. */
  reports: readonly SignedOracleReport[];
}

/** The transaction hash and the id of the round it creates. */
export type SubmitReportsReturnType = WriteResult<bigint>;

/**
 * What `submitReports` throws: the typed reverts of the contract function it calls
 * (`IndexOracleSubmitRevert`), or `ActionErrorType`.
 */
export type SubmitReportsErrorType = IndexOracleSubmitRevert | ActionErrorType;

/**
 * Submits one round of signed reports (`IndexOracle.submit`). Anyone may relay. Simulates first and
 * throws the typed error (`QuorumNotMetError`, `StaleReportError`, `RoundTooSoonError`, …) without
 * sending when the round would be rejected. The simulation runs at the latest block, so the round must
 * already be valid at the chain's current time (no report observed after it, `minInterval` elapsed).
 * @example
 * const reports = await Promise.all(reporters.map((r) => signReportWithViem(r, domain, report)));
 * const { hash, result: roundId } = await submitReports(walletClient, { address, indexId, reports });
 */
export async function submitReports(
  client: WriteClient,
  params: SubmitReportsParameters,
): Promise<SubmitReportsReturnType> {
  return simulateAndSend(client, {
    address: params.address,
    abi: indexOracleAbi,
    functionName: "submit",
    args: [params.indexId, params.reports.map((r) => ({ report: r.report, r: r.r, vs: r.vs }))],
  });
}
