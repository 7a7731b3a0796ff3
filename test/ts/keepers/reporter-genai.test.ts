import { readFileSync } from "node:fs";

import { expect } from "chai";

import { ATPI_FRONTIER_V2_SPEC, genaiSourceFromText, startOfDay } from "../../../index/index.js";
import { reporterConfigSchema } from "../../../keepers/configs.js";
import { decideReporter } from "../../../keepers/reporter/decide.js";
import { BUNDLED_PRICES, parseSourceText, priceSourceOf } from "../../../keepers/reporter/keeper.js";
import { dryRunReport, readGenaiSource } from "../../../keepers/reporter/print.js";

const SNAPSHOT = "index/snapshots/genai-prices-0.1.8.csv";

describe("keepers: reporter on genai-prices data (ATPI 2.0.0)", function () {
  it("dryRunReport_printsValuesHashesAndTheConstituentTable", function () {
    const source = genaiSourceFromText(SNAPSHOT, readFileSync(SNAPSHOT, "utf8"));
    const text = dryRunReport(source, "2026-12-06");
    expect(text).to.contain("ATPI-FRONTIER-V2 = 7.3221875 USD per 1M tokens");
    expect(text).to.contain(
      "inputsHash      0x13835233dd4d05ccf4f1bb5fcc9841ea9972f2e4b54e678c281963f17c94ffd8",
    );
    expect(text).to.contain("ATPI-SMALL-V2 = 0.576607142857142857 USD per 1M tokens");
    expect(text).to.match(/deepseek\s+deepseek-v4-pro\s+2026-08-17\s+0\.66\s+1\.98\s+0\.99/);
    expect(
      text
        .split("\n")
        .filter((l) => /^ {2}(anthropic|openai|google|x-ai|deepseek|mistral|moonshotai|zai) /.test(l)),
    ).to.have.length(15);
  });

  it("dryRunReport_saysWhyThereIsNoValue", function () {
    const header = readFileSync(SNAPSHOT, "utf8").split("\n")[0];
    const source = genaiSourceFromText("thin.csv", `${header}\nopenai,gpt-6-astra,,10,50,false\n`);
    const text = dryRunReport(source, "2026-12-06");
    expect(text).to.contain("ATPI-FRONTIER-V2 = no value (INSUFFICIENT_CONSTITUENTS");
    expect(text).to.contain("left out: anthropic/claude-fable-5-1 (missing)");
  });

  it("theBundledSourceAndAFileOfTheSameRowsDecideTheSameRound", async function () {
    const bundled = await readGenaiSource(BUNDLED_PRICES);
    expect(bundled.location).to.equal("bundled:@pydantic/genai-prices@0.1.8");
    const viaSource = parseSourceText(
      ATPI_FRONTIER_V2_SPEC,
      "bundled",
      await priceSourceOf(BUNDLED_PRICES).read(),
    );
    const fromFile = parseSourceText(ATPI_FRONTIER_V2_SPEC, SNAPSHOT, readFileSync(SNAPSHOT, "utf8"));
    const now = startOfDay("2026-12-06") + 7_200n;
    const config = { spec: ATPI_FRONTIER_V2_SPEC, periodSeconds: 3600 };
    const [a] = decideReporter({ rows: viaSource }, now, config);
    const [b] = decideReporter({ rows: fromFile }, now, config);
    expect(a.type).to.equal("publish");
    if (a.type !== "publish" || b.type !== "publish") return;
    expect(b.round.canonicalJson).to.equal(a.round.canonicalJson);
  });

  it("config_needsPricesOrSourceByIndexKind", function () {
    const base = { dryRun: true, chainId: 31337, oracleAddress: `0x${"11".repeat(20)}` };
    expect(reporterConfigSchema.safeParse({ ...base, indexName: "ATPI-FRONTIER-V2" }).success).to.equal(true);
    expect(
      reporterConfigSchema.safeParse({ ...base, indexName: "ATPI-FRONTIER-V2", prices: "bundled" }).success,
    ).to.equal(true);
    const noSource = reporterConfigSchema.safeParse({ ...base, indexName: "ATPI-FRONTIER" });
    expect(noSource.success).to.equal(false);
    expect(noSource.error?.issues.map((i) => i.path.join("."))).to.deep.equal(["source"]);
    const pricesForCsv = reporterConfigSchema.safeParse({
      ...base,
      indexName: "GPU-H100",
      source: "q.csv",
      prices: "bundled",
    });
    expect(pricesForCsv.error?.issues.map((i) => i.path.join("."))).to.deep.equal(["prices"]);
  });
});
