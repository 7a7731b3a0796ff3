/**
 * The order digest as `Exchange.hashOrder` computes it (the SDK's `hashOrder`), with the domain separator
 * and type hash computed once: two keccak-256 over fixed-size words per order instead of a typed-data walk
 * (about ten times faster; the relay hashes every order it is sent). Tests check it against `hashOrder`.
 */
import { domainSeparator, hexToBytes, keccak256, toBytes, type Hex, type TypedDataDomain } from "viem";

import type { ExchangeDomain, Order } from "../../sdk/core/eip712/orders.js";

const ORDER_TYPE =
  "Order(address trader,bytes32 marketId,bool isBuy,uint128 size,uint256 limitPrice,uint256 expiry,uint256 nonce,uint256 salt,uint8 flags)";
const TYPE_HASH = keccak256(toBytes(ORDER_TYPE), "bytes");

/** `value` as a 32-byte big-endian word at `offset` of `out`. */
function putWord(out: Uint8Array, offset: number, value: bigint): void {
  let v = value;
  for (let i = 31; i >= 0 && v > 0n; i--) {
    out[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** A hasher for orders of one Exchange (`domain`). */
export function orderHasher(domain: ExchangeDomain): (order: Order) => Hex {
  const separator = hexToBytes(domainSeparator({ domain: domain as TypedDataDomain }));
  return (order) => {
    // typeHash ‖ trader ‖ marketId ‖ isBuy ‖ size ‖ limitPrice ‖ expiry ‖ nonce ‖ salt ‖ flags
    const struct = new Uint8Array(32 * 10);
    struct.set(TYPE_HASH, 0);
    // validated hex (the schema): Buffer's native decoding
    struct.set(Buffer.from(order.trader.slice(2), "hex"), 32 + 12);
    struct.set(Buffer.from(order.marketId.slice(2), "hex"), 64);
    struct[96 + 31] = order.isBuy ? 1 : 0;
    putWord(struct, 128, order.size);
    putWord(struct, 160, order.limitPrice);
    putWord(struct, 192, order.expiry);
    putWord(struct, 224, order.nonce);
    putWord(struct, 256, order.salt);
    struct[288 + 31] = order.flags & 0xff;
    const digest = new Uint8Array(2 + 32 + 32);
    digest[0] = 0x19;
    digest[1] = 0x01;
    digest.set(separator, 2);
    digest.set(keccak256(struct, "bytes"), 34);
    return keccak256(digest);
  };
}
