/**
 * The address book: where the protocol is deployed on one chain. Read from Hardhat Ignition's
 * `deployed_addresses.json` (`{ "Module#Contract": "0x…" }`) or from a plain
 * `{ chainId, indexOracle, exchange, clearinghouse, collateral, accessManager, feeds, markets }`
 * object (what `scripts/export-addresses.ts` writes to `deployments/<network>.json`), and
 * validated either way.
 */
import { getAddress, isAddress, type Address, type Hex } from "viem";
import { z } from "zod";

import { AddressBookError, InvalidArgumentError } from "./errors/SdkError.js";
import type { IndexId, MarketId } from "./ids.js";

/** One market of the address book. */
export interface AddressBookMarket {
  /** The Clearinghouse market id. */
  id: MarketId;
  /** The oracle id of the index it settles on. */
  indexId: IndexId;
  /** Expiry, unix seconds. */
  expiry: number;
}

/** The protocol's contracts on one chain. */
export interface AddressBook {
  /** The chain the addresses are on (plain shape only). */
  chainId?: number;
  indexOracle: Address;
  exchange: Address;
  /** Not deployed until the Clearinghouse lands. */
  clearinghouse?: Address;
  /** The collateral token the Clearinghouse holds. */
  collateral?: Address;
  accessManager?: Address;
  indexOracleFeed?: Address;
  /** `IndexOracleFeed` address by index name (plain shape only). */
  feeds?: Record<string, Address>;
  /** Markets by symbol, e.g. `ATPI-FRONTIER-20270326` (plain shape only). */
  markets?: Record<string, AddressBookMarket>;
}

/** The entries read from Ignition's `deployed_addresses.json`, by future id. */
type IgnitionEntry = Exclude<keyof AddressBook, "chainId" | "feeds" | "markets">;

/** The Ignition future id (the part after `#`) each address book entry is read from. */
export const IGNITION_CONTRACT_IDS: Readonly<Record<IgnitionEntry, string>> = {
  indexOracle: "IndexOracle",
  exchange: "Exchange",
  clearinghouse: "Clearinghouse",
  collateral: "Collateral",
  accessManager: "AccessManager",
  indexOracleFeed: "IndexOracleFeed",
};

const address = z
  .string()
  .refine((s) => isAddress(s, { strict: false }), { message: "not a 20-byte hex address" })
  .transform((s) => getAddress(s));

const bytes32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, { message: "not a 32-byte hex string" })
  .transform((s) => s.toLowerCase() as Hex);

const marketSchema = z
  .object({
    id: bytes32.transform((s) => s as MarketId),
    indexId: bytes32.transform((s) => s as IndexId),
    expiry: z.number().int().positive(),
  })
  .strict();

const plainSchema = z
  .object({
    chainId: z.number().int().positive().optional(),
    indexOracle: address,
    exchange: address,
    clearinghouse: address.optional(),
    collateral: address.optional(),
    accessManager: address.optional(),
    indexOracleFeed: address.optional(),
    feeds: z.record(z.string(), address).optional(),
    markets: z.record(z.string(), marketSchema).optional(),
  })
  .strict();

/** Options of `loadAddressBook`. */
export interface LoadAddressBookOptions {
  /** Ignition future ids to read each entry from, when a module names them differently. */
  ignitionIds?: Partial<Record<IgnitionEntry, string>>;
}

/** Turns an Ignition `{ "Module#Id": address }` map into the plain shape, by future id. */
function fromIgnition(
  json: Record<string, unknown>,
  ids: Record<IgnitionEntry, string>,
): Record<string, unknown> {
  const byId = new Map<string, unknown[]>();
  for (const [key, value] of Object.entries(json)) {
    const id = key.slice(key.indexOf("#") + 1);
    byId.set(id, [...(byId.get(id) ?? []), value]);
  }
  const out: Record<string, unknown> = {};
  for (const [entry, id] of Object.entries(ids)) {
    const found = byId.get(id);
    if (!found) continue;
    if (found.length > 1)
      throw new AddressBookError(`Ambiguous address book: ${found.length} modules deploy "${id}".`, [id]);
    out[entry] = found[0];
  }
  return out;
}

/**
 * Validates a deployment JSON and returns the address book, with checksummed addresses. Throws
 * `AddressBookError` listing every problem (missing `indexOracle`/`exchange`, malformed address,
 * unknown key in the plain shape).
 * @example
 * import deployed from "./ignition/deployments/chain-31337/deployed_addresses.json" with { type: "json" };
 * const book = loadAddressBook(deployed); // { indexOracle: "0x…", exchange: "0x…", … }
 */
export function loadAddressBook(json: unknown, options: LoadAddressBookOptions = {}): AddressBook {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new AddressBookError("The address book is not a JSON object.", [
      `got ${Array.isArray(json) ? "array" : typeof json}`,
    ]);
  }
  const record = json as Record<string, unknown>;
  const isIgnition = Object.keys(record).some((k) => k.includes("#"));
  const plain = isIgnition
    ? fromIgnition(record, { ...IGNITION_CONTRACT_IDS, ...options.ignitionIds })
    : record;
  const parsed = plainSchema.safeParse(plain);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new AddressBookError(
      `Invalid ${isIgnition ? "Ignition deployment" : "address book"}: ${issues.length} problem(s).`,
      issues,
    );
  }
  return parsed.data;
}

/** The last second of 9999-12-31 UTC: the latest expiry a `YYYYMMDD` symbol can name. */
const MAX_SYMBOL_EXPIRY = 253_402_300_799n;

/**
 * The symbol a market is listed under in an address book: `<INDEX>-<YYYYMMDD>`, the expiry's UTC date.
 * Throws `InvalidArgumentError` for an expiry before 1970 or after 9999.
 * @example marketSymbol("ATPI-FRONTIER", 1806048000n); // "ATPI-FRONTIER-20270326"
 */
export function marketSymbol(index: string, expiry: bigint): string {
  if (expiry < 0n || expiry > MAX_SYMBOL_EXPIRY)
    throw new InvalidArgumentError(
      "expiry",
      expiry,
      `unix seconds from 0 to ${MAX_SYMBOL_EXPIRY} (year 9999)`,
    );
  const date = new Date(Number(expiry) * 1000).toISOString().slice(0, 10).replace(/-/g, "");
  return `${index}-${date}`;
}

/** One market of an address book, with its symbol. */
export interface AddressBookMarketEntry extends AddressBookMarket {
  /** The symbol it is listed under, e.g. `ATPI-FRONTIER-20270326`. */
  symbol: string;
}

/**
 * The markets of an address book, by expiry then symbol (empty when the book lists none).
 * @example for (const m of marketsOfAddressBook(book)) console.log(m.symbol, m.id, m.expiry);
 */
export function marketsOfAddressBook(book: AddressBook): AddressBookMarketEntry[] {
  return Object.entries(book.markets ?? {})
    .map(([symbol, m]) => ({ symbol, ...m }))
    .sort((a, b) => a.expiry - b.expiry || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}
