// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IExchange} from "../interfaces/IExchange.sol";
import {Order, OrderLib} from "../libraries/OrderTypes.sol";
import {OrderSignatures} from "./OrderSignatures.sol";

/// @title OrderBook
/// @notice Exchange mixin: per-trader unordered nonces (a nonce names one order), partial-fill amounts of
/// incomplete orders, per-trader minimum nonces, and the checks every order passes before it may fill
/// (flags, size, expiry, nonce, signature).
/// @dev Nonce state is two bits per nonce, 128 nonces per word: `USED` (the nonce is spent: an order with
/// it completed, was cancelled or voided) and `PARTIAL` (some order with this nonce was partly filled, so
/// `_filled[orderHash]` may be non-zero). A fresh order filled completely in one call therefore reads and
/// writes only its trader's nonce word (an already-touched word costs about 5,000 gas instead of a fresh
/// 22,100-gas slot per order) and never reads `_filled`.
abstract contract OrderBook is OrderSignatures {
    using OrderLib for uint8;

    /// @dev The `USED` bit of a nonce's pair; `PARTIAL` is the bit above it.
    uint256 internal constant NONCE_USED = 1;
    uint256 internal constant NONCE_PARTIAL = 2;

    mapping(address trader => mapping(uint256 word => uint256 bits)) private _nonceWords;
    mapping(bytes32 orderHash => uint256) private _filled;
    mapping(address trader => uint256) private _minNonces;

    /// @dev What `_validate` learnt about an order's state, handed to `_recordFill`.
    struct OrderState {
        bytes32 orderHash;
        uint256 filledBefore;
        uint256 word;
        uint256 shift;
        uint256 bits;
    }

    /// @inheritdoc IExchange
    function cancelOrders(Order[] calldata orders) external {
        uint256 count = orders.length;
        if (count == 0) revert NoOrdersToCancel();
        for (uint256 i = 0; i < count; ++i) {
            Order calldata order = orders[i];
            address trader = order.trader;
            if (msg.sender != trader && !_isDelegate(trader, msg.sender)) revert NotTraderOrDelegate(msg.sender, trader);
            bytes32 orderHash = _hashOrder(order);
            uint256 nonce = order.nonce;
            (uint256 word, uint256 shift) = _noncePosition(nonce);
            uint256 bits = _nonceWords[trader][word];
            if ((bits >> shift) & NONCE_USED != 0) revert OrderNonceUsed(orderHash, trader, nonce);
            _nonceWords[trader][word] = bits | (NONCE_USED << shift);
            emit OrderCancelled(orderHash, trader, msg.sender);
        }
    }

    /// @inheritdoc IExchange
    function cancelUpTo(uint256 newMinNonce) external {
        uint256 current = _minNonces[msg.sender];
        if (newMinNonce <= current) revert NonceNotIncreasing(current, newMinNonce);
        _minNonces[msg.sender] = newMinNonce;
        emit MinNonceRaised(msg.sender, newMinNonce);
    }

    /// @inheritdoc IExchange
    function filled(bytes32 orderHash) external view returns (uint256) {
        return _filled[orderHash];
    }

    /// @inheritdoc IExchange
    function isNonceUsed(address trader, uint256 nonce) external view returns (bool) {
        return _isNonceUsed(trader, nonce);
    }

    /// @inheritdoc IExchange
    function remaining(Order calldata order) external view returns (uint256) {
        if (order.nonce < _minNonces[order.trader]) return 0;
        (uint256 word, uint256 shift) = _noncePosition(order.nonce);
        uint256 pair = _nonceWords[order.trader][word] >> shift;
        if (pair & NONCE_USED != 0) return 0;
        if (pair & NONCE_PARTIAL == 0) return order.size;
        uint256 done = _filled[_hashOrder(order)];
        return done < order.size ? order.size - done : 0;
    }

    /// @inheritdoc IExchange
    function minNonce(address trader) external view returns (uint256) {
        return _minNonces[trader];
    }

    /// @dev Checks everything about `order` that does not depend on the counterparty (flags, size, expiry,
    /// minimum nonce, used nonce, signature) and writes its state into `state` (every field, so a match reuses
    /// one struct for all its makers), including how much of it is already filled.
    function _validate(Order calldata order, bytes32 orderHash, bytes calldata signature, OrderState memory state)
        internal
        view
    {
        if (!order.flags.isValidFlags()) revert InvalidFlags(orderHash, order.flags);
        if (order.size == 0) revert ZeroOrderSize(orderHash);
        if (block.timestamp >= order.expiry) revert OrderExpired(orderHash, order.expiry, block.timestamp);
        address trader = order.trader;
        uint256 nonce = order.nonce;
        uint256 traderMinNonce = _minNonces[trader];
        if (nonce < traderMinNonce) revert OrderNonceBelowMinimum(orderHash, nonce, traderMinNonce);
        state.orderHash = orderHash;
        (state.word, state.shift) = _noncePosition(nonce);
        state.bits = _nonceWords[trader][state.word];
        uint256 pair = state.bits >> state.shift;
        if (pair & NONCE_USED != 0) revert OrderNonceUsed(orderHash, trader, nonce);
        state.filledBefore = pair & NONCE_PARTIAL != 0 ? _filled[orderHash] : 0;
        _checkSignature(trader, orderHash, signature);
    }

    /// @dev Records that `order` has now filled `filledAfter` contracts in total: a complete order (or one
    /// whose remainder is voided, `spend`) uses up its nonce and releases its partial-fill slot; an
    /// incomplete one keeps its amount in `_filled` and marks its nonce `PARTIAL`. The caller has checked
    /// `filledAfter <= order.size < 2**128`.
    function _recordFill(Order calldata order, OrderState memory state, uint256 filledAfter, bool spend) internal {
        address trader = order.trader;
        if (spend || filledAfter == order.size) {
            _nonceWords[trader][state.word] = state.bits | (NONCE_USED << state.shift);
            if (state.filledBefore != 0) delete _filled[state.orderHash];
        } else {
            uint256 partialBit = NONCE_PARTIAL << state.shift;
            if (state.bits & partialBit == 0) _nonceWords[trader][state.word] = state.bits | partialBit;
            _filled[state.orderHash] = filledAfter;
        }
    }

    /// @dev Whether `trader`'s `nonce` is used up.
    function _isNonceUsed(address trader, uint256 nonce) internal view returns (bool) {
        (uint256 word, uint256 shift) = _noncePosition(nonce);
        return (_nonceWords[trader][word] >> shift) & NONCE_USED != 0;
    }

    /// @dev The word of `nonce`'s bit pair in its trader's nonce map and the pair's offset in it.
    function _noncePosition(uint256 nonce) internal pure returns (uint256 word, uint256 shift) {
        return (nonce >> 7, (nonce & 127) << 1);
    }
}
