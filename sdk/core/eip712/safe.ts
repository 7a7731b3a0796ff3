/**
 * Signing orders as a Safe (EIP-1271). The Exchange asks the Safe `isValidSignature(orderHash, sig)`;
 * a Safe 1.4.1 answers through its `CompatibilityFallbackHandler`, which checks `sig` as the owners'
 * signatures of the Safe's own message hash of the order hash: EIP-712 `SafeMessage(bytes message)`
 * with `message = orderHash` under the domain `{ chainId, verifyingContract: safe }`, at least
 * `threshold` owner signatures concatenated in ascending owner-address order.
 *
 * Or the Safe approves the order on chain: a Safe transaction delegatecalls `SignMessageLib.signMessage`
 * with `abi.encode(orderHash)` (the 32-byte order hash itself), which stores `signedMessages[h] = 1` for
 * the same message hash `h = safeMessageHash(safe, chainId, orderHash)`; the order's signature is then
 * empty (`SAFE_ON_CHAIN_SIGNATURE`), and the handler accepts it while `signedMessages[h]` is set.
 * `safeOrderApprovalTransaction` builds that transaction, `safeTransactionTypedData` what its owners sign.
 */
import {
  concat,
  encodeFunctionData,
  hashTypedData,
  isAddress,
  isHex,
  size,
  zeroAddress,
  type Address,
  type Hex,
} from "viem";

import { InvalidArgumentError } from "../errors/SdkError.js";
import type { OrderHash } from "../ids.js";

/** The EIP-712 types a Safe (1.3 and 1.4.1) hashes an off-chain message with. */
export const SAFE_MESSAGE_TYPES = { SafeMessage: [{ name: "message", type: "bytes" }] } as const;

/** The typed data a Safe owner signs to approve `orderHash` for the Safe at `safe` on `chainId`. */
export function safeMessageTypedData(safe: Address, chainId: bigint | number, orderHash: OrderHash | Hex) {
  if (!isAddress(safe, { strict: false })) throw new InvalidArgumentError("safe", safe, "a 20-byte address");
  if (!isHex(orderHash, { strict: true }) || size(orderHash) !== 32) {
    throw new InvalidArgumentError("orderHash", orderHash, "a 32-byte hex string");
  }
  return {
    domain: { chainId: BigInt(chainId), verifyingContract: safe },
    types: SAFE_MESSAGE_TYPES,
    primaryType: "SafeMessage" as const,
    message: { message: orderHash as Hex },
  };
}

/**
 * The Safe's message hash of `orderHash` (what `CompatibilityFallbackHandler.getMessageHashForSafe`
 * returns for `abi.encode(orderHash)`): the digest each owner signs.
 * @example const digest = safeMessageHash(safe, chainId, orderHash);
 */
export function safeMessageHash(safe: Address, chainId: bigint | number, orderHash: OrderHash | Hex): Hex {
  return hashTypedData(safeMessageTypedData(safe, chainId, orderHash));
}

/** One owner's 65-byte ECDSA signature of the Safe message hash. */
export interface SafeOwnerSignature {
  owner: Address;
  signature: Hex;
}

/**
 * The Safe signature the Exchange passes to the Safe: the owners' 65-byte signatures concatenated in
 * ascending owner-address order (the order `Safe.checkSignatures` requires). Throws
 * `InvalidArgumentError` for an empty list, a repeated owner or a signature that is not 65 bytes.
 * @example
 * const typed = safeMessageTypedData(safe, chainId, orderHash);
 * const signature = encodeSafeSignatures(
 *   await Promise.all(owners.map(async (o) => ({ owner: o.address, signature: await o.signTypedData(typed) }))),
 * );
 * await fillOrder(taker, { address: exchange, order, signature, fillSize: 1n });
 */
export function encodeSafeSignatures(signatures: readonly SafeOwnerSignature[]): Hex {
  if (signatures.length === 0) throw new InvalidArgumentError("signatures", signatures, "at least one owner");
  const sorted = [...signatures].sort((a, b) => {
    const x = BigInt(a.owner);
    const y = BigInt(b.owner);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  sorted.forEach((s, i) => {
    if (!isAddress(s.owner, { strict: false }))
      throw new InvalidArgumentError("owner", s.owner, "a 20-byte address");
    if (!isHex(s.signature, { strict: true }) || size(s.signature) !== 65) {
      throw new InvalidArgumentError("signature", s.signature, "a 65-byte ECDSA signature");
    }
    if (i > 0 && BigInt(sorted[i - 1].owner) === BigInt(s.owner)) {
      throw new InvalidArgumentError("owner", s.owner, "each owner once");
    }
  });
  return concat(sorted.map((s) => s.signature));
}

/**
 * The order signature to submit for an order its Safe approved on chain: empty bytes. The Exchange
 * passes it to `isValidSignature(orderHash, "0x")`, and the Safe's `CompatibilityFallbackHandler` then
 * requires `signedMessages(safeMessageHash(safe, chainId, orderHash)) != 0` instead of checking owner
 * signatures.
 */
export const SAFE_ON_CHAIN_SIGNATURE = "0x" as const satisfies Hex;

/** The part of Safe 1.4.1's `SignMessageLib` ABI the approval uses. */
export const signMessageLibAbi = [
  {
    type: "function",
    name: "signMessage",
    stateMutability: "nonpayable",
    inputs: [{ name: "_data", type: "bytes" }],
    outputs: [],
  },
  {
    type: "function",
    name: "getMessageHash",
    stateMutability: "view",
    inputs: [{ name: "message", type: "bytes" }],
    outputs: [{ name: "", type: "bytes32" }],
  },
  {
    type: "event",
    name: "SignMsg",
    inputs: [{ name: "msgHash", type: "bytes32", indexed: true }],
    anonymous: false,
  },
] as const;

/** A Safe transaction's fields before the nonce, in the order `getTransactionHash` and `execTransaction` take them. */
const SAFE_TX_FIELDS = [
  { name: "to", type: "address" },
  { name: "value", type: "uint256" },
  { name: "data", type: "bytes" },
  { name: "operation", type: "uint8" },
  { name: "safeTxGas", type: "uint256" },
  { name: "baseGas", type: "uint256" },
  { name: "gasPrice", type: "uint256" },
  { name: "gasToken", type: "address" },
  { name: "refundReceiver", type: "address" },
] as const;

/** The part of the Safe 1.3 / 1.4.1 singleton's ABI the SDK's Safe actions use. */
export const safeAbi = [
  {
    type: "function",
    name: "nonce",
    stateMutability: "view",
    inputs: [],
    outputs: [{ name: "", type: "uint256" }],
  },
  {
    type: "function",
    name: "signedMessages",
    stateMutability: "view",
    inputs: [{ name: "", type: "bytes32" }],
    outputs: [{ name: "", type: "uint256" }],
  },
  {
    type: "function",
    name: "getTransactionHash",
    stateMutability: "view",
    inputs: [...SAFE_TX_FIELDS, { name: "_nonce", type: "uint256" }],
    outputs: [{ name: "", type: "bytes32" }],
  },
  {
    type: "function",
    name: "execTransaction",
    stateMutability: "payable",
    inputs: [...SAFE_TX_FIELDS, { name: "signatures", type: "bytes" }],
    outputs: [{ name: "success", type: "bool" }],
  },
] as const;

/** How a Safe transaction reaches `to`: `0` call, `1` delegatecall. */
export const SafeOperation = { Call: 0, DelegateCall: 1 } as const;
export type SafeOperation = (typeof SafeOperation)[keyof typeof SafeOperation];

/** A Safe 1.3 / 1.4.1 transaction (`execTransaction`'s arguments without the signatures, plus the nonce). */
export interface SafeTransaction {
  to: Address;
  value: bigint;
  data: Hex;
  operation: SafeOperation;
  safeTxGas: bigint;
  baseGas: bigint;
  gasPrice: bigint;
  gasToken: Address;
  refundReceiver: Address;
  /** The Safe's `nonce()` the owners sign for; the transaction executes only at that nonce. */
  nonce: bigint;
}

/** The EIP-712 types of a Safe 1.3 / 1.4.1 transaction (what `Safe.getTransactionHash` hashes). */
export const SAFE_TX_TYPES = {
  SafeTx: [...SAFE_TX_FIELDS, { name: "nonce", type: "uint256" }],
} as const;

/** `transaction`'s fields before the nonce as `getTransactionHash` / `execTransaction` arguments. */
export function safeTransactionArgs(t: SafeTransaction) {
  return [
    t.to,
    t.value,
    t.data,
    t.operation,
    t.safeTxGas,
    t.baseGas,
    t.gasPrice,
    t.gasToken,
    t.refundReceiver,
  ] as const;
}

const UINT256_MAX = (1n << 256n) - 1n;

function checkAddress(argument: string, value: unknown): void {
  if (typeof value !== "string" || !isAddress(value, { strict: false })) {
    throw new InvalidArgumentError(argument, value, "a 20-byte address");
  }
}

function checkUint256(argument: string, value: unknown): void {
  if (typeof value !== "bigint" || value < 0n || value > UINT256_MAX) {
    throw new InvalidArgumentError(argument, value, "a uint256 bigint");
  }
}

function checkOrderHash(orderHash: unknown): void {
  if (typeof orderHash !== "string" || !isHex(orderHash, { strict: true }) || size(orderHash) !== 32) {
    throw new InvalidArgumentError("orderHash", orderHash, "a 32-byte hex string");
  }
}

/**
 * The Safe transaction that approves `orderHash` on chain for the Safe that executes it: a
 * delegatecall (no value, no refund) to `signMessageLib` (Safe 1.4.1's `SignMessageLib`, deployed on
 * the chain) calling `signMessage(orderHash)`. `nonce` is the Safe's current `nonce()`. Throws
 * `InvalidArgumentError` for a malformed address, hash or nonce.
 * @example
 * const tx = safeOrderApprovalTransaction({ signMessageLib, orderHash, nonce });
 * const typed = safeTransactionTypedData(safe, chainId, tx); // each owner signs this
 */
export function safeOrderApprovalTransaction(params: {
  signMessageLib: Address;
  orderHash: OrderHash | Hex;
  nonce: bigint;
}): SafeTransaction {
  checkAddress("signMessageLib", params.signMessageLib);
  checkOrderHash(params.orderHash);
  checkUint256("nonce", params.nonce);
  return {
    to: params.signMessageLib,
    value: 0n,
    // `CompatibilityFallbackHandler.isValidSignature(bytes32,bytes)` checks the message
    // `abi.encode(orderHash)`, which is the 32 bytes of the hash themselves.
    data: encodeFunctionData({
      abi: signMessageLibAbi,
      functionName: "signMessage",
      args: [params.orderHash as Hex],
    }),
    operation: SafeOperation.DelegateCall,
    safeTxGas: 0n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: zeroAddress,
    refundReceiver: zeroAddress,
    nonce: params.nonce,
  };
}

/**
 * The typed data each owner signs to approve `transaction` for the Safe at `safe` on `chainId`
 * (EIP-712 `SafeTx` under the domain `{ chainId, verifyingContract: safe }`). Throws
 * `InvalidArgumentError` for a malformed field.
 */
export function safeTransactionTypedData(
  safe: Address,
  chainId: bigint | number,
  transaction: SafeTransaction,
) {
  checkAddress("safe", safe);
  checkAddress("to", transaction.to);
  checkAddress("gasToken", transaction.gasToken);
  checkAddress("refundReceiver", transaction.refundReceiver);
  for (const key of ["value", "safeTxGas", "baseGas", "gasPrice", "nonce"] as const) {
    checkUint256(key, transaction[key]);
  }
  if (!isHex(transaction.data, { strict: true })) {
    throw new InvalidArgumentError("data", transaction.data, "hex bytes");
  }
  if (transaction.operation !== SafeOperation.Call && transaction.operation !== SafeOperation.DelegateCall) {
    throw new InvalidArgumentError("operation", transaction.operation, "0 (call) or 1 (delegatecall)");
  }
  return {
    domain: { chainId: BigInt(chainId), verifyingContract: safe },
    types: SAFE_TX_TYPES,
    primaryType: "SafeTx" as const,
    message: { ...transaction },
  };
}

/**
 * The Safe transaction hash (what `Safe.getTransactionHash` returns at `transaction.nonce`): the
 * digest each owner signs.
 */
export function safeTransactionHash(
  safe: Address,
  chainId: bigint | number,
  transaction: SafeTransaction,
): Hex {
  return hashTypedData(safeTransactionTypedData(safe, chainId, transaction));
}
