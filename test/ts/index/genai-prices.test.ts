import { readFileSync } from "node:fs";

import { expect } from "chai";
import fc from "fast-check";

import {
  ATPI_FRONTIER_SPEC,
  ATPI_FRONTIER_V2_ID,
  ATPI_FRONTIER_V2_SPEC,
  ATPI_SMALL_V2_SPEC,
  atpiListConstituents,
  atpiListMethodologyHash,
  ConflictingRowsError,
  computeRound,
  decimalOfNumber,
  formatDecimal18,
  formatGenaiSnapshot,
  genaiSourceFromText,
  InsufficientConstituentsError,
  InvalidSpecError,
  listedRows,
  loadBundledGenaiPrices,
  methodologyHash,
  parseGenaiPrices,
  parseGenaiSnapshot,
  PriceDataError,
  recomputeFromCanonical,
  type AtpiListSpec,
  type GenaiRow,
} from "../../../index/index.js";
import { shuffled, usd } from "./helpers.js";

const SNAPSHOT_PATH = "index/snapshots/genai-prices-0.1.8.csv";
const snapshotText = readFileSync(SNAPSHOT_PATH, "utf8");
const snapshot: GenaiRow[] = parseGenaiSnapshot(snapshotText);

/** The `Provider[]` JSON shape of `@pydantic/genai-prices`, built from canonical rows (tests only). */
function toProviders(rows: readonly GenaiRow[]): unknown[] {
  const providers = new Map<string, Map<string, GenaiRow[]>>();
  for (const r of rows) {
    const models = providers.get(r.provider) ?? new Map<string, GenaiRow[]>();
    providers.set(r.provider, models);
    models.set(r.model, [...(models.get(r.model) ?? []), r]);
  }
  const num = (v: bigint): number => Number(formatDecimal18(v));
  return [...providers].map(([id, models]) => ({
    id,
    name: id,
    api_pattern: id,
    models: [...models].map(([model, periods]) => {
      const sorted = [...periods].sort((a, b) => (a.from < b.from ? -1 : 1));
      const set = (p: GenaiRow) => ({
        input_mtok: num(p.input),
        output_mtok: num(p.output),
        cache_read_mtok: 0.01,
      });
      return {
        id: model,
        match: { equals: model },
        ...(sorted[0].deprecated ? { deprecated: true } : {}),
        prices:
          sorted.length === 1 && sorted[0].from === ""
            ? set(sorted[0])
            : sorted.map((p) =>
                p.from === ""
                  ? { prices: set(p) }
                  : { constraint: { start_date: p.from, type: "start_date" }, prices: set(p) },
              ),
      };
    }),
  }));
}

describe("index: genai-prices adapter", function () {
  it("decimalOfNumber_givesTheShortestExactDecimal", function () {
    expect(decimalOfNumber(0.0375)).to.equal("0.0375");
    expect(decimalOfNumber(1.103)).to.equal("1.103");
    expect(decimalOfNumber(15)).to.equal("15");
    expect(decimalOfNumber(1e-7)).to.equal("0.0000001");
    expect(decimalOfNumber(2.5e-7)).to.equal("0.00000025");
    expect(decimalOfNumber(1e21)).to.equal("1000000000000000000000");
    expect(decimalOfNumber(0)).to.equal("0");
  });

  it("parseGenaiPrices_readsPlainTieredDatedAndTimeOfDayPrices", function () {
    const rows = parseGenaiPrices([
      {
        id: "lab",
        models: [
          { id: "plain", prices: { input_mtok: 1.25, output_mtok: 10, cache_read_mtok: 0.125 } },
          {
            id: "tiered",
            prices: { input_mtok: { base: 3, tiers: [{ start: 200000, price: 6 }] }, output_mtok: 15 },
          },
          {
            id: "dated",
            prices: [
              { prices: { input_mtok: 0.14, output_mtok: 0.28 } },
              {
                constraint: { start_date: "2026-08-17", type: "start_date" },
                prices: { input_mtok: 0.22, output_mtok: 0.66 },
              },
              {
                constraint: { start_time: "01:00:00Z", end_time: "04:00:00Z", type: "time_of_date" },
                prices: { input_mtok: 0.44, output_mtok: 1.32 },
              },
            ],
          },
          { id: "embedding", prices: { input_mtok: 0.02 } },
          { id: "old", deprecated: true, prices: { input_mtok: 30, output_mtok: 60 } },
        ],
      },
    ]);
    expect(
      rows.map((r) => [r.model, r.from, formatDecimal18(r.input), formatDecimal18(r.output), r.deprecated]),
    ).to.deep.equal([
      ["dated", "", "0.14", "0.28", false],
      ["dated", "2026-08-17", "0.22", "0.66", false],
      ["old", "", "30", "60", true],
      ["plain", "", "1.25", "10", false],
      ["tiered", "", "3", "15", false],
    ]);
  });

  it("parseGenaiPrices_pricesDatesBeforeTheFirstStartDateAtTheFirstSet", function () {
    const rows = parseGenaiPrices([
      {
        id: "lab",
        models: [
          {
            id: "m",
            prices: [
              {
                constraint: { start_date: "2026-01-01", type: "start_date" },
                prices: { input_mtok: 1, output_mtok: 2 },
              },
            ],
          },
        ],
      },
    ]);
    expect(rows.map((r) => r.from)).to.deep.equal(["", "2026-01-01"]);
  });

  it("parseGenaiPrices_refusesMalformedDataWithAPath", function () {
    const bad: [unknown, string][] = [
      [{}, "$"],
      [[{ id: "lab" }], "$[0].models"],
      [
        [{ id: "lab", models: [{ id: "m", prices: { input_mtok: -1, output_mtok: 1 } }] }],
        "$[0].models[0].prices.input_mtok",
      ],
      [
        [{ id: "lab", models: [{ id: "m", prices: { input_mtok: "1", output_mtok: 1 } }] }],
        "$[0].models[0].prices.input_mtok",
      ],
      [[{ id: " lab", models: [] }], "$[0].id"],
      [
        [
          {
            id: "lab",
            models: [
              {
                id: "m",
                prices: [
                  { constraint: { start_date: "2026-02-01", type: "start_date" }, prices: {} },
                  { constraint: { start_date: "2026-01-01", type: "start_date" }, prices: {} },
                ],
              },
            ],
          },
        ],
        "$[0].models[0].prices[1].constraint.start_date",
      ],
      [
        [{ id: "lab", models: [{ id: "m", prices: [{ constraint: { type: "weekday" }, prices: {} }] }] }],
        "$[0].models[0].prices[0].constraint",
      ],
    ];
    for (const [data, path] of bad) {
      expect(() => parseGenaiPrices(data), path)
        .to.throw(PriceDataError)
        .with.property("path", path);
    }
  });

  it("parseGenaiPrices_collapsesIdenticalDuplicatesAndRefusesConflictingOnes", function () {
    const entry = { id: "m", prices: { input_mtok: 1, output_mtok: 2 } };
    expect(parseGenaiPrices([{ id: "lab", models: [entry, entry] }])).to.have.length(1);
    const other = { id: "m", prices: { input_mtok: 1, output_mtok: 3 } };
    expect(() => parseGenaiPrices([{ id: "lab", models: [entry, other] }])).to.throw(ConflictingRowsError);
  });

  it("snapshot_roundTripsByteForByteAndRefusesBadLines", function () {
    expect(formatGenaiSnapshot(snapshot)).to.equal(snapshotText);
    expect(() => parseGenaiSnapshot("provider,model\n")).to.throw(PriceDataError);
    const header = snapshotText.split("\n")[0];
    expect(() => parseGenaiSnapshot(`${header}\nlab,m,,1,2,maybe\n`))
      .to.throw(PriceDataError)
      .with.property("path", "line 2");
    expect(() => parseGenaiSnapshot(`${header}\nlab,m,2026-02-30,1,2,false\n`)).to.throw(PriceDataError);
  });

  it("bundledCopy_isPinnedAndItsListedRowsAreTheSnapshot", async function () {
    const bundled = await loadBundledGenaiPrices();
    expect(bundled.location).to.equal("bundled:@pydantic/genai-prices@0.1.8");
    expect(bundled.rows.length).to.equal(1489);
    expect(bundled.contentHash).to.equal(
      "0xc1f40d33814cf3a2b2a79a9d645bdfa9bdc404d7e00690ea657f56e8aac16f2f",
    );
    const listed = [
      ...listedRows(ATPI_FRONTIER_V2_SPEC, bundled.rows),
      ...listedRows(ATPI_SMALL_V2_SPEC, bundled.rows),
    ];
    expect(formatGenaiSnapshot(listed)).to.equal(snapshotText);
    for (const spec of [ATPI_FRONTIER_V2_SPEC, ATPI_SMALL_V2_SPEC]) {
      expect(computeRound(spec, bundled.rows, "2026-12-06").canonicalJson).to.equal(
        computeRound(spec, snapshot, "2026-12-06").canonicalJson,
      );
    }
  });
});

describe("index: ATPI 2.0.0 golden values on the 0.1.8 snapshot (published 2026-09-23), as of 2026-12-06", function () {
  it("methodologyHashes_arePinnedAndDifferFromV1", function () {
    expect(atpiListMethodologyHash(ATPI_FRONTIER_V2_SPEC)).to.equal(
      "0x3607697428f6cb117709add4e587c40eaa42bff36ba40c56f2687441784cef91",
    );
    expect(methodologyHash(ATPI_SMALL_V2_SPEC)).to.equal(
      "0xde2e599feb59584254c03943e37dba5b5532d63e7cd651569192c6588e7622f4",
    );
    // the 1.0.0 rules are untouched (also pinned in canonical.test.ts)
    expect(methodologyHash(ATPI_FRONTIER_SPEC)).to.equal(
      "0x2baab20b0a92b93f60edebfd3cec8a499493bb51202721563bde03cfa3cb7402",
    );
  });

  it("frontier_2026_12_06_valueConstituentsAndInputsHash", function () {
    const round = computeRound(ATPI_FRONTIER_V2_SPEC, snapshot, "2026-12-06");
    expect(round.indexId).to.equal(ATPI_FRONTIER_V2_ID);
    // blended (3·in + out)/4: fable 20, v4-pro (0.66·3+1.98)/4 = 0.99, gemini-2.5-pro 3.4375,
    // mistral-medium 3, kimi-k3 6, gpt-6-astra 20, grok-4.6 3, GLM-5.3 2.15 → 58.5775 / 8
    expect(formatDecimal18(round.value)).to.equal("7.3221875");
    const { constituents, excluded } = atpiListConstituents(ATPI_FRONTIER_V2_SPEC, snapshot, "2026-12-06");
    expect(
      constituents.map((c) => [c.provider, c.model, c.effectiveDate, formatDecimal18(c.blended)]),
    ).to.deep.equal([
      ["anthropic", "claude-fable-5-1", "", "20"],
      ["deepseek", "deepseek-v4-pro", "2026-08-17", "0.99"],
      ["google", "gemini-2.5-pro", "", "3.4375"],
      ["mistral", "mistral-medium-3-5", "", "3"],
      ["moonshotai", "kimi-k3", "", "6"],
      ["openai", "gpt-6-astra", "", "20"],
      ["x-ai", "grok-4.6", "", "3"],
      ["zai", "GLM-5.3", "", "2.15"],
    ]);
    expect(excluded).to.deep.equal([]);
    expect(round.inputsHash).to.equal("0x13835233dd4d05ccf4f1bb5fcc9841ea9972f2e4b54e678c281963f17c94ffd8");
  });

  it("small_2026_12_06_valueAndInputsHash", function () {
    const round = computeRound(ATPI_SMALL_V2_SPEC, snapshot, "2026-12-06");
    // haiku 2, v4-flash (0.66+0.66)/4 = 0.33, 3.5-flash-lite 0.85, small-2603 0.2625,
    // gpt-6-luna 0.2, grok fast 0.275, GLM-5.3-Flash 0.11875 → 4.03625 / 7, rounded down
    expect(formatDecimal18(round.value)).to.equal("0.576607142857142857");
    expect(round.inputsHash).to.equal("0xb48f5b37fffc96f98d184e78e9c165d436852e05c4105091a6571c6bcd35acab");
  });

  it("datedRepricing_takesEffectOnItsStartDate", function () {
    const before = computeRound(ATPI_SMALL_V2_SPEC, snapshot, "2026-08-16");
    const after = computeRound(ATPI_SMALL_V2_SPEC, snapshot, "2026-08-17");
    // deepseek-v4-flash: 0.14/0.28 → 0.22/0.66, blended 0.175 → 0.33
    expect(before.value).to.equal((usd("4.03625") - usd("0.33") + usd("0.175")) / 7n);
    expect(after.value).to.equal(usd("4.03625") / 7n);
  });

  it("recomputeFromCanonical_rederivesAV2Round", function () {
    const round = computeRound(ATPI_FRONTIER_V2_SPEC, snapshot, "2026-12-06");
    const again = recomputeFromCanonical(round.canonicalJson);
    expect(again.value).to.equal(round.value);
    expect(again.inputsHash).to.equal(round.inputsHash);
    expect(again.version).to.equal("2.0.0");
  });

  it("missingAndDeprecatedModelsDropOutUntilTooFewRemain", function () {
    const rows = snapshot
      .filter((r) => r.model !== "kimi-k3")
      .map((r) => (r.model === "grok-4.6" ? { ...r, deprecated: true } : r));
    const { excluded } = atpiListConstituents(ATPI_FRONTIER_V2_SPEC, rows, "2026-12-06");
    expect(excluded).to.deep.equal([
      { provider: "moonshotai", model: "kimi-k3", reason: "missing" },
      { provider: "x-ai", model: "grok-4.6", reason: "deprecated" },
    ]);
    const thin = snapshot.filter((r) => ["anthropic", "openai", "google", "zai"].includes(r.provider));
    expect(() => computeRound(ATPI_FRONTIER_V2_SPEC, thin, "2026-12-06")).to.throw(
      InsufficientConstituentsError,
    );
  });

  it("spec_refusesAResellerInTheList", function () {
    const spec: AtpiListSpec = {
      ...ATPI_FRONTIER_V2_SPEC,
      constituents: [...ATPI_FRONTIER_V2_SPEC.constituents, { provider: "openrouter", model: "gpt-6-astra" }],
    };
    expect(() => atpiListMethodologyHash(spec)).to.throw(InvalidSpecError);
  });
});

describe("index: ATPI 2.0.0 properties", function () {
  before(() => fc.configureGlobal({ seed: 0x20261206 }));
  after(() => fc.resetConfigureGlobal());

  const date = fc
    .integer({ min: 0, max: 400 })
    .map((d) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10));
  const listedModel = fc.constantFrom(
    ...ATPI_FRONTIER_V2_SPEC.constituents,
    ...ATPI_SMALL_V2_SPEC.constituents,
  );
  const spec = fc.constantFrom(ATPI_FRONTIER_V2_SPEC, ATPI_SMALL_V2_SPEC);
  /** Prices with at most 6 decimals, so they survive the JSON number form exactly. */
  const price = fc.integer({ min: 0, max: 500_000_000 }).map((micro) => BigInt(micro) * 10n ** 12n);

  it("addingAResellerChangesNothing", function () {
    const reseller = fc.record({
      provider: fc.constantFrom("openrouter", "aws", "azure", "together", "some-reseller"),
      model: fc.oneof(
        listedModel.map((m) => m.model),
        fc.stringMatching(/^[a-z][a-z0-9.-]{0,15}$/),
      ),
      input: price,
      output: price,
    });
    fc.assert(
      fc.property(spec, date, fc.array(reseller, { maxLength: 20 }), (s, d, extra) => {
        const rows = [...snapshot, ...extra.map((e) => ({ ...e, from: "" as const, deprecated: false }))];
        expect(computeRound(s, rows, d).canonicalJson).to.equal(computeRound(s, snapshot, d).canonicalJson);
      }),
      { numRuns: 60 },
    );
  });

  it("reorderingRowsChangesNothing", function () {
    fc.assert(
      fc.property(spec, date, fc.integer(), (s, d, seed) => {
        const reordered = parseGenaiPrices(
          shuffled(toProviders(shuffled(snapshot, seed)), seed ^ 0x5bd1e995),
        );
        expect(computeRound(s, reordered, d).canonicalJson).to.equal(
          computeRound(s, snapshot, d).canonicalJson,
        );
      }),
      { numRuns: 60 },
    );
  });

  it("duplicatingAnAliasChangesNothing", function () {
    fc.assert(
      fc.property(spec, date, listedModel, fc.boolean(), (s, d, listed, sameId) => {
        const providers = toProviders(snapshot) as { id: string; models: { id: string; match: unknown }[] }[];
        const provider = providers.find((p) => p.id === listed.provider)!;
        const entry = provider.models.find((m) => m.id === listed.model)!;
        // the same entry twice, or an alias entry (a dated id with the same prices) beside it
        provider.models.push(
          sameId
            ? { ...entry }
            : { ...entry, id: `${entry.id}-20260101`, match: { equals: `${entry.id}-20260101` } },
        );
        expect(computeRound(s, parseGenaiPrices(providers), d).canonicalJson).to.equal(
          computeRound(s, snapshot, d).canonicalJson,
        );
      }),
      { numRuns: 60 },
    );
  });

  it("aConstituentPriceIncreaseNeverLowersTheIndex", function () {
    fc.assert(
      fc.property(spec, date, listedModel, price, price, (s, d, listed, addIn, addOut) => {
        const raised = snapshot.map((r) =>
          r.provider === listed.provider && r.model === listed.model
            ? { ...r, input: r.input + addIn, output: r.output + addOut }
            : r,
        );
        expect(computeRound(s, raised, d).value >= computeRound(s, snapshot, d).value).to.equal(true);
      }),
      { numRuns: 100 },
    );
  });

  it("twoReportersFromTheSameDataProduceByteIdenticalInputs", async function () {
    const bundled = await loadBundledGenaiPrices();
    // reporter A reads the bundled copy; reporter B a downloaded data.json of the same data
    const { waitForUpdate } = await import("@pydantic/genai-prices");
    const downloaded = genaiSourceFromText("data.json", JSON.stringify(await waitForUpdate()));
    expect(downloaded.contentHash).to.equal(bundled.contentHash);
    fc.assert(
      fc.property(spec, date, (s, d) => {
        const a = computeRound(s, bundled.rows, d);
        const b = computeRound(s, downloaded.rows, d);
        expect(b.canonicalJson).to.equal(a.canonicalJson);
        expect(b.inputsHash).to.equal(a.inputsHash);
      }),
      { numRuns: 30 },
    );
  });
});
