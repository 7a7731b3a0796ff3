// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {IClearinghouseVenue} from "./interfaces/IClearinghouseVenue.sol";
import {IExchange} from "./interfaces/IExchange.sol";
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
contract Exchange is IExchange, EIP712, AccessManaged, Pausable {
    using OrderLib for Order;
    using OrderLib for uint8;

    /// @dev Per order hash: contracts filled and whether it was cancelled. One storage slot, so a fill
    /// and an immediate-or-cancel void cost one write.
    struct OrderState {
        uint128 filled;
        bool cancelled;
    }

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

    mapping(bytes32 orderHash => OrderState) private _orderStates;
    mapping(address trader => uint256) private _minNonces;
    mapping(address trader => mapping(address delegate => bool)) private _delegates;

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
        orderHash = _hashTypedDataV4(order.structHash());
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
        _orderStates[orderHash].filled = uint128(filledBefore + fillSize);
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
        taker.orderHash = _hashTypedDataV4(takerOrder.structHash());
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
            _orderStates[taker.orderHash].cancelled = true;
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
        bytes32 makerHash = _hashTypedDataV4(maker.structHash());
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
        _orderStates[makerHash].filled = uint128(makerFilledAfter);
        taker.filledNow += fillSize;
        _orderStates[taker.orderHash].filled = uint128(taker.filledBefore + taker.filledNow);

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
    // Cancels, nonces, delegates, pause
    // ----------------------------------------------------------------------------------------------

    /// @inheritdoc IExchange
    function cancelOrders(Order[] calldata orders) external {
        uint256 count = orders.length;
        if (count == 0) revert NoOrdersToCancel();
        for (uint256 i = 0; i < count; ++i) {
            Order calldata order = orders[i];
            address trader = order.trader;
            if (msg.sender != trader && !_delegates[trader][msg.sender]) revert NotTraderOrDelegate(msg.sender, trader);
            bytes32 orderHash = _hashTypedDataV4(order.structHash());
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
    function setDelegate(address delegate, bool approved) external {
        if (delegate == address(0) || delegate == msg.sender) revert InvalidDelegate(delegate);
        _delegates[msg.sender][delegate] = approved;
        emit DelegateSet(msg.sender, delegate, approved);
    }

    /// @inheritdoc IExchange
    function pause() external restricted {
        _pause();
    }

    /// @inheritdoc IExchange
    function unpause() external restricted {
        _unpause();
    }

    // ----------------------------------------------------------------------------------------------
    // Views
    // ----------------------------------------------------------------------------------------------

    /// @inheritdoc IExchange
    function clearinghouse() external view returns (IClearinghouseVenue) {
        return CLEARINGHOUSE;
    }

    /// @inheritdoc IExchange
    function hashOrder(Order calldata order) external view returns (bytes32) {
        return _hashTypedDataV4(order.structHash());
    }

    /// @inheritdoc IExchange
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
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

    /// @inheritdoc IExchange
    function isDelegate(address trader, address delegate) external view returns (bool) {
        return _delegates[trader][delegate];
    }

    // ----------------------------------------------------------------------------------------------
    // Internals
    // ----------------------------------------------------------------------------------------------

    /// @dev Checks everything about `order` that does not depend on the counterparty (flags, size, expiry,
    /// nonce, cancellation, signature) and returns how much of it is already filled.
    function _validate(Order calldata order, bytes32 orderHash, bytes calldata signature)
        private
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

    /// @dev Accepts an ECDSA signature by the trader or one of its delegates, or an EIP-1271 approval by
    /// a contract-wallet trader. ECDSA is tried first so that an EOA trader costs no code-size lookup.
    function _checkSignature(address trader, bytes32 orderHash, bytes calldata signature) private view {
        (address signer, ECDSA.RecoverError err, bytes32 errArg) = ECDSA.tryRecoverCalldata(orderHash, signature);
        if (err == ECDSA.RecoverError.NoError && (signer == trader || _delegates[trader][signer])) return;
        if (trader.code.length != 0) {
            if (SignatureChecker.isValidERC1271SignatureNowCalldata(trader, orderHash, signature)) return;
            revert InvalidContractSignature(orderHash, trader);
        }
        if (err == ECDSA.RecoverError.InvalidSignatureLength) revert InvalidSignatureLength(orderHash, uint256(errArg));
        if (err == ECDSA.RecoverError.InvalidSignatureS) revert MalleableSignature(orderHash, errArg);
        if (err == ECDSA.RecoverError.InvalidSignature) revert InvalidSignature(orderHash);
        revert UnauthorisedSigner(orderHash, trader, signer);
    }

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
