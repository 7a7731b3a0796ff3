/**
 * `npm run bench:trace`: the per-part gas breakdown of the fill path. Runs the same steady-state
 * scenarios as `npm run bench:gas` (`bench/gas/exchange.ts`, `bench/gas/clearinghouse.ts`), traces the
 * measured transactions of `TRACED` with `debug_traceTransaction` (default struct logger) and breaks
 * each into transaction base + calldata and, per contract, cold and warm `SLOAD`s, `SSTORE`s, `LOG`s,
 * the calls it makes, precompiles, `KECCAK256`, account and transient-storage opcodes and computation
 * (`bench/trace/breakdown.ts`). Every table adds up to the receipt's `gasUsed` to the unit or the
 * script fails. Prints the tables as markdown and writes them to `bench/trace.json`.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import hre from "hardhat";

import { scenario as clearinghouseScenario } from "./gas/clearinghouse.js";
import { scenario as exchangeScenario } from "./gas/exchange.js";
import type { Scenario } from "./scenario.js";
import { breakdown, toMarkdown, type Breakdown, type StructLog } from "./trace/breakdown.js";

/** The keys traced, by the scenario that measures them. */
const TRACED: [() => Promise<Scenario>, string[]][] = [
  [exchangeScenario, ["exchange.fillOrder", "exchange.matchOrders.1maker", "exchange.matchOrders.5makers"]],
  [clearinghouseScenario, ["clearinghouse.trade"]],
];

/** Hardforks before Prague, where EIP-7623's calldata floor does not apply. */
const BEFORE_PRAGUE = new Set([
  "chainstart",
  "frontier",
  "homestead",
  "dao",
  "tangerineWhistle",
  "spuriousDragon",
  "byzantium",
  "constantinople",
  "petersburg",
  "istanbul",
  "muirGlacier",
  "berlin",
  "london",
  "arrowGlacier",
  "grayGlacier",
  "merge",
  "shanghai",
  "cancun",
]);

const config = hre.config.networks.default;
if (config.type !== "edr-simulated")
  throw new Error(`bench:trace: needs the in-process chain, not ${config.type}`);
const eip7623 = !BEFORE_PRAGUE.has(config.hardfork);

interface Trace {
  failed: boolean;
  gas: number;
  structLogs: (StructLog & { refund?: number })[];
}

const out: Record<string, Breakdown & { hardfork: string }> = {};
const tables: string[] = [];
for (const [run, keys] of TRACED) {
  const s = await run();
  const names = Object.fromEntries(Object.entries(s.contracts).map(([name, address]) => [address, name]));
  for (const key of keys) {
    const hash = s.txs[key];
    if (hash === undefined) throw new Error(`bench:trace: the scenario measured no transaction for ${key}`);
    const [tx, receipt, trace] = await Promise.all([
      s.ethers.provider.getTransaction(hash),
      s.ethers.provider.getTransactionReceipt(hash),
      s.ethers.provider.send("debug_traceTransaction", [hash]) as Promise<Trace>,
    ]);
    if (tx === null || receipt === null)
      throw new Error(`bench:trace: ${key}: transaction ${hash} not found`);
    if (trace.failed) throw new Error(`bench:trace: ${key}: the traced transaction reverted`);
    if (tx.to === null) throw new Error(`bench:trace: ${key}: a contract creation`);
    if ((tx.accessList ?? []).length > 0)
      throw new Error(`bench:trace: ${key}: access lists are not modelled`);
    if (receipt.gasUsed !== BigInt(s.figures[key]))
      throw new Error(`bench:trace: ${key}: receipt ${receipt.gasUsed} ≠ benchmark figure ${s.figures[key]}`);
    const last = trace.structLogs[trace.structLogs.length - 1];
    const b = breakdown({
      structLogs: trace.structLogs,
      names,
      to: tx.to,
      data: tx.data,
      gasUsed: receipt.gasUsed,
      gasLimit: tx.gasLimit,
      eip7623,
      refund: last?.refund,
    });
    out[key] = { hardfork: config.hardfork, ...b };
    tables.push(toMarkdown(`\`${key}\` (${b.gasUsed.toLocaleString("en-US")})`, b));
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
await writeFile(path.join(here, "trace.json"), JSON.stringify(out, null, 2) + "\n");
console.log(
  [
    `Gas per part (hardfork ${config.hardfork}; cells: gas (count); calls made: the call opcode's own`,
    "cost, net of the callee's gas; every table adds up to the receipt's gasUsed)",
    "",
    tables.join("\n\n"),
  ].join("\n"),
);
