// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IIndexOracleListener, IIndexOracleReader} from "../interfaces/IIndexOracle.sol";

/// @notice Test oracle: settable value, update time, staleness, TWAP and range per index. Like the real
/// oracle it pushes every change of the latest value to its listener (the Clearinghouse): `setValue` pushes
/// `(value, now, type(uint32).max)` (the mock has no time staleness), `setStale(true)` pushes `(value, 1, 0)`,
/// which the listener sees as stale, and `setStale(false)` the fresh value again.
contract MockIndexOracle is IIndexOracleReader {
    struct Feed {
        uint256 value;
        uint256 updatedAt;
        uint256 twapValue;
        uint256 rangeMin;
        uint256 rangeMax;
        bool stale;
        bool twapReverts;
    }

    mapping(bytes32 indexId => Feed) public feeds;
    /// @notice Indexes the mock gives no number (`latestUnchecked` returns 0), as no real oracle does.
    mapping(bytes32 indexId => bool) public unnumbered;
    /// @notice Which index each number was first pushed for, so two indexes of one test that hash to the same
    /// number fail loudly (`NumberTaken`) rather than share a copy in the listener.
    mapping(uint256 number => bytes32 indexId) public numberOwner;

    /// @notice Thrown when `indexId` hashes to a number another index of this mock already pushed with.
    error NumberTaken(bytes32 indexId, uint256 number, bytes32 owner);

    /// @notice Thrown by `latest` when the feed is marked stale.
    error StaleIndex(bytes32 indexId, uint256 updatedAt);
    /// @notice Thrown by `twap`/`range` when the feed is set to fail.
    error WindowNotCovered(bytes32 indexId, uint256 from, uint256 to);

    /// @notice The `maxAge` the mock reports: no time staleness.
    uint256 public constant NO_MAX_AGE = type(uint32).max;

    /// @notice The contract told of every value change (`address(0)`: none).
    IIndexOracleListener public listener;

    function setListener(address listener_) external {
        listener = IIndexOracleListener(listener_);
    }

    /// @notice The number of `indexId`: a hash of the id in `[1, 255]` (a real `IndexOracle` numbers indexes in
    /// creation order; the mock has no creation step), or 0 once `setUnnumbered(indexId)`.
    function number(bytes32 indexId) public view returns (uint256) {
        if (unnumbered[indexId]) return 0;
        return (uint256(keccak256(abi.encode(indexId))) % 255) + 1;
    }

    function setUnnumbered(bytes32 indexId, bool value) external {
        unnumbered[indexId] = value;
    }

    function setValue(bytes32 indexId, uint256 value) external {
        Feed storage f = feeds[indexId];
        f.value = value;
        f.updatedAt = block.timestamp;
        f.stale = false;
        _push(indexId);
    }

    function setStale(bytes32 indexId, bool stale) external {
        feeds[indexId].stale = stale;
        _push(indexId);
    }

    /// @notice What `setValue`/`setStale` push: the value, and either its time with no age limit or, while
    /// stale, time 1 with `maxAge` 0. `(0, 0, NO_MAX_AGE, number)` before the first `setValue`.
    function latestUnchecked(
        bytes32 indexId
    ) public view returns (uint256 value, uint256 updatedAt, uint256 maxAge, uint256 n) {
        Feed storage f = feeds[indexId];
        n = number(indexId);
        if (f.updatedAt == 0) return (0, 0, NO_MAX_AGE, n);
        if (f.stale) return (f.value, 1, 0, n);
        return (f.value, f.updatedAt, NO_MAX_AGE, n);
    }

    function _push(bytes32 indexId) private {
        if (address(listener) == address(0)) return;
        (uint256 value, uint256 updatedAt, uint256 maxAge, uint256 n) = latestUnchecked(indexId);
        bytes32 owner = numberOwner[n];
        if (owner == bytes32(0)) numberOwner[n] = indexId;
        else if (owner != indexId) revert NumberTaken(indexId, n, owner);
        if (updatedAt != 0) listener.onIndexValue(indexId, value, updatedAt, maxAge, n);
    }

    function setTwap(bytes32 indexId, uint256 value) external {
        feeds[indexId].twapValue = value;
    }

    function setRange(bytes32 indexId, uint256 min, uint256 max) external {
        feeds[indexId].rangeMin = min;
        feeds[indexId].rangeMax = max;
    }

    function setTwapReverts(bytes32 indexId, bool reverts) external {
        feeds[indexId].twapReverts = reverts;
    }

    function latest(bytes32 indexId) external view returns (uint256 value, uint256 updatedAt) {
        Feed storage f = feeds[indexId];
        if (f.stale) revert StaleIndex(indexId, f.updatedAt);
        return (f.value, f.updatedAt);
    }

    function twap(bytes32 indexId, uint256 from, uint256 to) external view returns (uint256) {
        Feed storage f = feeds[indexId];
        if (f.twapReverts) revert WindowNotCovered(indexId, from, to);
        return f.twapValue;
    }

    /// @dev The fallback average ignores `twapReverts` (it answers whenever a value exists).
    function fallbackTwap(bytes32 indexId, uint256, uint256) external view returns (uint256) {
        return feeds[indexId].twapValue;
    }

    function range(bytes32 indexId, uint256 from, uint256 to) external view returns (uint256 min, uint256 max) {
        Feed storage f = feeds[indexId];
        if (f.twapReverts) revert WindowNotCovered(indexId, from, to);
        return (f.rangeMin, f.rangeMax);
    }

    /// @dev Unlimited unless set: the mock holds one value, however long the window.
    mapping(bytes32 indexId => uint256) public maxWindowOf;

    function setMaxWindow(bytes32 indexId, uint256 window) external {
        maxWindowOf[indexId] = window;
    }

    function maxWindow(bytes32 indexId) external view returns (uint256) {
        uint256 window = maxWindowOf[indexId];
        return window == 0 ? type(uint256).max : window;
    }

    /// @dev One round once a value was set, none before.
    function checkpointCount(bytes32 indexId) external view returns (uint256) {
        return feeds[indexId].updatedAt == 0 ? 0 : 1;
    }
}
