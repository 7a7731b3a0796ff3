// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";

import {IClearinghouseVenue, VenueFill} from "./interfaces/IClearinghouseVenue.sol";
import {IExchange} from "./interfaces/IExchange.sol";
import {OrderBook} from "./exchange/OrderBook.sol";
import {
    FLAG_FILL_OR_KILL,
    FLAG_IMMEDIATE_OR_CANCEL,
    FLAG_POST_ONLY,
    FLAG_REDUCE_ONLY,
    FLAGS_IMMEDIATE,
    Order,
    OrderLib
} from "./libraries/OrderTypes.sol";

/// @title Exchange
/// @notice EIP-712 signed limit orders for the futures Clearinghouse: fills, matches, cancels, nonces
/// and delegated signers. See `IExchange` for the rules.
/// @dev Assembled from mixins: `OrderSignatures` (hashing, delegates, signature checks) and `OrderBook`
/// (nonce and fill state, order validation); this contract adds trading. It has no pause of its own: the
/// Clearinghouse's market and global pauses already stop every risk-increasing trade (and let reduce-only
/// trades through), and `setVenue(exchange, false)` stops the venue outright. `AccessManaged` stays so the
/// deployment binds the Exchange to the protocol's AccessManager (`authority()`), with no restricted
/// function today.
contract Exchange is OrderBook, AccessManaged {
    using OrderLib for Order;
    using OrderLib for uint8;

    /// @dev What `matchOrders` carries from one maker to the next (kept in memory against stack depth).
    struct TakerContext {
        OrderState state;
        // each maker's state in turn (one allocation for the whole match)
        OrderState makerState;
        uint256 filledNow;
        bool immediateOrCancel;
        bool reduceOnly;
        int256 startPosition;
        VenueFill[] fills;
        uint256 booked;
    }

    /// @notice EIP-712 domain name.
    string public constant NAME = "AI Token Futures Exchange";
    /// @notice EIP-712 domain version.
    string public constant VERSION = "1";

    IClearinghouseVenue private immutable CLEARINGHOUSE;

    constructor(IClearinghouseVenue clearinghouse_, address initialAuthority)
        EIP712(NAME, VERSION)
        AccessManaged(initialAuthority)
    {
        if (address(clearinghouse_) == address(0)) revert ZeroClearinghouse();
        CLEARINGHOUSE = clearinghouse_;
    }

    // ------------------------------------------------------------------ trading

    /// @inheritdoc IExchange
    function fillOrder(Order calldata order, bytes calldata signature, uint256 fillSize)
        external
        returns (bytes32 orderHash)
    {
        orderHash = _hashOrder(order);
        if (order.trader == msg.sender) revert SelfTrade(msg.sender);
        OrderState memory state;
        _validate(order, orderHash, signature, state);
        if (order.flags & FLAGS_IMMEDIATE != 0) revert ImmediateOrderCannotRest(orderHash);
        if (fillSize == 0) revert ZeroFillSize(orderHash);
        uint256 left = order.size - state.filledBefore;
        if (fillSize > left) revert FillExceedsRemaining(orderHash, fillSize, left);
        _recordFill(order, state, state.filledBefore + fillSize, false);
        // fillSize <= left <= type(uint128).max: the int256 cast is exact.
        if (order.flags.has(FLAG_REDUCE_ONLY)) {
            _checkReduceOnly(order, orderHash, CLEARINGHOUSE.positionSize(order.trader, order.marketId), fillSize);
        }
        // The Clearinghouse's `Traded` is the fill's one event: it carries the order hash.
        CLEARINGHOUSE.trade(
            order.marketId,
            order.trader,
            msg.sender,
            order.isBuy ? -int256(fillSize) : int256(fillSize),
            order.limitPrice,
            orderHash
        );
    }

    /// @inheritdoc IExchange
    function matchOrders(
        Order calldata takerOrder,
        bytes calldata takerSignature,
        Order[] calldata makerOrders,
        bytes[] calldata makerSignatures,
        uint256[] calldata fillSizes
    ) external returns (uint256) {
        uint256 count = makerOrders.length;
        if (count == 0) revert NoMakerOrders();
        if (makerSignatures.length != count || fillSizes.length != count) {
            revert LengthMismatch(count, makerSignatures.length, fillSizes.length);
        }
        TakerContext memory taker = _openTaker(takerOrder, takerSignature);
        taker.fills = new VenueFill[](count);
        for (uint256 i = 0; i < count; ++i) {
            _matchOne(takerOrder, taker, makerOrders[i], makerSignatures[i], fillSizes[i]);
        }
        _settleTaker(takerOrder, taker);
        _bookBatch(takerOrder, taker);
        return taker.filledNow;
    }

    /// @dev Books every sized fill of the match in one Clearinghouse call.
    function _bookBatch(Order calldata takerOrder, TakerContext memory taker) private {
        VenueFill[] memory fills = taker.fills;
        uint256 booked = taker.booked;
        // Makers with nothing left (immediate-or-cancel clipping) were skipped: drop the unused tail.
        assembly ("memory-safe") {
            mstore(fills, booked)
        }
        CLEARINGHOUSE.tradeBatch(takerOrder.marketId, takerOrder.trader, taker.state.orderHash, fills);
    }

    /// @dev Validates the taker order and sets up the match's running state.
    function _openTaker(Order calldata takerOrder, bytes calldata takerSignature)
        private
        view
        returns (TakerContext memory taker)
    {
        bytes32 takerHash = _hashOrder(takerOrder);
        _validate(takerOrder, takerHash, takerSignature, taker.state);
        uint8 takerFlags = takerOrder.flags;
        if (takerFlags.has(FLAG_POST_ONLY)) revert PostOnlyCannotTake(takerHash);
        taker.immediateOrCancel = takerFlags.has(FLAG_IMMEDIATE_OR_CANCEL);
        taker.reduceOnly = takerFlags.has(FLAG_REDUCE_ONLY);
        if (taker.reduceOnly) taker.startPosition = CLEARINGHOUSE.positionSize(takerOrder.trader, takerOrder.marketId);
    }

    /// @dev Applies the taker's fill-or-kill and immediate-or-cancel rules after its makers are sized, and
    /// records the taker's fill once.
    function _settleTaker(Order calldata takerOrder, TakerContext memory taker) private {
        bytes32 takerHash = taker.state.orderHash;
        uint256 takerTotal = taker.state.filledBefore + taker.filledNow;
        if (takerOrder.flags.has(FLAG_FILL_OR_KILL) && takerTotal != takerOrder.size) {
            revert FillOrKillNotFilled(takerHash, takerTotal, takerOrder.size);
        }
        if (taker.immediateOrCancel && taker.filledNow == 0) revert NothingFilled(takerHash);
        // filledNow > 0 unless every fill was zero, which `ZeroFillSize` (or the IOC check above) rejects.
        _recordFill(takerOrder, taker.state, takerTotal, taker.immediateOrCancel);
        if (taker.immediateOrCancel) {
            emit OrderRemainderVoided(takerHash, takerOrder.trader, takerTotal, takerOrder.size);
        }
    }

    /// @dev Validates one maker against the taker, sizes its fill, records it, and appends it to the batch
    /// (an immediate-or-cancel taker skips a maker with nothing left).
    function _matchOne(
        Order calldata takerOrder,
        TakerContext memory taker,
        Order calldata maker,
        bytes calldata signature,
        uint256 fillSize
    ) private {
        bytes32 makerHash = _hashOrder(maker);
        bytes32 takerHash = taker.state.orderHash;
        if (maker.marketId != takerOrder.marketId) revert MarketMismatch(makerHash, takerOrder.marketId, maker.marketId);
        if (maker.isBuy == takerOrder.isBuy) revert SameSide(takerHash, makerHash);
        if (maker.trader == takerOrder.trader) revert SelfTrade(maker.trader);
        if (takerOrder.isBuy ? maker.limitPrice > takerOrder.limitPrice : maker.limitPrice < takerOrder.limitPrice) {
            revert PriceNotCrossing(makerHash, maker.limitPrice, takerOrder.limitPrice);
        }
        // An immediate-or-cancel taker skips makers with nothing left, including those whose nonce is used.
        if (taker.immediateOrCancel && _isNonceUsed(maker.trader, maker.nonce)) return;
        OrderState memory state = taker.makerState;
        _validate(maker, makerHash, signature, state);
        if (maker.flags & FLAGS_IMMEDIATE != 0) revert ImmediateOrderCannotRest(makerHash);
        if (fillSize == 0) revert ZeroFillSize(makerHash);

        uint256 makerLeft = maker.size - state.filledBefore;
        uint256 takerLeft = takerOrder.size - taker.state.filledBefore - taker.filledNow;
        if (taker.immediateOrCancel) {
            // Immediate-or-cancel fills what it can: never more than either side has left.
            if (fillSize > makerLeft) fillSize = makerLeft;
            if (fillSize > takerLeft) fillSize = takerLeft;
            if (fillSize == 0) return;
        } else {
            if (fillSize > makerLeft) revert FillExceedsRemaining(makerHash, fillSize, makerLeft);
            if (fillSize > takerLeft) revert FillExceedsRemaining(takerHash, fillSize, takerLeft);
        }
        _bookMaker(takerOrder, taker, maker, state, fillSize);
    }

    /// @dev Records a sized maker fill, checks reduce-only sides and appends the fill, with its order hash, to
    /// the batch (the Clearinghouse's `Traded` announces it).
    function _bookMaker(
        Order calldata takerOrder,
        TakerContext memory taker,
        Order calldata maker,
        OrderState memory state,
        uint256 fillSize
    ) private {
        bytes32 makerHash = state.orderHash;
        _recordFill(maker, state, state.filledBefore + fillSize, false);
        _checkMatchReduceOnly(takerOrder, taker, maker, makerHash, fillSize);
        // fillSize is bounded by both orders' remaining sizes (each < 2**128): the int256 casts are exact.
        // Written into the array's own element (`new VenueFill[]` allocated it): no second allocation per maker.
        VenueFill memory fill = taker.fills[taker.booked];
        (fill.maker, fill.takerSizeDelta, fill.price, fill.makerOrderHash) = (
            maker.trader,
            takerOrder.isBuy ? int256(fillSize) : -int256(fillSize),
            maker.limitPrice,
            makerHash
        );
        ++taker.booked;
        taker.filledNow += fillSize;
    }

    /// @dev Reduce-only checks of one match fill. The batch is booked only after every maker is sized, so
    /// the live position of each side is its Clearinghouse position plus this match's earlier fills.
    function _checkMatchReduceOnly(
        Order calldata takerOrder,
        TakerContext memory taker,
        Order calldata maker,
        bytes32 makerHash,
        uint256 fillSize
    ) private view {
        if (maker.flags.has(FLAG_REDUCE_ONLY)) {
            int256 position = CLEARINGHOUSE.positionSize(maker.trader, maker.marketId);
            for (uint256 j = 0; j < taker.booked; ++j) {
                VenueFill memory earlier = taker.fills[j];
                if (earlier.maker == maker.trader) position -= earlier.takerSizeDelta;
            }
            _checkReduceOnly(maker, makerHash, position, fillSize);
        }
        if (taker.reduceOnly) {
            // Every earlier fill moved the taker the same way; filledNow < 2**128, so the cast is exact.
            int256 sofar = takerOrder.isBuy ? int256(taker.filledNow) : -int256(taker.filledNow);
            _checkReduceOnly(takerOrder, taker.state.orderHash, taker.startPosition + sofar, fillSize);
        }
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IExchange
    function clearinghouse() external view returns (IClearinghouseVenue) {
        return CLEARINGHOUSE;
    }

    // ------------------------------------------------------------------ internals

    /// @dev Reverts unless filling `fillSize` of the reduce-only `order` moves its trader's live `position`
    /// towards zero without crossing it.
    function _checkReduceOnly(Order calldata order, bytes32 orderHash, int256 position, uint256 fillSize)
        private
        pure
    {
        // fillSize <= order.size < 2**128: the cast is exact.
        int256 sizeDelta = order.isBuy ? int256(fillSize) : -int256(fillSize);
        if (!_reduces(position, sizeDelta)) revert ReduceOnlyWouldIncrease(orderHash, position, sizeDelta);
    }

    /// @dev Whether adding `sizeDelta` to `position` moves it towards zero without crossing it.
    function _reduces(int256 position, int256 sizeDelta) private pure returns (bool) {
        if (sizeDelta > 0) return position < 0 && SignedMath.abs(sizeDelta) <= SignedMath.abs(position);
        // sizeDelta < 0: a fill's size is never zero.
        return position > 0 && SignedMath.abs(sizeDelta) <= SignedMath.abs(position);
    }
}
