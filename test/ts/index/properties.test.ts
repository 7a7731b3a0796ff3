import { expect } from "chai";
import fc from "fast-check";

import {
  addDays,
  ATPI_FRONTIER_SPEC,
  ATPI_SMALL_SPEC,
  blendedPrice,
  canonicalJson,
  computeAtpi,
  computeGpuIndex,
  computeRound,
  GPU_H100_SPEC,
  InsufficientConstituentsError,
  parseCanonicalJson,
  parsePriceCsv,
  parseQuoteCsv,
  recomputeFromCanonical,
  type AtpiSpec,
  type PriceRow,
  type QuoteRow,
} from "../../../index/index.js";
import { priceCsvText, quoteCsvText } from "./helpers.js";

const rows: PriceRow[] = parsePriceCsv(priceCsvText());
const quotes: QuoteRow[] = parseQuoteCsv(quoteCsvText());

/** Any date on which both fixture tiers have at least three constituents. */
const fixtureDate = fc.integer({ min: 0, max: 760 }).map((d) => addDays("2024-05-14", d));

/** Prices up to $1,000,000 per million tokens, at full 18-decimal precision. */
const price = fc.bigInt({ min: 0n, max: 10n ** 24n });

/** A generated constituent set: distinct models, all in force on 2025-01-01, positive weights. */
const constituentSet = fc.uniqueArray(
  fc.record({
    model: fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/),
    input: price,
    output: price,
    weight: fc.bigInt({ min: 1n, max: 10n ** 9n }),
  }),
  { minLength: 1, maxLength: 25, selector: (c) => c.model },
);

function toRows(set: readonly { model: string; input: bigint; output: bigint }[]): PriceRow[] {
  return set.map((c, i) => ({
    effectiveDate: "2025-01-01",
    provider: "Lab",
    model: c.model,
    tier: "frontier",
    inputUsdPerMtok: c.input,
    outputUsdPerMtok: c.output,
    line: i + 2,
  }));
}

describe("index: properties", function () {
  // A fixed seed: the same cases every run, so a failure reproduces (change the seed to explore).
  before(() => fc.configureGlobal({ seed: 0x20261121 }));
  after(() => fc.resetConfigureGlobal());

  it("property_atpiIsIndependentOfRowOrder", function () {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length }),
        fixtureDate,
        fc.constantFrom(ATPI_FRONTIER_SPEC, ATPI_SMALL_SPEC),
        (permuted, asOf, spec) => {
          const a = computeRound(spec, rows, asOf);
          const b = computeRound(spec, permuted, asOf);
          expect(b.value).to.equal(a.value);
          expect(b.inputsHash).to.equal(a.inputsHash);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("property_atpiLiesBetweenTheSmallestAndLargestBlendedPrice", function () {
    fc.assert(
      fc.property(constituentSet, fc.boolean(), (set, usage) => {
        fc.pre(set.some((c) => blendedPrice(c.input, c.output) > 0n));
        const spec: AtpiSpec = {
          ...ATPI_FRONTIER_SPEC,
          minConstituents: 1,
          weighting: usage
            ? {
                kind: "usage",
                weights: Object.fromEntries(set.map((c) => [c.model, c.weight])),
                defaultWeight: 1n,
              }
            : { kind: "equal" },
        };
        const { value } = computeAtpi(spec, toRows(set), "2025-01-01");
        const blended = set.map((c) => blendedPrice(c.input, c.output));
        const min = blended.reduce((m, b) => (b < m ? b : m));
        const max = blended.reduce((m, b) => (b > m ? b : m));
        expect(value >= min && value <= max, `${min} <= ${value} <= ${max}`).to.equal(true);
      }),
    );
  });

  it("property_atpiOfEqualBlendedPricesIsThatPrice", function () {
    fc.assert(
      fc.property(constituentSet, fc.bigInt({ min: 1n, max: 10n ** 24n }), (set, blended) => {
        // input = output = p gives (3p + p) / 4 = p exactly.
        const same = set.map((c) => ({ ...c, input: blended, output: blended }));
        const spec: AtpiSpec = { ...ATPI_FRONTIER_SPEC, minConstituents: 1 };
        expect(computeAtpi(spec, toRows(same), "2025-01-01").value).to.equal(blended);
      }),
    );
  });

  it("property_roundsRecomputeFromTheirCanonicalJson", function () {
    fc.assert(
      fc.property(fixtureDate, fc.constantFrom(ATPI_FRONTIER_SPEC, ATPI_SMALL_SPEC), (asOf, spec) => {
        const round = computeRound(spec, rows, asOf);
        const again = recomputeFromCanonical(round.canonicalJson);
        expect(again.value).to.equal(round.value);
        expect(again.inputsHash).to.equal(round.inputsHash);
      }),
      { numRuns: 60 },
    );
  });

  it("property_gpuMedianIsOrderIndependentAndWithinTheKeptQuotes", function () {
    const providers = fc.uniqueArray(
      fc.record({
        provider: fc.stringMatching(/^p[0-9]{1,3}$/),
        price: fc.bigInt({ min: 1n, max: 10n ** 21n }),
        age: fc.integer({ min: 0, max: 10 }),
      }),
      { minLength: 1, maxLength: 15, selector: (q) => q.provider },
    );
    fc.assert(
      fc.property(providers, fc.integer({ min: 0, max: 1_000_000 }), (set, seed) => {
        const data: QuoteRow[] = set.map((q, i) => ({
          observedDate: addDays("2025-01-20", -q.age),
          provider: q.provider,
          gpu: "H100",
          usdPerGpuHour: q.price,
          source: "synthetic",
          line: i + 2,
        }));
        const spec = { ...GPU_H100_SPEC, minProviders: 1 };
        const rotated = [...data.slice(seed % data.length), ...data.slice(0, seed % data.length)].reverse();
        let result;
        try {
          result = computeGpuIndex(spec, data, "2025-01-20");
        } catch (e) {
          // Every quote stale, or too few left by the band: the permuted set must fail the same way.
          expect(e).to.be.instanceOf(InsufficientConstituentsError);
          expect(() => computeGpuIndex(spec, rotated, "2025-01-20")).to.throw(InsufficientConstituentsError);
          return;
        }
        const kept = result.quotes.filter((q) => q.included).map((q) => q.usdPerGpuHour);
        const min = kept.reduce((m, v) => (v < m ? v : m));
        const max = kept.reduce((m, v) => (v > m ? v : m));
        expect(result.value >= min && result.value <= max).to.equal(true);
        const again = computeRound(spec, rotated, "2025-01-20");
        expect(again.value).to.equal(result.value);
        expect(again.canonicalJson).to.equal(canonicalJson(result.inputs));
      }),
    );
  });

  it("property_gpuFixtureIsOrderIndependent", function () {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(quotes, { minLength: quotes.length, maxLength: quotes.length }),
        fc.integer({ min: 0, max: 42 }).map((d) => addDays("2025-10-01", d)),
        (permuted, asOf) => {
          const a = computeRound(GPU_H100_SPEC, quotes, asOf);
          const b = computeRound(GPU_H100_SPEC, permuted, asOf);
          expect(b.value).to.equal(a.value);
          expect(b.inputsHash).to.equal(a.inputsHash);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("property_canonicalJsonRoundTripsAndIgnoresKeyOrder", function () {
    const leaf = fc.oneof(fc.string(), fc.bigInt(), fc.boolean(), fc.constant(null));
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        leaf,
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(tree, (value) => {
        const json = canonicalJson(value as never);
        expect(canonicalJson(parseCanonicalJson(json))).to.equal(json);
        if (value !== null && typeof value === "object" && !Array.isArray(value)) {
          const reversed = Object.fromEntries(Object.entries(value).reverse());
          expect(canonicalJson(reversed as never)).to.equal(json);
        }
      }),
    );
  });
});
