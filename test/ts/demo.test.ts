import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { keccak256, stringToHex } from "viem";

import { writeDemoReports } from "../../scripts/lib/demo-chart.js";
import { marketDemoGenesis, runMarketDemo, type DemoReport } from "../../scripts/lib/market-demo.js";
import { demoGenesis, runOracleDemo } from "../../scripts/lib/oracle-demo.js";

describe("main job: market demo (short mode)", function () {
  let report: DemoReport;
  let json: Record<string, unknown>;
  let html: string;
  const lines: string[] = [];

  before(async function () {
    this.timeout(120_000);
    const connection = await network.create({
      override: { initialDate: marketDemoGenesis(), throwOnTransactionFailures: false },
    });
    report = await runMarketDemo(connection, { short: true, log: (line) => lines.push(line) });
    const dir = mkdtempSync(path.join(tmpdir(), "demo-report-"));
    const [jsonFile, htmlFile] = writeDemoReports(report, dir);
    json = JSON.parse(readFileSync(jsonFile, "utf8")) as Record<string, unknown>;
    html = readFileSync(htmlFile, "utf8");
  });

  it("test_demo_reportHasTheFieldsWithTheirTypes", function () {
    expect(json.settlementPrice).to.match(/^[1-9][0-9]*$/);
    expect(json.liquidations).to.be.a("number");
    expect(json.feesToTreasury).to.match(/^[0-9]+$/);
    expect(json.insuranceFundDelta).to.match(/^-?[0-9]+$/);
    const gas = json.gas as Record<string, number>;
    for (const kind of [
      "deposit",
      "matchOrders",
      "submit",
      "liquidate",
      "proposeSettlement",
      "finalizeSettlement",
      "settleMany",
      "withdraw",
    ]) {
      expect(gas[kind], kind).to.be.a("number").and.greaterThan(21_000);
    }
    const accounts = json.accounts as Record<string, unknown>[];
    expect(accounts.map((a) => a.role)).to.deep.equal([
      "hedger",
      "provider",
      "marketMakerA",
      "marketMakerB",
      "liquidator",
    ]);
    for (const a of accounts) {
      expect(a.address).to.match(/^0x[0-9a-fA-F]{40}$/);
      for (const field of ["deposited", "withdrawn", "finalBalance", "pnl"]) {
        expect(a[field], `${String(a.role)}.${field}`).to.match(/^-?[0-9]+$/);
      }
      expect(BigInt(a.pnl as string)).to.equal(
        BigInt(a.finalBalance as string) + BigInt(a.withdrawn as string) - BigInt(a.deposited as string),
      );
    }
  });

  it("test_demo_everyTokenIsAccountedForExactly", function () {
    // Σ pnl + fees to the treasury + insurance fund delta + what stays locked in the Clearinghouse = 0
    const sumPnl = report.accounts.reduce((s, a) => s + BigInt(a.pnl), 0n);
    expect(sumPnl.toString()).to.equal(report.conservation.sumPnl);
    const total = sumPnl + BigInt(report.feesToTreasury) + BigInt(report.insuranceFundDelta);
    expect(total.toString()).to.equal(report.conservation.total);
    expect(total + BigInt(report.conservation.lockedInClearinghouse)).to.equal(0n);
    expect(report.conservation.ledgerCloses).to.equal(true);
    expect(BigInt(report.feesToTreasury)).to.be.greaterThan(0n);
  });

  it("test_demo_conservationHoldsStrictly", function () {
    // Σ pnl + feesToTreasury + insuranceFundDelta = 0: settlement pays claims (gains realised before expiry
    // are escrowed until then and claimed with the rest) from what the losers paid net of the losses
    // realised before expiry, and the last claim takes what is left, so nothing stays locked.
    expect(report.conservation.lockedInClearinghouse).to.equal("0");
    expect(report.conservation.total).to.equal("0");
    expect(report.conservation.holds).to.equal(true);
  });

  it("test_demo_theUnderMarginedMarketMakerIsLiquidatedThenFlat", function () {
    expect(report.liquidations).to.be.greaterThanOrEqual(1);
    const liq = report.liquidated[0];
    expect(liq.role).to.equal("marketMakerB");
    expect(liq.size).to.be.greaterThan(0);
    // after the liquidation its remainder is closed by a reduce-only order: a trade with it as taker
    const closing = report.series.trades.filter(
      (t) => t.taker.toLowerCase() === liq.account.toLowerCase() && t.t >= liq.t,
    );
    expect(closing.length).to.be.greaterThan(0);
    expect(closing.every((t) => t.side === "buy")).to.equal(true);
    // and it holds nothing afterwards: every later trade has somebody else on both sides
    const later = report.series.trades.filter((t) => t.t > closing[closing.length - 1].t);
    for (const t of later) {
      expect([t.maker.toLowerCase(), t.taker.toLowerCase()]).to.not.include(liq.account.toLowerCase());
    }
    expect(lines.some((l) => l.includes("closes its remaining"))).to.equal(true);
  });

  it("test_demo_everyPositionIsSettledAndEveryClaimPaid", function () {
    expect(report.openPositions).to.equal(0);
    expect(report.unpaidClaims).to.equal(0);
    expect(BigInt(report.settlementPrice)).to.be.greaterThan(0n);
    for (const a of report.accounts) expect(a.finalBalance, a.role).to.equal("0");
    expect(report.timeline.some((l) => l.includes("proposeSettlement"))).to.equal(true);
    expect(report.timeline.some((l) => l.includes("finalizeSettlement"))).to.equal(true);
    expect(report.timeline.some((l) => l.includes("settleMany"))).to.equal(true);
  });

  it("test_demo_indexMovesAndTradesHappenOverTheQuarter", function () {
    const indices = new Set(report.series.prices.map((p) => p.index));
    expect(indices.size).to.be.greaterThan(3);
    expect(report.rounds).to.be.greaterThan(10);
    expect(report.trades).to.be.greaterThan(10);
    expect(new Set(report.series.trades.map((t) => t.side))).to.deep.equal(new Set(["buy", "sell"]));
  });

  it("test_demo_chartIsSelfContained", function () {
    expect(html).to.contain("<svg");
    expect(html).to.contain("<circle");
    expect(html).to.contain("liquidation");
    expect(html).to.contain("expiry");
    expect(html).to.not.match(/src\s*=\s*["']?\s*https?:/i);
    expect(html).to.not.match(/<script|<link|@import|url\(/i);
  });
});

describe("main job: oracle demo (short mode)", function () {
  it("posts every computed round on-chain, uses the supermajority for >10% moves, and reads TWAPs within range", async function () {
    const from = "2024-07-08";
    const connection = await network.create({ override: { initialDate: demoGenesis(from) } });
    const lines: string[] = [];
    const result = await runOracleDemo(connection, {
      from,
      to: "2024-08-26",
      stepDays: 7,
      log: (line) => lines.push(line),
    });

    const oracle = await connection.viem.getContractAt("IndexOracle", result.oracle);
    for (const index of ["ATPI-FRONTIER", "ATPI-SMALL", "GPU-H100"]) {
      const indexId = keccak256(stringToHex(index));
      const mine = result.posted.filter((p) => p.index === index);
      expect(mine.length, index).to.be.greaterThan(0);
      expect(await oracle.read.checkpointCount([indexId])).to.equal(BigInt(mine.length));
      for (const [i, p] of mine.entries()) {
        const checkpoint = (await oracle.read.checkpoint([indexId, BigInt(i + 1)])) as {
          timestamp: number;
          value: bigint;
        };
        expect(checkpoint.value, `${index} ${p.asOf}`).to.equal(p.value);
        expect(BigInt(checkpoint.timestamp)).to.equal(p.acceptedAt);
      }
      const s = result.summary[index];
      expect(s.twap30d >= s.min30d && s.twap30d <= s.max30d, `${index} twap in range`).to.equal(true);
    }
    // ATPI-SMALL fell from 0.5916 to 0.5093 in the week of 2024-07-22 (gpt-4o-mini joined): 4 of 5 signed.
    const drop = result.posted.find((p) => p.index === "ATPI-SMALL" && p.asOf === "2024-07-22");
    expect(drop?.signers).to.equal(4);
    expect(result.posted.filter((p) => p.signers === 3).length).to.be.greaterThan(0);
    expect(lines.some((l) => l.includes("latest("))).to.equal(true);
  });
});
