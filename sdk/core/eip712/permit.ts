/**
 * EIP-2612 `permit` typed data for the collateral token: the `Permit` types, the message the Clearinghouse's
 * `depositWithPermit` expects (`spender` = the Clearinghouse, `value` = the deposit) and a check that a domain
 * matches the token's `DOMAIN_SEPARATOR()`. Pure (no network).
 */
import { domainSeparator, type Address, type Hex, type TypedDataDomain } from "viem";

/** The EIP-712 types of an EIP-2612 permit. */
export const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** An EIP-2612 permit message. */
export interface PermitMessage {
  owner: Address;
  spender: Address;
  value: bigint;
  nonce: bigint;
  deadline: bigint;
}

/** The full typed data of a permit, ready for `signTypedData` (viem) or `TypedDataEncoder` (ethers). */
export function permitTypedData(domain: TypedDataDomain, message: PermitMessage) {
  return { domain, types: PERMIT_TYPES, primaryType: "Permit" as const, message };
}

/** Whether `domain` hashes to the token's `DOMAIN_SEPARATOR()` (so a permit signed over it will verify). */
export function domainMatchesSeparator(domain: TypedDataDomain, separator: Hex): boolean {
  return domainSeparator({ domain }) === separator;
}
