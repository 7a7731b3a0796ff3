// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";

import {Exchange} from "../../contracts/Exchange.sol";
import {Order} from "../../contracts/libraries/OrderTypes.sol";
import {ClearinghouseHandler, ClearinghouseInvariantBase} from "./ClearinghouseInvariant.t.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @notice The Clearinghouse handler plus the real Exchange as a second venue: the keyed actors sign
/// random orders near mark, and `fillOrder`, `matchOrders`, cancels, nonce bumps interleave with the
/// Clearinghouse's own actions (deposits, direct trades, index moves, liquidations, pauses, expiry,
/// settlement). Records any fill of an order that was cancelled, nonce-voided or expired at the time.
contract ProtocolHandler is ClearinghouseHandler {
    Exchange public exchange;

    Order[] internal _orders;
    bytes[] internal _sigs;
    uint256 internal _salt;

    /// @notice Fills observed on an order that was cancelled, nonce-voided or expired at the time.
    uint256 public ghostForbiddenFills;
    /// @notice Successful `fillOrder` and `matchOrders` calls (to see the run did something).
    uint256 public ghostExchangeFills;

    constructor(uint8 decimals) ClearinghouseHandler(decimals) {
        exchange = new Exchange(ch, address(new AccessManager(address(this))));
        ch.setVenue(address(exchange), true);
    }

    // ------------------------------------------------------------------ views for the invariants

    function orderCount() external view returns (uint256) {
        return _orders.length;
    }

    function orderAt(uint256 i) external view returns (Order memory) {
        return _orders[i];
    }

    // ------------------------------------------------------------------ actions

    /// @notice An actor signs a random order within +-5 % of the market's mark, on the tick.
    function placeOrder(uint256 actorSeed, uint256 market, bool isBuy, uint256 size, uint256 offset, uint256 flags)
        external
    {
        market %= MARKETS;
        if (block.timestamp >= _expiries[market]) return;
        uint256 a = actorSeed % 4;
        uint256 mark = ch.markPrice(_marketIds[market]);
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
            expiry: block.timestamp + 1 + (size % 3 days),
            nonce: exchange.minNonce(_actors[a]) + (offset % 3),
            salt: ++_salt,
            flags: f
        });
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(_keys[a], exchange.hashOrder(o));
        _orders.push(o);
        _sigs.push(abi.encodePacked(r, s, v));
    }

    /// @notice An actor takes a random order with `fillOrder`.
    function fillOrder(uint256 orderSeed, uint256 takerSeed, uint256 fillSize) external {
        if (_orders.length == 0) return;
        uint256 i = orderSeed % _orders.length;
        Order memory o = _orders[i];
        bool forbidden = _forbidden(o);
        vm.prank(_actors[takerSeed % 4]);
        try exchange.fillOrder(o, _sigs[i], 1 + (fillSize % 20)) {
            ++ghostExchangeFills;
            ++trades;
            if (forbidden) ++ghostForbiddenFills;
        } catch {}
    }

    /// @notice Crosses a random taker order with up to three makers that pair with it.
    function matchOrders(uint256 takerSeed, uint256 makerSeed, uint256 count, uint256 fillSize) external {
        uint256 n = _orders.length;
        if (n < 2) return;
        uint256 ti = takerSeed % n;
        Order memory t = _orders[ti];
        count = 1 + (count % 3);
        Order[] memory makers = new Order[](count);
        bytes[] memory sigs = new bytes[](count);
        uint256[] memory sizes = new uint256[](count);
        bool forbidden = _forbidden(t);
        uint256 found;
        for (uint256 k = 0; k < n && found < count; ++k) {
            uint256 mi = (makerSeed + k) % n;
            Order memory m = _orders[mi];
            bool crosses = t.isBuy ? m.limitPrice <= t.limitPrice : m.limitPrice >= t.limitPrice;
            if (m.marketId != t.marketId || m.isBuy == t.isBuy || m.trader == t.trader || !crosses) continue;
            makers[found] = m;
            sigs[found] = _sigs[mi];
            sizes[found] = 1 + (uint256(keccak256(abi.encode(fillSize, k))) % 10);
            forbidden = forbidden || _forbidden(m);
            ++found;
        }
        if (found == 0) return;
        assembly ("memory-safe") {
            mstore(makers, found)
            mstore(sigs, found)
            mstore(sizes, found)
        }
        try exchange.matchOrders(t, _sigs[ti], makers, sigs, sizes) returns (uint256 got) {
            ++ghostExchangeFills;
            ++trades;
            if (forbidden && got > 0) ++ghostForbiddenFills;
        } catch {}
    }

    /// @notice The order's trader cancels it (uses up its nonce).
    function cancelOrder(uint256 orderSeed) external {
        if (_orders.length == 0) return;
        Order[] memory one = new Order[](1);
        one[0] = _orders[orderSeed % _orders.length];
        vm.prank(one[0].trader);
        try exchange.cancelOrders(one) {} catch {}
    }

    /// @notice An actor raises its minimum nonce by one or two.
    function cancelUpTo(uint256 actorSeed, uint256 by) external {
        address a = _actors[actorSeed % 4];
        vm.prank(a);
        exchange.cancelUpTo(exchange.minNonce(a) + 1 + (by % 2));
    }

    function _forbidden(Order memory o) internal view returns (bool) {
        return exchange.isNonceUsed(o.trader, o.nonce) || o.nonce < exchange.minNonce(o.trader)
            || block.timestamp >= o.expiry;
    }
}

/// @notice The Clearinghouse invariants with trades also arriving through the Exchange, plus the
/// Exchange's own: no order fills beyond its size, nothing fills after cancel (by hash or nonce) or
/// expiry.
abstract contract ProtocolInvariantBase is ClearinghouseInvariantBase {
    function _newHandler(uint8 decimals) internal override returns (ClearinghouseHandler) {
        return new ProtocolHandler(decimals);
    }

    function _protocol() internal view returns (ProtocolHandler) {
        return ProtocolHandler(address(handler));
    }

    /// @notice No order's filled amount ever exceeds its size; once its nonce is used nothing is left.
    function invariant_orderFilledNeverExceedsSize() public view {
        ProtocolHandler h = _protocol();
        Exchange exchange = h.exchange();
        uint256 n = h.orderCount();
        for (uint256 i = 0; i < n; ++i) {
            Order memory o = h.orderAt(i);
            assertLe(exchange.filled(exchange.hashOrder(o)), o.size, "filled <= size");
            assertLe(exchange.remaining(o), o.size, "remaining <= size");
            if (exchange.isNonceUsed(o.trader, o.nonce)) assertEq(exchange.remaining(o), 0, "used nonce: void");
        }
    }

    /// @notice Nothing fills after cancellation (by hash or nonce) or expiry.
    function invariant_nothingFillsAfterCancelOrExpiry() public view {
        assertEq(_protocol().ghostForbiddenFills(), 0, "forbidden fills");
    }
}

contract ProtocolInvariant6Test is ProtocolInvariantBase {
    function _decimals() internal pure override returns (uint8) {
        return 6;
    }
}

/// @notice The Exchange actions of the handler are not vacuous: a fixed script fills and matches.
contract ProtocolHandlerTest is TestBase {
    function test_handler_scriptFillsAndMatchesThroughTheExchange() public {
        ProtocolHandler h = new ProtocolHandler(6);
        for (uint256 i = 0; i < 4; ++i) h.deposit(i, 49_999);
        h.placeOrder(0, 0, false, 19, 50, 1); // actor 0 sells 20 at mark
        h.fillOrder(0, 1, 3); // actor 1 takes 4
        assertEq(h.ghostExchangeFills(), 1, "filled");
        assertEq(h.ch().positionSize(h.actors()[1], h.marketIds()[0]), 4, "taker long");
        h.placeOrder(2, 0, true, 19, 100, 1); // actor 2 buys 20 at 5 % above mark
        h.matchOrders(1, 0, 0, 0); // crosses with actor 0's order
        assertEq(h.ghostExchangeFills(), 2, "matched");
        h.cancelOrder(0);
        h.fillOrder(0, 1, 0);
        assertEq(h.ghostExchangeFills(), 2, "cancelled order does not fill");
        assertEq(h.ghostForbiddenFills(), 0, "nothing forbidden");
    }
}
