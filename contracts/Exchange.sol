// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {IClearinghouseVenue} from "./interfaces/IClearinghouseVenue.sol";
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
/// (fill/cancel state, nonces, order validation); this contract adds trading and the guardian pause.
contract Exchange is OrderBook, AccessManaged, Pausable {
    using OrderLib for Order;
    using OrderLib for uint8;

    /// @dev What `matchOrders` carries from one maker to the next (kept in memory against stack depth).
    struct TakerContext {
        bytes32 orderHash;
        uint256 filledBefore;
        uint256 filledNow;
        bool immediateOrCancel;
        bool paused;
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

    // ----------------------------------------------------------------------------------------------
    // Trading
    // ----------------------------------------------------------------------------------------------

    /// @inheritdoc IExchange
    function fillOrder(Order calldata order, bytes calldata signature, uint256 fillSize)
        external
        returns (bytes32 orderHash)
    {
        orderHash = _hashOrder(order);
        if (order.trader == msg.sender) revert SelfTrade(msg.sender);
        uint256 filledBefore = _validate(order, orderHash, signature);
        if (order.flags & FLAGS_IMMEDIATE != 0) revert ImmediateOrderCannotRest(orderHash);
        if (fillSize == 0) revert ZeroFillSize(orderHash);
        uint256 remaining = order.size - filledBefore;
        if (fillSize > remaining) revert FillExceedsRemaining(orderHash, fillSize, remaining);
        // fillSize <= remaining <= type(uint128).max, so the int256 cast is exact and the sum below fits.
        int256 takerSizeDelta = order.isBuy ? -int256(fillSize) : int256(fillSize);
        if (paused()) {
            if (!order.flags.has(FLAG_REDUCE_ONLY)) revert PausedOrderNotReduceOnly(orderHash);
            int256 position = CLEARINGHOUSE.positionSize(msg.sender, order.marketId);
            if (!_reduces(position, takerSizeDelta)) revert PausedTakerWouldIncrease(msg.sender, position, takerSizeDelta);
        }
        _recordFill(orderHash, filledBefore + fillSize);
        if (order.flags.has(FLAG_REDUCE_ONLY)) _checkReduceOnly(order, orderHash, fillSize);
        CLEARINGHOUSE.trade(order.marketId, order.trader, msg.sender, takerSizeDelta, order.limitPrice);
        emit OrderFilled(
            orderHash, order.trader, msg.sender, bytes32(0), order.marketId, !order.isBuy, fillSize, order.limitPrice
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
        TakerContext memory taker;
        taker.orderHash = _hashOrder(takerOrder);
        taker.filledBefore = _validate(takerOrder, taker.orderHash, takerSignature);
        uint8 takerFlags = takerOrder.flags;
        if (takerFlags.has(FLAG_POST_ONLY)) revert PostOnlyCannotTake(taker.orderHash);
        taker.paused = paused();
        if (taker.paused && !takerFlags.has(FLAG_REDUCE_ONLY)) revert PausedOrderNotReduceOnly(taker.orderHash);
        taker.immediateOrCancel = takerFlags.has(FLAG_IMMEDIATE_OR_CANCEL);

        for (uint256 i = 0; i < count; ++i) {
            _matchOne(takerOrder, taker, makerOrders[i], makerSignatures[i], fillSizes[i]);
        }

        _settleTaker(takerOrder, taker);
        return taker.filledNow;
    }

    /// @dev Applies the taker's fill-or-kill and immediate-or-cancel rules after its makers are filled.
    function _settleTaker(Order calldata takerOrder, TakerContext memory taker) private {
        uint256 takerTotal = taker.filledBefore + taker.filledNow;
        if (takerOrder.flags.has(FLAG_FILL_OR_KILL) && takerTotal != takerOrder.size) {
            revert FillOrKillNotFilled(taker.orderHash, takerTotal, takerOrder.size);
        }
        if (taker.immediateOrCancel) {
            if (taker.filledNow == 0) revert NothingFilled(taker.orderHash);
            _voidRemainder(taker.orderHash);
            emit OrderRemainderVoided(taker.orderHash, takerOrder.trader, takerTotal, takerOrder.size);
        }
    }

    /// @dev Validates one maker against the taker, sizes its fill and books it.
    function _matchOne(
        Order calldata takerOrder,
        TakerContext memory taker,
        Order calldata maker,
        bytes calldata signature,
        uint256 fillSize
    ) private {
        bytes32 makerHash = _hashOrder(maker);
        if (maker.marketId != takerOrder.marketId) revert MarketMismatch(makerHash, takerOrder.marketId, maker.marketId);
        if (maker.isBuy == takerOrder.isBuy) revert SameSide(taker.orderHash, makerHash);
        if (maker.trader == takerOrder.trader) revert SelfTrade(maker.trader);
        if (takerOrder.isBuy ? maker.limitPrice > takerOrder.limitPrice : maker.limitPrice < takerOrder.limitPrice) {
            revert PriceNotCrossing(makerHash, maker.limitPrice, takerOrder.limitPrice);
        }
        uint256 makerFilled = _validate(maker, makerHash, signature);
        if (maker.flags & FLAGS_IMMEDIATE != 0) revert ImmediateOrderCannotRest(makerHash);
        if (taker.paused && !maker.flags.has(FLAG_REDUCE_ONLY)) revert PausedOrderNotReduceOnly(makerHash);
        if (fillSize == 0) revert ZeroFillSize(makerHash);

        uint256 makerRemaining = maker.size - makerFilled;
        uint256 takerRemaining = takerOrder.size - taker.filledBefore - taker.filledNow;
        if (taker.immediateOrCancel) {
            // Immediate-or-cancel fills what it can: never more than either side has left.
            if (fillSize > makerRemaining) fillSize = makerRemaining;
            if (fillSize > takerRemaining) fillSize = takerRemaining;
            if (fillSize == 0) return;
        } else {
            if (fillSize > makerRemaining) revert FillExceedsRemaining(makerHash, fillSize, makerRemaining);
            if (fillSize > takerRemaining) revert FillExceedsRemaining(taker.orderHash, fillSize, takerRemaining);
        }
        _bookMatch(takerOrder, taker, maker, makerHash, makerFilled + fillSize, fillSize);
    }

    /// @dev Records a sized, validated maker fill, checks reduce-only sides and books the trade.
    function _bookMatch(
        Order calldata takerOrder,
        TakerContext memory taker,
        Order calldata maker,
        bytes32 makerHash,
        uint256 makerFilledAfter,
        uint256 fillSize
    ) private {
        // fillSize is bounded by both orders' remaining sizes (each < 2**128), so the filled totals fit
        // in uint128 and the int256 cast is exact.
        _recordFill(makerHash, makerFilledAfter);
        taker.filledNow += fillSize;
        _recordFill(taker.orderHash, taker.filledBefore + taker.filledNow);

        if (maker.flags.has(FLAG_REDUCE_ONLY)) _checkReduceOnly(maker, makerHash, fillSize);
        if (takerOrder.flags.has(FLAG_REDUCE_ONLY)) _checkReduceOnly(takerOrder, taker.orderHash, fillSize);
        bool takerIsBuy = takerOrder.isBuy;
        CLEARINGHOUSE.trade(
            maker.marketId,
            maker.trader,
            takerOrder.trader,
            takerIsBuy ? int256(fillSize) : -int256(fillSize),
            maker.limitPrice
        );
        emit OrderFilled(
            makerHash,
            maker.trader,
            takerOrder.trader,
            taker.orderHash,
            maker.marketId,
            takerIsBuy,
            fillSize,
            maker.limitPrice
        );
    }

    // ----------------------------------------------------------------------------------------------
    // Pause and views
    // ----------------------------------------------------------------------------------------------

    /// @inheritdoc IExchange
    function pause() external restricted {
        _pause();
    }

    /// @inheritdoc IExchange
    function unpause() external restricted {
        _unpause();
    }

    /// @inheritdoc IExchange
    function clearinghouse() external view returns (IClearinghouseVenue) {
        return CLEARINGHOUSE;
    }

    // ----------------------------------------------------------------------------------------------
    // Internals
    // ----------------------------------------------------------------------------------------------

    /// @dev Reverts unless filling `fillSize` of the reduce-only `order` moves its trader's live position
    /// towards zero without crossing it.
    function _checkReduceOnly(Order calldata order, bytes32 orderHash, uint256 fillSize) private view {
        int256 position = CLEARINGHOUSE.positionSize(order.trader, order.marketId);
        // fillSize <= order.size < 2**128: the cast is exact.
        int256 sizeDelta = order.isBuy ? int256(fillSize) : -int256(fillSize);
        if (!_reduces(position, sizeDelta)) revert ReduceOnlyWouldIncrease(orderHash, position, sizeDelta);
    }

    /// @dev Whether adding `sizeDelta` to `position` moves it towards zero without crossing it.
    function _reduces(int256 position, int256 sizeDelta) private pure returns (bool) {
        if (sizeDelta > 0) return position < 0 && SignedMath.abs(sizeDelta) <= SignedMath.abs(position);
        if (sizeDelta < 0) return position > 0 && SignedMath.abs(sizeDelta) <= SignedMath.abs(position);
        return false;
    }
}
