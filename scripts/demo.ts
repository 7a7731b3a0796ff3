/**
 * `npm run demo`, the main job: the whole life of a quarterly ATPI-FRONTIER market on the in-process
 * chain (deploy, index rounds from public list prices, signed orders matched by the matcher keeper,
 * the index moves, a liquidation, expiry, settlement, withdrawals), a readable report on stdout, and
 * `reports/demo.json` + `reports/demo-chart.html`.
 *
 * `DEMO_SHORT=1 npm run demo` runs the short version the test suite uses (weekly rounds).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

import { network } from "hardhat";

import { writeDemoReports } from "./lib/demo-chart.js";
import { DEMO_QUARTER, marketDemoGenesis, runMarketDemo } from "./lib/market-demo.js";

const short = process.env.DEMO_SHORT === "1";
const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "reports");

const connection = await network.create({
  override: { initialDate: marketDemoGenesis(), throwOnTransactionFailures: false },
});
console.log(
  `AI token futures: one quarterly ATPI-FRONTIER market, ${DEMO_QUARTER.from} → ${DEMO_QUARTER.to}` +
    `${short ? " (short mode: weekly rounds)" : ", daily rounds"}`,
);
console.log("");
const report = await runMarketDemo(connection, { short, log: (line) => console.log(line) });
const files = writeDemoReports(report, outDir);
console.log("");
console.log(`wrote ${files.map((f) => path.relative(process.cwd(), f)).join(", ")}`);
// every token must be accounted for; the strict identity is reported above (see docs/demo.md)
if (!report.conservation.ledgerCloses) process.exitCode = 1;
