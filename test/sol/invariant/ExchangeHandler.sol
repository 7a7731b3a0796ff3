// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Exchange} from "../../../contracts/Exchange.sol";
import {Order} from "../../../contracts/libraries/OrderTypes.sol";
import {MockClearinghouseVenue} from "../../../contracts/test/MockClearinghouseVenue.sol";
import {HandlerOrderBook} from "../exchange/HandlerOrderBook.sol";
import {Vm} from "../utils/TestBase.sol";

/// @notice Drives the Exchange at random: several keyed traders sign random orders; fills, matches,
/// cancels, nonce bumps and time jumps interleave. Records, per order, anything that filled when it
/// must not have.
contract ExchangeHandler {
    using HandlerOrderBook for HandlerOrderBook.Book;

    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    uint256 internal constant TRADERS = 4;
    uint256 internal constant MARKETS = 2;

    Exchange public exchange;
    MockClearinghouseVenue public venue;

    HandlerOrderBook.Book internal _book;
    uint256[] internal _keys;

    /// @notice Fills observed on an order that was cancelled, nonce-voided or expired at the time.
    uint256 public ghostForbiddenFills;
    /// @notice Successful fill and match calls (to see the run did something).
    uint256 public ghostFills;
    /// @notice Contracts each order (by hash) filled over the run, counted from the calls' own amounts
    /// (the Exchange clears its partial-fill slot once an order completes).
    mapping(bytes32 orderHash => uint256) public ghostFilled;

    constructor(Exchange exchange_, MockClearinghouseVenue venue_) {
        exchange = exchange_;
        venue = venue_;
        for (uint256 i = 0; i < TRADERS; ++i) {
            _keys.push(0x1000 + i);
        }
    }

    // ------------------------------------------------------------------ views for the invariants

    function orderCount() external view returns (uint256) {
        return _book.count();
    }

    function orderAt(uint256 i) external view returns (Order memory) {
        return _book.orders[i];
    }

    function trader(uint256 i) public view returns (address) {
        return vm.addr(_keys[i]);
    }

    function market(uint256 i) public pure returns (bytes32) {
        return keccak256(abi.encode("invariant-market", i));
    }

    // ------------------------------------------------------------------ actions

    /// @notice Signs a new random order.
    function placeOrder(uint256 traderSeed, uint256 marketSeed, bool isBuy, uint256 size, uint256 price, uint256 flags)
        external
    {
        uint256 t = traderSeed % TRADERS;
        uint8 f = uint8(flags % 16);
        // Keep most orders plain so that fills happen; some carry each flag.
        if (flags % 3 != 0) f = 0;
        Order memory o = Order({
            trader: trader(t),
            marketId: market(marketSeed % MARKETS),
            isBuy: isBuy,
            size: uint128(1 + (size % 50)),
            limitPrice: 1e18 + (price % 10) * 1e17,
            expiry: vm.getBlockTimestamp() + 1 + (size % 3 days),
            nonce: exchange.minNonce(trader(t)) + (price % 3),
            salt: _book.nextSalt(),
            flags: f
        });
        _book.add(exchange, _keys[t], o);
    }

    /// @notice A trader takes a random order with `fillOrder`.
    function fill(uint256 orderSeed, uint256 takerSeed, uint256 fillSize) external {
        uint256 n = _book.count();
        if (n == 0) return;
        uint256 i = orderSeed % n;
        Order memory o = _book.orders[i];
        bool forbidden = HandlerOrderBook.voided(exchange, o);
        vm.prank(trader(takerSeed % TRADERS));
        uint256 size = 1 + (fillSize % 30);
        try exchange.fillOrder(o, _book.sigs[i], size) returns (bytes32 h) {
            ghostFilled[h] += size;
            ++ghostFills;
            if (forbidden) ++ghostForbiddenFills;
        } catch {}
    }

    /// @notice Matches a random taker order with up to three makers that cross it.
    function matchRandom(uint256 takerSeed, uint256 makerSeed, uint256 count, uint256 fillSize) external {
        (HandlerOrderBook.MatchSet memory s, uint256 found) =
            _book.pickMatch(takerSeed, makerSeed, 1 + (count % 3), fillSize, 20);
        if (found == 0) return;
        HandlerOrderBook.MatchBefore memory b = HandlerOrderBook.before(exchange, s);
        b.takerForbidden = HandlerOrderBook.voided(exchange, s.taker);
        for (uint256 k = 0; k < found; ++k) {
            b.makerForbidden[k] = HandlerOrderBook.voided(exchange, s.makers[k]);
        }
        try exchange.matchOrders(s.taker, s.takerSig, s.makers, s.sigs, s.sizes) returns (uint256 got) {
            _recordMatch(s.taker, s.makers, b.makerRemaining, got);
            ++ghostFills;
            if (HandlerOrderBook.filledForbidden(exchange, s, b, got)) ++ghostForbiddenFills;
        } catch {}
    }

    /// @dev Adds a match's fills to `ghostFilled`: the taker's from the call's result, each maker's from
    /// how much its remaining size dropped (an order appearing twice counted once, by its total drop).
    function _recordMatch(Order memory t, Order[] memory makers, uint256[] memory before, uint256 got) internal {
        ghostFilled[exchange.hashOrder(t)] += got;
        for (uint256 k = 0; k < makers.length; ++k) {
            bytes32 mh = exchange.hashOrder(makers[k]);
            bool seen = false;
            for (uint256 j = 0; j < k; ++j) {
                if (exchange.hashOrder(makers[j]) == mh) seen = true;
            }
            if (!seen) ghostFilled[mh] += before[k] - exchange.remaining(makers[k]);
        }
    }

    /// @notice The order's trader cancels it (uses up its nonce).
    function cancel(uint256 orderSeed) external {
        _book.cancelRandom(exchange, orderSeed);
    }

    /// @notice A trader raises its minimum nonce.
    function bumpNonce(uint256 traderSeed, uint256 by) external {
        address t = trader(traderSeed % TRADERS);
        vm.prank(t);
        exchange.cancelUpTo(exchange.minNonce(t) + 1 + (by % 2));
    }

    /// @notice Time passes (orders expire).
    function warp(uint256 by) external {
        vm.warp(vm.getBlockTimestamp() + (by % 1 days));
    }
}
