// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Exchange} from "../../../contracts/Exchange.sol";
import {IClearinghouse} from "../../../contracts/interfaces/IClearinghouse.sol";
import {Order} from "../../../contracts/libraries/OrderTypes.sol";
import {Vm} from "../utils/TestBase.sol";
import {SecurityBase} from "./SecurityBase.sol";

/// @notice A fill has one event: the Clearinghouse's `Traded`, naming the maker order and (in a match) the
/// taker order. `fillOrder` and `matchOrders` emit nothing else for a plain fill.
contract OneEventPerFillTest is SecurityBase {
    uint256 internal constant MAKER_KEY = 0xA11;
    uint256 internal constant MAKER2_KEY = 0xA12;
    uint256 internal constant TAKER_KEY = 0xB22;

    Exchange internal exchange;

    /// @dev The data words of `Traded`, in order.
    struct TradedData {
        int256 takerSizeDelta;
        uint256 price;
        uint256 makerFee;
        uint256 takerFee;
        int256 basisRate;
        bytes32 makerOrderHash;
        bytes32 takerOrderHash;
    }

    function setUp() public {
        _deploy(address(0), 6, 10e18);
        exchange = new Exchange(ch, address(manager));
        ch.setVenue(address(exchange), true);
        _fund(vm.addr(MAKER_KEY), 10_000e6);
        _fund(vm.addr(MAKER2_KEY), 10_000e6);
        _fund(vm.addr(TAKER_KEY), 10_000e6);
        _fund(ALICE, 10_000e6);
        _fund(BOB, 10_000e6);
    }

    function _order(uint256 key, bool isBuy, uint128 size, uint256 price) internal view returns (Order memory) {
        return Order({
            trader: vm.addr(key),
            marketId: marketId,
            isBuy: isBuy,
            size: size,
            limitPrice: price,
            expiry: vm.getBlockTimestamp() + 1 days,
            nonce: key,
            salt: key,
            flags: 0
        });
    }

    function _sig(uint256 key, Order memory o) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, exchange.hashOrder(o));
        return abi.encodePacked(r, s, v);
    }

    /// @dev Asserts `log` is the Clearinghouse's `Traded` with these fields; returns nothing.
    function _assertTraded(
        Vm.Log memory log,
        address maker,
        address taker,
        int256 takerSizeDelta,
        uint256 price,
        bytes32 makerOrderHash,
        bytes32 takerOrderHash
    ) internal view {
        assertEq(log.emitter, address(ch), "emitted by the Clearinghouse");
        assertEq(log.topics[0], IClearinghouse.Traded.selector, "a Traded event");
        assertEq(log.topics[1], marketId, "market");
        assertEq(log.topics[2], bytes32(uint256(uint160(maker))), "maker");
        assertEq(log.topics[3], bytes32(uint256(uint160(taker))), "taker");
        TradedData memory d = abi.decode(log.data, (TradedData));
        assertEq(d.takerSizeDelta, takerSizeDelta, "taker size delta");
        assertEq(d.price, price, "price");
        assertGe(d.makerFee, 1, "maker fee charged");
        assertGe(d.takerFee, 1, "taker fee charged");
        assertEq(d.makerOrderHash, makerOrderHash, "maker order hash");
        assertEq(d.takerOrderHash, takerOrderHash, "taker order hash");
    }

    function test_fillOrder_emitsOnlyTradedWithTheMakerOrderHash() public {
        Order memory o = _order(MAKER_KEY, true, 10, 10e18);
        bytes memory sig = _sig(MAKER_KEY, o);
        bytes32 h = exchange.hashOrder(o);
        vm.recordLogs();
        vm.prank(vm.addr(TAKER_KEY));
        exchange.fillOrder(o, sig, 4);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1, "one event for the fill");
        // The maker bought 4: the taker sold 4.
        _assertTraded(logs[0], o.trader, vm.addr(TAKER_KEY), -4, 10e18, h, bytes32(0));
    }

    function test_matchOrders_emitsOneTradedPerMakerWithBothOrderHashes() public {
        Order memory m1 = _order(MAKER_KEY, false, 5, 10e18);
        Order memory m2 = _order(MAKER2_KEY, false, 5, 10.01e18);
        Order memory t = _order(TAKER_KEY, true, 8, 10.02e18);
        Order[] memory makers = new Order[](2);
        (makers[0], makers[1]) = (m1, m2);
        bytes[] memory sigs = new bytes[](2);
        (sigs[0], sigs[1]) = (_sig(MAKER_KEY, m1), _sig(MAKER2_KEY, m2));
        uint256[] memory sizes = new uint256[](2);
        (sizes[0], sizes[1]) = (5, 3);
        bytes memory takerSig = _sig(TAKER_KEY, t);
        vm.recordLogs();
        vm.prank(ALICE); // any matcher
        exchange.matchOrders(t, takerSig, makers, sigs, sizes);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 2, "one event per fill");
        _assertTraded(logs[0], m1.trader, t.trader, 5, 10e18, exchange.hashOrder(m1), exchange.hashOrder(t));
        _assertTraded(logs[1], m2.trader, t.trader, 3, 10.01e18, exchange.hashOrder(m2), exchange.hashOrder(t));
    }

    function test_venueWithoutOrders_passesZeroHashes() public {
        vm.recordLogs();
        ch.trade(marketId, BOB, ALICE, 2, 10e18, bytes32(0));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1, "one event");
        _assertTraded(logs[0], BOB, ALICE, 2, 10e18, bytes32(0), bytes32(0));
    }
}
