// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IndexOracle} from "../../contracts/IndexOracle.sol";
import {IIndexOracle} from "../../contracts/interfaces/IIndexOracle.sol";
import {OracleHandler} from "./invariant/OracleHandler.sol";
import {OracleTestBase} from "./utils/OracleTestBase.sol";

/// @notice Invariants: every accepted value is the median of a quorum of authorised signatures that
/// obeyed the freshness, replay and deviation rules, and every TWAP over a covered window lies between
/// the smallest and largest value in force during it.
contract IndexOracleInvariantTest is OracleTestBase {
    IndexOracle internal _oracle;
    OracleHandler internal _handler;

    function setUp() public {
        vm.warp(START);
        _oracle = _deployOracle();
        _handler = new OracleHandler(_oracle);
        address[] memory reporters = new address[](_handler.REPORTERS());
        for (uint256 i; i < reporters.length; ++i) {
            reporters[i] = vm.addr(_handler.keyOf(i));
        }
        _oracle.createIndex(
            _handler.ID(),
            IIndexOracle.IndexParams({
                quorum: uint8(_handler.QUORUM()),
                maxAge: uint32(_handler.MAX_AGE()),
                minInterval: uint32(_handler.MIN_INTERVAL()),
                maxDeviation: uint64(_handler.MAX_DEVIATION()),
                faultBound: uint8(_handler.FAULT_BOUND())
            }),
            reporters
        );
        targetContract(address(_handler));
    }

    function invariant_acceptedRoundsCameFromAnAuthorisedQuorum() public view {
        assertEq(_handler.acceptedWithUnauthorisedSigner(), 0, "unauthorised signer");
        assertEq(_handler.acceptedWithDuplicateSigner(), 0, "duplicate signer");
        assertEq(_handler.acceptedWithBrokenSignature(), 0, "broken signature");
        assertEq(_handler.acceptedBelowQuorum(), 0, "below quorum");
        assertEq(_handler.acceptedStaleOrReplayed(), 0, "stale or replayed");
        assertEq(_handler.acceptedLargeMoveWithoutAgreement(), 0, "large move without agreement");
        assertEq(_handler.storedValueNotTheSignedMedian(), 0, "stored value is not the signed median");
    }

    function invariant_oracleHistoryIsWhatTheHandlerGotAccepted() public view {
        (uint256[] memory times, uint256[] memory values) = _handler.history();
        bytes32 id = _handler.ID();
        assertEq(_oracle.checkpointCount(id), times.length, "round count");
        for (uint256 k; k < times.length; ++k) {
            IIndexOracle.Checkpoint memory c = _oracle.checkpoint(id, k + 1);
            assertEq(c.timestamp, times[k], "timestamp");
            assertEq(c.value, values[k], "value");
        }
    }

    function invariant_twapLiesWithinTheWindowsRange() public {
        vm.warp(_handler.currentTime());
        (uint256[] memory times, uint256[] memory values) = _handler.history();
        uint256 n = times.length;
        if (n == 0) return;
        uint256 nowTs = vm.getBlockTimestamp();
        for (uint256 k; k < n; ++k) {
            // From each checkpoint to the next one, to a point inside the next segment, and to now.
            uint256 from = times[k];
            if (k + 1 < n) {
                _checkWindow(times, values, from, times[k + 1]);
                _checkWindow(times, values, from + (times[k + 1] - from) / 2 + 1, times[k + 1]);
            }
            if (nowTs > from) _checkWindow(times, values, from, nowTs);
        }
    }

    function _checkWindow(uint256[] memory times, uint256[] memory values, uint256 from, uint256 to) internal view {
        if (from >= to) return;
        bytes32 id = _handler.ID();
        (uint256 min, uint256 max) = _oracle.range(id, from, to);
        (uint256 refMin, uint256 refMax) = _referenceRange(times, values, from, to);
        assertEq(min, refMin, "range min");
        assertEq(max, refMax, "range max");
        (uint256 refTwap, uint256 covered) = _referenceFreshTwap(times, values, from, to, _handler.MAX_AGE());
        uint256 required = ((to - from) * _oracle.MIN_TWAP_COVERAGE() + 1e18 - 1) / 1e18;
        if (covered < required) {
            try _oracle.twap(id, from, to) returns (uint256) {
                assertTrue(false, "twap answered below the coverage floor");
            } catch (bytes memory err) {
                bytes memory expected = abi.encodeWithSelector(
                    IIndexOracle.InsufficientCoverage.selector,
                    id,
                    from,
                    to,
                    covered,
                    required
                );
                assertEq(keccak256(err), keccak256(expected), "InsufficientCoverage with the numbers");
            }
        } else {
            uint256 twap = _oracle.twap(id, from, to);
            assertGe(twap, min, "twap >= min");
            assertLe(twap, max, "twap <= max");
            assertEq(twap, refTwap, "twap");
        }
        uint256 fallbackTwap = _oracle.fallbackTwap(id, from, to);
        assertEq(fallbackTwap, _referenceTwap(times, values, from, to), "fallback twap");
    }

    /// @notice The collusion action is reached and gets rounds accepted (a check never reached proves
    /// nothing), and no accepted value left the honest range.
    function invariant_collusionNeverMovesTheValueOutsideTheHonestRange() public view {
        assertEq(_handler.collusionAcceptedOutsideHonestRange(), 0, "accepted outside the honest range");
        assertLe(_handler.collusionAccepted(), _handler.collusionRounds(), "counters");
    }

    /// @notice Runs after each run of the campaign: a run of 30 calls or more called the collusion action
    /// (a third of the calls are expected to), and 10 collusion rounds or more got at least one accepted
    /// (about 80 % are expected to be: the relayer always sends the quorum). Short runs are not judged.
    function afterInvariant() public view {
        if (_handler.calls() >= 30) assertTrue(_handler.collusionRounds() > 0, "collusion action never called");
        if (_handler.collusionRounds() >= 10) {
            assertTrue(_handler.collusionAccepted() > 0, "no collusion round accepted");
        }
    }
}

/// @notice The collusion action is not vacuous: a fixed script reaches acceptance and rejection.
contract IndexOracleCollusionReachTest is OracleTestBase {
    function test_handler_collusionRoundsAreAcceptedAndRejected() public {
        vm.warp(START);
        IndexOracle oracle = _deployOracle();
        OracleHandler h = new OracleHandler(oracle);
        address[] memory reporters = new address[](h.REPORTERS());
        for (uint256 i; i < reporters.length; ++i) reporters[i] = vm.addr(h.keyOf(i));
        oracle.createIndex(
            h.ID(),
            IIndexOracle.IndexParams({quorum: 3, maxAge: 1 hours, minInterval: 60, maxDeviation: 0.2e18, faultBound: 1}),
            reporters
        );
        for (uint256 i; i < 40; ++i) {
            uint256 seed = uint256(keccak256(abi.encode(i)));
            h.colludeRound(seed, seed >> 64, seed >> 32, i % 3 != 0);
        }
        assertEq(h.collusionRounds(), 40, "rounds");
        assertTrue(h.collusionAccepted() > 10, "accepted");
        assertTrue(h.rejected() > 0, "rejected");
        assertEq(h.collusionAcceptedOutsideHonestRange(), 0, "inside the honest range");
    }
}
