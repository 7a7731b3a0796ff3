// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice A signed limit order. Signed as EIP-712 typed data under the Exchange's domain
/// (name, version, chainId, verifyingContract), so it is valid on one chain and one deployment only.
/// @param trader The account whose position changes (an EOA or an EIP-1271 contract wallet).
/// @param marketId The Clearinghouse market (dated series) the order trades.
/// @param isBuy True to buy (go longer), false to sell (go shorter).
/// @param size The most contracts the order may ever fill, across all its partial fills.
/// @param limitPrice 18-decimal price: the highest a buy pays, the lowest a sell accepts. A resting
/// (maker) order always trades at exactly this price.
/// @param expiry Unix time (seconds) from which the order no longer fills (good-til-time).
/// @param nonce Orders with a nonce below the trader's `minNonce` are void (see `cancelUpTo`).
/// @param salt Free entropy so that otherwise identical orders get distinct hashes.
/// @param flags Bit set of `FLAG_*` constants below.
// field order is the signed EIP-712 type; only ever in calldata
// solhint-disable-next-line gas-struct-packing
struct Order {
    address trader;
    bytes32 marketId;
    bool isBuy;
    uint128 size;
    uint256 limitPrice;
    uint256 expiry;
    uint256 nonce;
    uint256 salt;
    uint8 flags;
}

/// @dev The EIP-712 type hash of `Order`; the field list must match the struct above exactly.
// the EIP-712 type string is what it is; hashed at compile time
// solhint-disable-next-line gas-small-strings
bytes32 constant ORDER_TYPEHASH = keccak256(
    "Order(address trader,bytes32 marketId,bool isBuy,uint128 size,uint256 limitPrice,uint256 expiry,uint256 nonce,"
    "uint256 salt,uint8 flags)"
);

/// @dev The order may only reduce the trader's position (never increase it, never flip its sign).
uint8 constant FLAG_REDUCE_ONLY = 1;
/// @dev The order may only rest (be a maker); it can never be the taker of a match.
uint8 constant FLAG_POST_ONLY = 2;
/// @dev Immediate-or-cancel: a taker-only order; fills what it can in one match, the remainder is void.
uint8 constant FLAG_IMMEDIATE_OR_CANCEL = 4;
/// @dev Fill-or-kill: a taker-only order; fills its whole size in one match or the match reverts.
uint8 constant FLAG_FILL_OR_KILL = 8;
/// @dev Every flag bit the Exchange understands; any other bit makes an order invalid.
uint8 constant FLAGS_KNOWN = FLAG_REDUCE_ONLY | FLAG_POST_ONLY | FLAG_IMMEDIATE_OR_CANCEL | FLAG_FILL_OR_KILL;
/// @dev Flags that make an order taker-only.
uint8 constant FLAGS_IMMEDIATE = FLAG_IMMEDIATE_OR_CANCEL | FLAG_FILL_OR_KILL;

/// @title OrderLib
/// @notice EIP-712 struct hashing and flag queries for `Order`.
library OrderLib {
    /// @notice The EIP-712 `hashStruct` of `order` (not yet bound to a domain).
    /// @dev Every field of `Order` is a static 32-byte word when ABI encoded, so the type hash followed by
    /// the order's nine calldata words is exactly EIP-712's `encodeData`, i.e.
    /// `keccak256(abi.encode(ORDER_TYPEHASH, order))`, computed here without the memory copy and
    /// per-field re-encoding. Dirty high bits in a field would give a hash no honest signer produced,
    /// and every field the Exchange acts on is read (and so validated) through the calldata struct.
    function structHash(Order calldata order) internal pure returns (bytes32 result) {
        bytes32 typeHash = ORDER_TYPEHASH;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            calldatacopy(add(ptr, 0x20), order, 0x120)
            result := keccak256(ptr, 0x140)
        }
    }

    /// @notice Whether `flags` holds the `flag` bit.
    function has(uint8 flags, uint8 flag) internal pure returns (bool) {
        return flags & flag != 0;
    }

    /// @notice Whether `flags` is a valid combination: only known bits, at most one of
    /// immediate-or-cancel and fill-or-kill, and post-only never with either of them.
    function isValidFlags(uint8 flags) internal pure returns (bool) {
        if (flags & ~FLAGS_KNOWN != 0) return false;
        uint8 immediate = flags & FLAGS_IMMEDIATE;
        if (immediate == FLAGS_IMMEDIATE) return false;
        return !(immediate != 0 && flags & FLAG_POST_ONLY != 0);
    }
}
