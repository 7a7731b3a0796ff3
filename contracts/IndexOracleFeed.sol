// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "./interfaces/AggregatorV3Interface.sol";
import {IIndexOracle} from "./interfaces/IIndexOracle.sol";
import {IIndexOracleFeed} from "./interfaces/IIndexOracleFeed.sol";

/// @title IndexOracleFeed
/// @notice Exposes one index of an `IndexOracle` through `AggregatorV3Interface`.
/// @dev Stateless apart from immutables: every call reads the oracle.
contract IndexOracleFeed is IIndexOracleFeed {
    /// @notice The version this adapter reports.
    uint256 public constant VERSION = 1;
    /// @notice Oracle values are 18-decimal fixed point.
    uint8 public constant DECIMALS = 18;

    IIndexOracle private immutable ORACLE;
    bytes32 private immutable INDEX_ID;

    string private _description;

    /// @param oracle_ The oracle to read.
    /// @param indexId_ The index to expose; must exist (`UnknownIndex` otherwise).
    /// @param description_ E.g. "ATPI-FRONTIER / USD per 1M tokens".
    constructor(IIndexOracle oracle_, bytes32 indexId_, string memory description_) {
        if (!oracle_.indexExists(indexId_)) revert IIndexOracle.UnknownIndex(indexId_);
        ORACLE = oracle_;
        INDEX_ID = indexId_;
        _description = description_;
    }

    /// @inheritdoc IIndexOracleFeed
    function oracle() external view returns (IIndexOracle) {
        return ORACLE;
    }

    /// @inheritdoc IIndexOracleFeed
    function indexId() external view returns (bytes32) {
        return INDEX_ID;
    }

    /// @inheritdoc AggregatorV3Interface
    function decimals() external pure returns (uint8) {
        return DECIMALS;
    }

    /// @inheritdoc AggregatorV3Interface
    function description() external view returns (string memory) {
        return _description;
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure returns (uint256) {
        return VERSION;
    }

    /// @inheritdoc AggregatorV3Interface
    /// @dev Historical rounds carry no staleness check. Reverts with `UnknownRound` for round 0 or a
    /// round not yet accepted.
    function getRoundData(uint80 roundId)
        external
        view
        returns (uint80, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        if (roundId == 0 || roundId > ORACLE.checkpointCount(INDEX_ID)) revert UnknownRound(roundId);
        IIndexOracle.Checkpoint memory c = ORACLE.checkpoint(INDEX_ID, roundId);
        return (roundId, int256(uint256(c.value)), c.timestamp, c.timestamp, roundId);
    }

    /// @inheritdoc AggregatorV3Interface
    /// @dev Warning: unlike many feeds this reverts (with the oracle's `StaleIndex` or `NoRounds`)
    /// instead of returning a value older than the index's `maxAge`, so a consumer can never act on a
    /// stale price by forgetting to check `updatedAt`.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        (uint256 value, uint256 at) = ORACLE.latest(INDEX_ID);
        // Round ids are below 2^32 (see IndexOracle.submit) and values below 2^96: the casts are exact.
        roundId = uint80(ORACLE.checkpointCount(INDEX_ID));
        return (roundId, int256(value), at, at, roundId);
    }
}
