/**
 * `npm run bench:gas`: measures whole-transaction gas (21,000 base included) of the protocol's
 * operations on the in-process chain and writes them, flat, to `bench/gas.json`.
 *
 * Each file in `bench/gas/` exports `measure(): Promise<Record<string, number>>` for one area
 * (oracle, clearinghouse, exchange); this script runs them all and merges the figures.
 */
import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

type Measure = () => Promise<Record<string, number>>;

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.join(here, "gas");
const files = (await readdir(dir)).filter((f) => f.endsWith(".ts")).sort();

const figures: Record<string, number> = {};
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { measure: Measure };
  Object.assign(figures, await mod.measure());
}

const sorted = Object.fromEntries(Object.entries(figures).sort(([a], [b]) => a.localeCompare(b)));
await writeFile(path.join(here, "gas.json"), JSON.stringify(sorted, null, 2) + "\n");
console.log(JSON.stringify(sorted, null, 2));
