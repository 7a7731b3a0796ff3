// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";

import {Exchange} from "../../../contracts/Exchange.sol";
import {Order} from "../../../contracts/libraries/OrderTypes.sol";
import {ClearinghouseHandler} from "./ClearinghouseHandler.sol";
import {HandlerOrderBook} from "../exchange/HandlerOrderBook.sol";

/// @notice The Clearinghouse handler plus the real Exchange as a second venue: the keyed actors (or their
/// approved delegates) sign random orders near mark, and `fillOrder`, `matchOrders`, cancels, nonce bumps
/// and delegate changes interleave with the Clearinghouse's own actions (deposits, direct trades, index
/// moves, liquidations, pauses, expiry, settlement). Records any fill of an order that was cancelled,
/// nonce-voided, expired or signed by a revoked delegate at the time, and any fill booked while the
/// Exchange was not an authorised venue.
contract ProtocolHandler is ClearinghouseHandler {
    using HandlerOrderBook for HandlerOrderBook.Book;

    Exchange public exchange;

    HandlerOrderBook.Book internal _book;
    /// @dev Orders signed by the trader's delegate rather than the trader (by book index).
    mapping(uint256 orderIndex => bool) internal _byDelegate;

    /// @notice Fills observed on an order that was cancelled, nonce-voided, expired or signed by a revoked
    /// delegate at the time.
    uint256 public ghostForbiddenFills;
    /// @notice Successful `fillOrder` and `matchOrders` calls (to see the run did something).
    uint256 public ghostExchangeFills;
    /// @notice Fills booked while the Exchange was not an authorised venue of the Clearinghouse.
    uint256 public ghostRevokedVenueFills;

    constructor(uint8 decimals) ClearinghouseHandler(decimals) {
        exchange = new Exchange(ch, address(new AccessManager(address(this))));
        ch.setVenue(address(exchange), true);
    }

    // ------------------------------------------------------------------ views for the invariants

    function orderCount() external view returns (uint256) {
        return _book.count();
    }

    function orderAt(uint256 i) external view returns (Order memory) {
        return _book.orders[i];
    }

    /// @notice The delegate key's address of actor `a` (it may sign `a`'s orders once approved).
    function delegateOf(uint256 a) public pure returns (address) {
        return vm.addr(_delegateKey(a));
    }

    function _delegateKey(uint256 a) internal pure returns (uint256) {
        return 0xDE1E + a;
    }

    function _marketIndex(bytes32 id) internal view returns (uint256) {
        return id == _marketIds[0] ? 0 : 1;
    }

    // ------------------------------------------------------------------ actions

    /// @notice An actor (or, one time in five, its delegate) signs a random order within +-5 % of the
    /// market's mark, on the tick.
    function placeOrder(uint256 actorSeed, uint256 market, bool isBuy, uint256 size, uint256 offset, uint256 flags)
        external
    {
        market %= MARKETS;
        if (vm.getBlockTimestamp() >= _expiries[market]) return;
        uint256 a = actorSeed % 4;
        uint256 mark = _markOrIndex(market);
        uint256 price = ((mark - (mark * 5) / 100 + (mark * (offset % 101)) / 1_000) / TICK) * TICK;
        if (price == 0) return;
        // Mostly plain orders so fills happen; some reduce-only or immediate-or-cancel.
        uint8 f = flags % 4 == 0 ? uint8(1 << (flags % 3)) : 0;
        Order memory o = Order({
            trader: _actors[a],
            marketId: _marketIds[market],
            isBuy: isBuy,
            size: uint128(1 + (size % 20)),
            limitPrice: price,
            expiry: vm.getBlockTimestamp() + 1 + (size % 3 days),
            nonce: exchange.minNonce(_actors[a]) + (offset % 3),
            salt: _book.nextSalt(),
            flags: f
        });
        bool byDelegate = flags % 5 == 4;
        uint256 i = _book.add(exchange, byDelegate ? _delegateKey(a) : _keys[a], o);
        if (byDelegate) _byDelegate[i] = true;
    }

    /// @notice Another actor takes a random order with `fillOrder`, for at most what is left of it (the
    /// whole size once nothing is left, which must then fail).
    function fillOrder(uint256 orderSeed, uint256 takerSeed, uint256 fillSize) external {
        uint256 n = _book.count();
        if (n == 0) return;
        uint256 i = orderSeed % n;
        Order memory o = _book.orders[i];
        bool forbidden = _forbidden(i);
        address taker = _actors[takerSeed % 4];
        if (taker == o.trader) taker = _actors[(takerSeed + 1) % 4];
        uint256 left = exchange.remaining(o);
        vm.prank(taker);
        try exchange.fillOrder(o, _book.sigs[i], 1 + (fillSize % (left == 0 ? o.size : left))) {
            _recordExchangeFill(o.marketId, forbidden, true);
        } catch {}
    }

    /// @notice Crosses a random taker order with up to three makers that pair with it.
    function matchOrders(uint256 takerSeed, uint256 makerSeed, uint256 count, uint256 fillSize) external {
        (HandlerOrderBook.MatchSet memory s, uint256 found) =
            _book.pickMatch(takerSeed, makerSeed, 1 + (count % 3), fillSize, 10);
        if (found == 0) return;
        HandlerOrderBook.MatchBefore memory b = HandlerOrderBook.before(exchange, s);
        b.takerForbidden = _forbidden(s.takerIndex);
        for (uint256 k = 0; k < found; ++k) {
            b.makerForbidden[k] = _forbidden(s.makerIndices[k]);
        }
        try exchange.matchOrders(s.taker, s.takerSig, s.makers, s.sigs, s.sizes) returns (uint256 got) {
            _recordExchangeFill(s.taker.marketId, HandlerOrderBook.filledForbidden(exchange, s, b, got), got > 0);
        } catch {}
    }

    /// @notice The order's trader cancels it (uses up its nonce).
    function cancelOrder(uint256 orderSeed) external {
        _book.cancelRandom(exchange, orderSeed);
    }

    /// @notice An actor raises its minimum nonce by one or two.
    function cancelUpTo(uint256 actorSeed, uint256 by) external {
        address a = _actors[actorSeed % 4];
        vm.prank(a);
        exchange.cancelUpTo(exchange.minNonce(a) + 1 + (by % 2));
    }

    /// @notice An actor approves or revokes its delegate key.
    function setDelegate(uint256 actorSeed, bool approved) external {
        uint256 a = actorSeed % 4;
        vm.prank(_actors[a]);
        exchange.setDelegate(delegateOf(a), approved);
    }

    function _recordExchangeFill(bytes32 marketId, bool forbidden, bool filledSomething) internal {
        ++ghostExchangeFills;
        ++trades;
        if (forbidden && filledSomething) ++ghostForbiddenFills;
        if (!ch.isVenue(address(exchange))) ++ghostRevokedVenueFills;
        _afterTrade(_marketIndex(marketId));
    }

    /// @dev Whether order `i` of the book may no longer fill (see `ghostForbiddenFills`).
    function _forbidden(uint256 i) internal view returns (bool) {
        Order memory o = _book.orders[i];
        if (HandlerOrderBook.voided(exchange, o)) return true;
        if (_byDelegate[i]) {
            uint256 a = 0;
            while (_actors[a] != o.trader) ++a;
            return !exchange.isDelegate(o.trader, delegateOf(a));
        }
        return false;
    }
}
