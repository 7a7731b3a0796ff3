/**
 * Builds the plain address book (`deployments/<network>.json`, read by `loadAddressBook`) from an
 * Ignition deployment: its `deployed_addresses.json` (`{ "Module#FutureId": address }`), its chain
 * id, and the parameters it was deployed with (market ids are recomputed from the market parameters,
 * exactly as `Clearinghouse.marketId` does).
 */
import { getAddress, type Address, type Hex } from "viem";

import { INDICES, MARKETS, indexIdOfSlot, type MarketSlot } from "../../ignition/layout.js";
import { marketSymbol, type AddressBook, type AddressBookMarket } from "../../sdk/core/addressBook.js";
import { asIndexId } from "../../sdk/core/ids.js";
import { marketIdOf, type MarketParams } from "../../sdk/core/math/market.js";

// The market id and params come from the SDK (the same hash `Clearinghouse.marketId` computes), and so
// does the market symbol; they are re-exported for the scripts that import them from here.
export { marketIdOf, marketSymbol, type MarketParams };

/** One market in the address book. */
export type MarketEntry = AddressBookMarket;

/**
 * The plain address book written to `deployments/<network>.json`: the SDK's `AddressBook` with every
 * entry present (feeds by index name, markets by symbol `<INDEX>-<YYYYMMDD>`, expiry date UTC).
 */
export type PlainAddressBook = Required<Omit<AddressBook, "indexOracleFeed">>;

/** Deployment parameters as Ignition reads them: module id → parameter name → value. */
export type DeploymentParameters = Record<string, Record<string, unknown>>;

/** The `MarketParams` of a market slot, from the deployment's parameters. */
export function marketParamsOf(slot: MarketSlot, parameters: DeploymentParameters): MarketParams {
  const p = parameters[slot.moduleId];
  if (p === undefined) throw new Error(`Parameters have no "${slot.moduleId}" section.`);
  const big = (name: string): bigint => {
    const v = p[name];
    if (typeof v !== "bigint" && typeof v !== "number") {
      throw new Error(`${slot.moduleId}.${name} is not a number.`);
    }
    return BigInt(v);
  };
  const methodologyHash = p.methodologyHash;
  if (typeof methodologyHash !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(methodologyHash)) {
    throw new Error(`${slot.moduleId}.methodologyHash is not a 32-byte hex string.`);
  }
  return {
    indexId: indexIdOfSlot(slot),
    methodologyHash: methodologyHash as Hex,
    expiry: big("expiry"),
    contractSize: big("contractSize"),
    tickSize: big("tickSize"),
    minSize: big("minSize"),
    settlementWindow: Number(big("settlementWindow")),
  };
}

/** The future ids the core contracts are read from. */
const CORE_IDS = {
  accessManager: "AccessManager",
  indexOracle: "IndexOracle",
  collateral: "Collateral",
  clearinghouse: "Clearinghouse",
  exchange: "Exchange",
} as const;

/** Builds the plain address book; throws naming every contract missing from the deployment. */
export function buildAddressBook(
  chainId: number,
  deployedAddresses: Record<string, string>,
  parameters: DeploymentParameters,
): PlainAddressBook {
  const byFutureId = new Map<string, string>();
  for (const [key, value] of Object.entries(deployedAddresses)) {
    byFutureId.set(key.slice(key.indexOf("#") + 1), value);
  }
  const missing: string[] = [];
  const take = (futureId: string): Address => {
    const found = byFutureId.get(futureId);
    if (found === undefined) {
      missing.push(futureId);
      return "0x0000000000000000000000000000000000000000";
    }
    return getAddress(found);
  };
  const core = Object.fromEntries(
    Object.entries(CORE_IDS).map(([entry, futureId]) => [entry, take(futureId)]),
  ) as Record<keyof typeof CORE_IDS, Address>;
  const feeds = Object.fromEntries(INDICES.map((slot) => [slot.name, take(slot.feedId)]));
  if (missing.length > 0) throw new Error(`The deployment has no ${missing.join(", ")}.`);

  const markets: Record<string, MarketEntry> = {};
  for (const slot of MARKETS) {
    const params = marketParamsOf(slot, parameters);
    const symbol = marketSymbol(slot.index, params.expiry);
    if (symbol in markets) throw new Error(`Two markets share the symbol ${symbol}.`);
    markets[symbol] = {
      id: marketIdOf(params),
      indexId: asIndexId(params.indexId),
      expiry: Number(params.expiry),
    };
  }
  return { chainId, ...core, feeds, markets };
}
