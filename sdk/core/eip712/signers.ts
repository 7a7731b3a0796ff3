/**
 * The shapes of the signers the SDK signs typed data with, described structurally so the core depends
 * on neither ethers nor a viem client: anything with a matching `signTypedData` works.
 */
import type { Address, Hex, TypedDataDomain } from "viem";

/** One field of an EIP-712 struct type. */
export interface TypedDataFieldShape {
  readonly name: string;
  readonly type: string;
}

/**
 * Signs typed data the ethers v6 way, `signTypedData(domain, types, value)`: an ethers `Wallet`, a
 * `JsonRpcSigner`, Hardhat's `HardhatEthersSigner`.
 */
export interface EthersTypedDataSigner {
  signTypedData(
    domain: { name: string; version: string; chainId: bigint; verifyingContract: string },
    types: Record<string, TypedDataFieldShape[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

/**
 * Signs typed data the viem way, `signTypedData({ domain, types, primaryType, message })`: a local
 * account (`privateKeyToAccount`) or a wallet client (pass `account` when it has none hoisted).
 */
export interface ViemSigner<TTypes, TPrimaryType extends string, TMessage> {
  signTypedData(args: {
    account?: Address;
    domain: TypedDataDomain;
    types: TTypes;
    primaryType: TPrimaryType;
    message: TMessage;
  }): Promise<Hex>;
}

/**
 * Mutable copies of `as const` EIP-712 types, which ethers' `signTypedData` wants.
 * @example await wallet.signTypedData(domain, mutableTypes(ORDER_TYPES), order)
 */
export function mutableTypes<T extends Record<string, readonly TypedDataFieldShape[]>>(
  types: T,
): Record<string, TypedDataFieldShape[]> {
  return Object.fromEntries(Object.entries(types).map(([k, fields]) => [k, fields.map((f) => ({ ...f }))]));
}
