// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IIndexOracleReader
/// @notice The read side of the index oracle that every market settles against. Values are
/// 18-decimal fixed point (`1e18` = one US dollar per index unit).
/// @dev This is the surface the Clearinghouse depends on; the full oracle interface (reports,
/// configuration, errors, events) is `IIndexOracle` below, which extends it.
interface IIndexOracleReader {
    /// @notice The latest accepted value of `indexId` and the time it took effect.
    /// @dev Reverts with `StaleIndex` when the value is older than the index's `maxAge`, and with
    /// `UnknownIndex` / `NoRounds` when there is nothing to read.
    function latest(bytes32 indexId) external view returns (uint256 value, uint256 updatedAt);

    /// @notice The time-weighted average value of `indexId` over the fresh part of `[from, to]`: the
    /// seconds during which the value in force had been accepted at most `maxAge` earlier. Stale
    /// seconds do not count.
    /// @dev Reverts with `InsufficientCoverage` when the fresh seconds are below `MIN_TWAP_COVERAGE` of
    /// the window, with `TooManyRoundsInWindow` when more than `MAX_WINDOW_ROUNDS` rounds are in force
    /// during the window, and when the checkpoints do not cover the window (`from` before the first
    /// round), `to` is in the future or `from >= to`. Cost: two binary searches plus one storage read
    /// per round in the window, at most `MAX_WINDOW_ROUNDS`.
    function twap(bytes32 indexId, uint256 from, uint256 to) external view returns (uint256);

    /// @notice The time-weighted average of `indexId` over `[from, to]` counting every value in force
    /// however old, for a settlement that must end after `twap` failed: never reverts for staleness or
    /// round count. When `from` is before the first round the average starts at the first round.
    /// @dev Reverts only when no round was accepted at or before `to` (`NoRounds`, `WindowNotCovered`),
    /// `to` is in the future or `from >= to`. Cost: two binary searches, whatever the window holds.
    function fallbackTwap(bytes32 indexId, uint256 from, uint256 to) external view returns (uint256);

    /// @notice The smallest and largest value in force at any time during `[from, to]`.
    /// @dev Used to bound an admin-resolved settlement price. Same window rules as `twap` except the
    /// coverage rule: stale values count. Reverts with `TooManyRoundsInWindow` beyond
    /// `MAX_WINDOW_ROUNDS` rounds, so its gas is bounded.
    function range(bytes32 indexId, uint256 from, uint256 to) external view returns (uint256 min, uint256 max);

    /// @notice The longest window whose `twap` and `range` reads stay within `MAX_WINDOW_ROUNDS` rounds
    /// while rounds are spaced by the index's current `minInterval`:
    /// `minInterval × (MAX_WINDOW_ROUNDS − 1)` seconds. A market settling on `indexId` should use a
    /// settlement window no longer than this.
    /// @dev Reverts with `UnknownIndex`. Lowering `minInterval` later shortens it: an existing market's
    /// window may then hold too many rounds for `twap`/`range`, and its settlement ends through the
    /// fallback (`fallbackTwap`).
    function maxWindow(bytes32 indexId) external view returns (uint256);

    /// @notice The number of accepted rounds of `indexId` (the latest round id; 0 before the first).
    /// @dev Reverts with `UnknownIndex`.
    function checkpointCount(bytes32 indexId) external view returns (uint256);

    /// @notice The latest accepted value of `indexId`, the time its round was accepted, the index's current
    /// `maxAge` and its number, without any staleness check: what `IIndexOracleListener.onIndexValue` is
    /// pushed. `(0, 0, maxAge, number)` before the first round.
    /// @dev Reverts only with `UnknownIndex`. The caller applies `latest`'s rule itself: the value is stale
    /// when `block.timestamp − updatedAt > maxAge`. `number` is the index's creation order in this oracle
    /// (1 for the first index, at most `type(uint8).max`): a listener may key its copy by it.
    function latestUnchecked(
        bytes32 indexId
    ) external view returns (uint256 value, uint256 updatedAt, uint256 maxAge, uint256 number);
}

/// @title IIndexOracleListener
/// @notice The contract an oracle keeps informed of each index's latest value (the protocol's
/// Clearinghouse, which keeps a copy where its trades read it instead of calling the oracle).
interface IIndexOracleListener {
    /// @notice Called by the oracle, in the same transaction, every time the latest value of `indexId` or its
    /// `maxAge` changes: after a round is accepted (and its `RoundAccepted` emitted), and after a parameter
    /// change of an index that has a round.
    /// @param indexId The index.
    /// @param value The latest accepted value (18 decimals, at most `2^96 − 1`).
    /// @param updatedAt The time the latest round was accepted (below `2^32`).
    /// @param maxAge The index's `maxAge` now: the value is stale once `block.timestamp − updatedAt > maxAge`.
    /// @param number The index's number in the oracle (its creation order, in `[1, 255]`, never reused), so the
    /// listener can key its copy by a value that fits beside other state, not by the 32-byte id.
    function onIndexValue(bytes32 indexId, uint256 value, uint256 updatedAt, uint256 maxAge, uint256 number) external;
}

/// @title IIndexOracle
/// @notice Indices posted by a quorum of EIP-712 signed reports, stored as the median of the
/// signed values, with staleness, deviation and replay guards and TWAP checkpoints.
/// @dev Units: values are 18-decimal fixed point, times are unix seconds, `maxDeviation` is
/// 18-decimal fixed point (`1e18` = 100 %). Round ids are checkpoint numbers, starting at 1.
/// A round's checkpoint timestamp is the `block.timestamp` of the transaction that accepted it;
/// the reports' `observedAt` values are only checked (freshness, ordering), never stored as the
/// round's time. The value is a step function: each round's value holds from its checkpoint
/// timestamp until the next checkpoint.
interface IIndexOracle is IIndexOracleReader {
    // ------------------------------------------------------------------ types

    /// @notice One reporter's observation of an index, the EIP-712 message reporters sign:
    /// `Report(bytes32 indexId,uint256 value,uint64 observedAt,bytes32 inputsHash)`.
    /// @param indexId The index the value is for.
    /// @param value The index value, 18 decimals, in `[1, 2^96 - 1]`.
    /// @param observedAt When the reporter observed the inputs (unix seconds).
    /// @param inputsHash Hash of the canonical inputs (constituent prices and weights) the value was
    /// computed from, so anyone can recompute and challenge it.
    struct Report {
        bytes32 indexId;
        uint256 value;
        uint64 observedAt;
        bytes32 inputsHash;
    }

    /// @notice A report with its reporter's ECDSA signature over the EIP-712 digest of the report, in
    /// the 64-byte ERC-2098 compact form: `r`, and `vs` = `s` with the recovery bit (`v − 27`) in its
    /// top bit. Any 65-byte `r ‖ s ‖ v` signature converts to it losslessly (see
    /// `test/ts/helpers/oracle.ts`); the fixed size keeps calldata free of offsets and lengths.
    struct SignedReport {
        Report report;
        bytes32 r;
        bytes32 vs;
    }

    /// @notice The configurable parameters of an index.
    /// @param quorum Minimum number of distinct authorised signatures per round, in `[1, reporterCount]`.
    /// @param maxAge Seconds a report stays usable after `observedAt`, and seconds a round stays
    /// readable through `latest` after it was accepted. In `[MIN_MAX_AGE, MAX_MAX_AGE]`.
    /// @param minInterval Minimum seconds between two rounds' checkpoints, in `[1, maxAge]`.
    /// @param maxDeviation Largest relative move from the previous value a plain quorum may post
    /// (`1e18` = 100 %); a larger move needs `ceil(2n/3)` reports agreeing with the new value (within
    /// half of `maxDeviation` of it). In `[MIN_MAX_DEVIATION, MAX_MAX_DEVIATION]`.
    /// @param faultBound `f`, the number of faulty reporters the index tolerates (reporters that sign
    /// any value, together with a relayer that picks which honest reports to include). Requires
    /// `reporterCount >= 3f + 1` and `quorum >= 2f + 1`; at most `MAX_FAULT_BOUND`.
    struct IndexParams {
        uint8 quorum;
        uint32 maxAge;
        uint32 minInterval;
        uint64 maxDeviation;
        uint8 faultBound;
    }

    /// @notice One accepted round, packed into a single storage slot.
    /// @param timestamp The `block.timestamp` at which the round was accepted (fits 32 bits until 2106).
    /// @param value The median of the round's signed values (at most `2^96 - 1`).
    /// @param cumulative `∫ value dt` from the first checkpoint to `timestamp`, modulo `2^128`.
    /// Differences between two cumulatives are exact for any window shorter than `2^32` seconds,
    /// because `value × dt < 2^96 × 2^32`.
    struct Checkpoint {
        uint32 timestamp;
        uint96 value;
        uint128 cumulative;
    }

    /// @notice The full state of an index as stored (one slot), for off-chain readers.
    /// @param quorum See `IndexParams`.
    /// @param reporterCount Number of authorised reporters.
    /// @param reporterSlots Bitmap of the reporter slots (0..31) in use.
    /// @param maxAge See `IndexParams`.
    /// @param minInterval See `IndexParams`.
    /// @param maxDeviation See `IndexParams`.
    /// @param checkpointCount Number of accepted rounds (the latest round id).
    /// @param lastObservedAt The largest `observedAt` among the reports of the latest round; every
    /// report of the next round must be strictly newer.
    /// @param faultBound See `IndexParams`.
    /// @param number The index's creation order in the oracle (1 for the first), fixed at `createIndex`.
    struct IndexState {
        uint8 quorum;
        uint8 reporterCount;
        uint32 reporterSlots;
        uint32 maxAge;
        uint32 minInterval;
        uint64 maxDeviation;
        uint32 checkpointCount;
        uint32 lastObservedAt;
        uint8 faultBound;
        uint8 number;
    }

    // ------------------------------------------------------------------ events

    /// @notice Emitted when an index is created (its reporters follow as `ReporterAdded` events), with its
    /// `number` (its creation order, what `onIndexValue` and `latestUnchecked` carry).
    event IndexCreated(bytes32 indexed indexId, IndexParams params, uint256 number);

    /// @notice Emitted when an index's parameters change.
    event IndexParamsUpdated(bytes32 indexed indexId, IndexParams params);

    // The slot and round fields are for audit, not for filtering: indexing them would cost every round gas.
    // solhint-disable gas-indexed-events

    /// @notice Emitted when `reporter` is authorised for `indexId` in reporter slot `slot` (0..31).
    event ReporterAdded(bytes32 indexed indexId, address indexed reporter, uint256 slot);

    /// @notice Emitted when `reporter` loses its authorisation for `indexId`, freeing slot `slot`.
    event ReporterRemoved(bytes32 indexed indexId, address indexed reporter, uint256 slot);

    /// @notice Emitted when a round is accepted.
    /// @param indexId The index.
    /// @param roundId The new checkpoint number (1-based).
    /// @param value The stored median value.
    /// @param observedAt The median report's `observedAt`.
    /// @param inputsHash The median report's `inputsHash`: the inputs the stored value was computed
    /// from. The other reports' hashes are in the transaction's calldata.
    /// @param signers Bitmap of the reporter slots that signed the round (see `ReporterAdded`).
    event RoundAccepted(
        bytes32 indexed indexId,
        uint256 indexed roundId,
        uint256 value,
        uint256 observedAt,
        bytes32 inputsHash,
        uint256 signers
    );

    // solhint-enable gas-indexed-events

    /// @notice Emitted when the listener is set (`address(0)`: none).
    event ListenerSet(address indexed listener);

    // ------------------------------------------------------------------ errors: configuration

    /// @notice Thrown when an index id is zero.
    error InvalidIndexId();

    /// @notice Thrown when `indexId` has not been created.
    error UnknownIndex(bytes32 indexId);

    /// @notice Thrown when creating `indexId` a second time.
    error IndexAlreadyExists(bytes32 indexId);

    /// @notice Thrown when creating an index after `max` indexes exist (each has a number of 8 bits).
    error TooManyIndexes(uint256 max);

    /// @notice Thrown when `quorum` is zero or above the `reporterCount` it would apply to.
    error InvalidQuorum(uint256 quorum, uint256 reporterCount);

    /// @notice Thrown when `quorum` is below `2 × faultBound + 1`: a round could then carry fewer than
    /// `f + 1` honest reports on each side of its median.
    error QuorumBelowFaultBound(uint256 quorum, uint256 faultBound, uint256 required);

    /// @notice Thrown when `reporterCount` is below `3 × faultBound + 1` (after a removal, or at
    /// creation / a parameter change), or `faultBound` exceeds `MAX_FAULT_BOUND`.
    error ReportersBelowFaultBound(uint256 reporterCount, uint256 faultBound, uint256 required);

    /// @notice Thrown when `maxAge` is outside `[MIN_MAX_AGE, MAX_MAX_AGE]`.
    error InvalidMaxAge(uint256 maxAge);

    /// @notice Thrown when `minInterval` is zero or above `maxAge`.
    error InvalidMinInterval(uint256 minInterval, uint256 maxAge);

    /// @notice Thrown when `maxDeviation` is outside `[MIN_MAX_DEVIATION, MAX_MAX_DEVIATION]`.
    error InvalidMaxDeviation(uint256 maxDeviation);

    /// @notice Thrown when adding a reporter to an index that already has `max` reporters.
    error TooManyReporters(bytes32 indexId, uint256 max);

    /// @notice Thrown when a reporter address is zero.
    error ZeroAddressReporter();

    /// @notice Thrown when `reporter` is already authorised for `indexId`.
    error ReporterAlreadyAuthorised(bytes32 indexId, address reporter);

    /// @notice Thrown when removing `reporter`, which is not authorised for `indexId`.
    error ReporterNotAuthorised(bytes32 indexId, address reporter);

    // ------------------------------------------------------------------ errors: reports

    /// @notice Thrown when a submission carries `count` reports, more than the `max` reporters an index can have.
    error TooManyReports(uint256 count, uint256 max);

    /// @notice Thrown when a report for `reportIndexId` is submitted to `indexId`.
    error IndexMismatch(bytes32 indexId, bytes32 reportIndexId);

    /// @notice Thrown when a report's value is zero or does not fit 96 bits.
    error ValueOutOfRange(uint256 value);

    /// @notice Thrown when a report's `observedAt` is after the current block's timestamp `nowTs`.
    error FutureReport(uint256 observedAt, uint256 nowTs);

    /// @notice Thrown when a report's `observedAt` is before `oldestAllowed` (now − maxAge).
    error StaleReport(uint256 observedAt, uint256 oldestAllowed);

    /// @notice Thrown when a report is older than the latest accepted round (`observedAt < lastObservedAt`).
    error OutOfOrderReport(uint256 observedAt, uint256 lastObservedAt);

    /// @notice Thrown when a report belongs to the latest accepted round (`observedAt == lastObservedAt`).
    error ReplayedReport(uint256 observedAt);

    /// @notice Thrown when report number `reportIndex` has a malleable signature: `s` (the low 255 bits
    /// of `vs`) in the upper half of the curve order.
    error InvalidSignatureS(uint256 reportIndex, bytes32 s);

    /// @notice Thrown when report number `reportIndex` has a signature that recovers no address.
    error InvalidSignature(uint256 reportIndex);

    /// @notice Thrown when a report is signed by `signer`, which is not authorised for `indexId`.
    error UnknownSigner(bytes32 indexId, address signer);

    /// @notice Thrown when `signer` signed more than one report of the submission.
    error DuplicateSigner(address signer);

    /// @notice Thrown when a submission has `signers` valid signatures but `indexId` needs `quorum`.
    error QuorumNotMet(bytes32 indexId, uint256 signers, uint256 quorum);

    /// @notice Thrown when a round is submitted before `nextRoundAt` (last checkpoint + minInterval).
    error RoundTooSoon(bytes32 indexId, uint256 nextRoundAt);

    /// @notice Thrown when the median `value` moves more than `maxDeviation` from `previous` but only
    /// `agreeing` reports lie within half of `maxDeviation` of `value`, where `required` (two thirds of
    /// the reporters, rounded up, which is at least `2f + 1`) are needed.
    error DeviationNeedsAgreement(
        bytes32 indexId,
        uint256 previous,
        uint256 value,
        uint256 agreeing,
        uint256 required
    );

    /// @notice Thrown when a timestamp does not fit the 32-bit checkpoint timestamp (after 2106).
    error TimestampOutOfRange(uint256 timestamp);

    // ------------------------------------------------------------------ errors: reads

    /// @notice Thrown when reading an index that has no accepted round yet.
    error NoRounds(bytes32 indexId);

    /// @notice Thrown by `latest` when the latest round, accepted at `updatedAt`, is older than `maxAge`.
    error StaleIndex(bytes32 indexId, uint256 updatedAt, uint256 maxAge);

    /// @notice Thrown when reading round `roundId`, which does not exist (valid ids are `1..count`).
    error UnknownRound(bytes32 indexId, uint256 roundId);

    /// @notice Thrown when a window is empty or reversed (`from >= to`).
    error InvalidWindow(uint256 from, uint256 to);

    /// @notice Thrown when a window ends after the current block's timestamp `nowTs`.
    error WindowInFuture(uint256 to, uint256 nowTs);

    /// @notice Thrown when a window starts at `from`, before the first checkpoint at `firstTimestamp`.
    error WindowNotCovered(bytes32 indexId, uint256 from, uint256 firstTimestamp);

    /// @notice Thrown by `twap` when only `covered` seconds of the window `[from, to]` had a fresh value
    /// (accepted at most `maxAge` earlier) where `required` (`MIN_TWAP_COVERAGE` of the window, rounded
    /// up) are needed.
    error InsufficientCoverage(bytes32 indexId, uint256 from, uint256 to, uint256 covered, uint256 required);

    /// @notice Thrown by `twap` and `range` when `rounds` rounds are in force during the window, more
    /// than the `max` they read.
    error TooManyRoundsInWindow(bytes32 indexId, uint256 rounds, uint256 max);

    // ------------------------------------------------------------------ configuration (AccessManager-restricted)

    /// @notice Creates index `indexId` with `params` and the initial `reporters`.
    /// @dev Restricted. Emits `IndexCreated`, then `ReporterAdded` per reporter (slots 0, 1, …).
    /// Numbers the index (1 for the first, `IndexState.number`). Reverts with `InvalidIndexId`,
    /// `IndexAlreadyExists`, `TooManyIndexes` (past `MAX_INDEXES`), `TooManyReporters`,
    /// `ZeroAddressReporter`, `ReporterAlreadyAuthorised` (duplicates in `reporters`), or a
    /// parameter error (`InvalidQuorum` is checked against `reporters.length`).
    function createIndex(bytes32 indexId, IndexParams calldata params, address[] calldata reporters) external;

    /// @notice Replaces the parameters of `indexId`.
    /// @dev Restricted. Emits `IndexParamsUpdated`. Same bounds as `createIndex`; the quorum is checked
    /// against the current reporter count. Takes effect from the next submission, except `maxAge`, which
    /// also bounds the current value at once: when the index has a round and a listener is set, the
    /// listener is pushed the latest value and time with the new `maxAge`.
    /// @dev Warning: shortening `maxAge` can make the current value stale at once.
    function setIndexParams(bytes32 indexId, IndexParams calldata params) external;

    /// @notice Authorises `reporter` to sign reports for `indexId`, in the lowest free slot.
    /// @dev Restricted. Emits `ReporterAdded`. Reverts with `UnknownIndex`, `ZeroAddressReporter`,
    /// `ReporterAlreadyAuthorised` or `TooManyReporters`.
    function addReporter(bytes32 indexId, address reporter) external;

    /// @notice Revokes `reporter`'s authorisation for `indexId`.
    /// @dev Restricted. Emits `ReporterRemoved`. Reverts with `UnknownIndex`, `ReporterNotAuthorised`,
    /// `InvalidQuorum` when fewer reporters than the quorum would remain (lower the quorum first), or
    /// `ReportersBelowFaultBound` when fewer than `3f + 1` would remain (lower `faultBound` first).
    function removeReporter(bytes32 indexId, address reporter) external;

    /// @notice Sets the contract told of every index's latest value (`IIndexOracleListener`), or none
    /// (`address(0)`).
    /// @dev Restricted. Emits `ListenerSet`. Pushes nothing: the listener can copy each index's current value
    /// itself (the Clearinghouse's `syncIndex`). The listener is the protocol's own Clearinghouse and is
    /// trusted: a listener that reverts makes `submit` and `setIndexParams` revert.
    function setListener(address listener) external;

    // ------------------------------------------------------------------ reports

    /// @notice Accepts a new round of `indexId` from reports signed by distinct authorised reporters.
    /// Anyone may relay.
    /// @dev Every report must be for `indexId`, have a value in `[1, 2^96 - 1]`, have
    /// `now − maxAge <= observedAt <= now`, be strictly newer than the latest round's
    /// `lastObservedAt` (equal: `ReplayedReport`, older: `OutOfOrderReport`), and carry a valid
    /// low-`s` signature of an authorised reporter who signed no other report in the call.
    /// At least `quorum` (≥ 2f + 1) reports are needed and at least `minInterval` seconds must have
    /// passed since the last checkpoint. The stored value is the lower median, the `⌊(k−1)/2⌋`-th
    /// smallest of the `k` values (always one of the signed values); as `k >= 2f + 1` it has at least
    /// `f + 1` reports at or below it and at or above it, so with at most `f` faulty reporters it lies
    /// between two honest values. A median that moves more than `maxDeviation` from the previous value
    /// needs `ceil(2n/3)` (≥ 2f + 1) reports within half of `maxDeviation` of it
    /// (`DeviationNeedsAgreement`). Emits `RoundAccepted` and appends one checkpoint timestamped
    /// `block.timestamp`; then, when a listener is set, calls its `onIndexValue` with the new value, that time
    /// and the index's `maxAge` (a listener that reverts reverts the submission).
    /// @return roundId The new round's checkpoint number.
    function submit(bytes32 indexId, SignedReport[] calldata reports) external returns (uint256 roundId);

    // ------------------------------------------------------------------ views

    /// @notice The EIP-712 digest a reporter signs for `report` on this oracle and chain.
    function reportDigest(Report calldata report) external view returns (bytes32);

    /// @notice Whether `indexId` has been created.
    function indexExists(bytes32 indexId) external view returns (bool);

    /// @notice The listener told of every index's latest value (`address(0)`: none).
    function listener() external view returns (address);

    /// @notice The stored state (parameters, reporter count, round count) of `indexId`.
    /// @dev Reverts with `UnknownIndex`.
    function indexState(bytes32 indexId) external view returns (IndexState memory);

    /// @notice The parameters of `indexId`.
    /// @dev Reverts with `UnknownIndex`.
    function indexParams(bytes32 indexId) external view returns (IndexParams memory);

    /// @notice The authorised reporters of `indexId`, in slot order.
    /// @dev Reverts with `UnknownIndex`.
    function reporters(bytes32 indexId) external view returns (address[] memory);

    /// @notice Whether `account` is an authorised reporter of `indexId` (false for unknown indices).
    function isReporter(bytes32 indexId, address account) external view returns (bool);

    /// @notice Round `roundId` (1-based) of `indexId`, without any staleness check.
    /// @dev Reverts with `UnknownIndex` or `UnknownRound`.
    function checkpoint(bytes32 indexId, uint256 roundId) external view returns (Checkpoint memory);

    /// @notice The latest round of `indexId`, without any staleness check.
    /// @dev Reverts with `UnknownIndex` or `NoRounds`.
    function latestCheckpoint(bytes32 indexId) external view returns (Checkpoint memory);

    /// @notice The value of `indexId` in force at `timestamp` and the time its round was accepted.
    /// @dev No staleness check: compare `updatedAt` with `timestamp` yourself. Reverts with
    /// `UnknownIndex`, `NoRounds`, `WindowInFuture` (timestamp after now) or `WindowNotCovered`
    /// (timestamp before the first round).
    function valueAt(bytes32 indexId, uint256 timestamp) external view returns (uint256 value, uint256 updatedAt);
}
