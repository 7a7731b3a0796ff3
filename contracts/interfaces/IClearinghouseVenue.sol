// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice One fill of a `tradeBatch`: `takerSizeDelta` contracts between the batch's taker and `maker`
/// at `price` (18-decimal). Positive `takerSizeDelta` means the taker buys and the maker sells.
/// `makerOrderHash` names the maker's order at the venue (zero for a venue without orders); the
/// Clearinghouse only repeats it in the fill's `Traded` event.
struct VenueFill {
    address maker;
    int256 takerSizeDelta;
    uint256 price;
    bytes32 makerOrderHash;
}

/// @title IClearinghouseVenue
/// @notice The part of the Clearinghouse that trading venues (the Exchange) call.
interface IClearinghouseVenue {
    /// @notice Books a trade of `takerSizeDelta` contracts in `marketId` at `price` between `maker`
    /// and `taker`. Positive `takerSizeDelta` means the taker buys (goes longer) and the maker sells.
    /// @dev Only authorised venues. Checks price band, tick, minimum size, position and open-interest
    /// limits and margin for both sides; charges the market's maker fee to `maker` and taker fee to
    /// `taker`. When the market is paused only trades that reduce both sides' positions pass. Emits one
    /// `Traded` carrying `makerOrderHash` (the maker's order at the venue, zero for a venue without orders)
    /// and a zero taker order hash.
    function trade(
        bytes32 marketId,
        address maker,
        address taker,
        int256 takerSizeDelta,
        uint256 price,
        bytes32 makerOrderHash
    ) external;

    /// @notice Books several fills of one `taker` against makers in `marketId`, in order, as one batch.
    /// @dev Only authorised venues. Every fill's taker size delta must have the same sign (the taker goes
    /// one way). Each fill is booked exactly as `trade` would book it (same tick, minimum size, price band
    /// against the mark with the basis left by the fills before it, fees and realised PnL rounded per fill,
    /// one `Traded` event per fill); the market, the oracle price and the taker's position and account are
    /// loaded and stored once. Position limits, open interest, the pause and margin are checked on the
    /// state after the whole batch (the taker once, each maker after the batch). Reverts
    /// `MixedTakerDirection` when the deltas differ in sign and `EmptyBatch` without fills. Each fill's
    /// `Traded` carries its maker order hash and `takerOrderHash` (the taker's order at the venue, zero for
    /// none).
    function tradeBatch(bytes32 marketId, address taker, bytes32 takerOrderHash, VenueFill[] calldata fills) external;

    /// @notice The signed position size (contracts) of `account` in `marketId`.
    function positionSize(address account, bytes32 marketId) external view returns (int256);
}
