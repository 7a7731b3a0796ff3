// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IndexOracle} from "../../contracts/IndexOracle.sol";
import {IIndexOracle} from "../../contracts/interfaces/IIndexOracle.sol";
import {CheckpointLib} from "../../contracts/libraries/CheckpointLib.sol";
import {MedianLib} from "../../contracts/libraries/MedianLib.sol";
import {PackedSlotLib} from "../../contracts/libraries/PackedSlotLib.sol";
import {OracleTestBase} from "./utils/OracleTestBase.sol";

/// @notice Fuzz tests of the oracle's median, deviation and TWAP math, as libraries and through the
/// deployed contract, against references computed independently in the test.
contract IndexOracleTest is OracleTestBase {
    using PackedSlotLib for IIndexOracle.IndexState;
    using PackedSlotLib for IIndexOracle.Checkpoint;

    bytes32 internal constant ID = keccak256("ATPI-FRONTIER");
    uint256 internal constant MAX_VALUE = type(uint96).max;

    IIndexOracle.IndexState internal _state;
    IIndexOracle.Checkpoint internal _checkpoint;

    function setUp() public {
        vm.warp(START);
    }

    // ------------------------------------------------------------------------------------------
    // MedianLib
    // ------------------------------------------------------------------------------------------

    function _values(uint256 seed, uint256 n) internal pure returns (uint256[] memory values) {
        values = new uint256[](n);
        // Half the runs draw from a tiny range, so ties are common.
        uint256 modulus = seed % 2 == 0 ? 5 : MAX_VALUE;
        for (uint256 i; i < n; ++i) {
            values[i] = 1 + (uint256(keccak256(abi.encode(seed, i))) % modulus);
        }
    }

    function testFuzz_lowerMedian_matchesCountingReference(uint256 seed, uint256 countRaw) public pure {
        uint256 n = bound(countRaw, 1, 32);
        uint256[] memory values = _values(seed, n);
        uint256 expected = _referenceLowerMedian(values);
        assertEq(MedianLib.lowerMedian(values), expected, "lower median");
    }

    function testFuzz_sortAscending_sortsAPermutation(uint256 seed, uint256 countRaw) public pure {
        uint256 n = bound(countRaw, 0, 32);
        uint256[] memory values = _values(seed, n);
        uint256 sumBefore;
        bytes32 mixBefore;
        for (uint256 i; i < n; ++i) {
            sumBefore += values[i];
            mixBefore ^= keccak256(abi.encode(values[i]));
        }
        MedianLib.sortAscending(values);
        uint256 sumAfter;
        bytes32 mixAfter;
        for (uint256 i; i < n; ++i) {
            if (i > 0) assertLe(values[i - 1], values[i], "ascending");
            sumAfter += values[i];
            mixAfter ^= keccak256(abi.encode(values[i]));
        }
        assertEq(sumAfter, sumBefore, "same sum");
        assertEq(mixAfter, mixBefore, "same multiset");
    }

    function test_lowerMedianPosition_isLowerMiddle() public pure {
        assertEq(MedianLib.lowerMedianPosition(1), 0, "n=1");
        assertEq(MedianLib.lowerMedianPosition(2), 0, "n=2");
        assertEq(MedianLib.lowerMedianPosition(3), 1, "n=3");
        assertEq(MedianLib.lowerMedianPosition(4), 1, "n=4");
        assertEq(MedianLib.lowerMedianPosition(32), 15, "n=32");
    }

    // ------------------------------------------------------------------------------------------
    // CheckpointLib
    // ------------------------------------------------------------------------------------------

    function testFuzz_average_isExactAcrossCumulativeWrap(
        uint128 start,
        uint96 value1,
        uint96 value2,
        uint32 dt1Raw,
        uint32 dt2Raw
    ) public pure {
        uint256 dt1 = bound(dt1Raw, 1, type(uint32).max / 2);
        uint256 dt2 = bound(dt2Raw, 1, type(uint32).max / 2);
        uint256 t0 = 1000;
        IIndexOracle.Checkpoint memory a = IIndexOracle.Checkpoint({timestamp: 1000, value: value1, cumulative: start});
        uint128 cumAtB = CheckpointLib.cumulativeAt(a, t0 + dt1);
        IIndexOracle.Checkpoint memory b = IIndexOracle.Checkpoint({
            timestamp: uint32(t0 + dt1),
            value: value2,
            cumulative: cumAtB
        });
        uint128 cumEnd = CheckpointLib.cumulativeAt(b, t0 + dt1 + dt2);
        assertEq(CheckpointLib.averageDown(start, cumAtB, t0, t0 + dt1), value1, "one segment");
        uint256 expected = (uint256(value1) * dt1 + uint256(value2) * dt2) / (dt1 + dt2);
        assertEq(CheckpointLib.averageDown(start, cumEnd, t0, t0 + dt1 + dt2), expected, "two segments");
    }

    function testFuzz_exceedsDeviation_isExactAtTheBound(uint256 previousRaw, uint256 maxDeviationRaw) public pure {
        uint256 previous = bound(previousRaw, 1, MAX_VALUE);
        uint256 maxDeviation = bound(maxDeviationRaw, 1e15, 10e18);
        uint256 delta = (previous * maxDeviation) / 1e18;
        assertTrue(!CheckpointLib.exceedsDeviation(previous, previous, maxDeviation), "no move");
        if (previous + delta + 1 <= MAX_VALUE) {
            assertTrue(!CheckpointLib.exceedsDeviation(previous, previous + delta, maxDeviation), "up at bound");
            assertTrue(CheckpointLib.exceedsDeviation(previous, previous + delta + 1, maxDeviation), "up beyond");
        }
        if (delta < previous) {
            assertTrue(!CheckpointLib.exceedsDeviation(previous, previous - delta, maxDeviation), "down at bound");
            if (delta + 1 < previous) {
                assertTrue(CheckpointLib.exceedsDeviation(previous, previous - delta - 1, maxDeviation), "down beyond");
            }
        }
    }

    function test_supermajority_isSmallestTwoThirds() public pure {
        for (uint256 n = 1; n <= 32; ++n) {
            uint256 k = CheckpointLib.supermajority(n);
            assertGe(3 * k, 2 * n, "reaches two thirds");
            assertTrue(3 * (k - 1) < 2 * n, "smallest such");
        }
    }

    // ------------------------------------------------------------------------------------------
    // PackedSlotLib agrees with the compiler's storage layout
    // ------------------------------------------------------------------------------------------

    function testFuzz_packedState_matchesSolidityLayout(IIndexOracle.IndexState memory s, uint32 count, uint32 observed)
        public
    {
        _state = s;
        (IIndexOracle.IndexState memory loaded, uint256 word) = _state.load();
        assertEq(PackedSlotLib.number(word), s.number, "number, from the word");
        assertEq(loaded.number, 0, "load leaves number zero");
        loaded.number = s.number;
        assertEq(keccak256(abi.encode(loaded)), keccak256(abi.encode(s)), "load");
        _state.storeRound(word, count, observed);
        s.checkpointCount = count;
        s.lastObservedAt = observed;
        assertEq(keccak256(abi.encode(_state)), keccak256(abi.encode(s)), "storeRound keeps the other fields");
    }

    function testFuzz_packedCheckpoint_matchesSolidityLayout(uint32 timestamp, uint96 value, uint128 cumulative)
        public
    {
        _checkpoint.store(timestamp, value, cumulative);
        assertEq(_checkpoint.timestamp, timestamp, "timestamp");
        assertEq(_checkpoint.value, value, "value");
        assertEq(_checkpoint.cumulative, cumulative, "cumulative");
        IIndexOracle.Checkpoint memory loaded = _checkpoint.load();
        assertEq(loaded.timestamp, timestamp, "loaded timestamp");
        assertEq(loaded.value, value, "loaded value");
        assertEq(loaded.cumulative, cumulative, "loaded cumulative");
    }

    // ------------------------------------------------------------------------------------------
    // The whole contract, with vm.sign reporters
    // ------------------------------------------------------------------------------------------

    function _createIndex(IndexOracle oracle, uint256 reporterCount, uint8 quorum) internal {
        address[] memory reporters = new address[](reporterCount);
        for (uint256 i; i < reporterCount; ++i) {
            reporters[i] = vm.addr(_key(i));
        }
        oracle.createIndex(
            ID,
            IIndexOracle.IndexParams({quorum: quorum, maxAge: 7 days, minInterval: 1, maxDeviation: 10e18, faultBound: 0}),
            reporters
        );
    }

    function _key(uint256 i) internal pure returns (uint256) {
        return 0xA11CE + i;
    }

    function _reports(IndexOracle oracle, uint256[] memory values, uint256 observedAt)
        internal
        view
        returns (IIndexOracle.SignedReport[] memory reports)
    {
        reports = new IIndexOracle.SignedReport[](values.length);
        for (uint256 i; i < values.length; ++i) {
            reports[i] = _sign(
                oracle,
                _key(i),
                IIndexOracle.Report({
                    indexId: ID,
                    value: values[i],
                    observedAt: uint64(observedAt),
                    inputsHash: keccak256(abi.encode(observedAt, i))
                })
            );
        }
    }

    function _round(IndexOracle oracle, uint256[] memory values, uint256 observedAt)
        internal
        returns (uint256 roundId)
    {
        return oracle.submit(ID, _reports(oracle, values, observedAt));
    }

    function testFuzz_submit_storesTheLowerMedianOfWhatWasSigned(uint256 seed, uint256 countRaw) public {
        IndexOracle oracle = _deployOracle();
        _createIndex(oracle, 7, 1);
        uint256 n = bound(countRaw, 1, 7);
        uint256[] memory values = _values(seed, n);
        uint256 expected = _referenceLowerMedian(values);
        uint256 roundId = _round(oracle, values, vm.getBlockTimestamp() - 1);
        assertEq(roundId, 1, "round id");
        (uint256 value, uint256 updatedAt) = oracle.latest(ID);
        assertEq(value, expected, "stored median");
        assertEq(updatedAt, vm.getBlockTimestamp(), "checkpoint time is the block time");
    }

    function testFuzz_twapAndRange_matchTheReference(
        uint256 seed,
        uint256 roundsRaw,
        uint256 fromSeed,
        uint256 lengthSeed
    ) public {
        IndexOracle oracle = _deployOracle();
        _createIndex(oracle, 3, 3);
        uint256 rounds = bound(roundsRaw, 1, 8);
        uint256[] memory times = new uint256[](rounds);
        uint256[] memory medians = new uint256[](rounds);
        uint256 t = vm.getBlockTimestamp();
        for (uint256 k; k < rounds; ++k) {
            t += bound(uint256(keccak256(abi.encode(seed, k, "dt"))), 1, 2 days);
            vm.warp(t);
            uint256[] memory values = _values(uint256(keccak256(abi.encode(seed, k))), 3);
            _round(oracle, values, t);
            times[k] = t;
            medians[k] = _referenceLowerMedian(values);
        }
        t += bound(uint256(keccak256(abi.encode(seed, "tail"))), 0, 2 days);
        vm.warp(t);

        uint256 from = bound(fromSeed, times[0], t - 1 > times[0] ? t - 1 : times[0]);
        if (from >= t) {
            // The last round is in the current block: no window ends after it yet.
            vm.warp(t + 1);
            t += 1;
        }
        uint256 to = bound(lengthSeed, from + 1, t);
        // maxAge (7 days) exceeds every gap, so every second is fresh and both averages agree.
        assertEq(oracle.twap(ID, from, to), _referenceTwap(times, medians, from, to), "twap");
        assertEq(oracle.fallbackTwap(ID, from, to), _referenceTwap(times, medians, from, to), "fallback twap");
        (uint256 min, uint256 max) = oracle.range(ID, from, to);
        (uint256 refMin, uint256 refMax) = _referenceRange(times, medians, from, to);
        assertEq(min, refMin, "range min");
        assertEq(max, refMax, "range max");
        (uint256 atFrom, ) = oracle.valueAt(ID, from);
        assertEq(atFrom, _referenceTwap(times, medians, from, from + 1), "value at from");
    }

    function test_submit_rejectsAReplayBeforeLookingAtSignatures() public {
        IndexOracle oracle = _deployOracle();
        _createIndex(oracle, 3, 3);
        uint256[] memory values = new uint256[](3);
        values[0] = 1e18;
        values[1] = 2e18;
        values[2] = 3e18;
        uint256 observedAt = vm.getBlockTimestamp() - 10;
        IIndexOracle.SignedReport[] memory reports = _reports(oracle, values, observedAt);
        oracle.submit(ID, reports);
        vm.warp(vm.getBlockTimestamp() + 1);
        // A broken signature would revert with `InvalidSignature` if it were checked first.
        reports[0].r = bytes32(0);
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.ReplayedReport.selector, observedAt));
        oracle.submit(ID, reports);
        (uint256 value, ) = oracle.latest(ID);
        assertEq(value, 2e18, "first round stands");
    }
}
