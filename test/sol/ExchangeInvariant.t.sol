// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Exchange} from "../../contracts/Exchange.sol";
import {
    FLAG_FILL_OR_KILL,
    FLAG_IMMEDIATE_OR_CANCEL,
    Order
} from "../../contracts/libraries/OrderTypes.sol";
import {MockClearinghouseVenue} from "../../contracts/test/MockClearinghouseVenue.sol";
import {ExchangeFixture} from "./exchange/ExchangeFixture.sol";
import {ExchangeHandler} from "./invariant/ExchangeHandler.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @notice Invariants of the Exchange under random fills, matches and cancels.
contract ExchangeInvariantTest is TestBase {
    Exchange internal exchange;
    MockClearinghouseVenue internal venue;
    ExchangeHandler internal handler;

    function setUp() public {
        vm.warp(1_800_000_000);
        (exchange, venue) = ExchangeFixture.deploy(address(this));
        handler = new ExchangeHandler(exchange, venue);
        targetContract(address(handler));
    }

    /// @notice No order ever fills beyond its size, and what it may still fill is its size less what it
    /// filled (or zero once its nonce is used).
    function invariant_filledNeverExceedsSize() public view {
        uint256 n = handler.orderCount();
        for (uint256 i = 0; i < n; ++i) {
            Order memory o = handler.orderAt(i);
            bytes32 h = exchange.hashOrder(o);
            uint256 total = handler.ghostFilled(h);
            assertLe(total, o.size, "filled <= size");
            assertLe(exchange.filled(h), total, "partial-fill slot <= filled");
            if (exchange.isNonceUsed(o.trader, o.nonce) || o.nonce < exchange.minNonce(o.trader)) {
                assertEq(exchange.remaining(o), 0, "a used nonce leaves nothing");
            } else {
                assertEq(exchange.remaining(o), o.size - total, "remaining = size - filled");
            }
            if (total == o.size) assertTrue(exchange.isNonceUsed(o.trader, o.nonce), "complete uses the nonce");
        }
    }

    /// @notice Nothing fills after cancellation (nonce used or below the minimum) or expiry.
    function invariant_nothingFillsAfterCancelOrExpiry() public view {
        assertEq(handler.ghostForbiddenFills(), 0, "forbidden fills");
    }

    /// @notice Every market is zero-sum in the venue: Σ position sizes = 0.
    function invariant_positionsSumToZeroPerMarket() public view {
        for (uint256 m = 0; m < 2; ++m) {
            int256 sum;
            for (uint256 t = 0; t < 4; ++t) {
                sum += venue.positionSize(handler.trader(t), handler.market(m));
            }
            assertEq(sum, int256(0), "sum of positions");
        }
    }

    /// @notice Immediate-or-cancel and fill-or-kill orders never rest: they are never partly filled and
    /// still open.
    function invariant_immediateOrdersNeverRest() public view {
        uint256 n = handler.orderCount();
        for (uint256 i = 0; i < n; ++i) {
            Order memory o = handler.orderAt(i);
            uint256 f = handler.ghostFilled(exchange.hashOrder(o));
            if (o.flags & FLAG_IMMEDIATE_OR_CANCEL != 0 && f > 0) {
                assertTrue(exchange.isNonceUsed(o.trader, o.nonce), "IOC voided");
            }
            if (o.flags & FLAG_FILL_OR_KILL != 0) assertTrue(f == 0 || f == o.size, "FOK all or nothing");
        }
    }
}
