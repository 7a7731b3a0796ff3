/**
 * What every `atf` command shares: the output sink, the lazily loaded context, `--json` printing, and
 * the market lookups (symbol ↔ id, every market on the Clearinghouse) and the address-book write.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";

import type { Command } from "commander";
import type { Hash, Hex } from "viem";

import { INDEX_SPECS } from "../index/index.js";
import { indexIdOf } from "../index/ids.js";
import { clearinghouseAbi } from "../sdk/abi/index.js";
import type { MarketId } from "../sdk/core/ids.js";
import { marketSymbol } from "../sdk/core/addressBook.js";
import { loadContext, type CliContext, type GlobalOptions } from "./context.js";
import { CommandFailedError, InputError, type ErrorUnits } from "./errors.js";
import { formatUnitsExact } from "./units.js";

/** Where the CLI writes its lines (stdout, stderr); injectable for tests. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

/** Wad prices and sizes (dollars per index unit, index units per contract) have 18 decimals. */
export const WAD_DECIMALS = 18;

/** The helpers each command's `register…` function receives from `cli/program.ts`. */
export interface CliHelpers {
  io: CliIo;
  /** Loads the context on first use (help and input errors need no node) and records its units for errors. */
  ctxOf: (cmd: Command) => Promise<CliContext>;
  /** Whether `--json` was given. */
  json: (cmd: Command) => boolean;
  /** Prints one JSON document, bigints as decimal strings. */
  printJson: (value: unknown) => void;
  /** Collateral units as `<tokens> <symbol>`. */
  money: (ctx: CliContext, units: bigint) => string;
}

/** The helpers for one run; `units` receives the collateral's decimals and symbol once a context loads. */
export function cliHelpers(io: CliIo, units: ErrorUnits): CliHelpers {
  const globals = (cmd: Command): GlobalOptions => cmd.optsWithGlobals() as GlobalOptions;
  const ctxOf = async (cmd: Command) => {
    const ctx = await loadContext(globals(cmd), io.env);
    units.decimals = ctx.decimals;
    units.symbol = ctx.collateralSymbol;
    return ctx;
  };
  const json = (cmd: Command) => (cmd.optsWithGlobals() as { json?: boolean }).json === true;
  const printJson = (value: unknown) =>
    io.out(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2));
  const money = (ctx: CliContext, units: bigint) =>
    `${formatUnitsExact(units, ctx.decimals)} ${ctx.collateralSymbol}`;
  return { io, ctxOf, json, printJson, money };
}

/** Index name by oracle id, for the indices this repository specifies. */
const INDEX_NAMES = new Map<string, string>(
  Object.keys(INDEX_SPECS).map((n) => [indexIdOf(n).toLowerCase(), n]),
);

/** A market's symbol: from the address book, else `<index>-<YYYYMMDD>` for a known index. */
export function symbolOf(ctx: CliContext, id: Hex, indexId: Hex, expiry: bigint): string {
  for (const [symbol, entry] of Object.entries(ctx.book.markets ?? {})) {
    if (entry.id.toLowerCase() === id.toLowerCase()) return symbol;
  }
  const name = INDEX_NAMES.get(indexId.toLowerCase());
  return name === undefined
    ? `${indexId.slice(0, 10)}…-${marketSymbol("", expiry).slice(1)}`
    : marketSymbol(name, expiry);
}

/** A market given by symbol (`GPU-H100-20270326`) or id (0x + 64 hex). */
export function marketIdFrom(ctx: CliContext, text: string): MarketId {
  if (/^0x[0-9a-fA-F]{64}$/.test(text)) return text as MarketId;
  const entry = ctx.book.markets?.[text];
  if (entry === undefined) {
    const known = Object.keys(ctx.book.markets ?? {}).join(", ");
    throw new InputError(
      `--market: unknown market "${text}" (known: ${known || "none"}; or pass a market id)`,
    );
  }
  return entry.id as MarketId;
}

/** Every market id on the Clearinghouse, in creation order. */
export async function allMarketIds(ctx: CliContext): Promise<MarketId[]> {
  const count = await ctx.publicClient.readContract({
    address: ctx.book.clearinghouse,
    abi: clearinghouseAbi,
    functionName: "marketCount",
  });
  const ids: MarketId[] = [];
  for (let i = 1; i <= count; i++) {
    ids.push(
      (await ctx.publicClient.readContract({
        address: ctx.book.clearinghouse,
        abi: clearinghouseAbi,
        functionName: "marketIdAt",
        args: [i],
      })) as MarketId,
    );
  }
  return ids;
}

/** Waits for the transaction and fails the command when it reverted. */
export async function confirm(ctx: CliContext, hash: Hash, what: string): Promise<void> {
  const receipt = await ctx.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new CommandFailedError(`${what}: transaction ${hash} reverted`);
}

/** Records a market in the address book file (`markets[symbol]`). */
export function addMarketToBook(
  file: string,
  symbol: string,
  entry: { id: Hex; indexId: Hex; expiry: number },
): void {
  const book = JSON.parse(readFileSync(file, "utf8")) as { markets?: Record<string, unknown> };
  book.markets = { ...(book.markets ?? {}), [symbol]: entry };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(book, null, 2) + "\n");
  renameSync(tmp, file);
}
