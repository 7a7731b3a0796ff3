/**
 * The JSON form of a signed report as reporters publish it (HTTP `GET /report/<indexName>` or a file in
 * the shared directory) and relayers read it: integers as decimal strings, hex in lower case.
 */
import { z } from "zod";

import type { SignedOracleReport } from "../../sdk/core/eip712/reports.js";

const hex32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/)
  .transform((s) => s.toLowerCase() as `0x${string}`);
const uint = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/)
  .transform((s) => BigInt(s));

/** What a reporter publishes for one index. */
export const publishedReportSchema = z.object({
  index: z.string(),
  signer: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/)
    .transform((s) => s as `0x${string}`),
  asOf: z.string(),
  report: z.object({ indexId: hex32, value: uint, observedAt: uint, inputsHash: hex32 }),
  r: hex32,
  vs: hex32,
  /** The canonical JSON of the inputs (its keccak256 is `inputsHash`), for anyone to recompute. */
  canonicalJson: z.string(),
});

export type PublishedReport = z.infer<typeof publishedReportSchema>;

/** The JSON text of a published report. */
export function encodePublishedReport(p: PublishedReport): string {
  return JSON.stringify({
    index: p.index,
    signer: p.signer,
    asOf: p.asOf,
    report: {
      indexId: p.report.indexId,
      value: p.report.value.toString(),
      observedAt: p.report.observedAt.toString(),
      inputsHash: p.report.inputsHash,
    },
    r: p.r,
    vs: p.vs,
    canonicalJson: p.canonicalJson,
  });
}

/** Parses a published report. @throws {z.ZodError} on a malformed one. */
export function decodePublishedReport(json: unknown): PublishedReport {
  return publishedReportSchema.parse(typeof json === "string" ? JSON.parse(json) : json);
}

/** The struct `submit` takes. */
export function toSignedReport(p: PublishedReport): SignedOracleReport {
  return { report: { ...p.report }, r: p.r, vs: p.vs };
}
