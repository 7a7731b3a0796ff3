/**
 * `atf index verify <index> [--round N] [--inputs file] [--prices …] [--source …]`: audits a
 * posted oracle round in one command. It reads the round's value, `observedAt` and `inputsHash`
 * from the oracle's `RoundAccepted` event, recomputes the round with `index/` from public data
 * (and, given the canonical inputs a reporter published, as a file or from the reporter's URL,
 * checks them too), and says `match` or
 * names every field that differs.
 */
import { readFileSync } from "node:fs";

import type { Address, Hex, PublicClient } from "viem";

import {
  canonicalJson,
  CanonicalJsonError,
  computeRound,
  dateOfTimestamp,
  formatDecimal18,
  genaiSourceFromText,
  IndexError,
  loadBundledGenaiPrices,
  parseCanonicalJson,
  parsePriceCsv,
  parseQuoteCsv,
  recomputeFromCanonical,
  type CanonicalValue,
  type IndexData,
  type IndexSpec,
  type Round,
} from "../index/index.js";
import { indexOracleAbi } from "../sdk/abi/index.js";
import { CommandFailedError, InputError } from "./errors.js";

/** A round as the oracle recorded it (`RoundAccepted`). */
export interface PostedRound {
  readonly roundId: bigint;
  readonly value: bigint;
  readonly observedAt: bigint;
  readonly inputsHash: Hex;
  readonly blockNumber: bigint;
}

/** One finding of an audit: what was compared, and whether it agreed. */
export interface Check {
  readonly what: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface Audit {
  readonly index: string;
  readonly posted: PostedRound;
  readonly asOf: string;
  readonly checks: readonly Check[];
  /** True when every check agreed. */
  readonly match: boolean;
  /** The round recomputed from public data, when data was given. */
  readonly expected?: Round;
}

/**
 * Reads round `roundId` (default: the latest) of `indexId` from the oracle's `RoundAccepted` events.
 *
 * @throws {CommandFailedError} when the index has no such round.
 */
export async function readPostedRound(
  client: PublicClient,
  oracle: Address,
  indexId: Hex,
  roundId?: bigint,
): Promise<PostedRound> {
  const logs = await client.getContractEvents({
    address: oracle,
    abi: indexOracleAbi,
    eventName: "RoundAccepted",
    args: roundId === undefined ? { indexId } : { indexId, roundId },
    fromBlock: 0n,
    toBlock: "latest",
  });
  if (logs.length === 0) {
    throw new CommandFailedError(
      roundId === undefined ? `no round posted for ${indexId}` : `no round ${roundId} posted for ${indexId}`,
    );
  }
  const log = logs.reduce((a, b) => ((b.args.roundId ?? 0n) > (a.args.roundId ?? 0n) ? b : a));
  const { args } = log;
  return {
    roundId: args.roundId!,
    value: args.value!,
    observedAt: args.observedAt!,
    inputsHash: args.inputsHash!,
    blockNumber: log.blockNumber,
  };
}

/**
 * Compares a posted round with (a) the canonical inputs a reporter published, when given, and
 * (b) the round recomputed from public `data` under `spec`, when given. Pure: no chain, no files.
 */
export function auditRound(
  spec: IndexSpec,
  posted: PostedRound,
  sources: { inputsJson?: string; data?: IndexData },
): Audit {
  const asOf = dateOfTimestamp(posted.observedAt);
  const checks: Check[] = [];
  const value = (v: bigint) => `${formatDecimal18(v)} (${v})`;
  let published: CanonicalValue | undefined;
  if (sources.inputsJson !== undefined) {
    const json = sources.inputsJson;
    try {
      const again = recomputeFromCanonical(json);
      published = parseCanonicalJson(json);
      checks.push(
        cmp("published inputs hash to the posted inputsHash", again.inputsHash, posted.inputsHash),
        cmp("published inputs name the index", again.index, spec.index),
        cmp("published inputs are for the round's date", again.asOf, asOf),
        {
          what: "value recomputed from the published inputs",
          ok: again.value === posted.value,
          detail: `recomputed ${value(again.value)}, posted ${value(posted.value)}`,
        },
      );
    } catch (e) {
      if (!(e instanceof CanonicalJsonError)) throw e;
      checks.push({ what: "published inputs are canonical round inputs", ok: false, detail: e.message });
    }
  }
  let expected: Round | undefined;
  if (sources.data !== undefined) {
    try {
      expected = computeRound(spec, sources.data, asOf, { observedAt: posted.observedAt });
      checks.push(
        {
          what: "value recomputed from public data",
          ok: expected.value === posted.value,
          detail: `recomputed ${value(expected.value)}, posted ${value(posted.value)}`,
        },
        cmp("inputsHash recomputed from public data", expected.inputsHash, posted.inputsHash),
      );
      if (published !== undefined && expected.canonicalJson !== canonicalJson(published)) {
        for (const d of diffCanonical(expected.inputs, published, "$")) {
          checks.push({ what: `published inputs at ${d.path}`, ok: false, detail: d.detail });
        }
      }
    } catch (e) {
      if (!(e instanceof IndexError)) throw e;
      checks.push({
        what: "round recomputed from public data",
        ok: false,
        detail: `${e.code}: ${e.shortMessage}`,
      });
    }
  }
  if (checks.length === 0) throw new InputError("nothing to compare: give --inputs, public data, or both");
  return { index: spec.index, posted, asOf, checks, match: checks.every((c) => c.ok), expected };
}

function cmp(what: string, actual: string, wanted: string): Check {
  const ok = actual.toLowerCase() === wanted.toLowerCase();
  return { what, ok, detail: ok ? actual : `${actual} ≠ ${wanted}` };
}

/** Where two canonical values differ (recomputed vs published), as paths with both sides. */
export function diffCanonical(
  expected: CanonicalValue | undefined,
  actual: CanonicalValue | undefined,
  path: string,
): { path: string; detail: string }[] {
  const show = (v: CanonicalValue | undefined) => (v === undefined ? "absent" : canonicalJson(v));
  if (
    expected === undefined ||
    actual === undefined ||
    typeof expected !== "object" ||
    typeof actual !== "object"
  ) {
    return show(expected) === show(actual)
      ? []
      : [{ path, detail: `recomputed ${show(expected)}, published ${show(actual)}` }];
  }
  if (expected === null || actual === null || Array.isArray(expected) !== Array.isArray(actual)) {
    return show(expected) === show(actual)
      ? []
      : [{ path, detail: `recomputed ${show(expected)}, published ${show(actual)}` }];
  }
  const out: { path: string; detail: string }[] = [];
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      out.push(
        ...diffCanonical(
          expected[i] as CanonicalValue | undefined,
          actual[i] as CanonicalValue | undefined,
          `${path}[${i}]`,
        ),
      );
    }
    return out;
  }
  const e = expected as Record<string, CanonicalValue>;
  const a = actual as Record<string, CanonicalValue>;
  for (const key of [...new Set([...Object.keys(e), ...Object.keys(a)])].sort()) {
    out.push(...diffCanonical(e[key], a[key], `${path}.${key}`));
  }
  return out;
}

/** Reads the public data a spec needs: genai-prices (`bundled`, a file, a URL) or a CSV (file, URL). */
export async function readIndexData(
  spec: IndexSpec,
  location: string,
  fetchImpl: typeof fetch = fetch,
): Promise<IndexData> {
  if (spec.kind === "atpi-list" && location === "bundled") return (await loadBundledGenaiPrices()).rows;
  let text: string;
  if (/^https?:\/\//i.test(location)) {
    const response = await fetchImpl(location, { signal: AbortSignal.timeout(15_000) });
    if (!response.ok) throw new CommandFailedError(`${location}: HTTP ${response.status}`);
    text = await response.text();
  } else {
    try {
      text = readFileSync(location, "utf8");
    } catch (err) {
      throw new InputError(`cannot read ${location}: ${(err as Error).message}`);
    }
  }
  if (spec.kind === "atpi-list") return genaiSourceFromText(location, text).rows;
  return spec.kind === "atpi" ? parsePriceCsv(text) : parseQuoteCsv(text);
}

/**
 * The canonical JSON inside `--inputs`: a file, or an `http(s)` URL such as a reporter's
 * `GET /report/<indexName>`; its text is the bare canonical JSON or a reporter's published report
 * (whose `canonicalJson` field is taken).
 */
export async function readInputs(location: string, fetchImpl: typeof fetch = fetch): Promise<string> {
  let text: string;
  if (/^https?:\/\//i.test(location)) {
    const response = await fetchImpl(location, { signal: AbortSignal.timeout(15_000) });
    if (!response.ok) throw new CommandFailedError(`--inputs ${location}: HTTP ${response.status}`);
    text = await response.text();
  } else {
    try {
      text = readFileSync(location, "utf8");
    } catch (err) {
      throw new InputError(`--inputs: cannot read ${location}: ${(err as Error).message}`);
    }
  }
  return canonicalJsonOf(text);
}

/** The canonical JSON in a text: a published report's `canonicalJson`, else the text itself. */
export function canonicalJsonOf(text: string): string {
  const trimmed = text.trim();
  try {
    const parsed = JSON.parse(trimmed) as { canonicalJson?: unknown };
    if (typeof parsed.canonicalJson === "string") return parsed.canonicalJson;
  } catch {
    // not JSON at all: the audit reports it as non-canonical
  }
  return trimmed;
}

/** The lines `atf index verify` prints for an audit. */
export function formatAudit(audit: Audit): string[] {
  const lines = [
    `${audit.index} round ${audit.posted.roundId} (block ${audit.posted.blockNumber}): value ${formatDecimal18(audit.posted.value)}, observedAt ${audit.posted.observedAt} (${audit.asOf}), inputsHash ${audit.posted.inputsHash}`,
    ...audit.checks.map((c) => `  ${c.ok ? "ok  " : "DIFF"} ${c.what}: ${c.detail}`),
    audit.match ? "match" : `MISMATCH: ${audit.checks.filter((c) => !c.ok).length} check(s) differ`,
  ];
  return lines;
}
