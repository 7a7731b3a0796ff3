/**
 * The main job: the whole life of a quarterly ATPI-FRONTIER market on the in-process chain.
 *
 * Deploy the protocol with the Ignition module `LocalProtocol` (parameters built in code, so the market
 * expires one quarter after the chain's start date); five reporter keepers sign the index from the
 * public list-price CSV and the relayer keeper submits each round; a hedger buys, a provider sells and
 * two market makers quote through signed orders crossed by the matcher keeper; the index moves; the
 * liquidator keeper liquidates the under-margined market maker, which then trades its way flat; the
 * market expires and the settler keeper proposes, finalizes and settles every account; everybody
 * withdraws. Every keeper is the real one (`keepers/`), ticked by hand on a manual clock that follows
 * the chain: nothing sleeps.
 *
 * The result is a report (`DemoReport`) whose accounts conserve value exactly:
 * `Σ pnl + feesToTreasury + insuranceFundDelta = 0`, in collateral units.
 *
 * One function per phase, each over the typed `DemoContext` (`market-demo/context.ts`): `deploy`,
 * `startKeepers` and `fundTraders` (`market-demo/setup.ts`), `tradeTheQuarter` (`market-demo/quarter.ts`),
 * then `expireAndSettle`, `withdrawAll`, `closeTheBooks` and `tradesFromChain` (`market-demo/close.ts`).
 * The quarter, the market terms and the report's shape are in `market-demo/terms.ts`.
 */
import type { NetworkConnection } from "hardhat/types/network";

import { formatUsd } from "./oracle-demo.js";
import { closeTheBooks, expireAndSettle, tradesFromChain, withdrawAll } from "./market-demo/close.js";
import { DemoRecord, type DemoContext } from "./market-demo/context.js";
import { tradeTheQuarter } from "./market-demo/quarter.js";
import { deploy, fundTraders, startKeepers } from "./market-demo/setup.js";
import {
  DECIMALS,
  DEMO_QUARTER,
  formatUnits6,
  type DemoOptions,
  type DemoReport,
} from "./market-demo/terms.js";

export {
  DEMO_QUARTER,
  PRICE_CSV,
  formatUnits6,
  marketDemoGenesis,
  scheduleDays,
  type AccountReport,
  type DemoOptions,
  type DemoReport,
  type PricePoint,
  type Role,
  type TradePoint,
} from "./market-demo/terms.js";

/** Runs the demo on `connection` (an in-process chain started with `marketDemoGenesis()`). */
export async function runMarketDemo(
  connection: NetworkConnection,
  options: DemoOptions,
): Promise<DemoReport> {
  const record = new DemoRecord(options.log);
  const chain = await deploy({ connection, record }, options.short);
  const keepers = await startKeepers({ connection, chain });
  const traders = await fundTraders({ connection, record, chain, keepers });
  const demo: DemoContext = { connection, record, chain, keepers, traders };

  const quarter = await tradeTheQuarter(demo);
  const settled = await expireAndSettle(demo);
  const payout = await withdrawAll(demo);
  const books = await closeTheBooks(demo, payout);
  const trades = await tradesFromChain(demo);

  const { expiry, marketId, symbol } = chain;
  const report: DemoReport = {
    market: { id: marketId, symbol, expiry: Number(expiry), from: DEMO_QUARTER.from, to: DEMO_QUARTER.to },
    collateralDecimals: DECIMALS,
    settlementPrice: settled.finalPrice.toString(),
    liquidations: quarter.liquidated.length,
    feesToTreasury: payout.feesToTreasury.toString(),
    insuranceFundDelta: payout.insuranceFundDelta.toString(),
    gas: record.gasMedians(),
    accounts: books.accounts,
    conservation: {
      sumPnl: books.sumPnl.toString(),
      total: books.total.toString(),
      holds: books.total === 0n,
      lockedInClearinghouse: books.lockedInClearinghouse.toString(),
      ledgerCloses: books.total + books.lockedInClearinghouse === 0n,
    },
    settlementTally: books.settlementTally,
    liquidated: quarter.liquidated,
    openPositions: settled.openPositions,
    unpaidClaims: settled.unpaidClaims,
    rounds: quarter.rounds,
    trades: trades.length,
    series: {
      prices: quarter.prices,
      trades,
      liquidations: quarter.liquidationTimes,
      expiry: Number(expiry),
    },
    timeline: record.timeline,
  };
  printSummary(report, options.log);
  return report;
}

function printSummary(r: DemoReport, log: (line: string) => void): void {
  log("");
  log(`settlement price: $${formatUsd(BigInt(r.settlementPrice))} per index unit`);
  log(`index rounds: ${r.rounds}; trades: ${r.trades}; liquidations: ${r.liquidations}`);
  log("");
  log(
    "role           address                                     deposited         withdrawn     final          pnl",
  );
  for (const acc of r.accounts) {
    log(
      `${acc.role.padEnd(14)} ${acc.address}  ${formatUnits6(BigInt(acc.deposited)).padStart(15)}  ` +
        `${formatUnits6(BigInt(acc.withdrawn)).padStart(16)}  ${formatUnits6(BigInt(acc.finalBalance)).padStart(8)}  ` +
        `${formatUnits6(BigInt(acc.pnl)).padStart(14)}`,
    );
  }
  log("");
  log(`fees to the treasury: ${formatUnits6(BigInt(r.feesToTreasury))} mUSDC`);
  log(`insurance fund delta: ${formatUnits6(BigInt(r.insuranceFundDelta))} mUSDC`);
  log(
    `conservation: Σ pnl (${formatUnits6(BigInt(r.conservation.sumPnl))}) + fees to treasury + insurance fund delta = ` +
      `${formatUnits6(BigInt(r.conservation.total))} ${r.conservation.holds ? "✓ exact" : "✗ BROKEN"}`,
  );
  if (!r.conservation.holds) {
    log(
      `  ${formatUnits6(BigInt(r.conservation.lockedInClearinghouse))} mUSDC stays locked in the Clearinghouse ` +
        `(ledger ${r.conservation.ledgerCloses ? "closes with it" : "does NOT close"}): settlement had ` +
        `${formatUnits6(BigInt(r.settlementTally.collected))} for claims but owed ` +
        `${formatUnits6(BigInt(r.settlementTally.claimed))} of gains (gains realised before expiry are escrowed ` +
        `until settlement and claimed with the rest) and paid them pro rata; more than rounding dust here is ` +
        `a settlement defect.`,
    );
  }
  log("");
  log("median gas per operation:");
  for (const [k, v] of Object.entries(r.gas)) log(`  ${k.padEnd(20)} ${v.toLocaleString("en-US")}`);
}
