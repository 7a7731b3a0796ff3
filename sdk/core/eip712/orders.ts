/**
 * EIP-712 order helpers for the Exchange: the typed-data domain and types, order builders, hashing, and
 * signing with ethers v6 signers or viem wallet clients / local accounts. Pure (no network) apart from
 * the signer calls; the signers are described structurally (`./signers.ts`), so nothing here depends
 * on ethers.
 */
import { hashTypedData, isAddress, isHex, size, type Address, type Hex, type TypedDataDomain } from "viem";

import { InvalidArgumentError } from "../errors/SdkError.js";
import type { OrderHash } from "../ids.js";
import { mutableTypes, type EthersTypedDataSigner, type ViemSigner } from "./signers.js";

/** EIP-712 domain name of the Exchange (`Exchange.NAME`). */
export const EXCHANGE_DOMAIN_NAME = "AI Token Futures Exchange";
/** EIP-712 domain version of the Exchange (`Exchange.VERSION`). */
export const EXCHANGE_DOMAIN_VERSION = "1";

/** Order flag bits (`contracts/libraries/OrderTypes.sol`). */
export const OrderFlags = {
  None: 0,
  ReduceOnly: 1,
  PostOnly: 2,
  ImmediateOrCancel: 4,
  FillOrKill: 8,
} as const;

/** The EIP-712 types of an order, field for field as `ORDER_TYPEHASH`. */
export const ORDER_TYPES = {
  Order: [
    { name: "trader", type: "address" },
    { name: "marketId", type: "bytes32" },
    { name: "isBuy", type: "bool" },
    { name: "size", type: "uint128" },
    { name: "limitPrice", type: "uint256" },
    { name: "expiry", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "salt", type: "uint256" },
    { name: "flags", type: "uint8" },
  ],
} as const;

/** A signed limit order, as the Exchange's `Order` struct. Prices are 18-decimal; sizes whole contracts. */
export interface Order {
  trader: Address;
  marketId: Hex;
  isBuy: boolean;
  size: bigint;
  limitPrice: bigint;
  expiry: bigint;
  nonce: bigint;
  salt: bigint;
  flags: number;
}

/** The EIP-712 domain of the Exchange deployed at `verifyingContract` on `chainId`. */
export interface ExchangeDomain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: Address;
}

/**
 * The Exchange's EIP-712 domain.
 * @example exchangeDomain(31337n, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
 */
export function exchangeDomain(chainId: bigint | number, verifyingContract: Address): ExchangeDomain {
  return {
    name: EXCHANGE_DOMAIN_NAME,
    version: EXCHANGE_DOMAIN_VERSION,
    chainId: BigInt(chainId),
    verifyingContract,
  };
}

/** Fields `buildOrder` fills in when they are left out. */
export type OrderInput = Pick<Order, "trader" | "marketId" | "isBuy" | "size" | "limitPrice"> &
  Partial<Pick<Order, "expiry" | "nonce" | "salt" | "flags">>;

/**
 * Builds an order with defaults: expiry `now + 1 day` (`now` in seconds), a random 64-bit nonce, a random
 * 64-bit salt, no flags.
 *
 * A nonce names one order on the Exchange: when an order completes, is cancelled or (IOC) voided, every
 * order of the trader with the same nonce is void too. The random default never collides, but each such
 * nonce lands in its own storage word and stays above any `cancelUpTo` a trader would use. For the cheap
 * path (a fill spends a bit in an already-written word, about 17,000 gas less than a fresh word) and for
 * `cancelUpTo`, pass consecutive nonces, e.g. from `nonceSequence`.
 * @example buildOrder({ trader, marketId, isBuy: true, size: 10n, limitPrice: 2n * 10n ** 18n }, now)
 */
export function buildOrder(input: OrderInput, now: bigint): Order {
  return {
    expiry: now + 86_400n,
    nonce: randomSalt(),
    salt: randomSalt(),
    flags: OrderFlags.None,
    ...input,
  };
}

/**
 * Consecutive order nonces from `start` (each call returns the next one). Nonces `128k … 128k + 127`
 * share one storage word on the Exchange, so consecutive nonces keep fills on already-written words, and
 * `cancelUpTo(next)` voids everything handed out so far.
 * @example const nextNonce = nonceSequence(await exchange.read.minNonce([trader]));
 * const order = buildOrder({ ...fields, nonce: nextNonce() }, now);
 */
export function nonceSequence(start: bigint = 0n): () => bigint {
  let next = start;
  return () => next++;
}

/**
 * A random 64-bit salt.
 * @example const order = { ...fields, salt: randomSalt() };
 */
export function randomSalt(): bigint {
  const words = new Uint32Array(2);
  crypto.getRandomValues(words);
  return (BigInt(words[0]) << 32n) | BigInt(words[1]);
}

/**
 * The order hash: the full EIP-712 digest, as `Exchange.hashOrder` returns it.
 * @example const hash = hashOrder(exchangeDomain(chainId, exchange), order);
 */
export function hashOrder(domain: ExchangeDomain, order: Order): OrderHash {
  return hashTypedData({
    domain: domain as TypedDataDomain,
    types: ORDER_TYPES,
    primaryType: "Order",
    message: order,
  }) as OrderHash;
}

/**
 * Signs `order` with an ethers v6 signer (`signer.signTypedData`).
 * @example const signature = await signOrderEthers(wallet, domain, order);
 */
export async function signOrderEthers(
  signer: EthersTypedDataSigner,
  domain: ExchangeDomain,
  order: Order,
): Promise<Hex> {
  return (await signer.signTypedData(domain, mutableTypes(ORDER_TYPES), { ...order })) as Hex;
}

/** Anything that signs an order the viem way: a wallet client (with its account) or a local account. */
export type ViemTypedDataSigner = ViemSigner<typeof ORDER_TYPES, "Order", Order>;

/**
 * Signs `order` with a viem wallet client or local account (`signTypedData`).
 * @example const signature = await signOrderViem(privateKeyToAccount(key), domain, order);
 */
export async function signOrderViem(
  signer: ViemTypedDataSigner,
  domain: ExchangeDomain,
  order: Order,
  account?: Address,
): Promise<Hex> {
  return signer.signTypedData({
    ...(account === undefined ? {} : { account }),
    domain: domain as TypedDataDomain,
    types: ORDER_TYPES,
    primaryType: "Order",
    message: order,
  });
}

/** The `EIP712Domain` type of the Exchange's domain (name, version, chain id, verifying contract). */
export const EIP712_DOMAIN_TYPE = [
  { name: "name", type: "string" },
  { name: "version", type: "string" },
  { name: "chainId", type: "uint256" },
  { name: "verifyingContract", type: "address" },
] as const;

/**
 * A ready `eth_signTypedData_v4` payload for one order: `types` with `EIP712Domain`, and every integer
 * as a decimal string, so `JSON.stringify` works on it and wallets read it as written.
 */
export interface OrderTypedDataV4 {
  types: {
    EIP712Domain: { name: string; type: string }[];
    Order: { name: string; type: string }[];
  };
  primaryType: "Order";
  domain: { name: string; version: string; chainId: string; verifyingContract: Address };
  message: {
    trader: Address;
    marketId: Hex;
    isBuy: boolean;
    size: string;
    limitPrice: string;
    expiry: string;
    nonce: string;
    salt: string;
    flags: string;
  };
}

function uint(argument: string, value: unknown, bits: number): string {
  if (typeof value !== "bigint" || value < 0n || value >= 1n << BigInt(bits)) {
    throw new InvalidArgumentError(argument, value, `a bigint in [0, 2^${bits})`);
  }
  return value.toString(10);
}

/**
 * The `eth_signTypedData_v4` payload of `order` under the Exchange `domain`: what a browser wallet
 * (`provider.request({ method: "eth_signTypedData_v4", params: [trader, JSON.stringify(payload)] })`)
 * or MetaMask's `@metamask/eth-sig-util` signs. Its digest is `hashOrder(domain, order)`, the one the
 * Exchange checks. Throws `InvalidArgumentError` for a field outside its Solidity type.
 * @example
 * const payload = typedDataForOrder(order, exchangeDomain(chainId, exchange));
 * const signature = await window.ethereum.request({
 *   method: "eth_signTypedData_v4",
 *   params: [order.trader, JSON.stringify(payload)],
 * });
 */
export function typedDataForOrder(order: Order, domain: ExchangeDomain): OrderTypedDataV4 {
  if (!isAddress(order.trader, { strict: false })) {
    throw new InvalidArgumentError("order.trader", order.trader, "a 20-byte address");
  }
  if (!isHex(order.marketId, { strict: true }) || size(order.marketId) !== 32) {
    throw new InvalidArgumentError("order.marketId", order.marketId, "a 32-byte hex string");
  }
  if (typeof order.isBuy !== "boolean") {
    throw new InvalidArgumentError("order.isBuy", order.isBuy, "a boolean");
  }
  if (!Number.isInteger(order.flags) || order.flags < 0 || order.flags > 255) {
    throw new InvalidArgumentError("order.flags", order.flags, "an integer in [0, 255]");
  }
  if (!isAddress(domain.verifyingContract, { strict: false })) {
    throw new InvalidArgumentError("domain.verifyingContract", domain.verifyingContract, "a 20-byte address");
  }
  return {
    types: {
      EIP712Domain: EIP712_DOMAIN_TYPE.map((f) => ({ ...f })),
      Order: ORDER_TYPES.Order.map((f) => ({ ...f })),
    },
    primaryType: "Order",
    domain: {
      name: domain.name,
      version: domain.version,
      chainId: uint("domain.chainId", domain.chainId, 256),
      verifyingContract: domain.verifyingContract,
    },
    message: {
      trader: order.trader,
      marketId: order.marketId,
      isBuy: order.isBuy,
      size: uint("order.size", order.size, 128),
      limitPrice: uint("order.limitPrice", order.limitPrice, 256),
      expiry: uint("order.expiry", order.expiry, 256),
      nonce: uint("order.nonce", order.nonce, 256),
      salt: uint("order.salt", order.salt, 256),
      flags: order.flags.toString(10),
    },
  };
}
