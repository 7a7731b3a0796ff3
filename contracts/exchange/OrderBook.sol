// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IExchange} from "../interfaces/IExchange.sol";
import {Order, OrderLib} from "../libraries/OrderTypes.sol";
import {OrderSignatures} from "./OrderSignatures.sol";

/// @title OrderBook
/// @notice Exchange mixin: per-order fill and cancel state, per-trader minimum nonces, and the checks
/// every order passes before it may fill (flags, size, expiry, nonce, cancellation, signature).
abstract contract OrderBook is OrderSignatures {
    using OrderLib for uint8;

    /// @dev Per order hash: contracts filled and whether it was cancelled. One storage slot, so a fill
    /// and an immediate-or-cancel void cost one write.
    struct OrderState {
        uint128 filled;
        bool cancelled;
    }

    mapping(bytes32 orderHash => OrderState) private _orderStates;
    mapping(address trader => uint256) private _minNonces;

    /// @inheritdoc IExchange
    function cancelOrders(Order[] calldata orders) external {
        uint256 count = orders.length;
        if (count == 0) revert NoOrdersToCancel();
        for (uint256 i = 0; i < count; ++i) {
            Order calldata order = orders[i];
            address trader = order.trader;
            if (msg.sender != trader && !_isDelegate(trader, msg.sender)) revert NotTraderOrDelegate(msg.sender, trader);
            bytes32 orderHash = _hashOrder(order);
            OrderState storage state = _orderStates[orderHash];
            if (state.cancelled) revert OrderAlreadyCancelled(orderHash);
            state.cancelled = true;
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
        return _orderStates[orderHash].filled;
    }

    /// @inheritdoc IExchange
    function isCancelled(bytes32 orderHash) external view returns (bool) {
        return _orderStates[orderHash].cancelled;
    }

    /// @inheritdoc IExchange
    function minNonce(address trader) external view returns (uint256) {
        return _minNonces[trader];
    }

    /// @dev Checks everything about `order` that does not depend on the counterparty (flags, size, expiry,
    /// nonce, cancellation, signature) and returns how much of it is already filled.
    function _validate(Order calldata order, bytes32 orderHash, bytes calldata signature)
        internal
        view
        returns (uint256 filledBefore)
    {
        if (!order.flags.isValidFlags()) revert InvalidFlags(orderHash, order.flags);
        if (order.size == 0) revert ZeroOrderSize(orderHash);
        if (block.timestamp >= order.expiry) revert OrderExpired(orderHash, order.expiry, block.timestamp);
        uint256 traderMinNonce = _minNonces[order.trader];
        if (order.nonce < traderMinNonce) revert OrderNonceBelowMinimum(orderHash, order.nonce, traderMinNonce);
        OrderState memory state = _orderStates[orderHash];
        if (state.cancelled) revert OrderIsCancelled(orderHash);
        _checkSignature(order.trader, orderHash, signature);
        return state.filled;
    }

    /// @dev Records that `orderHash` has now filled `filledAfter` contracts in total. The caller has
    /// checked `filledAfter <= order.size < 2**128`, so the cast is exact.
    function _recordFill(bytes32 orderHash, uint256 filledAfter) internal {
        _orderStates[orderHash].filled = uint128(filledAfter);
    }

    /// @dev Voids what is left of `orderHash` (an immediate-or-cancel taker after its match).
    function _voidRemainder(bytes32 orderHash) internal {
        _orderStates[orderHash].cancelled = true;
    }
}
