/**
 * The print-only form of `keepers reporter`: `--dry-run` with no index, oracle or config file
 * prints today's ATPI 2.0.0 values and constituent tables (see `print.ts`) and exits.
 */
import { createPublicClient, http } from "viem";

import { dateOfTimestamp, IndexError } from "../../index/index.js";
import { BUNDLED_PRICES } from "./keeper.js";
import { dryRunReport, readGenaiSource } from "./print.js";

/** True for `keepers reporter --dry-run [--prices …] [--rpc-url …]` with nothing that names a keeper to run. */
export function isPrintOnly(opts: Record<string, unknown>): boolean {
  return (
    opts.dryRun === true &&
    opts.indexName === undefined &&
    opts.oracleAddress === undefined &&
    opts.config === undefined &&
    process.env.KEEPER_INDEX_NAME === undefined
  );
}

/**
 * Prints the dry-run report. "Today" is the UTC date of the latest block when `--rpc-url` is
 * given (chain time), else of this machine's clock (there is no chain to ask).
 */
export async function printDryRun(opts: Record<string, unknown>): Promise<void> {
  const location = typeof opts.prices === "string" ? opts.prices : BUNDLED_PRICES;
  try {
    let now: bigint;
    if (typeof opts.rpcUrl === "string") {
      const client = createPublicClient({ transport: http(opts.rpcUrl) });
      now = (await client.getBlock({ blockTag: "latest" })).timestamp;
    } else {
      now = BigInt(Math.floor(Date.now() / 1000));
    }
    const source = await readGenaiSource(location);
    process.stdout.write(dryRunReport(source, dateOfTimestamp(now)));
  } catch (error) {
    if (error instanceof IndexError) {
      process.stderr.write(`reporter: ${location}: ${error.code}: ${error.shortMessage}\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
}
