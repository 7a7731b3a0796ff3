/**
 * Branded identifiers. Each is a 32-byte hex string at runtime; the brand stops an `IndexId` being
 * passed where a `MarketId` or an `OrderHash` is expected. Addresses are viem's `Address`.
 */
import { isHex, keccak256, size, stringToHex, type Hex } from "viem";

import { InvalidArgumentError } from "./errors/SdkError.js";

export type { Address, Hex } from "viem";

declare const brand: unique symbol;
/** `T` tagged with the nominal brand `B`. */
export type Branded<T, B extends string> = T & { readonly [brand]: B };

/** The `bytes32` id of an oracle index: `keccak256(utf8(name))`. */
export type IndexId = Branded<Hex, "IndexId">;
/** The `bytes32` id of a futures market. */
export type MarketId = Branded<Hex, "MarketId">;
/** An order's EIP-712 digest, as `Exchange.hashOrder` returns it. */
export type OrderHash = Branded<Hex, "OrderHash">;

function bytes32(argument: string, value: string): Hex {
  if (!isHex(value, { strict: true }) || size(value) !== 32) {
    throw new InvalidArgumentError(argument, value, "a 32-byte hex string");
  }
  return value.toLowerCase() as Hex;
}

/**
 * Checks that `value` is 32 bytes of hex and brands it as an index id.
 * @example const id = asIndexId("0x6b2c…"); // throws InvalidArgumentError on a wrong length
 */
export function asIndexId(value: string): IndexId {
  return bytes32("indexId", value) as IndexId;
}

/**
 * Checks that `value` is 32 bytes of hex and brands it as a market id.
 * @example const market = asMarketId(keccak256(stringToHex("ATPI-FRONTIER-2027Q1")));
 */
export function asMarketId(value: string): MarketId {
  return bytes32("marketId", value) as MarketId;
}

/**
 * Checks that `value` is 32 bytes of hex and brands it as an order hash.
 * @example const hash = asOrderHash(receiptLog.topics[1]);
 */
export function asOrderHash(value: string): OrderHash {
  return bytes32("orderHash", value) as OrderHash;
}

/**
 * The id of an index from its name: `keccak256(utf8(name))`.
 * @example indexIdOf("ATPI-FRONTIER")
 */
export function indexIdOf(name: string): IndexId {
  return keccak256(stringToHex(name)) as IndexId;
}
