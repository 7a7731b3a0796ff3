import { expect } from "chai";

import {
  CsvParseError,
  formatDecimal18,
  IndexError,
  InvalidDecimalError,
  parseDecimal18,
  parsePriceCsv,
  parseQuoteCsv,
} from "../../../index/index.js";
import { priceCsvText, quoteCsvText } from "./helpers.js";

const HEADER = "effective_date,provider,model,tier,input_usd_per_mtok,output_usd_per_mtok";

function parseError(text: string): CsvParseError {
  try {
    parsePriceCsv(text);
  } catch (e) {
    expect(e).to.be.instanceOf(CsvParseError);
    expect(e).to.be.instanceOf(IndexError);
    return e as CsvParseError;
  }
  expect.fail("expected a CsvParseError");
}

describe("index/csv: list-price parsing", function () {
  it("parseDecimal18_isExactAtEighteenDecimals", function () {
    expect(parseDecimal18("2")).to.equal(2_000_000_000_000_000_000n);
    expect(parseDecimal18("0.075")).to.equal(75_000_000_000_000_000n);
    expect(parseDecimal18("11.02")).to.equal(11_020_000_000_000_000_000n);
    expect(parseDecimal18("0.000000000000000001")).to.equal(1n);
    expect(parseDecimal18("0")).to.equal(0n);
    // 0.1 + 0.2 is exactly 0.3 here, unlike binary floating point.
    expect(parseDecimal18("0.1") + parseDecimal18("0.2")).to.equal(parseDecimal18("0.3"));
  });

  it("parseDecimal18_rejectsEverythingButPlainNonNegativeDecimals", function () {
    for (const bad of ["", "-1", "+1", "1e3", "1.", ".5", "02", " 2", "2 ", "1.2.3", "NaN", "0x10", "1,5"]) {
      expect(() => parseDecimal18(bad), bad).to.throw(InvalidDecimalError);
    }
    expect(() => parseDecimal18("0.0000000000000000001")).to.throw(InvalidDecimalError, "more than 18");
  });

  it("formatDecimal18_roundTripsParsedValues", function () {
    for (const text of ["0", "2", "0.075", "16.435", "0.000000000000000001", "123456789.5"]) {
      expect(formatDecimal18(parseDecimal18(text))).to.equal(text);
    }
  });

  it("parsePriceCsv_readsTheFixtureIntoTypedRows", function () {
    const rows = parsePriceCsv(priceCsvText());
    expect(rows).to.have.length(45);
    expect(rows[0]).to.deep.equal({
      effectiveDate: "2023-03-01",
      provider: "OpenAI",
      model: "gpt-3.5-turbo",
      tier: "small",
      inputUsdPerMtok: 2n * 10n ** 18n,
      outputUsdPerMtok: 2n * 10n ** 18n,
      line: 2,
    });
    const flash = rows.find((r) => r.model === "gemini-1.5-flash" && r.effectiveDate === "2024-08-12");
    expect(flash?.inputUsdPerMtok).to.equal(75_000_000_000_000_000n);
    expect(flash?.outputUsdPerMtok).to.equal(300_000_000_000_000_000n);
    expect(flash?.line).to.equal(18);
  });

  it("parsePriceCsv_acceptsCrlfAndBlankLines", function () {
    const rows = parsePriceCsv(`${HEADER}\r\n\r\n2024-01-01,Lab,m-1,small,1.00,2.00\r\n`);
    expect(rows).to.have.length(1);
    expect(rows[0].line).to.equal(3);
  });

  it("parsePriceCsv_rejectsAWrongHeader", function () {
    const e = parseError("date,provider,model,tier,input,output\n");
    expect(e.code).to.equal("CSV_PARSE");
    expect(e.line).to.equal(1);
    expect(e.field).to.equal("header");
    expect(parseError("").field).to.equal("header");
  });

  it("parsePriceCsv_namesTheLineAndFieldOfABadRow", function () {
    const cases: [string, string, string][] = [
      ["2025-02-30,Lab,m,small,1,2", "effective_date", "2025-02-30"],
      ["2025/01/01,Lab,m,small,1,2", "effective_date", "2025/01/01"],
      ["2025-01-01,,m,small,1,2", "provider", ""],
      ["2025-01-01,Lab, m,small,1,2", "model", " m"],
      ["2025-01-01,Lab,m,Small,1,2", "tier", "Small"],
      ["2025-01-01,Lab,m,small,-1,2", "input_usd_per_mtok", "-1"],
      ["2025-01-01,Lab,m,small,1,2.0000000000000000001", "output_usd_per_mtok", "2.0000000000000000001"],
      ["2025-01-01,Lab,m,small,1,$2", "output_usd_per_mtok", "$2"],
      ["2025-01-01,Lab,m,small,1", "row", "2025-01-01,Lab,m,small,1"],
      ["2025-01-01,Lab,m,small,1,2,3", "row", "2025-01-01,Lab,m,small,1,2,3"],
      ['2025-01-01,"Lab",m,small,1,2', "row", '2025-01-01,"Lab",m,small,1,2'],
    ];
    for (const [row, field, value] of cases) {
      const e = parseError(`${HEADER}\n2024-01-01,Lab,ok,small,1,2\n\n${row}\n`);
      expect(e.line, row).to.equal(4);
      expect(e.field, row).to.equal(field);
      expect(e.value, row).to.equal(value);
      expect(e.message, row).to.contain(`line 4, field ${field}`);
    }
  });
});

describe("index/csv: GPU quote parsing", function () {
  it("parseQuoteCsv_readsTheSyntheticFixture", function () {
    const quotes = parseQuoteCsv(quoteCsvText());
    expect(quotes).to.have.length(22);
    expect(quotes.every((q) => q.source === "synthetic")).to.equal(true);
    expect(quotes[0]).to.deep.include({
      observedDate: "2025-10-01",
      provider: "synthetic-cloud-a",
      gpu: "H100",
      usdPerGpuHour: 2_490_000_000_000_000_000n,
    });
  });

  it("parseQuoteCsv_rejectsZeroPricesAndBadFields", function () {
    const header = "observed_date,provider,gpu,usd_per_gpu_hour,source";
    const cases: [string, string][] = [
      ["2025-10-01,p,H100,0,synthetic", "usd_per_gpu_hour"],
      ["2025-10-01,p,H100,abc,synthetic", "usd_per_gpu_hour"],
      ["2025-13-01,p,H100,2,synthetic", "observed_date"],
      ["2025-10-01,p,H 100,2,synthetic", "gpu"],
      ["2025-10-01,p,H100,2,", "source"],
      ["2025-10-01,p,H100,2", "row"],
    ];
    for (const [row, field] of cases) {
      try {
        parseQuoteCsv(`${header}\n${row}\n`);
        expect.fail(`expected a CsvParseError for ${row}`);
      } catch (e) {
        expect(e, row).to.be.instanceOf(CsvParseError);
        expect((e as CsvParseError).line, row).to.equal(2);
        expect((e as CsvParseError).field, row).to.equal(field);
      }
    }
  });
});
