// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IndexOracle} from "../../contracts/IndexOracle.sol";
import {IIndexOracle} from "../../contracts/interfaces/IIndexOracle.sol";
import {CheckpointLib} from "../../contracts/libraries/CheckpointLib.sol";
import {OracleTestBase} from "./utils/OracleTestBase.sol";

/// @notice Submits random rounds to the oracle (authorised and unauthorised signers, duplicates, broken
/// and tampered signatures, stale and replayed reports, large moves, time warps) and records, for every
/// round the oracle accepted, whether the handler's own view of the rules allowed it.
contract OracleHandler is OracleTestBase {
    bytes32 public constant ID = keccak256("ATPI-INVARIANT");
    uint256 public constant REPORTERS = 5;
    uint256 public constant STRANGERS = 2;
    uint256 public constant QUORUM = 3;
    uint256 public constant MAX_AGE = 1 hours;
    uint256 public constant MIN_INTERVAL = 60;
    uint256 public constant MAX_DEVIATION = 0.2e18;

    IndexOracle public immutable ORACLE;
    uint256 public currentTime;

    /// @dev Accepted history as the handler saw it: checkpoint time and the median it signed.
    uint256[] internal _times;
    uint256[] internal _values;
    uint256 internal _lastObservedAt;

    uint256 public accepted;
    uint256 public rejected;
    /// @dev Each counts accepted rounds that broke a rule; all must stay zero.
    uint256 public acceptedWithUnauthorisedSigner;
    uint256 public acceptedWithDuplicateSigner;
    uint256 public acceptedWithBrokenSignature;
    uint256 public acceptedBelowQuorum;
    uint256 public acceptedLargeMoveWithoutSupermajority;
    uint256 public acceptedStaleOrReplayed;
    uint256 public storedValueNotTheSignedMedian;

    constructor(IndexOracle oracle_) {
        ORACLE = oracle_;
        currentTime = block.timestamp;
    }

    function keyOf(uint256 signer) public pure returns (uint256) {
        return 0xB0B + signer;
    }

    function history() external view returns (uint256[] memory times, uint256[] memory values) {
        return (_times, _values);
    }

    function warp(uint256 dtRaw) external {
        currentTime += bound(dtRaw, 0, 2 hours);
        vm.warp(currentTime);
    }

    struct Plan {
        uint256[] signers;
        uint256[] values;
        bool unauthorised;
        bool duplicate;
        bool broken;
        bool staleOrReplayed;
        uint256 observedAt;
    }

    function submitRound(uint256 seed, uint256 signerMask, uint256 lagRaw, uint256 corruption) external {
        currentTime += bound(seed >> 128, 0, 5 minutes);
        vm.warp(currentTime);
        Plan memory plan = _plan(seed, signerMask, lagRaw, corruption);

        IIndexOracle.SignedReport[] memory reports = new IIndexOracle.SignedReport[](plan.signers.length);
        for (uint256 i; i < plan.signers.length; ++i) {
            IIndexOracle.Report memory report = IIndexOracle.Report({
                indexId: ID,
                value: plan.values[i],
                observedAt: uint64(plan.observedAt),
                inputsHash: keccak256(abi.encode(seed, i))
            });
            reports[i] = _sign(ORACLE, keyOf(plan.signers[i]), report);
        }
        if (plan.broken) {
            // Either a signature that recovers nothing, or a value changed after signing.
            if (corruption % 2 == 0) reports[0].r = bytes32(0);
            else reports[0].report.value = plan.values[0] + 1;
        }

        try ORACLE.submit(ID, reports) returns (uint256 roundId) {
            _recordAccepted(plan, roundId);
        } catch {
            ++rejected;
        }
    }

    function _plan(uint256 seed, uint256 signerMask, uint256 lagRaw, uint256 corruption)
        internal
        view
        returns (Plan memory plan)
    {
        // Mostly authorised signers only, so that many rounds get through.
        uint256 mask = signerMask % 10 < 7 ? signerMask & 0x1f : signerMask & 0x7f;
        uint256 count;
        for (uint256 i; i < REPORTERS + STRANGERS; ++i) {
            if (mask & (1 << i) != 0) ++count;
        }
        plan.duplicate = corruption % 7 == 0 && count > 0;
        plan.broken = corruption % 7 == 1 && count > 0;
        plan.signers = new uint256[](count + (plan.duplicate ? 1 : 0));
        plan.values = new uint256[](plan.signers.length);
        uint256 n;
        for (uint256 i; i < REPORTERS + STRANGERS; ++i) {
            if (mask & (1 << i) != 0) {
                plan.signers[n++] = i;
                if (i >= REPORTERS) plan.unauthorised = true;
            }
        }
        if (plan.duplicate) plan.signers[n] = plan.signers[0];

        uint256 base = _values.length == 0 ? 1e18 : _values[_values.length - 1];
        for (uint256 i; i < plan.values.length; ++i) {
            // Each reporter moves the value by up to ±40 %, so some medians need the supermajority.
            uint256 factor = 0.6e18 + (uint256(keccak256(abi.encode(seed, i))) % 0.8e18);
            plan.values[i] = (base * factor) / 1e18 + 1;
        }

        plan.observedAt = currentTime - bound(lagRaw, 0, MAX_AGE + 120);
        if (_times.length != 0 && seed % 13 == 0) plan.observedAt = _lastObservedAt;
        plan.staleOrReplayed =
            plan.observedAt + MAX_AGE < currentTime ||
            (_times.length != 0 && plan.observedAt <= _lastObservedAt);
    }

    function _recordAccepted(Plan memory plan, uint256 roundId) internal {
        ++accepted;
        if (plan.unauthorised) ++acceptedWithUnauthorisedSigner;
        if (plan.duplicate) ++acceptedWithDuplicateSigner;
        if (plan.broken) ++acceptedWithBrokenSignature;
        if (plan.signers.length < QUORUM) ++acceptedBelowQuorum;
        if (plan.staleOrReplayed) ++acceptedStaleOrReplayed;

        uint256 median = _referenceLowerMedian(plan.values);
        IIndexOracle.Checkpoint memory c = ORACLE.checkpoint(ID, roundId);
        if (c.value != median || c.timestamp != currentTime || roundId != _times.length + 1) {
            ++storedValueNotTheSignedMedian;
        }
        if (
            _values.length != 0 &&
            CheckpointLib.exceedsDeviation(_values[_values.length - 1], median, MAX_DEVIATION) &&
            plan.signers.length < CheckpointLib.supermajority(REPORTERS)
        ) ++acceptedLargeMoveWithoutSupermajority;

        _times.push(currentTime);
        _values.push(median);
        _lastObservedAt = plan.observedAt;
    }
}

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
                maxDeviation: uint64(_handler.MAX_DEVIATION())
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
        assertEq(_handler.acceptedLargeMoveWithoutSupermajority(), 0, "large move without supermajority");
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
        uint256 nowTs = block.timestamp;
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
        uint256 twap = _oracle.twap(id, from, to);
        (uint256 min, uint256 max) = _oracle.range(id, from, to);
        assertGe(twap, min, "twap >= min");
        assertLe(twap, max, "twap <= max");
        (uint256 refMin, uint256 refMax) = _referenceRange(times, values, from, to);
        assertEq(min, refMin, "range min");
        assertEq(max, refMax, "range max");
        assertEq(twap, _referenceTwap(times, values, from, to), "twap");
    }
}
