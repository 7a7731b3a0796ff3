// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MarketParams} from "../../contracts/interfaces/IClearinghouse.sol";
import {MarginLogic} from "../../contracts/libraries/MarginLogic.sol";
import {MarketParamsLib} from "../../contracts/libraries/MarketParamsLib.sol";
import {PositionMath} from "../../contracts/libraries/PositionMath.sol";
import {WAD, WadMath} from "../../contracts/libraries/WadMath.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @notice Fuzz tests of the Clearinghouse's pure math against references computed here.
contract ClearinghouseMathTest is TestBase {

    function testFuzz_marketId_isHashOfEncodedParams(
        bytes32 indexId,
        bytes32 methodologyHash,
        uint64 expiry,
        uint128 contractSize,
        uint128 tickSize,
        uint64 minSize,
        uint32 window
    ) public pure {
        MarketParams memory p = MarketParams(indexId, methodologyHash, expiry, contractSize, tickSize, minSize, window);
        assertEq(MarketParamsLib.id(p), keccak256(abi.encode(p)), "id");
    }

    function testFuzz_toToken_roundsDownAndUp(uint256 wad, uint8 decimals) public pure {
        decimals = uint8(bound(decimals, 0, 18));
        wad = bound(wad, 0, type(uint128).max);
        uint256 scale = 10 ** (18 - uint256(decimals));
        uint256 down = WadMath.toTokenDown(wad, scale);
        uint256 up = WadMath.toTokenUp(wad, scale);
        assertLe(down * scale, wad, "down <= exact");
        assertGe(up * scale, wad, "up >= exact");
        assertLe(up - down, 1, "at most one unit apart");
        if (wad % scale == 0) assertEq(up, down, "exact when divisible");
    }

    /// @dev `abs` is unchecked: over the whole int256 range, `type(int256).min` included, it is the exact magnitude.
    function testFuzz_abs_isTheExactMagnitude(int256 x) public pure {
        uint256 expected = x >= 0 ? uint256(x) : (x == type(int256).min ? 1 << 255 : uint256(-x));
        assertEq(WadMath.abs(x), expected, "magnitude");
    }

    /// @dev The edges of the two unchecked functions above, which a fuzz run may not draw.
    function test_absAndLongDelta_atTheEdgesOfInt256() public pure {
        assertEq(WadMath.abs(type(int256).min), 1 << 255, "the most negative value");
        assertEq(WadMath.abs(type(int256).max), uint256(type(int256).max), "the largest value");
        assertEq(PositionMath.longDelta(type(int256).min, type(int256).max), type(int256).max, "from short to long");
        assertEq(PositionMath.longDelta(type(int256).max, 0), -type(int256).max, "long closed");
    }

    /// @dev `longDelta` is unchecked: over the whole int256 range it equals the checked difference of the long sides.
    function testFuzz_longDelta_isTheChangeOfTheLongSide(int256 oldSize, int256 newSize) public pure {
        int256 oldLong = oldSize > 0 ? oldSize : int256(0);
        int256 newLong = newSize > 0 ? newSize : int256(0);
        assertEq(PositionMath.longDelta(oldSize, newSize), newLong - oldLong, "long side change");
    }

    function testFuzz_mulDiv_directions(uint256 x, uint256 y, uint256 d) public pure {
        x = bound(x, 0, type(uint128).max);
        y = bound(y, 0, type(uint128).max);
        d = bound(d, 1, type(uint128).max);
        uint256 down = WadMath.mulDivDown(x, y, d);
        uint256 up = WadMath.mulDivUp(x, y, d);
        assertEq(down, (x * y) / d, "down");
        assertEq(up, (x * y + d - 1) / d, "up");
    }

    /// @dev Reducing realises PnL rounded against the account; the sum of realised PnL over the life of
    /// a position equals proceeds minus cost exactly.
    function testFuzz_applyDelta_realisesExactlyOverALifetime(
        uint256 size,
        uint256 openPrice,
        uint256 closePrice,
        uint256 firstClose,
        bool long
    ) public pure {
        size = bound(size, 1, 1e9);
        openPrice = bound(openPrice, 1, 1e24);
        closePrice = bound(closePrice, 1, 1e24);
        firstClose = bound(firstClose, 1, size);
        uint256 vOpen = PositionMath.unitValueDown(openPrice, 1000e18);
        uint256 vClose = PositionMath.unitValueDown(closePrice, 1000e18);
        int256 sign = long ? int256(1) : int256(-1);
        int256 lifetime = sign * int256(size) * (int256(vClose) - int256(vOpen));
        int256 exact = sign * int256(firstClose) * (int256(vClose) - int256(vOpen));
        (int256 s1, int256 n1, int256 r0) = PositionMath.applyDelta(0, 0, sign * int256(size), vOpen);
        assertEq(r0, int256(0), "opening realises nothing");
        assertEq(n1, sign * int256(size * vOpen), "cost basis");
        (s1, n1, r0) = PositionMath.applyDelta(s1, n1, -sign * int256(firstClose), vClose);
        // Only a loss is realised (a gain stays escrowed in the basis); never above the exact share of the PnL
        // for the closed part, and at most one wei below.
        assertTrue(r0 <= 0, "a gain is not realised");
        if (exact < 0) {
            assertTrue(r0 <= exact, "realised rounds against the account");
            assertTrue(exact - r0 <= 1, "by at most one wei");
        }
        (int256 s3, int256 n3, int256 r2) = PositionMath.applyDelta(s1, n1, -s1, vClose);
        assertEq(s3, int256(0), "closed");
        assertTrue(r2 <= 0 && n3 <= 0, "what is left is an escrowed gain, never a debt");
        // Realised losses plus the escrowed gain (the basis left, negated) are the lifetime PnL exactly.
        assertEq(r0 + r2 - n3, lifetime, "lifetime PnL exact");
        if (lifetime <= 0) assertEq(n3, int256(0), "nothing escrowed after a lifetime loss");
    }

    /// @dev A flip realises the whole old position and opens the remainder at the trade value.
    function testFuzz_applyDelta_flip(uint256 size, uint256 extra, uint256 v0, uint256 v1) public pure {
        size = bound(size, 1, 1e9);
        extra = bound(extra, 1, 1e9);
        v0 = bound(v0, 1, 1e30);
        v1 = bound(v1, 1, 1e30);
        int256 n = int256(size * v0);
        (int256 s, int256 n2, int256 r) = PositionMath.applyDelta(int256(size), n, -int256(size + extra), v1);
        int256 closedPnl = int256(size) * (int256(v1) - int256(v0));
        assertEq(s, -int256(extra), "size");
        // A gain on the closed long stays escrowed in the new short's basis; a loss is realised.
        int256 escrow = closedPnl > 0 ? closedPnl : int256(0);
        assertEq(n2, -int256(extra * v1) - escrow, "basis of the new short, with the escrowed gain");
        assertEq(r, closedPnl < 0 ? closedPnl : int256(0), "realised loss");
    }

    function testFuzz_liveMark_convergesAndStaysPositive(uint256 index, int256 basis, uint256 tte) public pure {
        index = bound(index, 1, 1e30);
        basis = int256(bound(uint256(basis), 0, 1.8e18)) - 0.9e18;
        tte = bound(tte, 1, 366 days);
        uint256 expiry = 1e9;
        uint256 mark = PositionMath.liveMarkDown(index, basis, expiry, expiry - tte);
        int256 tau = int256((tte * WAD) / 365 days);
        int256 factor = int256(WAD) + (basis * tau) / int256(WAD);
        assertEq(mark, (index * uint256(factor)) / WAD, "formula");
        assertTrue(factor > 0.09e18, "factor positive");
        // One second before expiry the mark is within 3e-8 of the index.
        uint256 last = PositionMath.liveMarkDown(index, basis, expiry, expiry - 1);
        assertApproxEq(last, index, index / 3e7 + 1, "converges");
    }

    function testFuzz_openMarketLanes_addRemove(uint16 a, uint16 b, uint16 c) public pure {
        vm.assume(a != 0 && b != 0 && c != 0 && a != b && b != c && a != c);
        uint128 list = MarginLogic.addMarket(0, a, address(1));
        list = MarginLogic.addMarket(list, b, address(1));
        list = MarginLogic.removeMarket(list, a);
        list = MarginLogic.addMarket(list, c, address(1));
        assertEq(uint256(list) & 0xffff, uint256(c), "reuses the freed lane");
        assertEq((uint256(list) >> 16) & 0xffff, uint256(b), "keeps the other");
        list = MarginLogic.removeMarket(MarginLogic.removeMarket(list, b), c);
        assertEq(uint256(list), 0, "empty");
    }

    function testFuzz_openMarketLanes_holdEightDistinctIndexesInTheirOwnLanes(uint16 seed) public pure {
        uint128 list;
        for (uint256 i; i < MarginLogic.MAX_OPEN_MARKETS; ++i) {
            // Eight distinct non-zero indexes spread over the 16-bit range (the largest, 65,535, included).
            uint32 index = uint32(((uint256(seed) + i * 8_191) % 65_535) + 1);
            list = MarginLogic.addMarket(list, index, address(1));
            assertEq((uint256(list) >> (16 * i)) & 0xffff, index, "lane i holds the i-th market");
        }
    }
}
