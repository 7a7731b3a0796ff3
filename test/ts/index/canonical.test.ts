import { expect } from "chai";
import { id, keccak256 as ethersKeccak256, toUtf8Bytes } from "ethers";

import {
  ATPI_FRONTIER_ID,
  ATPI_FRONTIER_SPEC,
  ATPI_SMALL_ID,
  ATPI_SMALL_SPEC,
  atpiRules,
  CanonicalJsonError,
  canonicalJson,
  computeRound,
  computeRules,
  GPU_H100_ID,
  GPU_H100_SPEC,
  hashCanonicalJson,
  indexIdOf,
  methodologyHash,
  parseCanonicalJson,
  parsePriceCsv,
  parseQuoteCsv,
  recomputeFromCanonical,
  toReport,
  verifyReport,
  type PriceRow,
} from "../../../index/index.js";
import { priceCsvText, priceRow, quoteCsvText, shuffled } from "./helpers.js";

const rows: PriceRow[] = parsePriceCsv(priceCsvText());

/** The v1 methodology hashes; a change here is a change of rules and needs a new version. */
const V1_METHODOLOGY_HASHES = {
  "ATPI-FRONTIER": "0x2baab20b0a92b93f60edebfd3cec8a499493bb51202721563bde03cfa3cb7402",
  "ATPI-SMALL": "0x0fe147361b270a2e48b08bbda2ea121846b1449ff01e623a320f5d55724f1fe0",
  "GPU-H100": "0xa3692809e31bfc3b808540cd500ffc43085371711ca060ad2c42a371367b7ca0",
};

describe("index/canonical: canonical JSON", function () {
  it("canonicalJson_sortsKeysDropsWhitespaceAndWritesBigintsAsStrings", function () {
    const value = { b: 2n, a: ["x", true, null, false], c: { z: "é", y: '"q"\n', aa: [] }, "": {} };
    expect(canonicalJson(value)).to.equal(
      '{"":{},"a":["x",true,null,false],"b":"2","c":{"aa":[],"y":"\\"q\\"\\n","z":"é"}}',
    );
  });

  it("canonicalJson_refusesNumbersAndNonPlainValues", function () {
    for (const bad of [1, { a: 1.5 }, [undefined], new Date(0), new Map()]) {
      expect(() => canonicalJson(bad as never)).to.throw(CanonicalJsonError);
    }
    expect(() => canonicalJson({ a: { b: [1n, 2] } } as never))
      .to.throw(CanonicalJsonError)
      .with.property("path", "$.a.b[1]");
  });

  it("hashCanonicalJson_isKeccakOfTheUtf8Bytes", function () {
    const json = '{"a":"é"}';
    expect(hashCanonicalJson(json)).to.equal(ethersKeccak256(toUtf8Bytes(json)));
  });

  it("parseCanonicalJson_rejectsNonCanonicalText", function () {
    expect(parseCanonicalJson('{"a":"1","b":["x"]}')).to.deep.equal({ a: "1", b: ["x"] });
    for (const bad of ['{"b":"1","a":"2"}', '{"a": "1"}', '{"a":1}', "not json", '{"a":"\\u0041"}']) {
      expect(() => parseCanonicalJson(bad), bad).to.throw(CanonicalJsonError);
    }
  });
});

describe("index/ids: index ids and methodology hashes", function () {
  it("indexIds_areKeccakOfTheNames", function () {
    expect(ATPI_FRONTIER_ID).to.equal(id("ATPI-FRONTIER"));
    expect(ATPI_SMALL_ID).to.equal(id("ATPI-SMALL"));
    expect(GPU_H100_ID).to.equal(id("GPU-H100"));
    expect(ATPI_FRONTIER_ID).to.equal("0x8bd3f5138105e0c2831c05db3256c2d6302ccb9957b630d5915d60347bda8c77");
    expect(indexIdOf("GPU-H100")).to.equal(GPU_H100_ID);
  });

  it("methodologyHash_isKeccakOfTheCanonicalRules", function () {
    const rules = canonicalJson(atpiRules(ATPI_FRONTIER_SPEC));
    expect(rules).to.equal(
      '{"blend":{"divisor":"4","inputWeight":"3","outputWeight":"1"},"index":"ATPI-FRONTIER",' +
        '"maxPriceAgeMonths":"12","methodology":{"name":"ATPI","version":"1.0.0"},"minConstituents":"3",' +
        '"retirements":[],"rounding":"down","scale":"1000000000000000000","tier":"frontier",' +
        '"unit":"USD per 1M tokens","weighting":{"kind":"equal"}}',
    );
    expect(methodologyHash(ATPI_FRONTIER_SPEC)).to.equal(id(rules));
    expect(methodologyHash(GPU_H100_SPEC)).to.equal(id(canonicalJson(computeRules(GPU_H100_SPEC))));
  });

  it("methodologyHash_v1ValuesArePinned", function () {
    expect(methodologyHash(ATPI_FRONTIER_SPEC)).to.equal(V1_METHODOLOGY_HASHES["ATPI-FRONTIER"]);
    expect(methodologyHash(ATPI_SMALL_SPEC)).to.equal(V1_METHODOLOGY_HASHES["ATPI-SMALL"]);
    expect(methodologyHash(GPU_H100_SPEC)).to.equal(V1_METHODOLOGY_HASHES["GPU-H100"]);
  });
});

describe("index/canonical: round inputs and inputsHash", function () {
  const tiny = [
    priceRow("2025-01-01", "m-b", "frontier", "3", "15", "LabB"),
    priceRow("2025-01-02", "m-a", "frontier", "1.5", "2", "LabA"),
    priceRow("2025-01-01", "m-c", "frontier", "0.1", "0.4", "LabC"),
    priceRow("2025-01-01", "s-1", "small", "0.1", "0.4", "LabC"),
  ];

  it("computeRound_tinyInputHasThisExactCanonicalJson", function () {
    const round = computeRound(ATPI_FRONTIER_SPEC, tiny, "2025-01-02");
    expect(round.canonicalJson).to.equal(
      '{"asOf":"2025-01-02","constituents":[' +
        '{"effectiveDate":"2025-01-02","input":"1500000000000000000","model":"m-a","output":"2000000000000000000","provider":"LabA","weight":"1"},' +
        '{"effectiveDate":"2025-01-01","input":"3000000000000000000","model":"m-b","output":"15000000000000000000","provider":"LabB","weight":"1"},' +
        '{"effectiveDate":"2025-01-01","input":"100000000000000000","model":"m-c","output":"400000000000000000","provider":"LabC","weight":"1"}],' +
        `"index":"ATPI-FRONTIER","indexId":"${id("ATPI-FRONTIER")}",` +
        '"methodology":{"name":"ATPI","version":"1.0.0"},' +
        `"methodologyHash":"${V1_METHODOLOGY_HASHES["ATPI-FRONTIER"]}",` +
        '"scale":"1000000000000000000","tier":"frontier","unit":"USD per 1M tokens"}',
    );
    expect(round.inputsHash).to.equal(id(round.canonicalJson));
    // (4.5 + 2) / 4 = 1.625; (9 + 15) / 4 = 6; (0.3 + 0.4) / 4 = 0.175 → 7.8 / 3 = 2.6
    expect(round.value).to.equal(2_600_000_000_000_000_000n);
  });

  it("recomputeFromCanonical_givesBackTheValueAndHash", function () {
    for (const asOf of ["2024-06-30", "2025-01-01", "2025-11-21"]) {
      const round = computeRound(ATPI_FRONTIER_SPEC, rows, asOf);
      const again = recomputeFromCanonical(round.canonicalJson);
      expect(again.value).to.equal(round.value);
      expect(again.inputsHash).to.equal(round.inputsHash);
      expect(again.indexId).to.equal(round.indexId);
      expect(again.methodologyHash).to.equal(round.methodologyHash);
      expect(again.asOf).to.equal(asOf);
    }
    const gpu = computeRound(GPU_H100_SPEC, parseQuoteCsv(quoteCsvText()), "2025-10-15");
    const gpuAgain = recomputeFromCanonical(gpu.canonicalJson);
    expect(gpuAgain.value).to.equal(gpu.value);
    expect(gpuAgain.inputsHash).to.equal(gpu.inputsHash);
  });

  it("recomputeFromCanonical_aTamperedPriceChangesValueAndHash", function () {
    const round = computeRound(ATPI_FRONTIER_SPEC, tiny, "2025-01-02");
    const tampered = round.canonicalJson.replace(
      '"input":"1500000000000000000"',
      '"input":"2500000000000000000"',
    );
    const again = recomputeFromCanonical(tampered);
    expect(again.value).to.not.equal(round.value);
    expect(again.inputsHash).to.not.equal(round.inputsHash);
    expect(() => recomputeFromCanonical(round.canonicalJson.replace('{"asOf"', '{ "asOf"'))).to.throw(
      CanonicalJsonError,
    );
    expect(() =>
      recomputeFromCanonical(round.canonicalJson.replace('"name":"ATPI"', '"name":"XYZ"')),
    ).to.throw(CanonicalJsonError);
  });

  it("determinism_shuffledRowsGiveTheSameValueAndHash", function () {
    const reference = computeRound(ATPI_FRONTIER_SPEC, rows, "2025-06-30");
    for (const seed of [1, 2, 3, 42, 2025]) {
      const again = computeRound(ATPI_FRONTIER_SPEC, shuffled(rows, seed), "2025-06-30");
      expect(again.value).to.equal(reference.value);
      expect(again.inputsHash).to.equal(reference.inputsHash);
      expect(again.canonicalJson).to.equal(reference.canonicalJson);
    }
    const quotes = parseQuoteCsv(quoteCsvText());
    const gpu = computeRound(GPU_H100_SPEC, quotes, "2025-11-05");
    const gpuAgain = computeRound(GPU_H100_SPEC, [...quotes].reverse(), "2025-11-05");
    expect(gpuAgain.inputsHash).to.equal(gpu.inputsHash);
    expect(gpuAgain.value).to.equal(gpu.value);
  });

  it("verifyReport_acceptsAnHonestRoundAndNamesWhatDiffers", function () {
    const round = computeRound(ATPI_SMALL_SPEC, rows, "2025-06-30", { observedAt: 1_751_290_000n });
    const report = toReport(round);
    expect(report).to.deep.equal({
      indexId: ATPI_SMALL_ID,
      value: round.value,
      observedAt: 1_751_290_000n,
      inputsHash: round.inputsHash,
    });
    expect(verifyReport(report, ATPI_SMALL_SPEC, rows).valid).to.equal(true);
    const bad = verifyReport({ ...report, value: report.value + 1n }, ATPI_SMALL_SPEC, rows);
    expect(bad.valid).to.equal(false);
    expect(bad.mismatches).to.deep.equal(["value"]);
    const wrongDay = verifyReport(
      { ...report, observedAt: report.observedAt + 86_400n },
      ATPI_SMALL_SPEC,
      rows,
    );
    expect(wrongDay.mismatches).to.deep.equal(["inputsHash"]);
  });
});
