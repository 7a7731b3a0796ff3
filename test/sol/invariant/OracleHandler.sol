// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IndexOracle} from "../../../contracts/IndexOracle.sol";
import {IIndexOracle} from "../../../contracts/interfaces/IIndexOracle.sol";
import {CheckpointLib} from "../../../contracts/libraries/CheckpointLib.sol";
import {OracleTestBase} from "../utils/OracleTestBase.sol";

/// @notice Submits random rounds to the oracle (authorised and unauthorised signers, duplicates, broken
/// and tampered signatures, stale and replayed reports, large moves, time warps) and records, for every
/// round the oracle accepted, whether the handler's own view of the rules allowed it.
contract OracleHandler is OracleTestBase {
    bytes32 public constant ID = keccak256("ATPI-INVARIANT");
    uint256 public constant REPORTERS = 5;
    uint256 public constant STRANGERS = 2;
    uint256 public constant QUORUM = 3;
    /// @dev Reporter 0 is the colluder in `colludeRound` (n = 5 = 3f + 1 + 1, quorum 3 = 2f + 1).
    uint256 public constant FAULT_BOUND = 1;
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
    /// @dev Handler calls that did not revert, of every action.
    uint256 public calls;
    /// @dev Each counts accepted rounds that broke a rule; all must stay zero.
    uint256 public acceptedWithUnauthorisedSigner;
    uint256 public acceptedWithDuplicateSigner;
    uint256 public acceptedWithBrokenSignature;
    uint256 public acceptedBelowQuorum;
    uint256 public acceptedLargeMoveWithoutAgreement;
    uint256 public acceptedStaleOrReplayed;
    uint256 public storedValueNotTheSignedMedian;

    /// @dev `colludeRound`: calls, accepted rounds, and accepted values outside the honest reports' range.
    uint256 public collusionRounds;
    uint256 public collusionAccepted;
    uint256 public collusionAcceptedOutsideHonestRange;

    constructor(IndexOracle oracle_) {
        ORACLE = oracle_;
        currentTime = vm.getBlockTimestamp();
    }

    function keyOf(uint256 signer) public pure returns (uint256) {
        return 0xB0B + signer;
    }

    function history() external view returns (uint256[] memory times, uint256[] memory values) {
        return (_times, _values);
    }

    function warp(uint256 dtRaw) external {
        ++calls;
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
        ++calls;
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

    /// @notice Up to `FAULT_BOUND` colluders (reporter 0) sign any value they like; the honest reporters
    /// (1 to 4) publish values within ±1 % of a common truth; the relayer includes any subset of the
    /// published honest reports. An accepted value must lie within the honest values of the round.
    function colludeRound(uint256 seed, uint256 honestMask, uint256 colluderValue, bool colluderSigns) external {
        currentTime += bound(seed >> 128, 60, 10 minutes);
        vm.warp(currentTime);
        ++collusionRounds;
        ++calls;
        (Plan memory plan, uint256 honestMin, uint256 honestMax) = _collusionPlan(
            seed,
            honestMask,
            colluderValue,
            colluderSigns
        );
        if (_times.length != 0 && plan.observedAt <= _lastObservedAt) return;
        try ORACLE.submit(ID, _signPlan(plan, seed)) returns (uint256 roundId) {
            ++collusionAccepted;
            uint256 stored = ORACLE.checkpoint(ID, roundId).value;
            if (stored < honestMin || stored > honestMax) ++collusionAcceptedOutsideHonestRange;
            _recordAccepted(plan, roundId);
        } catch {
            ++rejected;
        }
    }

    function _collusionPlan(uint256 seed, uint256 honestMask, uint256 colluderValue, bool colluderSigns)
        internal
        view
        returns (Plan memory plan, uint256 honestMin, uint256 honestMax)
    {
        uint256 base = _values.length == 0 ? 1e18 : _values[_values.length - 1];
        // The truth mostly moves within maxDeviation, sometimes jumps (×0.5 to ×1.5).
        uint256 truth = seed % 5 == 0
            ? (base * (0.5e18 + (seed % 1e18))) / 1e18 + 1
            : (base * (0.85e18 + (seed % 0.3e18))) / 1e18 + 1;
        // The relayer sends any subset of the published honest reports, at least the two the quorum needs.
        uint256 mask = honestMask & 0xf;
        if (mask == 0) mask = 3;
        else if (mask & (mask - 1) == 0) mask |= mask == 1 ? 2 : 1;
        uint256 count = colluderSigns ? 1 : 0;
        for (uint256 i; i < 4; ++i) if (mask & (1 << i) != 0) ++count;
        plan.signers = new uint256[](count);
        plan.values = new uint256[](count);
        uint256 n;
        honestMin = type(uint256).max;
        if (colluderSigns) {
            // Anything from 1 to 100× the last value: far below, far above, or just outside the honest range.
            plan.values[n] = bound(colluderValue, 1, base * 100);
            plan.signers[n++] = 0;
        }
        for (uint256 i; i < 4; ++i) {
            if (mask & (1 << i) == 0) continue;
            uint256 v = (truth * (0.99e18 + (uint256(keccak256(abi.encode(seed, i))) % 0.02e18))) / 1e18;
            if (v < honestMin) honestMin = v;
            if (v > honestMax) honestMax = v;
            plan.values[n] = v;
            plan.signers[n++] = 1 + i;
        }
        plan.observedAt = currentTime - 1;
    }

    function _signPlan(Plan memory plan, uint256 seed)
        internal
        view
        returns (IIndexOracle.SignedReport[] memory reports)
    {
        reports = new IIndexOracle.SignedReport[](plan.signers.length);
        for (uint256 i; i < plan.signers.length; ++i) {
            IIndexOracle.Report memory report = IIndexOracle.Report({
                indexId: ID,
                value: plan.values[i],
                observedAt: uint64(plan.observedAt),
                inputsHash: keccak256(abi.encode(seed, "collude", i))
            });
            reports[i] = _sign(ORACLE, keyOf(plan.signers[i]), report);
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
            _agreeing(plan.values, median) < CheckpointLib.supermajority(REPORTERS)
        ) ++acceptedLargeMoveWithoutAgreement;

        _times.push(currentTime);
        _values.push(median);
        _lastObservedAt = plan.observedAt;
    }

    /// @dev Values within half of `MAX_DEVIATION` of `median`, counted independently of `MedianLib`.
    function _agreeing(uint256[] memory values, uint256 median) internal pure returns (uint256 n) {
        for (uint256 i; i < values.length; ++i) {
            uint256 diff = values[i] > median ? values[i] - median : median - values[i];
            if (diff * 2e18 <= MAX_DEVIATION * median) ++n;
        }
    }
}
