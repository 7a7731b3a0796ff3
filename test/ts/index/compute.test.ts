import { expect } from "chai";

import {
  applyOutlierBand,
  computeGpuIndex,
  computeMethodologyHash,
  computeRound,
  ConflictingRowsError,
  freshQuotes,
  GPU_H100_SPEC,
  InsufficientConstituentsError,
  InvalidSpecError,
  medianDown,
  parseQuoteCsv,
  roundsFromCsv,
  withinBand,
  type ComputeSpec,
  type QuoteRow,
} from "../../../index/index.js";
import { quoteCsvText, quoteRow, usd } from "./helpers.js";

const quotes: QuoteRow[] = parseQuoteCsv(quoteCsvText());

describe("index/compute: median", function () {
  it("medianDown_oddCountIsTheMiddleValue", function () {
    expect(medianDown([usd("2.99"), usd("1.99"), usd("2.49")])).to.equal(usd("2.49"));
    expect(medianDown([7n])).to.equal(7n);
  });

  it("medianDown_evenCountIsTheMeanOfTheMiddleTwoRoundedDown", function () {
    expect(medianDown([usd("3.25"), usd("2.10"), usd("2.99"), usd("2.49")])).to.equal(usd("2.74"));
    // (2.000000000000000001 + 3) / 2 = 2.5000000000000000005 → 2.5
    expect(medianDown([usd("2"), usd("2.000000000000000001"), usd("3"), usd("4")])).to.equal(usd("2.5"));
    expect(medianDown([1n, 2n])).to.equal(1n);
  });

  it("withinBand_isExactAtTheEdge", function () {
    // ±50% of 2: 3 is in, 3 + 1 wei is out; 1 is in, 1 − 1 wei is out.
    expect(withinBand(usd("3"), usd("2"), 5000n)).to.equal(true);
    expect(withinBand(usd("3") + 1n, usd("2"), 5000n)).to.equal(false);
    expect(withinBand(usd("1"), usd("2"), 5000n)).to.equal(true);
    expect(withinBand(usd("1") - 1n, usd("2"), 5000n)).to.equal(false);
  });
});

describe("index/compute: hand-computed GPU-H100 values from the synthetic fixture", function () {
  it("gpu_2025_10_01_oddCountOfThree", function () {
    // a 2.49, b 2.99 (its A100 quote of 1.29 is ignored), c 1.99 → median 2.49
    const r = computeGpuIndex(GPU_H100_SPEC, quotes, "2025-10-01");
    expect(r.quotes.map((q) => q.provider)).to.deep.equal([
      "synthetic-cloud-a",
      "synthetic-cloud-b",
      "synthetic-cloud-c",
    ]);
    expect(r.value).to.equal(usd("2.49"));
  });

  it("gpu_2025_10_08_evenCountOfFour", function () {
    // a 2.49 (7 days old, still fresh), b 2.99, c 2.10, d 3.25 → (2.49 + 2.99) / 2 = 2.74
    expect(computeGpuIndex(GPU_H100_SPEC, quotes, "2025-10-08").value).to.equal(usd("2.74"));
  });

  it("gpu_2025_10_15_outlierLeftOut", function () {
    // a 2.39, b 2.89, c 2.10, d 3.25, e 6.98: preliminary median 2.89, band [1.445, 4.335];
    // e is left out → (2.39 + 2.89) / 2 = 2.64
    const r = computeGpuIndex(GPU_H100_SPEC, quotes, "2025-10-15");
    expect(r.quotes.filter((q) => !q.included).map((q) => q.provider)).to.deep.equal(["synthetic-cloud-e"]);
    expect(r.value).to.equal(usd("2.64"));
    // Without the band the outlier would shift the median to 2.89.
    expect(computeGpuIndex({ ...GPU_H100_SPEC, outlierBandBps: 0 }, quotes, "2025-10-15").value).to.equal(
      usd("2.89"),
    );
  });

  it("gpu_2025_10_16_staleQuoteDropsOut", function () {
    // d's quote of 2025-10-08 is 8 days old; a 2.39, b 2.89, c 2.10, e 6.98 remain:
    // preliminary (2.39 + 2.89) / 2 = 2.64, band [1.32, 3.96]; e out → median of 2.10, 2.39, 2.89 = 2.39
    const r = computeGpuIndex(GPU_H100_SPEC, quotes, "2025-10-16");
    expect(r.quotes.map((q) => q.provider)).to.not.include("synthetic-cloud-d");
    expect(r.value).to.equal(usd("2.39"));
  });

  it("gpu_2025_11_05_sixProviders", function () {
    // a 2.29, b 2.79, c 2.05 (7 days), d 3.00, e 2.20 (7 days), f 2.50 → (2.29 + 2.50) / 2 = 2.395
    expect(computeGpuIndex(GPU_H100_SPEC, quotes, "2025-11-05").value).to.equal(usd("2.395"));
  });

  it("gpu_tooFewFreshProvidersPublishesNothing", function () {
    // 2025-11-13: every quote is at least 8 days old.
    expect(() => computeGpuIndex(GPU_H100_SPEC, quotes, "2025-11-13")).to.throw(
      InsufficientConstituentsError,
    );
    // Before the first quote.
    expect(() => computeGpuIndex(GPU_H100_SPEC, quotes, "2025-09-30")).to.throw(
      InsufficientConstituentsError,
    );
  });

  it("gpu_outliersCountAgainstTheMinimum", function () {
    const data = [
      quoteRow("2025-01-01", "p1", "2"),
      quoteRow("2025-01-01", "p2", "2.2"),
      quoteRow("2025-01-01", "p3", "20"),
    ];
    expect(freshQuotes(GPU_H100_SPEC, data, "2025-01-01")).to.have.length(3);
    try {
      computeGpuIndex(GPU_H100_SPEC, data, "2025-01-01");
      expect.fail("expected InsufficientConstituentsError");
    } catch (e) {
      expect(e).to.be.instanceOf(InsufficientConstituentsError);
      expect((e as InsufficientConstituentsError).found).to.equal(2);
    }
  });

  it("gpu_aProvidersLatestQuoteReplacesItsEarlierOne", function () {
    const data = [
      quoteRow("2025-01-01", "p1", "3.5"),
      quoteRow("2025-01-03", "p1", "6"),
      quoteRow("2025-01-02", "p2", "4.5"),
      quoteRow("2025-01-02", "p3", "5"),
    ];
    // 2025-01-02: 3.5, 4.5, 5 → 4.5; 2025-01-03: p1 now quotes 6 → 4.5, 5, 6 → 5
    expect(computeGpuIndex(GPU_H100_SPEC, data, "2025-01-02").value).to.equal(usd("4.5"));
    expect(computeGpuIndex(GPU_H100_SPEC, data, "2025-01-03").value).to.equal(usd("5"));
  });

  it("gpu_duplicateQuotesForOneProviderAndDayAreRejected", function () {
    const data = [quoteRow("2025-01-01", "p1", "1"), quoteRow("2025-01-01", "p1", "2")];
    expect(() => freshQuotes(GPU_H100_SPEC, data, "2025-01-01")).to.throw(ConflictingRowsError);
  });

  it("applyOutlierBand_zeroBandKeepsEverything", function () {
    const fresh = freshQuotes(GPU_H100_SPEC, quotes, "2025-10-15");
    expect(applyOutlierBand(fresh, 0n).every((q) => q.included)).to.equal(true);
  });

  it("spec_invalidParametersAreRejected", function () {
    const bad: [Partial<ComputeSpec>, string][] = [
      [{ maxQuoteAgeDays: -1 }, "maxQuoteAgeDays"],
      [{ minProviders: 0 }, "minProviders"],
      [{ outlierBandBps: 0.5 }, "outlierBandBps"],
      [{ gpu: "" }, "gpu"],
    ];
    for (const [patch, field] of bad) {
      try {
        computeGpuIndex({ ...GPU_H100_SPEC, ...patch }, quotes, "2025-10-15");
        expect.fail(`expected InvalidSpecError for ${field}`);
      } catch (e) {
        expect(e, field).to.be.instanceOf(InvalidSpecError);
        expect((e as InvalidSpecError).field).to.equal(field);
      }
    }
  });

  it("spec_everyRuleIsInTheMethodologyHash", function () {
    const base = computeMethodologyHash(GPU_H100_SPEC);
    expect(computeMethodologyHash({ ...GPU_H100_SPEC, maxQuoteAgeDays: 8 })).to.not.equal(base);
    expect(computeMethodologyHash({ ...GPU_H100_SPEC, minProviders: 4 })).to.not.equal(base);
    expect(computeMethodologyHash({ ...GPU_H100_SPEC, outlierBandBps: 4000 })).to.not.equal(base);
  });

  it("roundsFromCsv_dailySeriesOverTheFixture", function () {
    const rounds = roundsFromCsv(GPU_H100_SPEC, quoteCsvText(), {
      from: "2025-10-01",
      to: "2025-11-20",
      onInsufficient: "skip",
    });
    // 2025-10-01 … 2025-11-12 inclusive is 43 days; from 2025-11-13 on every quote is stale.
    expect(rounds).to.have.length(43);
    expect(rounds.at(-1)?.asOf).to.equal("2025-11-12");
    expect(rounds.at(-1)?.value).to.equal(usd("2.645"));
    const r = computeRound(GPU_H100_SPEC, quotes, "2025-10-08");
    expect(rounds[7].inputsHash).to.equal(r.inputsHash);
  });
});
