/**
 * `npm run bench:index`: how long one ATPI 2.0.0 round takes on the full bundled
 * `@pydantic/genai-prices` data, and how many constituents each tier has today. Printed only
 * (wall-clock figures vary by machine).
 *
 * - `readBundledMs`: reading the package's bundled data into canonical rows (every provider).
 * - `roundMs`: `computeRound` on all those rows for one index (constituents, value, canonical
 *   inputs, inputsHash); the median of 200 runs after 50 warm-up runs.
 * "Today" is this machine's UTC date: the benchmark reads no chain.
 */
import { performance } from "node:perf_hooks";

import {
  ATPI_FRONTIER_V2_SPEC,
  ATPI_SMALL_V2_SPEC,
  atpiListConstituents,
  computeRound,
  dateOfTimestamp,
  formatDecimal18,
  loadBundledGenaiPrices,
} from "../index/index.js";

const RUNS = 200;
const WARMUP = 50;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const t0 = performance.now();
const source = await loadBundledGenaiPrices();
const readBundledMs = performance.now() - t0;
const today = dateOfTimestamp(BigInt(Math.floor(Date.now() / 1000)));

console.log(
  `data: ${source.location}, ${source.rows.length} canonical rows, content hash ${source.contentHash}`,
);
console.log(`readBundledMs: ${readBundledMs.toFixed(1)} (first read, includes loading the package)`);
console.log(`date: ${today} (UTC)`);
for (const spec of [ATPI_FRONTIER_V2_SPEC, ATPI_SMALL_V2_SPEC]) {
  for (let i = 0; i < WARMUP; i++) computeRound(spec, source.rows, today);
  const times: number[] = [];
  let value = 0n;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    value = computeRound(spec, source.rows, today).value;
    times.push(performance.now() - t);
  }
  const { constituents, excluded } = atpiListConstituents(spec, source.rows, today);
  console.log(
    `${spec.index} (tier ${spec.tier}): roundMs median ${median(times).toFixed(3)}, max ${Math.max(...times).toFixed(3)}; ` +
      `${constituents.length} constituents of ${spec.constituents.length} listed` +
      `${excluded.length > 0 ? ` (${excluded.map((e) => `${e.model}: ${e.reason}`).join(", ")})` : ""}; value ${formatDecimal18(value)}`,
  );
}
