// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IIndexOracleReader} from "../interfaces/IIndexOracle.sol";

/// @notice Test oracle: settable value, update time, staleness, TWAP and range per index.
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

    /// @notice Thrown by `latest` when the feed is marked stale.
    error StaleIndex(bytes32 indexId, uint256 updatedAt);
    /// @notice Thrown by `twap`/`range` when the feed is set to fail.
    error WindowNotCovered(bytes32 indexId, uint256 from, uint256 to);

    function setValue(bytes32 indexId, uint256 value) external {
        Feed storage f = feeds[indexId];
        f.value = value;
        f.updatedAt = block.timestamp;
        f.stale = false;
    }

    function setStale(bytes32 indexId, bool stale) external {
        feeds[indexId].stale = stale;
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
