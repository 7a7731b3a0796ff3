// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Exchange} from "../../../contracts/Exchange.sol";
import {IClearinghouse, MarketParams} from "../../../contracts/interfaces/IClearinghouse.sol";
import {IExchange} from "../../../contracts/interfaces/IExchange.sol";
import {Order} from "../../../contracts/libraries/OrderTypes.sol";
import {SecurityBase} from "./SecurityBase.sol";

/// @notice Griefing: dust, the open-markets cap, keeper batches over many tiny accounts, cancelled-order floods.
contract GriefingTest is SecurityBase {
    uint256 internal constant MAKER_KEY = 0x3A4E4;
    uint256 internal constant TAKER_KEY = 0x7A4E45;

    Exchange internal exchange;
    address internal maker;
    address internal taker;

    function setUp() public {
        _deploy(address(0), 6, 10e18);
        exchange = new Exchange(ch, address(manager));
        ch.setVenue(address(exchange), true);
        maker = vm.addr(MAKER_KEY);
        taker = vm.addr(TAKER_KEY);
        _fund(maker, 10_000e6);
        _fund(taker, 10_000e6);
        _fund(ALICE, 10_000e6);
        _fund(BOB, 10_000e6);
        _fund(CAROL, 10_000e6);
    }

    function _newMarket(uint256 salt, uint64 minSize) internal returns (bytes32 id) {
        MarketParams memory p = _marketParams(1e18, 1e15);
        p.methodologyHash = keccak256(abi.encode(salt));
        p.minSize = minSize;
        id = ch.createMarket(p, _risk(), _terms());
    }

    function _order(bytes32 id, uint128 size, uint256 salt) internal view returns (Order memory) {
        return Order({
            trader: maker,
            marketId: id,
            isBuy: true,
            size: size,
            limitPrice: 10e18,
            expiry: vm.getBlockTimestamp() + 1 days,
            nonce: salt, // a nonce names one order: each order of the flood has its own
            salt: salt,
            flags: 0
        });
    }

    function _sig(Order memory o) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(MAKER_KEY, exchange.hashOrder(o));
        return abi.encodePacked(r, s, v);
    }

    function test_dust_belowMinSizeRejectedDirectlyAndThroughTheExchange() public {
        bytes32 id = _newMarket(1, 10);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.SizeBelowMinimum.selector, 9, 10));
        ch.trade(id, BOB, ALICE, 9, 10e18, bytes32(0));
        Order memory o = _order(id, 100, 1);
        bytes memory sig = _sig(o);
        vm.prank(taker);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.SizeBelowMinimum.selector, 1, 10));
        exchange.fillOrder(o, sig, 1);
        // An order whose whole size is dust can never fill.
        Order memory dust = _order(id, 9, 2);
        bytes memory dustSig = _sig(dust);
        vm.prank(taker);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.SizeBelowMinimum.selector, 9, 10));
        exchange.fillOrder(dust, dustSig, 9);
        assertEq(exchange.filled(exchange.hashOrder(o)), 0, "nothing recorded");
    }

    function test_openMarkets_capAtEightThenFreedByClosing() public {
        bytes32[9] memory ids;
        ids[0] = marketId;
        for (uint256 i = 1; i < 9; ++i) {
            ids[i] = _newMarket(i, 1);
        }
        for (uint256 i; i < 8; ++i) {
            ch.trade(ids[i], BOB, ALICE, 1, 10e18, bytes32(0));
        }
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.TooManyOpenMarkets.selector, ALICE, 8));
        ch.trade(ids[8], CAROL, ALICE, 1, 10e18, bytes32(0));
        // Closing one position frees its lane.
        ch.trade(ids[0], BOB, ALICE, -1, 10e18, bytes32(0));
        ch.trade(ids[8], CAROL, ALICE, 1, 10e18, bytes32(0));
        (, bytes32[] memory open) = ch.accountOf(ALICE);
        assertEq(open.length, 8, "eight open markets");
        assertEq(open[0], ids[8], "the freed first lane is reused");
        for (uint256 i = 1; i < 8; ++i) {
            assertEq(open[i], ids[i], "the other lanes keep their markets");
        }
    }

    function test_settleMany_skipsAccountsWithNothingToSettleAndRepeatsHarmlessly() public {
        address[] memory batch = new address[](45);
        for (uint256 i; i < 20; ++i) {
            address who = address(uint160(0x1000 + i));
            _fund(who, 100e6);
            ch.trade(marketId, i % 2 == 0 ? ALICE : BOB, who, i % 2 == 0 ? int256(1) : int256(-1), 10e18, bytes32(0));
            batch[i] = who;
            batch[20 + i] = who; // every account twice
        }
        for (uint256 i = 40; i < 45; ++i) {
            batch[i] = address(uint160(0x9000 + i)); // never traded
        }
        _settleMarketAt(10.5e18);
        ch.settleMany(marketId, batch);
        ch.settleMany(marketId, batch); // a second keeper with the same batch: no revert, nothing changes
        for (uint256 i; i < 20; ++i) {
            (int256 size, ) = ch.position(batch[i], marketId);
            assertEq(size, int256(0), "settled");
        }
        // A winner's claim waits for the last open positions (alice's and bob's): no settlement order favours it.
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.ClaimNotYetPayable.selector, batch[0], marketId, 2));
        ch.settle(batch[0], marketId);
        address[] memory rest = new address[](2);
        (rest[0], rest[1]) = (ALICE, BOB);
        ch.settleMany(marketId, rest);
        (, , uint256 openPositions, , ) = ch.marketState(marketId);
        assertEq(openPositions, 0, "market fully settled");
        ch.settleMany(marketId, batch); // pays the waiting claims, skips everyone else
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.NothingToSettle.selector, batch[0], marketId));
        ch.settle(batch[0], marketId);
        (int256 winner, ) = ch.accountOf(batch[0]);
        assertGe(uint256(winner), 100e6, "the winner's claim was paid");
    }

    function test_cancelFlood_onlyTheTraderCancelsAndOtherOrdersStillFill() public {
        Order[] memory flood = new Order[](100);
        for (uint256 i; i < flood.length; ++i) {
            flood[i] = _order(marketId, 10, 1_000 + i);
        }
        vm.prank(taker);
        vm.expectRevert(abi.encodeWithSelector(IExchange.NotTraderOrDelegate.selector, taker, maker));
        exchange.cancelOrders(flood);
        vm.prank(maker);
        exchange.cancelOrders(flood);
        // Re-cancelling fails loudly instead of silently burning gas.
        bytes32 first = exchange.hashOrder(flood[0]);
        vm.prank(maker);
        vm.expectRevert(abi.encodeWithSelector(IExchange.OrderNonceUsed.selector, first, maker, flood[0].nonce));
        exchange.cancelOrders(flood);
        bytes memory sig = _sig(flood[50]);
        bytes32 h = exchange.hashOrder(flood[50]);
        vm.prank(taker);
        vm.expectRevert(abi.encodeWithSelector(IExchange.OrderNonceUsed.selector, h, maker, flood[50].nonce));
        exchange.fillOrder(flood[50], sig, 1);
        Order memory live = _order(marketId, 10, 1);
        bytes memory liveSig = _sig(live);
        vm.prank(taker);
        exchange.fillOrder(live, liveSig, 1);
        // One nonce bump voids any number of older orders in one write.
        vm.prank(maker);
        exchange.cancelUpTo(2);
        bytes32 liveHash = exchange.hashOrder(live);
        vm.prank(taker);
        vm.expectRevert(abi.encodeWithSelector(IExchange.OrderNonceBelowMinimum.selector, liveHash, 1, 2));
        exchange.fillOrder(live, liveSig, 1);
    }
}
