// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IClearinghouseVenue
/// @notice The part of the Clearinghouse that trading venues (the Exchange) call.
interface IClearinghouseVenue {
    /// @notice Books a trade of `takerSizeDelta` contracts in `marketId` at `price` between `maker`
    /// and `taker`. Positive `takerSizeDelta` means the taker buys (goes longer) and the maker sells.
    /// @dev Only authorised venues. Checks price band, tick, minimum size, position and open-interest
    /// limits and margin for both sides; charges the market's maker fee to `maker` and taker fee to
    /// `taker`. When the market is paused only trades that reduce both sides' positions pass.
    function trade(bytes32 marketId, address maker, address taker, int256 takerSizeDelta, uint256 price) external;

    /// @notice The signed position size (contracts) of `account` in `marketId`.
    function positionSize(address account, bytes32 marketId) external view returns (int256);
}
