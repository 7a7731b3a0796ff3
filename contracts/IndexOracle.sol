// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IIndexOracle, IIndexOracleListener, IIndexOracleReader} from "./interfaces/IIndexOracle.sol";
import {CheckpointLib} from "./libraries/CheckpointLib.sol";
import {MedianLib} from "./libraries/MedianLib.sol";
import {PackedSlotLib} from "./libraries/PackedSlotLib.sol";
import {WAD} from "./libraries/WadMath.sol";

/// @title IndexOracle
/// @notice Indices posted by quorums of EIP-712 signed reports; see `IIndexOracle` and `docs/oracle.md`.
/// @dev Storage per index: one slot of `IndexState`, one slot per round (`Checkpoint`), and the reporter
/// set as a slot map (`address → slot + 1`) plus its inverse. A submission reads the state slot, the
/// last checkpoint and one reporter entry per signature, writes one fresh checkpoint slot and the
/// state slot, then tells the listener (one more slot read and one call, when a listener is set).
/// Parameters are named as in `IIndexOracle` except `reporters_` and `listener_`, which would otherwise
/// shadow the `reporters` and `listener` views.
contract IndexOracle is IIndexOracle, AccessManaged, EIP712 {
    using PackedSlotLib for IndexState;
    using PackedSlotLib for Checkpoint;

    /// @notice The EIP-712 type hash of `Report` (the type string is hashed at compile time).
    bytes32 public constant REPORT_TYPEHASH =
        // solhint-disable-next-line gas-small-strings
        keccak256("Report(bytes32 indexId,uint256 value,uint64 observedAt,bytes32 inputsHash)");

    /// @notice The most reporters an index can have (one bit each in a 32-bit slot map).
    uint256 public constant MAX_REPORTERS = 32;
    /// @notice Lower bound of `maxAge`, seconds.
    uint256 public constant MIN_MAX_AGE = 1 minutes;
    /// @notice Upper bound of `maxAge`, seconds.
    uint256 public constant MAX_MAX_AGE = 7 days;
    /// @notice Lower bound of `maxDeviation` (0.1 %).
    uint256 public constant MIN_MAX_DEVIATION = 1e15;
    /// @notice Upper bound of `maxDeviation` (1000 %).
    uint256 public constant MAX_MAX_DEVIATION = 10e18;
    /// @notice The largest value a round can store (96 bits: about 7.9e10 US dollars at 18 decimals).
    uint256 public constant MAX_VALUE = type(uint96).max;
    /// @notice The largest fault bound `f`: `3f + 1 <= MAX_REPORTERS`.
    uint256 public constant MAX_FAULT_BOUND = (MAX_REPORTERS - 1) / 3;
    /// @notice The most rounds `twap` and `range` read for one window, which bounds their gas (about
    /// 1.8 million for a full window, see docs/oracle.md).
    uint256 public constant MAX_WINDOW_ROUNDS = 512;
    /// @notice The least fraction of a window (`1e18` = all of it) during which the value in force must
    /// be fresh for `twap` to answer.
    uint256 public constant MIN_TWAP_COVERAGE = 0.5e18;
    /// @notice The most indexes one oracle numbers (`IndexState.number` is 8 bits).
    uint256 public constant MAX_INDEXES = type(uint8).max;

    mapping(bytes32 indexId => IndexState) private _indexes;
    mapping(bytes32 indexId => mapping(address reporter => uint256 slotPlusOne)) private _reporterSlot;
    mapping(bytes32 indexId => address[MAX_REPORTERS]) private _reporterAt;
    mapping(bytes32 indexId => mapping(uint256 roundId => Checkpoint)) private _checkpoints;
    IIndexOracleListener private _listener;
    /// @dev The number of indexes created: the last index's number.
    uint256 private _indexCount;

    /// @param initialAuthority The `AccessManager` that gates the configuration functions.
    constructor(address initialAuthority) AccessManaged(initialAuthority) EIP712("IndexOracle", "1") {}

    // ------------------------------------------------------------------ configuration

    /// @inheritdoc IIndexOracle
    function createIndex(bytes32 indexId, IndexParams calldata params, address[] calldata reporters_)
        external
        restricted
    {
        if (indexId == bytes32(0)) revert InvalidIndexId();
        IndexState storage s = _indexes[indexId];
        if (s.maxAge != 0) revert IndexAlreadyExists(indexId);
        if (reporters_.length > MAX_REPORTERS) revert TooManyReporters(indexId, MAX_REPORTERS);
        _validateParams(params, reporters_.length);
        uint256 number = _indexCount + 1;
        if (number > MAX_INDEXES) revert TooManyIndexes(MAX_INDEXES);
        _indexCount = number;
        s.number = uint8(number);
        _writeParams(s, params);
        emit IndexCreated(indexId, params, number);
        for (uint256 i; i < reporters_.length; ++i) {
            _addReporter(indexId, s, reporters_[i]);
        }
    }

    /// @inheritdoc IIndexOracle
    function setIndexParams(bytes32 indexId, IndexParams calldata params) external restricted {
        IndexState storage s = _existing(indexId);
        _validateParams(params, s.reporterCount);
        _writeParams(s, params);
        emit IndexParamsUpdated(indexId, params);
        // The new `maxAge` bounds the current value at once: the listener's copy must bound it the same way.
        uint256 count = s.checkpointCount;
        IIndexOracleListener target = _listener;
        if (count != 0 && address(target) != address(0)) {
            Checkpoint storage c = _checkpoints[indexId][count];
            target.onIndexValue(indexId, c.value, c.timestamp, params.maxAge, s.number);
        }
    }

    /// @inheritdoc IIndexOracle
    function setListener(address listener_) external restricted {
        _listener = IIndexOracleListener(listener_);
        emit ListenerSet(listener_);
    }

    /// @inheritdoc IIndexOracle
    function addReporter(bytes32 indexId, address reporter) external restricted {
        _addReporter(indexId, _existing(indexId), reporter);
    }

    /// @inheritdoc IIndexOracle
    function removeReporter(bytes32 indexId, address reporter) external restricted {
        IndexState storage s = _existing(indexId);
        uint256 slotPlusOne = _reporterSlot[indexId][reporter];
        if (slotPlusOne == 0) revert ReporterNotAuthorised(indexId, reporter);
        uint256 remaining = s.reporterCount - 1;
        if (remaining < s.quorum) revert InvalidQuorum(s.quorum, remaining);
        uint256 f = s.faultBound;
        if (remaining < 3 * f + 1) revert ReportersBelowFaultBound(remaining, f, 3 * f + 1);
        uint256 slot = slotPlusOne - 1;
        delete _reporterSlot[indexId][reporter];
        delete _reporterAt[indexId][slot];
        s.reporterSlots &= ~uint32(1 << slot);
        s.reporterCount = uint8(remaining);
        emit ReporterRemoved(indexId, reporter, slot);
    }

    // ------------------------------------------------------------------ reports

    /// @inheritdoc IIndexOracle
    function submit(bytes32 indexId, SignedReport[] calldata reports) external returns (uint256 roundId) {
        (IndexState memory s, uint256 stateWord) = _indexes[indexId].load();
        if (s.maxAge == 0) revert UnknownIndex(indexId);
        if (reports.length > MAX_REPORTERS) revert TooManyReports(reports.length, MAX_REPORTERS);
        if (reports.length < s.quorum) revert QuorumNotMet(indexId, reports.length, s.quorum);
        if (block.timestamp > type(uint32).max) revert TimestampOutOfRange(block.timestamp);

        Checkpoint memory last;
        if (s.checkpointCount != 0) {
            last = _checkpoints[indexId][s.checkpointCount].load();
            uint256 nextRoundAt = uint256(last.timestamp) + s.minInterval;
            if (block.timestamp < nextRoundAt) revert RoundTooSoon(indexId, nextRoundAt);
        }

        (uint256[] memory keys, uint256 signers, uint256 newestObservedAt) = _verifyReports(indexId, s, reports);
        // `reports.length >= quorum >= 2f + 1` (parameter bounds), so the lower median has at least
        // `f + 1` reports on each side: with at most `f` faulty ones it lies between two honest values.
        uint256 medianKey = keys[MedianLib.lowerMedianPosition(keys.length)];
        uint256 value = medianKey >> 8;

        if (s.checkpointCount != 0 && CheckpointLib.exceedsDeviation(last.value, value, s.maxDeviation)) {
            // A jump needs reporters agreeing on the new value, not merely signing something.
            uint256 agreeing = MedianLib.countWithin(keys, value, s.maxDeviation);
            uint256 required = CheckpointLib.supermajority(s.reporterCount);
            if (agreeing < required) {
                revert DeviationNeedsAgreement(indexId, last.value, value, agreeing, required);
            }
        }

        roundId = _appendRound(indexId, s, stateWord, last, value, newestObservedAt);
        _emitRound(indexId, roundId, value, reports[medianKey & 0xff].report, signers);
        // The listener (the protocol's Clearinghouse) keeps its copy of the latest value in step; a revert
        // there reverts the round.
        IIndexOracleListener target = _listener;
        if (address(target) != address(0)) {
            target.onIndexValue(indexId, value, block.timestamp, s.maxAge, PackedSlotLib.number(stateWord));
        }
    }

    /// @dev Stores round `checkpointCount + 1` (one fresh slot) and updates the state slot.
    function _appendRound(
        bytes32 indexId,
        IndexState memory s,
        uint256 stateWord,
        Checkpoint memory last,
        uint256 value,
        uint256 newestObservedAt
    ) private returns (uint256 roundId) {
        // The first round starts the integral at zero; later rounds extend the previous checkpoint.
        uint128 cumulative = s.checkpointCount == 0 ? 0 : CheckpointLib.cumulativeAt(last, block.timestamp);
        roundId = uint256(s.checkpointCount) + 1;
        // Both casts are safe: `submit` checked the timestamp, and `value <= MAX_VALUE` per report.
        _checkpoints[indexId][roundId].store(uint32(block.timestamp), uint96(value), cumulative);
        // Round ids stay below 2^32 (at most one round per second, `minInterval >= 1`, until 2106) and
        // `newestObservedAt <= block.timestamp < 2^32`: both fit their 32-bit fields.
        // Nothing wrote the state slot since `submit` read it into `stateWord`.
        _indexes[indexId].storeRound(stateWord, roundId, newestObservedAt);
    }

    /// @dev Emits `RoundAccepted` with the median report's audit fields (split out for the stack).
    function _emitRound(bytes32 indexId, uint256 roundId, uint256 value, Report calldata median, uint256 signers)
        private
    {
        emit RoundAccepted(indexId, roundId, value, median.observedAt, median.inputsHash, signers);
    }

    /// @dev What every report of a submission is checked against, computed once per call.
    struct ReportBounds {
        bytes32 indexId;
        bytes32 domainSeparator;
        uint256 oldestAllowed;
        uint256 lastObservedAt;
        bool hasRounds;
    }

    /// @dev Checks every report and signature; returns the sort keys (`value << 8 | reportIndex`) in
    /// ascending order, the bitmap of signer slots and the newest `observedAt`.
    function _verifyReports(bytes32 indexId, IndexState memory s, SignedReport[] calldata reports)
        private
        view
        returns (uint256[] memory keys, uint256 signers, uint256 newestObservedAt)
    {
        ReportBounds memory bounds = ReportBounds({
            indexId: indexId,
            domainSeparator: _domainSeparatorV4(),
            // Chains start well after `maxAge` seconds past the epoch; the guard keeps the subtraction total.
            oldestAllowed: block.timestamp > s.maxAge ? block.timestamp - s.maxAge : 0,
            lastObservedAt: s.lastObservedAt,
            hasRounds: s.checkpointCount != 0
        });
        mapping(address => uint256) storage slotOf = _reporterSlot[indexId];
        keys = new uint256[](reports.length);

        for (uint256 i; i < reports.length; ++i) {
            SignedReport calldata signed = reports[i];
            (uint256 value, uint256 observedAt) = _checkReport(bounds, signed.report);
            address signer = _recover(_digestOfChecked(bounds.domainSeparator, signed.report), signed.r, signed.vs, i);
            uint256 slotPlusOne = slotOf[signer];
            if (slotPlusOne == 0) revert UnknownSigner(indexId, signer);
            uint256 bit;
            // Cannot underflow: `slotPlusOne != 0` was just checked.
            unchecked {
                bit = 1 << (slotPlusOne - 1);
            }
            if (signers & bit != 0) revert DuplicateSigner(signer);
            signers |= bit;

            if (observedAt > newestObservedAt) newestObservedAt = observedAt;
            // `value < 2^96` and `i < 32`, so the key fits and sorts by value, then by position.
            keys[i] = (value << 8) | i;
        }

        MedianLib.sortAscending(keys);
    }

    /// @dev The per-report rules that need no signature: index, value range, freshness and ordering.
    function _checkReport(ReportBounds memory bounds, Report calldata report)
        private
        view
        returns (uint256 value, uint256 observedAt)
    {
        if (report.indexId != bounds.indexId) revert IndexMismatch(bounds.indexId, report.indexId);
        value = report.value;
        if (value == 0 || value > MAX_VALUE) revert ValueOutOfRange(value);
        observedAt = report.observedAt;
        if (observedAt > block.timestamp) revert FutureReport(observedAt, block.timestamp);
        if (observedAt < bounds.oldestAllowed) revert StaleReport(observedAt, bounds.oldestAllowed);
        if (bounds.hasRounds && observedAt <= bounds.lastObservedAt) {
            if (observedAt == bounds.lastObservedAt) revert ReplayedReport(observedAt);
            revert OutOfOrderReport(observedAt, bounds.lastObservedAt);
        }
    }

    /// @dev Recovers the signer of `digest` from a compact signature, mapping each defect to its own error.
    function _recover(bytes32 digest, bytes32 r, bytes32 vs, uint256 reportIndex) private pure returns (address) {
        (address signer, ECDSA.RecoverError err, bytes32 errArg) = ECDSA.tryRecover(digest, r, vs);
        if (err == ECDSA.RecoverError.NoError) return signer;
        if (err == ECDSA.RecoverError.InvalidSignatureS) revert InvalidSignatureS(reportIndex, errArg);
        revert InvalidSignature(reportIndex);
    }

    /// @dev The EIP-712 digest of `report` under `domainSeparator`, hashed straight from calldata: the
    /// four fields are static, so the struct hash is `keccak256(REPORT_TYPEHASH ‖ the report's four
    /// calldata words)`. Only for reports that went through `_checkReport`, whose read of `observedAt`
    /// rejects a word with dirty upper bits, so the copied words equal the ABI encoding that was signed.
    function _digestOfChecked(bytes32 domainSeparator, Report calldata report) private pure returns (bytes32 digest) {
        bytes32 typeHash = REPORT_TYPEHASH;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            calldatacopy(add(ptr, 0x20), report, 0x80)
            let structHash := keccak256(ptr, 0xa0)
            // "\x19\x01" ‖ domainSeparator ‖ structHash, as EIP-712 prescribes.
            mstore(ptr, hex"1901")
            mstore(add(ptr, 0x02), domainSeparator)
            mstore(add(ptr, 0x22), structHash)
            digest := keccak256(ptr, 0x42)
        }
    }

    // ------------------------------------------------------------------ reads

    /// @inheritdoc IIndexOracleReader
    function latest(bytes32 indexId) external view returns (uint256 value, uint256 updatedAt) {
        IndexState storage s = _existing(indexId);
        Checkpoint memory c = _latestCheckpoint(indexId, s.checkpointCount);
        if (block.timestamp - c.timestamp > s.maxAge) revert StaleIndex(indexId, c.timestamp, s.maxAge);
        return (c.value, c.timestamp);
    }

    /// @inheritdoc IIndexOracleReader
    function latestUnchecked(
        bytes32 indexId
    ) external view returns (uint256 value, uint256 updatedAt, uint256 maxAge, uint256 number) {
        IndexState storage s = _existing(indexId);
        (maxAge, number) = (s.maxAge, s.number);
        uint256 count = s.checkpointCount;
        if (count == 0) return (0, 0, maxAge, number);
        Checkpoint storage c = _checkpoints[indexId][count];
        return (c.value, c.timestamp, maxAge, number);
    }

    /// @inheritdoc IIndexOracleReader
    /// @dev Round `r`, accepted at `t_r`, is fresh on `[t_r, t_r + maxAge]` (the index's current
    /// `maxAge`); it counts on the part of that interval inside the window and before the next round.
    /// The average is `Σ value × fresh seconds / Σ fresh seconds`, rounded down.
    function twap(bytes32 indexId, uint256 from, uint256 to) external view returns (uint256) {
        (uint256 first, uint256 last) = _windowRounds(indexId, from, to);
        uint256 maxAge = _indexes[indexId].maxAge;
        mapping(uint256 => Checkpoint) storage cps = _checkpoints[indexId];
        uint256 covered;
        uint256 weighted;
        Checkpoint memory c = cps[first];
        for (uint256 r = first; r <= last; ++r) {
            Checkpoint memory next;
            uint256 end = to;
            if (r < last) {
                next = cps[r + 1];
                end = next.timestamp;
            }
            uint256 start = c.timestamp > from ? c.timestamp : from;
            uint256 freshUntil = uint256(c.timestamp) + maxAge;
            if (freshUntil < end) end = freshUntil;
            if (end > start) {
                covered += end - start;
                // value < 2^96 and the seconds sum to less than 2^32: no overflow.
                weighted += uint256(c.value) * (end - start);
            }
            c = next;
        }
        uint256 required = Math.mulDiv(to - from, MIN_TWAP_COVERAGE, WAD, Math.Rounding.Ceil);
        if (covered < required) revert InsufficientCoverage(indexId, from, to, covered, required);
        return weighted / covered;
    }

    /// @inheritdoc IIndexOracleReader
    /// @dev The average of the step function over `[max(from, first round), to]`, rounded down, from
    /// the cumulatives at both ends (no loop).
    function fallbackTwap(bytes32 indexId, uint256 from, uint256 to) external view returns (uint256) {
        IndexState storage s = _existing(indexId);
        if (from >= to) revert InvalidWindow(from, to);
        if (to > block.timestamp) revert WindowInFuture(to, block.timestamp);
        if (to > type(uint32).max) revert TimestampOutOfRange(to);
        uint256 count = s.checkpointCount;
        _requireCovered(indexId, count, to);
        uint256 firstAt = _checkpoints[indexId][1].timestamp;
        if (from < firstAt) from = firstAt;
        Checkpoint memory b = _checkpoints[indexId][_findRound(indexId, count, to)];
        if (from == to) return b.value;
        Checkpoint memory a = _checkpoints[indexId][_findRound(indexId, count, from)];
        return
            CheckpointLib.averageDown(
                CheckpointLib.cumulativeAt(a, from),
                CheckpointLib.cumulativeAt(b, to),
                from,
                to
            );
    }

    /// @inheritdoc IIndexOracleReader
    /// @dev The window is closed: the value in force at `from` and every round accepted in
    /// `(from, to]` count. One storage read per round, at most `MAX_WINDOW_ROUNDS`.
    function range(bytes32 indexId, uint256 from, uint256 to) external view returns (uint256 min, uint256 max) {
        (uint256 first, uint256 last) = _windowRounds(indexId, from, to);
        mapping(uint256 => Checkpoint) storage cps = _checkpoints[indexId];
        min = type(uint256).max;
        for (uint256 r = first; r <= last; ++r) {
            uint256 v = cps[r].value;
            if (v < min) min = v;
            if (v > max) max = v;
        }
    }

    /// @inheritdoc IIndexOracleReader
    function maxWindow(bytes32 indexId) external view returns (uint256) {
        return uint256(_existing(indexId).minInterval) * (MAX_WINDOW_ROUNDS - 1);
    }

    /// @inheritdoc IIndexOracle
    function valueAt(bytes32 indexId, uint256 timestamp) external view returns (uint256 value, uint256 updatedAt) {
        IndexState storage s = _existing(indexId);
        if (timestamp > block.timestamp) revert WindowInFuture(timestamp, block.timestamp);
        uint256 count = s.checkpointCount;
        _requireCovered(indexId, count, timestamp);
        Checkpoint memory c = _checkpoints[indexId][_findRound(indexId, count, timestamp)];
        return (c.value, c.timestamp);
    }

    /// @inheritdoc IIndexOracle
    function reportDigest(Report calldata report) external view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(REPORT_TYPEHASH, report.indexId, report.value, report.observedAt, report.inputsHash)
                )
            );
    }

    /// @inheritdoc IIndexOracle
    function indexExists(bytes32 indexId) external view returns (bool) {
        return _indexes[indexId].maxAge != 0;
    }

    /// @inheritdoc IIndexOracle
    function listener() external view returns (address) {
        return address(_listener);
    }

    /// @inheritdoc IIndexOracle
    function indexState(bytes32 indexId) external view returns (IndexState memory) {
        return _existing(indexId);
    }

    /// @inheritdoc IIndexOracle
    function indexParams(bytes32 indexId) external view returns (IndexParams memory) {
        IndexState storage s = _existing(indexId);
        return
            IndexParams({
                quorum: s.quorum,
                maxAge: s.maxAge,
                minInterval: s.minInterval,
                maxDeviation: s.maxDeviation,
                faultBound: s.faultBound
            });
    }

    /// @inheritdoc IIndexOracle
    function reporters(bytes32 indexId) external view returns (address[] memory list) {
        IndexState storage s = _existing(indexId);
        list = new address[](s.reporterCount);
        uint256 slots = s.reporterSlots;
        address[MAX_REPORTERS] storage at = _reporterAt[indexId];
        uint256 n;
        for (uint256 slot; slot < MAX_REPORTERS; ++slot) {
            if (slots & (1 << slot) != 0) {
                list[n] = at[slot];
                ++n;
            }
        }
    }

    /// @inheritdoc IIndexOracle
    function isReporter(bytes32 indexId, address account) external view returns (bool) {
        return _reporterSlot[indexId][account] != 0;
    }

    /// @inheritdoc IIndexOracleReader
    function checkpointCount(bytes32 indexId) external view returns (uint256) {
        return _existing(indexId).checkpointCount;
    }

    /// @inheritdoc IIndexOracle
    function checkpoint(bytes32 indexId, uint256 roundId) external view returns (Checkpoint memory) {
        uint256 count = _existing(indexId).checkpointCount;
        if (roundId == 0 || roundId > count) revert UnknownRound(indexId, roundId);
        return _checkpoints[indexId][roundId];
    }

    /// @inheritdoc IIndexOracle
    function latestCheckpoint(bytes32 indexId) external view returns (Checkpoint memory) {
        return _latestCheckpoint(indexId, _existing(indexId).checkpointCount);
    }

    // ------------------------------------------------------------------ internals

    function _existing(bytes32 indexId) private view returns (IndexState storage s) {
        s = _indexes[indexId];
        if (s.maxAge == 0) revert UnknownIndex(indexId);
    }

    function _latestCheckpoint(bytes32 indexId, uint256 count) private view returns (Checkpoint memory) {
        if (count == 0) revert NoRounds(indexId);
        return _checkpoints[indexId][count];
    }

    function _validateParams(IndexParams calldata params, uint256 reporterCount) private pure {
        if (params.quorum == 0 || params.quorum > reporterCount) revert InvalidQuorum(params.quorum, reporterCount);
        uint256 f = params.faultBound;
        if (f > MAX_FAULT_BOUND || reporterCount < 3 * f + 1) {
            revert ReportersBelowFaultBound(reporterCount, f, 3 * f + 1);
        }
        if (params.quorum < 2 * f + 1) revert QuorumBelowFaultBound(params.quorum, f, 2 * f + 1);
        if (params.maxAge < MIN_MAX_AGE || params.maxAge > MAX_MAX_AGE) revert InvalidMaxAge(params.maxAge);
        if (params.minInterval == 0 || params.minInterval > params.maxAge) {
            revert InvalidMinInterval(params.minInterval, params.maxAge);
        }
        if (params.maxDeviation < MIN_MAX_DEVIATION || params.maxDeviation > MAX_MAX_DEVIATION) {
            revert InvalidMaxDeviation(params.maxDeviation);
        }
    }

    function _writeParams(IndexState storage s, IndexParams calldata params) private {
        s.quorum = params.quorum;
        s.maxAge = params.maxAge;
        s.minInterval = params.minInterval;
        s.maxDeviation = params.maxDeviation;
        s.faultBound = params.faultBound;
    }

    function _addReporter(bytes32 indexId, IndexState storage s, address reporter) private {
        if (reporter == address(0)) revert ZeroAddressReporter();
        if (_reporterSlot[indexId][reporter] != 0) revert ReporterAlreadyAuthorised(indexId, reporter);
        uint256 slots = s.reporterSlots;
        if (s.reporterCount == MAX_REPORTERS) revert TooManyReporters(indexId, MAX_REPORTERS);
        uint256 slot;
        while (slots & (1 << slot) != 0) ++slot;
        _reporterSlot[indexId][reporter] = slot + 1;
        _reporterAt[indexId][slot] = reporter;
        s.reporterSlots = uint32(slots | (1 << slot));
        ++s.reporterCount;
        emit ReporterAdded(indexId, reporter, slot);
    }

    /// @dev Checks the window rules shared by `twap` and `range`; returns the round in force at `from`
    /// and the one in force at `to`, at most `MAX_WINDOW_ROUNDS` apart (inclusive).
    function _windowRounds(bytes32 indexId, uint256 from, uint256 to)
        private
        view
        returns (uint256 first, uint256 last)
    {
        IndexState storage s = _existing(indexId);
        if (from >= to) revert InvalidWindow(from, to);
        if (to > block.timestamp) revert WindowInFuture(to, block.timestamp);
        if (to > type(uint32).max) revert TimestampOutOfRange(to);
        uint256 count = s.checkpointCount;
        _requireCovered(indexId, count, from);
        first = _findRound(indexId, count, from);
        last = _findRound(indexId, count, to);
        uint256 rounds = last - first + 1;
        if (rounds > MAX_WINDOW_ROUNDS) revert TooManyRoundsInWindow(indexId, rounds, MAX_WINDOW_ROUNDS);
    }

    /// @dev Reverts unless a round was in force at `timestamp`.
    function _requireCovered(bytes32 indexId, uint256 count, uint256 timestamp) private view {
        if (count == 0) revert NoRounds(indexId);
        uint256 first = _checkpoints[indexId][1].timestamp;
        if (timestamp < first) revert WindowNotCovered(indexId, timestamp, first);
    }

    /// @dev The last round accepted at or before `t`, given that round 1 was (binary search over `1..count`).
    function _findRound(bytes32 indexId, uint256 count, uint256 t) private view returns (uint256 lo) {
        mapping(uint256 => Checkpoint) storage cps = _checkpoints[indexId];
        if (cps[count].timestamp <= t) return count;
        lo = 1;
        uint256 hi = count - 1;
        while (lo < hi) {
            // Upper middle, so `lo = mid` always makes progress; lo + hi < 2^33, no overflow.
            uint256 mid = (lo + hi + 1) >> 1;
            if (cps[mid].timestamp <= t) lo = mid;
            else hi = mid - 1;
        }
    }
}
