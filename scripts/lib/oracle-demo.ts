/**
 * The oracle half of the main job: deploy the IndexOracle behind an AccessManager, post index
 * rounds computed from public list prices (`index/`), signed by a reporter set, and read the
 * index, its TWAP and the Chainlink-style feeds back.
 *
 * The chain is the in-process one; its clock starts on the first round's date so a year of
 * history posts in seconds.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { NetworkConnection } from "hardhat/types/network";
import { keccak256, stringToHex, type Hex } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";

import {
  ATPI_FRONTIER_SPEC,
  ATPI_SMALL_SPEC,
  GPU_H100_SPEC,
  parsePriceCsv,
  parseQuoteCsv,
  roundSeries,
  startOfDay,
  type IndexSpec,
  type IsoDate,
  type Round,
} from "../../index/index.js";
import { oracleDomain, signReportWithViem, type SignedOracleReport } from "../../sdk/core/eip712/reports.js";

const E18 = 10n ** 18n;
const DAY = 86_400n;
const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, "..", "..", "index", "fixtures");

/**
 * Oracle parameters of every demo index: 3 of 5 reporters tolerating one faulty reporter (`faultBound`
 * 1), weekly heartbeat within a 7-day `maxAge`, 10% deviation guard (4 of 5 agreeing beyond it).
 */
export const DEMO_INDEX_PARAMS = {
  quorum: 3,
  maxAge: Number(7n * DAY),
  minInterval: 3600,
  maxDeviation: E18 / 10n,
  faultBound: 1,
} as const;

/** Five deterministic reporter keys (demo only: derived from public strings, never use on a real chain). */
export function demoReporters(): PrivateKeyAccount[] {
  return [1, 2, 3, 4, 5].map((i) => privateKeyToAccount(keccak256(stringToHex(`atf-demo-reporter-${i}`))));
}

export interface OracleDemoOptions {
  /** First and last round dates (UTC) of the AI token indices. */
  readonly from: IsoDate;
  readonly to: IsoDate;
  readonly stepDays: number;
  /** Where the readable report goes. */
  readonly log: (line: string) => void;
}

export interface PostedRound {
  readonly index: string;
  readonly indexId: Hex;
  readonly asOf: IsoDate;
  readonly value: bigint;
  readonly inputsHash: Hex;
  readonly signers: number;
  readonly acceptedAt: bigint;
}

export interface OracleDemoResult {
  readonly oracle: Hex;
  readonly posted: PostedRound[];
  /** Per index: latest value, 30-day TWAP and its window's range, read from the chain. */
  readonly summary: Record<string, { latest: bigint; twap30d: bigint; min30d: bigint; max30d: bigint }>;
}

/** `1234500000000000000` → `"1.2345"`: an 18-decimal value as dollars, trimmed. */
export function formatUsd(value: bigint, decimals = 4): string {
  const whole = value / E18;
  const frac = (value % E18).toString().padStart(18, "0").slice(0, decimals);
  return `${whole}.${frac}`;
}

/**
 * Runs the oracle demo on `connection` (an in-process chain whose clock is before `from`).
 * Posts weekly ATPI-FRONTIER and ATPI-SMALL rounds over `[from, to]` and the GPU-H100 fixture's
 * rounds, then reads them back. Rounds moving more than 10% are signed by 4 of 5 reporters.
 */
export async function runOracleDemo(
  connection: NetworkConnection,
  options: OracleDemoOptions,
): Promise<OracleDemoResult> {
  const { viem, networkHelpers } = connection;
  const { log } = options;
  const [admin] = await viem.getWalletClients();
  const publicClient = await viem.getPublicClient();
  const manager = await viem.deployContract("AccessManager", [admin.account.address]);
  const oracle = await viem.deployContract("IndexOracle", [manager.address]);
  const domain = oracleDomain(BigInt(await publicClient.getChainId()), oracle.address);
  const reporters = demoReporters();

  const prices = parsePriceCsv(readFileSync(path.join(fixtures, "ai-token-list-prices.csv"), "utf8"));
  const quotes = parseQuoteCsv(readFileSync(path.join(fixtures, "h100-quotes.csv"), "utf8"));

  const series: { spec: IndexSpec; rounds: Round[] }[] = [
    {
      spec: ATPI_FRONTIER_SPEC,
      rounds: roundSeries(ATPI_FRONTIER_SPEC, prices, { ...options, onInsufficient: "skip" }),
    },
    {
      spec: ATPI_SMALL_SPEC,
      rounds: roundSeries(ATPI_SMALL_SPEC, prices, { ...options, onInsufficient: "skip" }),
    },
    {
      spec: GPU_H100_SPEC,
      rounds: roundSeries(GPU_H100_SPEC, quotes, {
        from: "2025-10-01",
        to: "2025-11-05",
        stepDays: 7,
        onInsufficient: "skip",
      }),
    },
  ];

  const feeds: Record<string, Hex> = {};
  for (const { spec } of series) {
    const indexId = keccak256(stringToHex(spec.index));
    await oracle.write.createIndex([indexId, DEMO_INDEX_PARAMS, reporters.map((r) => r.address)]);
    const feed = await viem.deployContract("IndexOracleFeed", [
      oracle.address,
      indexId,
      `${spec.index} / USD`,
    ]);
    feeds[spec.index] = feed.address;
  }
  log(`IndexOracle ${oracle.address}; ${reporters.length} reporters, quorum ${DEMO_INDEX_PARAMS.quorum}`);

  // Post every round in time order across indices, one hour after its observation.
  const queue = series
    .flatMap(({ rounds }) => rounds)
    .sort((a, b) =>
      a.observedAt < b.observedAt ? -1 : a.observedAt > b.observedAt ? 1 : a.index.localeCompare(b.index),
    );
  const last = new Map<string, bigint>();
  const posted: PostedRound[] = [];
  let clock = BigInt(await networkHelpers.time.latest());
  for (const round of queue) {
    const previous = last.get(round.index);
    const moved =
      previous !== undefined &&
      absDiff(round.value, previous) * E18 > previous * DEMO_INDEX_PARAMS.maxDeviation;
    const signers = moved ? 4 : DEMO_INDEX_PARAMS.quorum;
    const report = {
      indexId: round.indexId,
      value: round.value,
      observedAt: round.observedAt,
      inputsHash: round.inputsHash,
    };
    const signed: SignedOracleReport[] = await Promise.all(
      reporters.slice(0, signers).map((account) => signReportWithViem(account, domain, report)),
    );
    const acceptedAt = round.observedAt + 3600n > clock ? round.observedAt + 3600n : clock + 1n;
    await networkHelpers.time.setNextBlockTimestamp(acceptedAt);
    await oracle.write.submit([round.indexId, signed]);
    clock = acceptedAt;
    last.set(round.index, round.value);
    posted.push({
      index: round.index,
      indexId: round.indexId,
      asOf: round.asOf,
      value: round.value,
      inputsHash: round.inputsHash,
      signers,
      acceptedAt,
    });
  }

  log("");
  log("date        index          value ($)   signers  inputsHash");
  for (const p of posted) {
    log(
      `${p.asOf}  ${p.index.padEnd(13)} ${formatUsd(p.value).padStart(10)}   ${p.signers}/5      ${p.inputsHash.slice(0, 18)}…`,
    );
  }

  // Read back at each index's last round: value, TWAP and range over the 30 days before it, and
  // the feed's view of that round. `latest` itself is read for the index whose round is the newest
  // (the others are past their maxAge by the end of the run, and `latest` refuses stale values).
  const summary: OracleDemoResult["summary"] = {};
  log("");
  log("index          last ($)    30-day TWAP ($)  30-day range ($)       feed round");
  for (const { spec } of series) {
    const mine = posted.filter((p) => p.index === spec.index);
    if (mine.length === 0) continue;
    const indexId = keccak256(stringToHex(spec.index));
    const end = mine[mine.length - 1].acceptedAt;
    const start = end - 30n * DAY > mine[0].acceptedAt ? end - 30n * DAY : mine[0].acceptedAt;
    const [latest] = (await oracle.read.valueAt([indexId, end])) as readonly [bigint, bigint];
    const twap30d = start < end ? ((await oracle.read.twap([indexId, start, end])) as bigint) : latest;
    const [min30d, max30d] = (
      start < end ? await oracle.read.range([indexId, start, end]) : [latest, latest]
    ) as readonly [bigint, bigint];
    const feed = await viem.getContractAt("IndexOracleFeed", feeds[spec.index]);
    const rounds = await oracle.read.checkpointCount([indexId]);
    const [roundId, answer] = (await feed.read.getRoundData([rounds])) as readonly [
      bigint,
      bigint,
      ...bigint[],
    ];
    summary[spec.index] = { latest, twap30d, min30d, max30d };
    log(
      `${spec.index.padEnd(13)} ${formatUsd(latest).padStart(10)}  ${formatUsd(twap30d).padStart(15)}  ` +
        `${formatUsd(min30d)}–${formatUsd(max30d)}`.padEnd(23) +
        `#${roundId} = ${formatUsd(BigInt(answer))}`,
    );
  }
  const newest = posted[posted.length - 1];
  const [fresh, updatedAt] = (await oracle.read.latest([newest.indexId])) as readonly [bigint, bigint];
  log("");
  log(
    `latest(${newest.index}) = ${formatUsd(fresh)} (updated ${new Date(Number(updatedAt) * 1000).toISOString()})`,
  );
  return { oracle: oracle.address, posted, summary };
}

function absDiff(a: bigint, b: bigint): bigint {
  return a > b ? a - b : b - a;
}

/** The chain's start date for a demo from `from`: one day earlier, as an ISO timestamp. */
export function demoGenesis(from: IsoDate): string {
  return new Date(Number(startOfDay(from) - DAY) * 1000).toISOString();
}
