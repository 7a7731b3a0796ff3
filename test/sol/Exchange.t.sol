// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Exchange} from "../../contracts/Exchange.sol";
import {IExchange} from "../../contracts/interfaces/IExchange.sol";
import {FLAG_IMMEDIATE_OR_CANCEL, FLAG_REDUCE_ONLY, ORDER_TYPEHASH, Order} from "../../contracts/libraries/OrderTypes.sol";
import {MockClearinghouseVenue} from "../../contracts/test/MockClearinghouseVenue.sol";
import {ExchangeFixture} from "./exchange/ExchangeFixture.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @notice Fuzz tests of the Exchange: fill accounting, match pricing, signature domain and malleability.
contract ExchangeTest is TestBase {
    bytes32 internal constant MARKET = keccak256("ATPI-FRONTIER-2027Q1");
    uint256 internal constant MAKER_KEY = 0xA11CE;
    uint256 internal constant TAKER_KEY = 0xB0B;
    uint256 internal constant MAKER2_KEY = 0xCA4;
    uint256 internal constant MAKER3_KEY = 0xD0D;

    Exchange internal exchange;
    MockClearinghouseVenue internal venue;
    address internal maker;
    address internal taker;

    function setUp() public {
        (exchange, venue) = ExchangeFixture.deploy(address(this));
        maker = vm.addr(MAKER_KEY);
        taker = vm.addr(TAKER_KEY);
        vm.warp(1_800_000_000);
    }

    function _sign(uint256 key, Order memory o) internal view returns (bytes memory) {
        return ExchangeFixture.sign(exchange, key, o);
    }

    function fillExternal(Order calldata o, bytes calldata sig, uint256 fillSize) external {
        vm.prank(taker);
        exchange.fillOrder(o, sig, fillSize);
    }

    // --------------------------------------------------------------------------------------------
    // Hashing
    // --------------------------------------------------------------------------------------------

    function testFuzz_hashOrder_matchesAbiEncodedStructHash(
        address trader,
        bytes32 marketId,
        bool isBuy,
        uint128 size,
        uint256 price,
        uint256 expiry,
        uint256 nonce,
        uint256 salt,
        uint8 flags
    ) public view {
        Order memory o = Order(trader, marketId, isBuy, size, price, expiry, nonce, salt, flags);
        bytes32 structHash = keccak256(
            abi.encode(ORDER_TYPEHASH, trader, marketId, isBuy, size, price, expiry, nonce, salt, flags)
        );
        bytes32 expected = keccak256(abi.encodePacked("\x19\x01", exchange.domainSeparator(), structHash));
        assertEq(exchange.hashOrder(o), expected, "order hash");
    }

    // --------------------------------------------------------------------------------------------
    // Partial fills
    // --------------------------------------------------------------------------------------------

    function testFuzz_fillOrder_partialFillsNeverExceedSize(uint128 size, uint256 f1, uint256 f2, uint256 f3) public {
        size = uint128(bound(size, 1, 1e15));
        Order memory o = ExchangeFixture.order(maker, MARKET, false, size, 2e18, 1);
        bytes memory sig = _sign(MAKER_KEY, o);
        bytes32 h = exchange.hashOrder(o);
        uint256[3] memory fills = [bound(f1, 1, size), bound(f2, 1, size), bound(f3, 1, size)];
        uint256 total;
        for (uint256 i = 0; i < 3; ++i) {
            uint256 remaining = size - total;
            if (fills[i] <= remaining) {
                this.fillExternal(o, sig, fills[i]);
                total += fills[i];
            } else if (remaining == 0) {
                // Complete: its nonce is used, so the order is void.
                vm.expectRevert(abi.encodeWithSelector(IExchange.OrderNonceUsed.selector, h, maker, o.nonce));
                this.fillExternal(o, sig, fills[i]);
            } else {
                vm.expectRevert(abi.encodeWithSelector(IExchange.FillExceedsRemaining.selector, h, fills[i], remaining));
                this.fillExternal(o, sig, fills[i]);
            }
            assertEq(exchange.remaining(o), size - total, "remaining is the size less the successful fills");
            assertEq(exchange.filled(h), total == size ? 0 : total, "filled counts an incomplete order");
            assertTrue(exchange.isNonceUsed(maker, o.nonce) == (total == size), "a complete order uses its nonce");
        }
        assertEq(venue.positionSize(taker, MARKET), int256(total), "taker long what it bought");
        assertEq(venue.positionSize(maker, MARKET), -int256(total), "maker short what it sold");
    }

    // --------------------------------------------------------------------------------------------
    // Match pricing
    // --------------------------------------------------------------------------------------------

    struct MatchCase {
        Order taker;
        bytes takerSig;
        Order[] makers;
        bytes[] sigs;
        uint256[] sizes;
        uint256 firstNonCrossing;
    }

    function _matchCase(bool takerBuys, uint256 takerLimit, uint256[3] memory prices, uint256[3] memory rawSizes)
        internal
        view
        returns (MatchCase memory c)
    {
        uint256[3] memory keys = [MAKER_KEY, MAKER2_KEY, MAKER3_KEY];
        c.taker = ExchangeFixture.order(taker, MARKET, takerBuys, 30, takerLimit, 99);
        c.takerSig = _sign(TAKER_KEY, c.taker);
        c.makers = new Order[](3);
        c.sigs = new bytes[](3);
        c.sizes = new uint256[](3);
        c.firstNonCrossing = type(uint256).max;
        for (uint256 i = 0; i < 3; ++i) {
            c.sizes[i] = bound(rawSizes[i], 1, 10);
            c.makers[i] = ExchangeFixture.order(vm.addr(keys[i]), MARKET, !takerBuys, 10, prices[i], i);
            c.sigs[i] = _sign(keys[i], c.makers[i]);
            bool crosses = takerBuys ? prices[i] <= takerLimit : prices[i] >= takerLimit;
            if (!crosses && c.firstNonCrossing == type(uint256).max) c.firstNonCrossing = i;
        }
    }

    function testFuzz_matchOrders_tradesAtMakerPricesWithinTakerLimit(
        bool takerBuys,
        uint256 takerLimit,
        uint256[3] memory prices,
        uint256[3] memory rawSizes
    ) public {
        takerLimit = bound(takerLimit, 1e18, 10e18);
        for (uint256 i = 0; i < 3; ++i) {
            prices[i] = bound(prices[i], 0.5e18, 11e18);
        }
        MatchCase memory c = _matchCase(takerBuys, takerLimit, prices, rawSizes);
        venue.setRecording(true);
        if (c.firstNonCrossing != type(uint256).max) {
            uint256 bad = c.firstNonCrossing;
            vm.expectRevert(
                abi.encodeWithSelector(
                    IExchange.PriceNotCrossing.selector, exchange.hashOrder(c.makers[bad]), prices[bad], takerLimit
                )
            );
            exchange.matchOrders(c.taker, c.takerSig, c.makers, c.sigs, c.sizes);
            assertEq(venue.tradeCount(), 0, "nothing traded");
            return;
        }
        uint256 filledNow = exchange.matchOrders(c.taker, c.takerSig, c.makers, c.sigs, c.sizes);
        assertEq(filledNow, c.sizes[0] + c.sizes[1] + c.sizes[2], "taker filled the sum");
        assertEq(venue.tradeCount(), 3, "one trade per maker");
        for (uint256 i = 0; i < 3; ++i) {
            MockClearinghouseVenue.Trade memory tr = venue.tradeAt(i);
            assertEq(tr.price, prices[i], "trade at the maker's price");
            assertTrue(takerBuys ? tr.price <= takerLimit : tr.price >= takerLimit, "within the taker's limit");
            assertEq(tr.maker, c.makers[i].trader, "maker");
            assertEq(tr.taker, taker, "taker");
            assertEq(tr.takerSizeDelta, takerBuys ? int256(c.sizes[i]) : -int256(c.sizes[i]), "size and side");
            assertEq(tr.caller, address(exchange), "sent by the exchange");
        }
    }

    function testFuzz_matchOrders_neverExceedsTakerSize(uint128 takerSize, uint256 s1, uint256 s2) public {
        takerSize = uint128(bound(takerSize, 1, 20));
        s1 = bound(s1, 1, 15);
        s2 = bound(s2, 1, 15);
        Order memory t = ExchangeFixture.order(taker, MARKET, true, takerSize, 5e18, 7);
        Order[] memory makers = new Order[](2);
        bytes[] memory sigs = new bytes[](2);
        uint256[] memory sizes = new uint256[](2);
        makers[0] = ExchangeFixture.order(maker, MARKET, false, 15, 4e18, 1);
        makers[1] = ExchangeFixture.order(vm.addr(MAKER2_KEY), MARKET, false, 15, 5e18, 2);
        sigs[0] = _sign(MAKER_KEY, makers[0]);
        sigs[1] = _sign(MAKER2_KEY, makers[1]);
        sizes[0] = s1;
        sizes[1] = s2;
        bytes32 th = exchange.hashOrder(t);
        bytes memory takerSig = _sign(TAKER_KEY, t);
        if (s1 > takerSize) {
            vm.expectRevert(abi.encodeWithSelector(IExchange.FillExceedsRemaining.selector, th, s1, uint256(takerSize)));
            exchange.matchOrders(t, takerSig, makers, sigs, sizes);
        } else if (s1 + s2 > takerSize) {
            vm.expectRevert(abi.encodeWithSelector(IExchange.FillExceedsRemaining.selector, th, s2, takerSize - s1));
            exchange.matchOrders(t, takerSig, makers, sigs, sizes);
        } else {
            assertEq(exchange.matchOrders(t, takerSig, makers, sigs, sizes), s1 + s2, "filled both");
        }
        assertLe(takerSize - exchange.remaining(t), takerSize, "taker never over-filled");

        // The same match as immediate-or-cancel (with fresh makers) clips instead of reverting.
        t.flags = FLAG_IMMEDIATE_OR_CANCEL;
        t.salt = 8;
        t.nonce = 8;
        th = exchange.hashOrder(t);
        makers[0].salt = 11;
        makers[0].nonce = 11;
        makers[1].salt = 12;
        makers[1].nonce = 12;
        sigs[0] = _sign(MAKER_KEY, makers[0]);
        sigs[1] = _sign(MAKER2_KEY, makers[1]);
        uint256 got = exchange.matchOrders(t, _sign(TAKER_KEY, t), makers, sigs, sizes);
        uint256 expected = s1 + s2 < takerSize ? s1 + s2 : takerSize;
        assertEq(got, expected, "IOC fills what it can");
        assertLe(expected, takerSize, "IOC filled within size");
        assertEq(exchange.filled(th), 0, "no partial-fill slot left behind");
        assertTrue(exchange.isNonceUsed(taker, t.nonce), "IOC remainder voided");
        assertEq(exchange.remaining(t), 0, "nothing left of the IOC taker");
    }

    // --------------------------------------------------------------------------------------------
    // Reduce-only
    // --------------------------------------------------------------------------------------------

    function testFuzz_reduceOnly_neverFlipsPosition(int256 position, uint256 fillSize) public {
        position = int256(bound(uint256(position < 0 ? -(position % 1e12) : position % 1e12), 0, 1e12));
        bool short = fillSize % 2 == 0;
        int256 start = short ? -position : position;
        venue.setPosition(maker, MARKET, start);
        fillSize = bound(fillSize, 1, 2e12);
        // A reduce-only sell when long (buy when short).
        Order memory o = ExchangeFixture.order(maker, MARKET, short, uint128(fillSize), 2e18, 3);
        o.flags = FLAG_REDUCE_ONLY;
        bytes memory sig = _sign(MAKER_KEY, o);
        bool reduces = start != 0 && fillSize <= uint256(position);
        if (!reduces) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IExchange.ReduceOnlyWouldIncrease.selector,
                    exchange.hashOrder(o),
                    start,
                    short ? int256(fillSize) : -int256(fillSize)
                )
            );
        }
        this.fillExternal(o, sig, fillSize);
        int256 end = venue.positionSize(maker, MARKET);
        assertTrue(start >= 0 ? end >= 0 && end <= start : end <= 0 && end >= start, "reduced without flipping");
    }

    // --------------------------------------------------------------------------------------------
    // Signatures: domain binding and malleability
    // --------------------------------------------------------------------------------------------

    function testFuzz_signature_rejectedOnAnotherChain(uint64 otherChainId) public {
        vm.assume(otherChainId != block.chainid && otherChainId != 0);
        Order memory o = ExchangeFixture.order(maker, MARKET, false, 10, 2e18, 1);
        bytes memory sig = _sign(MAKER_KEY, o);
        vm.chainId(otherChainId);
        vm.expectRevert(); // recovers some other signer: UnauthorisedSigner
        this.fillExternal(o, sig, 1);
        assertEq(venue.positionSize(taker, MARKET), 0, "nothing traded on the other chain");
    }

    function test_signature_rejectedOnAnotherChainWithUnauthorisedSigner() public {
        Order memory o = ExchangeFixture.order(maker, MARKET, false, 10, 2e18, 1);
        bytes memory sig = _sign(MAKER_KEY, o);
        vm.chainId(5);
        bytes32 h = exchange.hashOrder(o);
        vm.prank(taker);
        try exchange.fillOrder(o, sig, 1) {
            revert AssertionFailedBool("filled on another chain");
        } catch (bytes memory reason) {
            assertEq(bytes4(reason), IExchange.UnauthorisedSigner.selector, "error");
            (bytes32 gotHash, address gotTrader, address gotSigner) = abi.decode(_args(reason), (bytes32, address, address));
            assertEq(gotHash, h, "hash under the new chain id");
            assertEq(gotTrader, maker, "trader");
            assertTrue(gotSigner != maker, "signer is not the maker");
        }
    }

    function test_signature_rejectedOnAnotherDeployment() public {
        (Exchange other, MockClearinghouseVenue otherVenue) = ExchangeFixture.deploy(address(this));
        Order memory o = ExchangeFixture.order(maker, MARKET, false, 10, 2e18, 1);
        bytes memory sig = _sign(MAKER_KEY, o);
        assertTrue(other.hashOrder(o) != exchange.hashOrder(o), "hash bound to the deployment");
        vm.prank(taker);
        vm.expectRevert();
        other.fillOrder(o, sig, 1);
        assertEq(otherVenue.positionSize(taker, MARKET), 0, "nothing traded on the other deployment");
        // ... while it fills where it was signed.
        this.fillExternal(o, sig, 1);
        assertEq(venue.positionSize(taker, MARKET), 1, "fills on its own deployment");
    }

    function testFuzz_signature_rejectsMalleableHighS(uint256 salt) public {
        Order memory o = ExchangeFixture.order(maker, MARKET, false, 10, 2e18, salt);
        bytes32 h = exchange.hashOrder(o);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(MAKER_KEY, h);
        bytes32 highS = bytes32(ExchangeFixture.SECP256K1_N - uint256(s));
        uint8 flippedV = v == 27 ? 28 : 27;
        bytes memory malleable = abi.encodePacked(r, highS, flippedV);
        vm.expectRevert(abi.encodeWithSelector(IExchange.MalleableSignature.selector, h, highS));
        this.fillExternal(o, malleable, 1);
        // The canonical form fills.
        this.fillExternal(o, abi.encodePacked(r, s, v), 1);
        assertEq(exchange.filled(h), 1, "canonical signature fills");
    }

    function testFuzz_signature_rejectsWrongLength(uint8 length) public {
        vm.assume(length != 65);
        Order memory o = ExchangeFixture.order(maker, MARKET, false, 10, 2e18, 1);
        bytes memory sig = new bytes(length);
        vm.expectRevert(abi.encodeWithSelector(IExchange.InvalidSignatureLength.selector, exchange.hashOrder(o), length));
        this.fillExternal(o, sig, 1);
    }

    function testFuzz_signature_rejectsOtherSigner(uint256 key) public {
        key = bound(key, 1, 1e30);
        vm.assume(key != MAKER_KEY);
        Order memory o = ExchangeFixture.order(maker, MARKET, false, 10, 2e18, 1);
        bytes memory sig = _sign(key, o);
        vm.expectRevert(
            abi.encodeWithSelector(IExchange.UnauthorisedSigner.selector, exchange.hashOrder(o), maker, vm.addr(key))
        );
        this.fillExternal(o, sig, 1);
    }

    function _args(bytes memory reason) private pure returns (bytes memory args) {
        args = new bytes(reason.length - 4);
        for (uint256 i = 0; i < args.length; ++i) {
            args[i] = reason[i + 4];
        }
    }
}
