/**
 * What the deployment creates, by name. Ignition fixes a deployment's structure when the module is
 * built, before parameters are read, so the set of indices and market slots lives here; every value
 * (reporters, quorum, expiry, sizes, risk) comes from the network's parameters file.
 */
import { indexIdOf } from "../index/ids.js";

/** An index the oracle carries, with its `IndexOracleFeed`. */
export interface IndexSlot {
  /** Index name as hashed into its id (`keccak256(name)`), e.g. `ATPI-FRONTIER`. */
  name: string;
  /** Ignition module id holding its parameters (`Index_ATPI_FRONTIER`). */
  moduleId: string;
  /** Ignition future id of its feed (`IndexOracleFeed_ATPI_FRONTIER`). */
  feedId: string;
}

/** A dated market the deployment creates. */
export interface MarketSlot {
  /** Slot name, e.g. `ATPI_FRONTIER_NEAR`; the expiry itself is a parameter. */
  key: string;
  /** Name of the index it settles on (one of `INDICES`). */
  index: string;
  /** Ignition module id holding its parameters (`Market_ATPI_FRONTIER_NEAR`). */
  moduleId: string;
}

const underscored = (name: string) => name.replace(/-/g, "_");

const indexSlot = (name: string): IndexSlot => ({
  name,
  moduleId: `Index_${underscored(name)}`,
  feedId: `IndexOracleFeed_${underscored(name)}`,
});

const marketSlot = (index: string, tenor: string): MarketSlot => {
  const key = `${underscored(index)}_${tenor}`;
  return { key, index, moduleId: `Market_${key}` };
};

/** The indices: both ATPI tiers and the H100 compute index. */
export const INDICES: readonly IndexSlot[] = [
  indexSlot("ATPI-FRONTIER"),
  indexSlot("ATPI-SMALL"),
  indexSlot("GPU-H100"),
];

/** The markets: two quarterly ATPI-FRONTIER expiries and one GPU-H100 expiry. */
export const MARKETS: readonly MarketSlot[] = [
  marketSlot("ATPI-FRONTIER", "NEAR"),
  marketSlot("ATPI-FRONTIER", "NEXT"),
  marketSlot("GPU-H100", "NEAR"),
];

/** The oracle id of an index slot. */
export function indexIdOfSlot(slot: IndexSlot | MarketSlot): `0x${string}` {
  return indexIdOf("name" in slot ? slot.name : slot.index);
}
