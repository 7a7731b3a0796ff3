/**
 * `keepers reporter --dry-run` without an index or an oracle: computes today's ATPI 2.0.0 rounds
 * from the genai-prices data (`--prices`, default the bundled copy) and prints each value with its
 * constituent table, the source and the hashes a reporter would sign. Signs and sends nothing.
 */
import {
  ATPI_FRONTIER_V2_SPEC,
  ATPI_SMALL_V2_SPEC,
  atpiListConstituents,
  computeRound,
  formatDecimal18,
  genaiSourceFromText,
  IndexError,
  loadBundledGenaiPrices,
  type AtpiListSpec,
  type GenaiSource,
  type IsoDate,
} from "../../index/index.js";
import { BUNDLED_PRICES, priceSourceOf } from "./keeper.js";

/** Reads genai-prices data from `bundled`, a file or a URL into canonical rows. */
export async function readGenaiSource(
  location: string,
  fetchImpl: typeof fetch = fetch,
): Promise<GenaiSource> {
  if (location === BUNDLED_PRICES) return loadBundledGenaiPrices();
  const text = await priceSourceOf(location, fetchImpl).read();
  return genaiSourceFromText(location, text);
}

/**
 * The dry-run report for `asOf`: one block per index (value, hashes, constituent table, listed
 * models left out and why), or the reason no value exists.
 */
export function dryRunReport(
  source: GenaiSource,
  asOf: IsoDate,
  specs: readonly AtpiListSpec[] = [ATPI_FRONTIER_V2_SPEC, ATPI_SMALL_V2_SPEC],
): string {
  const out: string[] = [
    `ATPI ${specs.map((s) => s.version).join("/")} dry run for ${asOf} (UTC); nothing is signed or sent`,
    `prices: ${source.location} (${source.rows.length} rows, content hash ${source.contentHash})`,
  ];
  for (const spec of specs) {
    out.push("");
    let value: string;
    let hashes: string[] = [];
    try {
      const round = computeRound(spec, source.rows, asOf);
      value = `${formatDecimal18(round.value)} USD per 1M tokens`;
      hashes = [`  inputsHash      ${round.inputsHash}`, `  methodologyHash ${round.methodologyHash}`];
    } catch (e) {
      if (!(e instanceof IndexError)) throw e;
      value = `no value (${e.code}: ${e.shortMessage})`;
    }
    out.push(`${spec.index} = ${value}`, ...hashes);
    const { constituents, excluded } = atpiListConstituents(spec, source.rows, asOf);
    const table = [
      ["provider", "model", "price from", "input", "output", "blended"],
      ...constituents.map((c) => [
        c.provider,
        c.model,
        c.effectiveDate === "" ? "(undated)" : c.effectiveDate,
        formatDecimal18(c.inputUsdPerMtok),
        formatDecimal18(c.outputUsdPerMtok),
        formatDecimal18(c.blended),
      ]),
    ];
    const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
    for (const row of table)
      out.push(`  ${row.map((cell, i) => cell.padEnd(widths[i])).join("  ")}`.trimEnd());
    for (const e of excluded) out.push(`  left out: ${e.provider}/${e.model} (${e.reason})`);
  }
  return `${out.join("\n")}\n`;
}
