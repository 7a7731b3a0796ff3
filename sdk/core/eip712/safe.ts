/**
 * Signing orders as a Safe (EIP-1271). The Exchange asks the Safe `isValidSignature(orderHash, sig)`;
 * a Safe 1.4.1 answers through its `CompatibilityFallbackHandler`, which checks `sig` as the owners'
 * signatures of the Safe's own message hash of the order hash: EIP-712 `SafeMessage(bytes message)`
 * with `message = orderHash` under the domain `{ chainId, verifyingContract: safe }`, at least
 * `threshold` owner signatures concatenated in ascending owner-address order.
 *
 * (A Safe can also approve the message on chain through `SignMessageLib` and pass an empty signature;
 * that route needs a Safe transaction and has no helper here.)
 */
import { concat, hashTypedData, isAddress, isHex, size, type Address, type Hex } from "viem";

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
