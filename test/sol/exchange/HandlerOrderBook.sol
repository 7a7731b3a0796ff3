// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Exchange} from "../../../contracts/Exchange.sol";
import {FLAG_IMMEDIATE_OR_CANCEL, Order} from "../../../contracts/libraries/OrderTypes.sol";
import {Vm} from "../utils/TestBase.sol";
import {ExchangeFixture} from "./ExchangeFixture.sol";

/// @notice The signed orders an invariant handler has placed, and the order picking its `fillOrder` and
/// `matchOrders` actions share (used by `ExchangeInvariant.t.sol` on a mock venue and by the
/// whole-system handler on the real Clearinghouse).
library HandlerOrderBook {
    Vm private constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @dev Orders in the order they were signed, with their 65-byte signatures.
    struct Book {
        Order[] orders;
        bytes[] sigs;
        uint256 salt;
    }

    /// @dev A taker and the makers picked to cross it, ready for `matchOrders`.
    struct MatchSet {
        uint256 takerIndex;
        Order taker;
        bytes takerSig;
        Order[] makers;
        bytes[] sigs;
        uint256[] sizes;
        uint256[] makerIndices;
    }

    /// @dev A match's orders as they were before the call: which may no longer fill (by the caller's rule),
    /// which makers had their nonce used already, and each maker's remaining size.
    struct MatchBefore {
        bool takerForbidden;
        bool[] makerForbidden;
        bool[] makerNonceUsed;
        uint256[] makerRemaining;
    }

    /// @dev The nonce-used flags and remaining sizes of `s`'s makers; the caller sets the forbidden flags.
    function before(Exchange exchange, MatchSet memory s) internal view returns (MatchBefore memory b) {
        uint256 n = s.makers.length;
        b.makerForbidden = new bool[](n);
        b.makerNonceUsed = new bool[](n);
        b.makerRemaining = new uint256[](n);
        for (uint256 k = 0; k < n; ++k) {
            b.makerNonceUsed[k] = exchange.isNonceUsed(s.makers[k].trader, s.makers[k].nonce);
            b.makerRemaining[k] = exchange.remaining(s.makers[k]);
        }
    }

    /// @dev Whether a `matchOrders` that succeeded and gave the taker `got` filled an order it must not have: any
    /// fill for a forbidden taker; a forbidden maker in a match that did not revert, unless the taker is
    /// immediate-or-cancel and the maker's nonce was already used (the Exchange skips such makers rather than
    /// reverting); and a fill taken from a skipped maker, seen as the taker getting more than the allowed makers'
    /// remaining sizes dropped.
    function filledForbidden(Exchange exchange, MatchSet memory s, MatchBefore memory b, uint256 got)
        internal
        view
        returns (bool)
    {
        if (got == 0) return false;
        if (b.takerForbidden) return true;
        bool skips = s.taker.flags & FLAG_IMMEDIATE_OR_CANCEL != 0;
        uint256 fromAllowed;
        for (uint256 k = 0; k < s.makers.length; ++k) {
            if (b.makerForbidden[k]) {
                if (!(skips && b.makerNonceUsed[k])) return true;
            } else {
                fromAllowed += b.makerRemaining[k] - exchange.remaining(s.makers[k]);
            }
        }
        return got != fromAllowed;
    }

    /// @dev The trader of a random placed order cancels it (uses up its nonce); a failure is ignored.
    function cancelRandom(Book storage book, Exchange exchange, uint256 seed) internal {
        uint256 n = book.orders.length;
        if (n == 0) return;
        Order[] memory one = new Order[](1);
        one[0] = book.orders[seed % n];
        Vm(address(uint160(uint256(keccak256("hevm cheat code"))))).prank(one[0].trader);
        try exchange.cancelOrders(one) {} catch {}
    }

    function count(Book storage book) internal view returns (uint256) {
        return book.orders.length;
    }

    /// @dev A fresh salt, so two otherwise equal orders differ.
    function nextSalt(Book storage book) internal returns (uint256) {
        return ++book.salt;
    }

    /// @dev Signs `o` with `key` on `exchange` and stores both; returns the order's index.
    function add(Book storage book, Exchange exchange, uint256 key, Order memory o) internal returns (uint256) {
        book.orders.push(o);
        book.sigs.push(ExchangeFixture.sign(exchange, key, o));
        return book.orders.length - 1;
    }

    /// @dev Whether `o` may no longer fill: its nonce is used or below the trader's minimum, or it expired.
    function voided(Exchange exchange, Order memory o) internal view returns (bool) {
        return exchange.isNonceUsed(o.trader, o.nonce) || o.nonce < exchange.minNonce(o.trader)
            || vm.getBlockTimestamp() >= o.expiry;
    }

    /// @dev A random taker and up to `maxMakers` makers that pair with it (same market, other side, other
    /// trader, crossing price), scanned from a random start so most attempts reach the Exchange's fill
    /// logic rather than its pairing checks. Each maker fill is `1 + (hash % maxFill)`. `found` is zero
    /// when nothing pairs.
    function pickMatch(
        Book storage book,
        uint256 takerSeed,
        uint256 makerSeed,
        uint256 maxMakers,
        uint256 fillSeed,
        uint256 maxFill
    ) internal view returns (MatchSet memory s, uint256 found) {
        uint256 n = book.orders.length;
        if (n < 2) return (s, 0);
        s.takerIndex = takerSeed % n;
        s.taker = book.orders[s.takerIndex];
        s.takerSig = book.sigs[s.takerIndex];
        s.makers = new Order[](maxMakers);
        s.sigs = new bytes[](maxMakers);
        s.sizes = new uint256[](maxMakers);
        s.makerIndices = new uint256[](maxMakers);
        Order memory t = s.taker;
        for (uint256 k = 0; k < n && found < maxMakers; ++k) {
            uint256 mi = (makerSeed + k) % n;
            Order memory m = book.orders[mi];
            bool crosses = t.isBuy ? m.limitPrice <= t.limitPrice : m.limitPrice >= t.limitPrice;
            if (m.marketId != t.marketId || m.isBuy == t.isBuy || m.trader == t.trader || !crosses) continue;
            s.makers[found] = m;
            s.sigs[found] = book.sigs[mi];
            s.sizes[found] = 1 + (uint256(keccak256(abi.encode(fillSeed, k))) % maxFill);
            s.makerIndices[found] = mi;
            ++found;
        }
        Order[] memory makers = s.makers;
        bytes[] memory sigs = s.sigs;
        uint256[] memory sizes = s.sizes;
        uint256[] memory indices = s.makerIndices;
        // Shrink the arrays to what was found (found <= maxMakers, their allocated length).
        assembly ("memory-safe") {
            mstore(makers, found)
            mstore(sigs, found)
            mstore(sizes, found)
            mstore(indices, found)
        }
    }
}
