/**
 * `npm run demo`, the main job. Today it runs the index oracle end to end on the in-process
 * chain: deploy, post a year and a half of AI token index rounds computed from public list
 * prices (plus the GPU-hour compute index), and print the index, its TWAP and the feeds.
 *
 * `test/ts/demo.test.ts` runs the same code over a few weeks.
 */
import { network } from "hardhat";

import { demoGenesis, runOracleDemo } from "./lib/oracle-demo.js";

const from = "2024-06-03";
const to = "2025-11-30";

const connection = await network.create({ override: { initialDate: demoGenesis(from) } });
console.log(`AI token futures: index oracle demo, ${from} → ${to}, weekly rounds`);
await runOracleDemo(connection, { from, to, stepDays: 7, log: (line) => console.log(line) });
