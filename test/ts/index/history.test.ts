import { readFileSync } from "node:fs";

import { expect } from "chai";

import {
  ATPI_FRONTIER_SPEC,
  ATPI_FRONTIER_V2_SPEC,
  ATPI_SMALL_SPEC,
  ATPI_SMALL_V2_SPEC,
  computeRound,
  formatDecimal18,
  formatGenaiSnapshot,
  parsePriceCsv,
} from "../../../index/index.js";
import {
  atpiListHistory,
  GENAI_SNAPSHOTS,
  historyPriceCsv,
  historyPriceRows,
  readSnapshot,
  snapshotFor,
} from "../../../index/history.js";
import { priceCsvText } from "./helpers.js";

describe("index: history from stored snapshots and the committed CSV", function () {
  it("snapshots_areCanonicalSmallAndInPublicationOrder", function () {
    for (const s of GENAI_SNAPSHOTS) {
      const text = readFileSync(`index/snapshots/${s.file}`, "utf8");
      expect(formatGenaiSnapshot(readSnapshot(s)), s.file).to.equal(text);
      expect(text.length, s.file).to.be.below(4096);
    }
    const dates = GENAI_SNAPSHOTS.map((s) => s.publishedOn);
    expect([...dates].sort()).to.deep.equal(dates);
  });

  it("snapshotFor_labelsObservedAndReconstructedDates", function () {
    expect(snapshotFor("2026-04-01")).to.deep.include({ provenance: "reconstructed" });
    expect(snapshotFor("2026-04-01").snapshot.version).to.equal("0.0.53");
    expect(snapshotFor("2026-09-15").snapshot.version).to.equal("0.0.66");
    expect(snapshotFor("2026-09-16")).to.deep.include({ provenance: "observed" });
    expect(snapshotFor("2026-09-16").snapshot.version).to.equal("0.1.7");
    expect(snapshotFor("2026-12-06").snapshot.version).to.equal("0.1.8");
  });

  it("atpiListHistory_hasNoValueUntilTheListedModelsAppear", function () {
    const frontier = atpiListHistory(ATPI_FRONTIER_V2_SPEC, {
      from: "2026-09-09",
      to: "2026-09-23",
      stepDays: 7,
    });
    expect(
      frontier.map((p) => [p.asOf, p.snapshot, p.provenance, p.noValue ?? formatDecimal18(p.round!.value)]),
    ).to.deep.equal([
      ["2026-09-09", "0.0.66", "observed", "INSUFFICIENT_CONSTITUENTS"],
      ["2026-09-16", "0.1.7", "observed", "7.3221875"],
      ["2026-09-23", "0.1.8", "observed", "7.3221875"],
    ]);
    // gpt-6-luna appears in 0.1.8: ATPI-SMALL-V2 goes from 6 to 7 constituents
    const small = atpiListHistory(ATPI_SMALL_V2_SPEC, { from: "2026-09-16", to: "2026-09-23", stepDays: 7 });
    expect(small.map((p) => formatDecimal18(p.round!.value))).to.deep.equal([
      "0.639375",
      "0.576607142857142857",
    ]);
  });

  it("historyPriceRows_keepsTheCommittedCsvAndAddsObservedAndDatedRows", function () {
    const rows = historyPriceRows();
    const committed = parsePriceCsv(priceCsvText());
    expect(rows.slice(0, committed.length)).to.deep.equal(committed);
    const haiku = rows.filter((r) => r.model.startsWith("claude-haiku-4"));
    // the CSV's claude-haiku-4.5 is the data's claude-haiku-4-5: one model, re-confirmed by each snapshot
    expect(haiku.map((r) => [r.effectiveDate, r.model])).to.deep.equal([
      ["2025-10-15", "claude-haiku-4.5"],
      ["2026-05-08", "claude-haiku-4.5"],
      ["2026-08-24", "claude-haiku-4.5"],
      ["2026-09-16", "claude-haiku-4.5"],
      ["2026-09-23", "claude-haiku-4.5"],
    ]);
    // deepseek-v4-pro: observed at 0.435 on 2026-08-24; 0.1.7 dates a change to 0.66 on 2026-08-17
    const pro = rows
      .filter((r) => r.model === "deepseek-v4-pro")
      .map((r) => [r.effectiveDate, formatDecimal18(r.inputUsdPerMtok)]);
    expect(pro).to.deep.equal([
      ["2026-08-24", "0.435"],
      ["2026-08-17", "0.66"],
      ["2026-09-16", "0.66"],
      ["2026-09-23", "0.66"],
    ]);
    expect(parsePriceCsv(historyPriceCsv())).to.have.length(rows.length);
  });

  it("v1OnTheCombinedTable_equalsTheCsvBeforeTheDataAndV2WhereOnlyTheDataIsFresh", function () {
    const rows = historyPriceRows();
    const committed = parsePriceCsv(priceCsvText());
    for (const spec of [ATPI_FRONTIER_SPEC, ATPI_SMALL_SPEC]) {
      expect(computeRound(spec, rows, "2025-09-30").value).to.equal(
        computeRound(spec, committed, "2025-09-30").value,
      );
    }
    // by 2026-12-06 every committed row is older than 12 months: the listed models alone remain
    expect(computeRound(ATPI_FRONTIER_SPEC, rows, "2026-12-06").value).to.equal(
      computeRound(ATPI_FRONTIER_V2_SPEC, readSnapshot(GENAI_SNAPSHOTS[3]), "2026-12-06").value,
    );
  });
});

describe("index: npm start reads the real data where it covers today", function () {
  it("realPriceFile_coversDatesWithAValueAndFallsBackOtherwise", async function () {
    const { realPriceFile } = await import("../../../scripts/lib/stack.js");
    const real = realPriceFile("2026-12-06");
    expect(real?.latest).to.equal("2026-09-23");
    expect(real?.text).to.equal(historyPriceCsv());
    // 12 months after the newest snapshot every row has aged out: the stack re-dates the fixture
    expect(realPriceFile("2027-12-01")).to.equal(undefined);
  });
});
