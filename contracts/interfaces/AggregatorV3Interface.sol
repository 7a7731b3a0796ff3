// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title AggregatorV3Interface
/// @notice The widely used price-feed read interface, declared here so other protocols can read an
/// index through `IndexOracleFeed` with the calls they already make.
// The name is the one integrators already import; keeping it lets their code compile against ours.
// solhint-disable-next-line interface-starts-with-i
interface AggregatorV3Interface {
    /// @notice The number of decimals of `answer`.
    function decimals() external view returns (uint8);

    /// @notice A human-readable description of the feed.
    function description() external view returns (string memory);

    /// @notice The version of the feed implementation.
    function version() external view returns (uint256);

    /// @notice The data of round `roundId`.
    /// @return roundId The round id.
    /// @return answer The value.
    /// @return startedAt When the round started.
    /// @return updatedAt When the round was last updated.
    /// @return answeredInRound The round in which the answer was computed.
    function getRoundData(uint80 roundId)
        external
        view
        returns (uint80, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    /// @notice The data of the latest round.
    /// @return roundId The round id.
    /// @return answer The value.
    /// @return startedAt When the round started.
    /// @return updatedAt When the round was last updated.
    /// @return answeredInRound The round in which the answer was computed.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
