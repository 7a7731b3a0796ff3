/**
 * `atf index verify <index>`: audits a posted oracle round (`cli/index-verify.ts` reads, recomputes
 * and compares it) and exits 1 when it does not verify.
 */
import { readFileSync } from "node:fs";

import type { Command } from "commander";
import { createPublicClient, http, type Address, type PublicClient } from "viem";

import { INDEX_SPECS, indexIdOf } from "../../index/index.js";
import { AddressBookError, loadAddressBook } from "../../sdk/core/index.js";
import { DEFAULT_RPC_URL, type GlobalOptions } from "../context.js";
import { CommandFailedError, InputError } from "../errors.js";
import type { CliHelpers } from "../helpers.js";
import { auditRound, formatAudit, readIndexData, readInputs, readPostedRound } from "../index-verify.js";

interface VerifyOptions {
  round?: string;
  inputs?: string;
  prices?: string;
  source?: string;
  oracle?: string;
}

/** Adds `index verify` to the `atf` program. */
export function registerIndex(program: Command, h: CliHelpers): void {
  const { io } = h;
  const index = program.command("index").description("Index rounds: audit what the oracle posted");
  index
    .command("verify <index>")
    .description(
      "Recompute a posted round from public data (and the reporters' published inputs, if given) and say " +
        "match or what differs. Exit 0 on a match, 1 on a mismatch, 2 on bad input.",
    )
    .option("--round <n>", "round id (default: the latest)")
    .option(
      "--inputs <file|url>",
      "canonical inputs a reporter published: a file or URL (e.g. <reporter>/report/<index>), bare JSON or report JSON",
    )
    .option("--prices <bundled|path|url>", "genai-prices data for ATPI 2.0.0 indices (default bundled)")
    .option("--source <path|url>", "price CSV for ATPI 1.0.0 and GPU indices")
    .option("--oracle <address>", "IndexOracle address (default: the address book's indexOracle)")
    .action(async (name: string, o: VerifyOptions, cmd: Command) => {
      const spec = INDEX_SPECS[name];
      if (spec === undefined) {
        throw new InputError(`unknown index "${name}" (one of ${Object.keys(INDEX_SPECS).join(", ")})`);
      }
      const roundId = o.round === undefined ? undefined : parseRound(o.round);
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      const oracle = o.oracle ?? oracleFromBook(globals.deployment);
      if (!/^0x[0-9a-fA-F]{40}$/.test(oracle))
        throw new InputError(`--oracle: "${oracle}" is not an address`);
      const location = spec.kind === "atpi-list" ? (o.prices ?? "bundled") : o.source;
      if (spec.kind === "atpi-list" && o.source !== undefined)
        throw new InputError("--source is for CSV indices; use --prices");
      if (spec.kind !== "atpi-list" && o.prices !== undefined)
        throw new InputError("--prices is for ATPI 2.0.0 indices; use --source");
      const inputsJson = o.inputs === undefined ? undefined : await readInputs(o.inputs);
      const data = location === undefined ? undefined : await readIndexData(spec, location);
      const rpcUrl = globals.rpcUrl ?? io.env.ATF_RPC_URL ?? DEFAULT_RPC_URL;
      const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) }) as PublicClient;
      const posted = await readPostedRound(client, oracle as Address, indexIdOf(spec.index), roundId);
      const audit = auditRound(spec, posted, { inputsJson, data });
      for (const line of formatAudit(audit)) io.out(line);
      if (!audit.match) throw new CommandFailedError(`${spec.index} round ${posted.roundId} does not verify`);
    });
}

function parseRound(text: string): bigint {
  if (!/^[1-9][0-9]*$/.test(text)) throw new InputError(`--round: "${text}" is not a round id (1, 2, …)`);
  return BigInt(text);
}

function oracleFromBook(file: string): string {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new InputError(
      `cannot read the address book ${file} (or pass --oracle): ${(err as Error).message}`,
    );
  }
  try {
    return loadAddressBook(raw).indexOracle;
  } catch (err) {
    if (err instanceof AddressBookError) throw new InputError(`${file}: ${err.message}`);
    throw err;
  }
}
