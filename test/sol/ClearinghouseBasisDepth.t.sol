// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IClearinghouse, RiskParams} from "../../contracts/interfaces/IClearinghouse.sol";
import {VenueFill} from "../../contracts/interfaces/IClearinghouseVenue.sol";
import {LAYOUT_MARKETS, LAYOUT_SLOT, MARKET_TRADE, Market} from "../../contracts/libraries/ClearinghouseStorage.sol";
import {MarginLogic} from "../../contracts/libraries/MarginLogic.sol";
import {PositionMath} from "../../contracts/libraries/PositionMath.sol";
import {SlotWordLib} from "../../contracts/libraries/SlotWordLib.sol";
import {SecurityBase} from "./security/SecurityBase.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @notice Runs `MarginLogic.nextBasis` on a market held in its own storage.
contract BasisHarness {
    Market internal _m;

    function set(uint256 weight, uint256 maxRate, uint256 maxStep, uint256 depth) external {
        _m.basisWeight = uint64(weight);
        _m.maxBasisRate = uint64(maxRate);
        _m.maxBasisStep = uint64(maxStep);
        _m.basisDepth = uint56(depth);
    }

    function next(int256 basis, uint256 price, uint256 index, uint256 expiry, uint256 size)
        external
        view
        returns (int256)
    {
        // A fill that opens its second: the mark basis is the basis before it.
        return nextFrom(basis, basis, price, index, expiry, size);
    }

    function nextFrom(int256 basis, int256 anchor, uint256 price, uint256 index, uint256 expiry, uint256 size)
        public
        view
        returns (int256)
    {
        return MarginLogic.nextBasis(_m, SlotWordLib.loadBasisParams(_m), basis, anchor, price, index, expiry, size);
    }

    function weightDown(uint256 weight, uint256 size, uint256 depth) external pure returns (uint256) {
        return PositionMath.basisWeightDown(weight, size, depth);
    }
}

/// @notice The size-weighted basis EMA in isolation: a fill of `basisDepth` contracts or more moves the basis by
/// the full `basisWeight`, a smaller one by `basisWeight × size / basisDepth` rounded toward not moving.
contract BasisDepthMathTest is TestBase {
    uint256 internal constant START = 1_700_000_000;

    BasisHarness internal h;

    function setUp() public {
        vm.warp(START);
        h = new BasisHarness();
    }

    function test_basisWeightDown_fullAtAndAboveTheDepth() public view {
        assertEq(h.weightDown(0.1e18, 50, 50), 0.1e18, "at the depth");
        assertEq(h.weightDown(0.1e18, 51, 50), 0.1e18, "above it");
        assertEq(h.weightDown(0.1e18, type(uint128).max, 50), 0.1e18, "the largest fill");
        assertEq(h.weightDown(0.1e18, 1, 1), 0.1e18, "depth 1: every fill in full");
        assertEq(h.weightDown(1e18, type(uint56).max, type(uint56).max), 1e18, "largest depth, reached");
    }

    function test_basisWeightDown_proportionalBelowTheDepthRoundedDown() public view {
        assertEq(h.weightDown(0.1e18, 5, 50), 0.01e18, "a tenth of the depth, a tenth of the weight");
        assertEq(h.weightDown(0.1e18, 49, 50), 0.098e18, "just below");
        assertEq(h.weightDown(7, 1, 3), 2, "7 / 3 rounds down to 2");
        assertEq(h.weightDown(2, 1, 3), 0, "below one unit: zero weight");
        assertEq(h.weightDown(1e18, 1, type(uint56).max), 1e18 / uint256(type(uint56).max), "largest depth");
    }

    function test_nextBasis_fillBelowTheDepthMovesProportionally() public {
        h.set(0.1e18, 0.5e18, 0.05e18, 100);
        uint256 expiry = START + 90 days;
        // A fill 1 % above the index implies about 4 %/year; at full weight the step is about 0.4 %/year.
        int256 full = h.next(0, 10.1e18, 10e18, expiry, 100);
        assertTrue(full > 0, "a full-weight fill moves the basis");
        assertEq(h.next(0, 10.1e18, 10e18, expiry, 1_000), full, "above the depth: the same step");
        int256 tenth = h.next(0, 10.1e18, 10e18, expiry, 10);
        assertTrue(tenth > 0 && tenth < full, "a tenth of the depth moves less");
        assertApproxEq(uint256(tenth), uint256(full) / 10, 1, "about a tenth as far");
        // Downward too, the same magnitudes.
        assertEq(h.next(0, 9.9e18, 10e18, expiry, 100), -full, "symmetric at full weight");
    }

    function test_nextBasis_stepRoundsTowardNotMoving() public {
        uint256 expiry = START + 90 days;
        // Weight 2 wei, depth 3: a one-contract fill has zero weight and leaves the basis exactly where it was,
        // both ways.
        h.set(2, 0.5e18, 0.05e18, 3);
        assertEq(h.next(0.1e18, 10.5e18, 10e18, expiry, 1), 0.1e18, "zero weight upward: no move");
        assertEq(h.next(0.1e18, 9.5e18, 10e18, expiry, 1), 0.1e18, "zero weight downward: no move");
        // The largest depth and full weight: a one-contract fill weighs 1e18 / (2**56 - 1) = 13 wei. With the
        // index at the price the implied basis is 0, the gap -0.2e18: the step -0.2e18 x 13 / 1e18 = -2.6
        // truncates to -2 (toward zero, not to -3).
        h.set(1e18, 0.5e18, 0.5e18, type(uint56).max);
        assertEq(h.next(0.2e18, 10e18, 10e18, expiry, 1), 0.2e18 - 2, "downward step truncated toward zero");
        assertEq(h.next(-0.2e18, 10e18, 10e18, expiry, 1), -0.2e18 + 2, "upward step truncated toward zero");
    }

    /// @dev Whatever the fill size, the basis moves in the direction of the full-weight step and never further.
    function testFuzz_nextBasis_stepNeverExceedsTheFullWeightStep(
        int256 basisSeed,
        uint256 priceSeed,
        uint256 size,
        uint256 depth,
        uint256 weight,
        uint256 maxRate,
        uint256 maxStep,
        uint256 tte
    ) public {
        maxRate = bound(maxRate, 1, 0.9e18);
        maxStep = bound(maxStep, 1, maxRate);
        weight = bound(weight, 1, 1e18);
        depth = bound(depth, 1, type(uint56).max);
        size = bound(size, 1, type(uint128).max);
        tte = bound(tte, 1, 366 days);
        int256 basis = int256(bound(uint256(basisSeed), 0, 2 * maxRate)) - int256(maxRate);
        uint256 price = bound(priceSeed, 1e15, 100e18);
        h.set(weight, maxRate, maxStep, depth);
        _checkSteps(basis, price, vm.getBlockTimestamp() + tte, size, depth);
    }

    /// @dev `nextBasis` computes unchecked: with every input at the extremes its types allow (a basis and a mark
    /// basis anywhere in int64, every setting up to 2^64 − 1, beyond the protocol's own bounds), the result stays
    /// inside the clamp and within one step of the mark basis whenever the clamp leaves room for that step, which a
    /// wrapped intermediate would break.
    function testFuzz_nextBasis_staysInItsClampsAtTheExtremesOfItsTypes(
        int64 basis,
        int64 anchor,
        uint256 priceSeed,
        uint256 weight,
        uint256 maxRate,
        uint256 maxStep,
        uint256 tte
    ) public {
        maxRate = bound(maxRate, 1, type(uint64).max);
        maxStep = bound(maxStep, 1, type(uint64).max);
        weight = bound(weight, 1, type(uint64).max);
        tte = bound(tte, 1, 366 days);
        uint256 price = bound(priceSeed, 1, 1e30);
        h.set(weight, maxRate, maxStep, 1);
        int256 next = h.nextFrom(basis, anchor, price, 10e18, vm.getBlockTimestamp() + tte, 1);
        assertTrue(next <= int256(maxRate), "at most the clamp");
        assertTrue(next >= -int256(maxRate), "at least minus the clamp");
        int256 a = anchor;
        if (a + int256(maxStep) <= int256(maxRate) && a - int256(maxStep) >= -int256(maxRate)) {
            assertTrue(next - a <= int256(maxStep), "at most one step above the mark basis");
            assertTrue(next - a >= -int256(maxStep), "at most one step below the mark basis");
        }
    }

    function _checkSteps(int256 basis, uint256 price, uint256 expiry, uint256 size, uint256 depth) internal view {
        int256 full = h.next(basis, price, 10e18, expiry, depth) - basis;
        int256 part = h.next(basis, price, 10e18, expiry, size) - basis;
        if (size >= depth) assertEq(part, full, "at or above the depth: the full step");
        if (full >= 0) assertTrue(part >= 0 && part <= full, "upward, no further than the full step");
        else assertTrue(part <= 0 && part >= full, "downward, no further than the full step");
        // A larger fill never moves the basis less.
        if (size < type(uint128).max) {
            int256 larger = h.next(basis, price, 10e18, expiry, size + 1) - basis;
            assertTrue(full >= 0 ? larger >= part : larger <= part, "monotone in the fill size");
        }
    }
}

/// @notice The basis depth through the Clearinghouse: its bounds, where it is stored, and fills weighted by size.
contract BasisDepthClearinghouseTest is SecurityBase {
    uint256 internal constant MAX_DEPTH = type(uint56).max;

    function setUp() public {
        _deploy(address(0), 6, 10e18);
        _fund(ALICE, 1_000_000e6);
        _fund(BOB, 1_000_000e6);
    }

    function _withDepth(uint256 depth) internal pure returns (RiskParams memory r) {
        r = _risk();
        r.basisDepth = uint64(depth);
    }

    function test_createMarket_revertsOnZeroOrTooLargeBasisDepth() public {
        params.expiry += 1; // another market id
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.BasisDepthOutOfBounds.selector, 0, MAX_DEPTH));
        ch.createMarket(params, _withDepth(0), _terms());
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.BasisDepthOutOfBounds.selector, MAX_DEPTH + 1, MAX_DEPTH)
        );
        ch.createMarket(params, _withDepth(MAX_DEPTH + 1), _terms());
        bytes32 id = ch.createMarket(params, _withDepth(MAX_DEPTH), _terms());
        assertEq(ch.riskParams(id).basisDepth, MAX_DEPTH, "the largest depth is stored");
    }

    function test_setRiskParams_basisDepthBoundsAtAndBeyond() public {
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.BasisDepthOutOfBounds.selector, 0, MAX_DEPTH));
        ch.setRiskParams(marketId, _withDepth(0));
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.BasisDepthOutOfBounds.selector, MAX_DEPTH + 1, MAX_DEPTH)
        );
        ch.setRiskParams(marketId, _withDepth(MAX_DEPTH + 1));
        vm.expectRevert(
            abi.encodeWithSelector(
                IClearinghouse.BasisDepthOutOfBounds.selector,
                uint256(type(uint64).max),
                MAX_DEPTH
            )
        );
        ch.setRiskParams(marketId, _withDepth(type(uint64).max));
        ch.setRiskParams(marketId, _withDepth(1));
        assertEq(ch.riskParams(marketId).basisDepth, 1, "smallest");
        vm.expectEmit(address(ch));
        emit IClearinghouse.RiskParamsSet(marketId, _withDepth(MAX_DEPTH));
        ch.setRiskParams(marketId, _withDepth(MAX_DEPTH));
        assertEq(ch.riskParams(marketId).basisDepth, MAX_DEPTH, "largest");
    }

    /// @dev The depth lives in the top 56 bits of the market's trade slot (basis rate, open interest, index,
    /// open positions, paused), so a trade reads it with the basis (`MARKET_TRADE` of the market's slots).
    function test_basisDepth_packedIntoTheTradeSlot() public {
        ch.setRiskParams(marketId, _withDepth(0xABCDEF123456));
        ch.trade(marketId, BOB, ALICE, 3, 10.5e18, bytes32(0));
        uint256 slot2 = uint256(keccak256(abi.encode(marketId, LAYOUT_SLOT + LAYOUT_MARKETS))) + MARKET_TRADE;
        uint256 word = uint256(vm.load(address(ch), bytes32(slot2)));
        (int256 basis, uint256 oi, uint256 openPositions, bool paused, uint32 index) = ch.marketState(marketId);
        assertTrue(basis != 0, "the trade moved the basis");
        assertEq(int256(int64(uint64(word))), basis, "basis rate in bits 0-63");
        assertEq((word >> 64) & type(uint64).max, oi, "open interest in bits 64-127");
        assertEq((word >> 128) & type(uint32).max, index, "index in bits 128-159");
        assertEq((word >> 160) & type(uint32).max, openPositions, "open positions in bits 160-191");
        assertEq((word >> 192) & 0xff, paused ? 1 : 0, "paused in bits 192-199");
        assertEq(word >> 200, 0xABCDEF123456, "basis depth in bits 200-255");
    }

    function test_trade_zeroSizeFillNeverReachesTheWeighting() public {
        ch.setRiskParams(marketId, _withDepth(10));
        vm.expectRevert(IClearinghouse.ZeroSize.selector);
        ch.trade(marketId, BOB, ALICE, 0, 10e18, bytes32(0));
        VenueFill[] memory fills = new VenueFill[](2);
        fills[0] = VenueFill(BOB, 5, 10.5e18, bytes32(0));
        fills[1] = VenueFill(BOB, 0, 10.5e18, bytes32(0));
        vm.expectRevert(IClearinghouse.ZeroSize.selector);
        ch.tradeBatch(marketId, ALICE, bytes32(0), fills);
        (int256 basis, , , , ) = ch.marketState(marketId);
        assertEq(basis, 0, "nothing moved");
    }

    /// @dev One fill of each size from the same state: full weight from the depth up, proportional below it.
    function test_trade_fillSizeWeightsTheBasisStep() public {
        ch.setRiskParams(marketId, _withDepth(10));
        uint256 snapshot = vm.snapshotState();
        int256[4] memory moved;
        int256[4] memory sizes = [int256(1), 5, 10, 40];
        for (uint256 i; i < 4; ++i) {
            vm.revertToState(snapshot);
            ch.trade(marketId, BOB, ALICE, sizes[i], 10.5e18, bytes32(0));
            (moved[i], , , , ) = ch.marketState(marketId);
        }
        assertTrue(moved[0] > 0, "one contract still moves it a little");
        assertApproxEq(uint256(moved[0]), uint256(moved[2]) / 10, 1, "a tenth of the depth: a tenth");
        assertApproxEq(uint256(moved[1]), uint256(moved[2]) / 2, 1, "half the depth: half");
        assertEq(moved[3], moved[2], "four depths: the same as one");
    }
}
