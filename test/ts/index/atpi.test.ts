import { expect } from "chai";

import {
  ATPI_FRONTIER_SPEC,
  ATPI_SMALL_SPEC,
  atpiConstituents,
  blendedPrice,
  computeAtpi,
  computeRound,
  ConflictingRowsError,
  InconsistentModelError,
  InsufficientConstituentsError,
  InvalidDateError,
  InvalidSpecError,
  parsePriceCsv,
  roundsFromCsv,
  startOfDay,
  weightedMeanDown,
  ZeroValueError,
  type AtpiSpec,
  type PriceRow,
} from "../../../index/index.js";
import { priceCsvText, priceRow, usd } from "./helpers.js";

const rows: PriceRow[] = parsePriceCsv(priceCsvText());

function models(spec: AtpiSpec, data: readonly PriceRow[], asOf: string): string[] {
  return atpiConstituents(spec, data, asOf).map((c) => c.model);
}

describe("index/atpi: blended price and rounding", function () {
  it("blendedPrice_isThreeInputsPlusOneOutputOverFour", function () {
    // claude-2: (3 × 11.02 + 32.68) / 4 = 65.74 / 4 = 16.435
    expect(blendedPrice(usd("11.02"), usd("32.68"))).to.equal(usd("16.435"));
    // deepseek-r1: (3 × 0.55 + 2.19) / 4 = 3.84 / 4 = 0.96
    expect(blendedPrice(usd("0.55"), usd("2.19"))).to.equal(usd("0.96"));
  });

  it("blendedPrice_roundsDownToOneWei", function () {
    // (3 × 1 wei + 0) / 4 = 0.75 wei → 0; (3 + 2) / 4 = 1.25 → 1; (3 × 1 + 4) / 4 = 1.75 → 1
    expect(blendedPrice(1n, 0n)).to.equal(0n);
    expect(blendedPrice(1n, 2n)).to.equal(1n);
    expect(blendedPrice(1n, 4n)).to.equal(1n);
  });

  it("weightedMeanDown_roundsDownOnceAfterAnExactSum", function () {
    // (0.75 + 0.5 + 0.525) / 3 = 0.591666… → …666 (never …667)
    expect(
      weightedMeanDown([
        { blended: usd("0.75"), weight: 1n },
        { blended: usd("0.5"), weight: 1n },
        { blended: usd("0.525"), weight: 1n },
      ]),
    ).to.equal(591_666_666_666_666_666n);
    // (1 × 1 + 2 × 2) / 3 = 5/3 wei → 1 wei
    expect(
      weightedMeanDown([
        { blended: 1n, weight: 1n },
        { blended: 2n, weight: 2n },
      ]),
    ).to.equal(1n);
  });
});

describe("index/atpi: hand-computed values from the fixture", function () {
  it("frontier_2024_06_30_isTheMeanOfEightBlendedPrices", function () {
    // gpt-4 (2023-03-14) aged out on 2024-03-14. In force:
    // claude-2 16.435, claude-2.1 (3×8+24)/4 = 12, claude-3-opus (45+75)/4 = 30,
    // claude-3-sonnet (9+15)/4 = 6, claude-3.5-sonnet 6, gemini-1.5-pro (10.5+10.5)/4 = 5.25,
    // gpt-4-turbo (30+30)/4 = 15, gpt-4o (15+15)/4 = 7.5. Sum 98.185 / 8 = 12.273125.
    const result = computeAtpi(ATPI_FRONTIER_SPEC, rows, "2024-06-30");
    expect(result.constituents.map((c) => c.model)).to.deep.equal([
      "claude-2",
      "claude-2.1",
      "claude-3-opus",
      "claude-3-sonnet",
      "claude-3.5-sonnet",
      "gemini-1.5-pro",
      "gpt-4-turbo",
      "gpt-4o",
    ]);
    expect(result.value).to.equal(usd("12.273125"));
  });

  it("frontier_2025_11_21_isTheMeanOfTwelveBlendedPrices", function () {
    // claude-3.7-sonnet 6, claude-opus-4 30, claude-opus-4.1 30, claude-sonnet-4 6,
    // claude-sonnet-4.5 6, deepseek-r1 0.96, gemini-2.5-pro (3.75+10)/4 = 3.4375,
    // gemini-3-pro-preview (6+12)/4 = 4.5, gpt-4.1 (6+8)/4 = 3.5, gpt-5 3.4375,
    // o1 (45+60)/4 = 26.25, o3 (repriced) (6+8)/4 = 3.5. Sum 123.585 / 12 = 10.29875.
    const result = computeAtpi(ATPI_FRONTIER_SPEC, rows, "2025-11-21");
    expect(result.constituents).to.have.length(12);
    expect(result.value).to.equal(usd("10.29875"));
  });

  it("small_2025_01_01_usesTheRepricedFlashRow", function () {
    // gpt-3.5-turbo (1.5+1.5)/4 = 0.75 (row of 2024-01-25, in force until 2025-01-25),
    // claude-3-haiku (0.75+1.25)/4 = 0.5, gemini-1.5-flash repriced 2024-08-12 (0.225+0.3)/4 = 0.13125,
    // gpt-4o-mini (0.45+0.6)/4 = 0.2625, deepseek-v3 (0.81+1.1)/4 = 0.4775. Sum 2.12125 / 5 = 0.42425.
    const result = computeAtpi(ATPI_SMALL_SPEC, rows, "2025-01-01");
    expect(result.value).to.equal(usd("0.42425"));
    const flash = result.constituents.find((c) => c.model === "gemini-1.5-flash");
    expect(flash?.effectiveDate).to.equal("2024-08-12");
    expect(flash?.blended).to.equal(usd("0.13125"));
  });

  it("small_2024_05_14_roundsANonTerminatingMeanDown", function () {
    // gpt-3.5-turbo 0.75, claude-3-haiku 0.5, gemini-1.5-flash (1.05+1.05)/4 = 0.525:
    // 1.775 / 3 = 0.591666… → 0.591666666666666666 (rounded down at the 18th decimal).
    expect(computeAtpi(ATPI_SMALL_SPEC, rows, "2024-05-14").value).to.equal(591_666_666_666_666_666n);
  });
});

describe("index/atpi: constituent rules", function () {
  it("addition_aModelJoinsOnItsEffectiveDate", function () {
    expect(models(ATPI_SMALL_SPEC, rows, "2024-05-13")).to.not.include("gemini-1.5-flash");
    expect(models(ATPI_SMALL_SPEC, rows, "2024-05-14")).to.include("gemini-1.5-flash");
  });

  it("minimum_tooFewConstituentsPublishesNothing", function () {
    // 2024-05-13: only gpt-3.5-turbo and claude-3-haiku are small models in force.
    try {
      computeAtpi(ATPI_SMALL_SPEC, rows, "2024-05-13");
      expect.fail("expected InsufficientConstituentsError");
    } catch (e) {
      expect(e).to.be.instanceOf(InsufficientConstituentsError);
      const err = e as InsufficientConstituentsError;
      expect(err.code).to.equal("INSUFFICIENT_CONSTITUENTS");
      expect([err.index, err.asOf, err.found, err.required]).to.deep.equal([
        "ATPI-SMALL",
        "2024-05-13",
        2,
        3,
      ]);
    }
  });

  it("repricing_theLatestRowOnOrBeforeTheDateIsInForce", function () {
    const o3 = (asOf: string) =>
      atpiConstituents(ATPI_FRONTIER_SPEC, rows, asOf).find((c) => c.model === "o3");
    expect(o3("2025-06-09")?.blended).to.equal(usd("17.5")); // (30 + 40) / 4
    expect(o3("2025-06-10")?.blended).to.equal(usd("3.5")); // (6 + 8) / 4
  });

  it("ageOut_aModelLeavesTwelveMonthsAfterItsLatestRow", function () {
    // gpt-4 was never repriced: 2023-03-14 + 12 months.
    expect(models(ATPI_FRONTIER_SPEC, rows, "2024-03-13")).to.include("gpt-4");
    expect(models(ATPI_FRONTIER_SPEC, rows, "2024-03-14")).to.not.include("gpt-4");
    // gpt-4o was repriced on 2024-08-06, which restarted its clock.
    expect(models(ATPI_FRONTIER_SPEC, rows, "2025-05-13")).to.include("gpt-4o");
    expect(models(ATPI_FRONTIER_SPEC, rows, "2025-08-05")).to.include("gpt-4o");
    expect(models(ATPI_FRONTIER_SPEC, rows, "2025-08-06")).to.not.include("gpt-4o");
  });

  it("ageOut_clampsToTheEndOfAShorterMonth", function () {
    const spec: AtpiSpec = { ...ATPI_FRONTIER_SPEC, maxPriceAgeMonths: 1, minConstituents: 1 };
    const data = [priceRow("2024-01-31", "m", "frontier", "1", "1")];
    expect(models(spec, data, "2024-02-28")).to.deep.equal(["m"]);
    expect(models(spec, data, "2024-02-29")).to.deep.equal([]);
  });

  it("reprice_anUnchangedPriceRowStillRestartsTheClock", function () {
    const spec: AtpiSpec = { ...ATPI_FRONTIER_SPEC, maxPriceAgeMonths: 6, minConstituents: 1 };
    const data = [
      priceRow("2024-01-01", "m", "frontier", "1", "1"),
      priceRow("2024-06-01", "m", "frontier", "1", "1"),
    ];
    expect(models(spec, data, "2024-11-30")).to.deep.equal(["m"]);
    expect(models(spec, data, "2024-12-01")).to.deep.equal([]);
  });

  it("retirement_removesAModelFromItsDateForGood", function () {
    const spec: AtpiSpec = {
      ...ATPI_FRONTIER_SPEC,
      retirements: [{ model: "o1-preview", date: "2025-01-15" }],
    };
    expect(models(spec, rows, "2025-01-14")).to.include("o1-preview");
    expect(models(spec, rows, "2025-01-15")).to.not.include("o1-preview");
    // A later price row does not bring a retired model back.
    const data = [...rows, priceRow("2025-02-01", "o1-preview", "frontier", "1", "1", "OpenAI")];
    expect(models(spec, data, "2025-02-01")).to.not.include("o1-preview");
    // Without the retirement the same row would reprice it.
    expect(models(ATPI_FRONTIER_SPEC, data, "2025-02-01")).to.include("o1-preview");
  });

  it("retirement_changesTheMethodologyHash", function () {
    const spec: AtpiSpec = {
      ...ATPI_FRONTIER_SPEC,
      retirements: [{ model: "o1-preview", date: "2025-01-15" }],
    };
    const a = computeRound(ATPI_FRONTIER_SPEC, rows, "2024-12-01");
    const b = computeRound(spec, rows, "2024-12-01");
    expect(a.value).to.equal(b.value);
    expect(a.methodologyHash).to.not.equal(b.methodologyHash);
    expect(a.inputsHash).to.not.equal(b.inputsHash);
  });

  it("tierMove_aLaterRowMovesAModelBetweenTiers", function () {
    const spec: AtpiSpec = { ...ATPI_SMALL_SPEC, minConstituents: 1 };
    const data = [
      priceRow("2025-01-01", "m", "frontier", "10", "30"),
      priceRow("2025-03-01", "m", "small", "1", "3"),
    ];
    expect(models(spec, data, "2025-02-28")).to.deep.equal([]);
    expect(models(spec, data, "2025-03-01")).to.deep.equal(["m"]);
    expect(models({ ...ATPI_FRONTIER_SPEC, minConstituents: 1 }, data, "2025-03-01")).to.deep.equal([]);
  });

  it("usageWeights_weightTheMeanAndDefaultTheRest", function () {
    // 2024-06-30 frontier with gpt-4o at weight 3 and the rest at 1: (98.185 + 2 × 7.5) / 10 = 11.3185.
    const spec: AtpiSpec = {
      ...ATPI_FRONTIER_SPEC,
      weighting: { kind: "usage", weights: { "gpt-4o": 3n }, defaultWeight: 1n },
    };
    const result = computeAtpi(spec, rows, "2024-06-30");
    expect(result.value).to.equal(usd("11.3185"));
    expect(result.constituents.find((c) => c.model === "gpt-4o")?.weight).to.equal(3n);
    expect(result.constituents.find((c) => c.model === "claude-2")?.weight).to.equal(1n);
  });

  it("rows_conflictingRowsForOneModelAndDateAreRejected", function () {
    const data = [
      priceRow("2025-01-01", "m", "small", "1", "1"),
      priceRow("2025-01-01", "m", "small", "2", "2"),
    ];
    expect(() => atpiConstituents(ATPI_SMALL_SPEC, data, "2025-01-02")).to.throw(ConflictingRowsError);
  });

  it("rows_aModelCannotChangeProvider", function () {
    const data = [
      priceRow("2025-01-01", "m", "small", "1", "1", "LabA"),
      priceRow("2025-02-01", "m", "small", "1", "1", "LabB"),
    ];
    expect(() => atpiConstituents(ATPI_SMALL_SPEC, data, "2025-01-02")).to.throw(InconsistentModelError);
  });

  it("value_allFreeConstituentsIsAZeroValueError", function () {
    const spec: AtpiSpec = { ...ATPI_SMALL_SPEC, minConstituents: 1 };
    const data = [priceRow("2025-01-01", "m", "small", "0", "0")];
    expect(() => computeAtpi(spec, data, "2025-01-01")).to.throw(ZeroValueError);
  });

  it("spec_invalidParametersAreRejected", function () {
    const bad: [Partial<AtpiSpec>, string][] = [
      [{ maxPriceAgeMonths: 0 }, "maxPriceAgeMonths"],
      [{ maxPriceAgeMonths: 1.5 }, "maxPriceAgeMonths"],
      [{ minConstituents: 0 }, "minConstituents"],
      [{ tier: "" }, "tier"],
      [
        {
          retirements: [
            { model: "a", date: "2025-01-01" },
            { model: "a", date: "2025-02-01" },
          ],
        },
        "retirements",
      ],
      [{ retirements: [{ model: "a", date: "2025-02-30" }] }, "retirements"],
      [{ weighting: { kind: "usage", weights: {}, defaultWeight: 0n } }, "weighting.defaultWeight"],
      [{ weighting: { kind: "usage", weights: { a: 0n }, defaultWeight: 1n } }, "weighting.weights.a"],
    ];
    for (const [patch, field] of bad) {
      try {
        computeAtpi({ ...ATPI_FRONTIER_SPEC, ...patch }, rows, "2025-01-01");
        expect.fail(`expected InvalidSpecError for ${field}`);
      } catch (e) {
        expect(e, field).to.be.instanceOf(InvalidSpecError);
        expect((e as InvalidSpecError).field).to.equal(field);
      }
    }
  });
});

describe("index/atpi: rounds and series", function () {
  it("computeRound_observedAtDefaultsToMidnightAndMustFallOnTheDate", function () {
    const round = computeRound(ATPI_FRONTIER_SPEC, rows, "2025-11-21");
    expect(round.observedAt).to.equal(1_763_683_200n); // 2025-11-21T00:00:00Z
    expect(round.observedAt).to.equal(startOfDay("2025-11-21"));
    const later = computeRound(ATPI_FRONTIER_SPEC, rows, "2025-11-21", {
      observedAt: 1_763_683_200n + 86_399n,
    });
    expect(later.inputsHash).to.equal(round.inputsHash);
    expect(later.value).to.equal(round.value);
    expect(() =>
      computeRound(ATPI_FRONTIER_SPEC, rows, "2025-11-21", { observedAt: 1_763_683_200n + 86_400n }),
    ).to.throw(InvalidDateError);
    expect(() => computeRound(ATPI_FRONTIER_SPEC, rows, "2025-11-31")).to.throw(InvalidDateError);
  });

  it("roundsFromCsv_producesOneRoundPerStepAndCanSkipThinDates", function () {
    const weekly = roundsFromCsv(ATPI_FRONTIER_SPEC, priceCsvText(), {
      from: "2025-01-01",
      to: "2025-03-31",
      stepDays: 7,
      observedAtOffset: 3600n,
    });
    expect(weekly.map((r) => r.asOf).slice(0, 3)).to.deep.equal(["2025-01-01", "2025-01-08", "2025-01-15"]);
    expect(weekly).to.have.length(13);
    expect(weekly[0].observedAt).to.equal(startOfDay("2025-01-01") + 3600n);
    expect(weekly[0].value).to.equal(computeRound(ATPI_FRONTIER_SPEC, rows, "2025-01-01").value);

    expect(() =>
      roundsFromCsv(ATPI_SMALL_SPEC, priceCsvText(), { from: "2024-05-12", to: "2024-05-15" }),
    ).to.throw(InsufficientConstituentsError);
    const skipped = roundsFromCsv(ATPI_SMALL_SPEC, priceCsvText(), {
      from: "2024-05-12",
      to: "2024-05-15",
      onInsufficient: "skip",
    });
    expect(skipped.map((r) => r.asOf)).to.deep.equal(["2024-05-14", "2024-05-15"]);
  });
});
