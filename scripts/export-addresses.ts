/**
 * Writes the address book `deployments/<network>.json` from an Ignition deployment
 * (`ignition/deployments/<id>/deployed_addresses.json` and its journal's chain id) and the
 * parameters file it was deployed with (for the market ids).
 *
 *   npx tsx scripts/export-addresses.ts [--deployment-id chain-31337]
 *     [--parameters ignition/parameters/local.json] [--network localhost] [--out-dir deployments]
 *
 * `--network` defaults to the chain's usual name (31337 → localhost, 11155111 → sepolia,
 * 42161 → arbitrum). The result loads with the SDK's `loadAddressBook`.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

import { readDeploymentParameters } from "@nomicfoundation/hardhat-ignition/helpers";

import { buildAddressBook, type DeploymentParameters, type PlainAddressBook } from "./lib/addressBook.js";

/** Usual network names by chain id. */
export const NETWORK_NAMES: Readonly<Record<number, string>> = {
  31337: "localhost",
  11155111: "sepolia",
  42161: "arbitrum",
};

/** Options of `exportAddresses`. */
export interface ExportOptions {
  /** `ignition/deployments/<id>`. */
  deploymentDir: string;
  /** The parameters file the deployment used. */
  parametersFile: string;
  /** Directory the address book is written to. */
  outDir: string;
  /** File name (without `.json`); defaults to the chain's name in `NETWORK_NAMES`. */
  network?: string;
}

/** The chain id recorded in an Ignition deployment's journal (its first, initialising record). */
export async function chainIdOfDeployment(deploymentDir: string): Promise<number> {
  const journal = await readFile(path.join(deploymentDir, "journal.jsonl"), "utf8");
  for (const line of journal.split("\n")) {
    if (line.trim() === "") continue;
    const record = JSON.parse(line) as { type?: string; chainId?: unknown };
    if (record.type === "DEPLOYMENT_INITIALIZE" && typeof record.chainId === "number") return record.chainId;
  }
  throw new Error(`${deploymentDir}/journal.jsonl records no chain id.`);
}

/** Reads the deployment, writes `<outDir>/<network>.json` and returns its path and content. */
export async function exportAddresses(
  options: ExportOptions,
): Promise<{ file: string; book: PlainAddressBook }> {
  const chainId = await chainIdOfDeployment(options.deploymentDir);
  const deployed = JSON.parse(
    await readFile(path.join(options.deploymentDir, "deployed_addresses.json"), "utf8"),
  ) as Record<string, string>;
  const parameters = (await readDeploymentParameters(options.parametersFile)) as DeploymentParameters;
  const book = buildAddressBook(chainId, deployed, parameters);
  const network = options.network ?? NETWORK_NAMES[chainId];
  if (network === undefined) throw new Error(`No network name known for chain ${chainId}: pass --network.`);
  await mkdir(options.outDir, { recursive: true });
  const file = path.join(options.outDir, `${network}.json`);
  await writeFile(file, JSON.stringify(book, null, 2) + "\n");
  return { file, book };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "deployment-id": { type: "string", default: "chain-31337" },
      parameters: { type: "string", default: "ignition/parameters/local.json" },
      network: { type: "string" },
      "out-dir": { type: "string", default: "deployments" },
    },
  });
  const { file, book } = await exportAddresses({
    deploymentDir: path.join("ignition", "deployments", values["deployment-id"]),
    parametersFile: values.parameters,
    outDir: values["out-dir"],
    network: values.network,
  });
  console.log(`Wrote ${file}: chain ${book.chainId}, ${Object.keys(book.markets).length} markets.`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
