import { keccak256, toBytes, type Hex } from "viem";

import { hashCanonical, type CanonicalValue } from "./canonical.js";

/**
 * The oracle id of an index: `keccak256(utf8(name))` as a `0x`-prefixed 32-byte hex string,
 * the same value Solidity gives for `keccak256("ATPI-FRONTIER")`.
 *
 * @example indexIdOf("ATPI-FRONTIER")
 */
export function indexIdOf(name: string): Hex {
  return keccak256(toBytes(name));
}

/** Index names, as hashed into their ids. */
export const ATPI_FRONTIER = "ATPI-FRONTIER";
export const ATPI_SMALL = "ATPI-SMALL";
export const GPU_H100 = "GPU-H100";

/** `keccak256("ATPI-FRONTIER")`: US dollars per one million tokens, frontier tier. */
export const ATPI_FRONTIER_ID: Hex = indexIdOf(ATPI_FRONTIER);
/** `keccak256("ATPI-SMALL")`: US dollars per one million tokens, small tier. */
export const ATPI_SMALL_ID: Hex = indexIdOf(ATPI_SMALL);
/** `keccak256("GPU-H100")`: US dollars per H100 GPU-hour. */
export const GPU_H100_ID: Hex = indexIdOf(GPU_H100);

/**
 * The methodology hash of an index: `keccak256(utf8(canonicalJson(rules)))`, where `rules` is the
 * index's complete rules object (`atpiRules(spec)` or `computeRules(spec)`): methodology name and
 * version, index name, every parameter (tier, age limits, minimum counts, retirement list,
 * weights, outlier band), the formula constants and the rounding mode. Hashing the rules rather
 * than a version label means two parties who agree on the hash agree on every rule, and any rule
 * change, however small, yields a new hash. A market's `methodologyHash` is this value.
 */
export function methodologyHashOf(rules: CanonicalValue): Hex {
  return hashCanonical(rules);
}
