import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { parseDecimal18, type PriceRow, type QuoteRow } from "../../../index/index.js";

const FIXTURES = fileURLToPath(new URL("../../../index/fixtures/", import.meta.url));

/** The list-price fixture as text. */
export function priceCsvText(): string {
  return readFileSync(`${FIXTURES}ai-token-list-prices.csv`, "utf8");
}

/** The synthetic H100 quote fixture as text. */
export function quoteCsvText(): string {
  return readFileSync(`${FIXTURES}h100-quotes.csv`, "utf8");
}

/** `usd("2.49")` → 2.49e18, exact. */
export function usd(text: string): bigint {
  return parseDecimal18(text);
}

let nextLine = 2;

/** A hand-made list-price row. */
export function priceRow(
  effectiveDate: string,
  model: string,
  tier: string,
  input: string,
  output: string,
  provider = "TestLab",
): PriceRow {
  return {
    effectiveDate,
    provider,
    model,
    tier,
    inputUsdPerMtok: usd(input),
    outputUsdPerMtok: usd(output),
    line: nextLine++,
  };
}

/** A hand-made GPU quote row. */
export function quoteRow(observedDate: string, provider: string, price: string, gpu = "H100"): QuoteRow {
  return { observedDate, provider, gpu, usdPerGpuHour: usd(price), source: "synthetic", line: nextLine++ };
}

/** A deterministic Fisher-Yates shuffle driven by a simple linear congruential generator. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
