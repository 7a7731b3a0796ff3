import type { Account, Address, Chain, Client, Hex, Transport, BaseError } from "viem";
import { getChainId, signTypedData } from "viem/actions";

import { exchangeDomain, hashOrder, ORDER_TYPES, type Order } from "../../core/eip712/orders.js";
import { InvalidArgumentError } from "../../core/errors/SdkError.js";
import type { OrderHash } from "../../core/ids.js";

/** Parameters of `signOrder`. */
export interface SignOrderParameters {
  /** The Exchange (the EIP-712 verifying contract). */
  address: Address;
  order: Order;
  /** The signing account when the client has none hoisted (a delegate may sign for the trader). */
  account?: Account | Address;
}

/** The order with its signature and hash, ready for `fillOrder` / `matchOrders` or a relay. */
export interface SignOrderReturnType {
  order: Order;
  signature: Hex;
  orderHash: OrderHash;
}

/**
 * What `signOrder` throws: `InvalidArgumentError` when there is no account to sign with, else viem's errors
 * (signing, chain id); nothing is sent.
 */
export type SignOrderErrorType = InvalidArgumentError | BaseError;

/**
 * Signs an order with the client's account under the Exchange's EIP-712 domain (chain id from the
 * client's chain, or asked from the node). Nothing is sent.
 * @example
 * const signed = await signOrder(walletClient, { address: book.exchange, order: buildOrder({ … }, now) });
 */
export async function signOrder(
  client: Client<Transport, Chain | undefined, Account | undefined>,
  params: SignOrderParameters,
): Promise<SignOrderReturnType> {
  const chainId = client.chain?.id ?? (await getChainId(client));
  const domain = exchangeDomain(chainId, params.address);
  const account = params.account ?? client.account;
  if (account === undefined)
    throw new InvalidArgumentError("account", undefined, "an account (the client has none)");
  const signature = await signTypedData(client, {
    account,
    domain,
    types: ORDER_TYPES,
    primaryType: "Order",
    message: params.order,
  });
  return { order: params.order, signature, orderHash: hashOrder(domain, params.order) };
}
