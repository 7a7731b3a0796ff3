// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";
import {IIndexOracle} from "./IIndexOracle.sol";

/// @title IIndexOracleFeed
/// @notice An `AggregatorV3Interface` view of one `IndexOracle` index. Answers have 18 decimals, round
/// ids are the oracle's checkpoint numbers (1-based), and `startedAt == updatedAt` is the time the
/// round was accepted on chain.
interface IIndexOracleFeed is AggregatorV3Interface {
    /// @notice Thrown when reading round `roundId`, which the index does not have (yet).
    error UnknownRound(uint80 roundId);

    /// @notice The oracle this feed reads.
    function oracle() external view returns (IIndexOracle);

    /// @notice The index this feed reads.
    function indexId() external view returns (bytes32);
}
