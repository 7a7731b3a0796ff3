// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IIndexOracle
/// @notice The read side of the index oracle that every market settles against. Values are
/// 18-decimal fixed point (`1e18` = one US dollar per index unit).
/// @dev This is the surface the Clearinghouse depends on; the full oracle interface (reports,
/// configuration, errors, events) extends it in `IIndexOracleAdmin`-style declarations beside the
/// implementation.
interface IIndexOracleReader {
    /// @notice The latest accepted value of `indexId` and the time it took effect.
    /// @dev Reverts with `StaleIndex` when the value is older than the index's `maxAge`, and with
    /// `UnknownIndex` / `NoRounds` when there is nothing to read.
    function latest(bytes32 indexId) external view returns (uint256 value, uint256 updatedAt);

    /// @notice The time-weighted average value of `indexId` over `[from, to]`.
    /// @dev Reverts when the checkpoints do not cover the window (`from` before the first round)
    /// or when `to` is in the future or `from >= to`.
    function twap(bytes32 indexId, uint256 from, uint256 to) external view returns (uint256);

    /// @notice The smallest and largest value in force at any time during `[from, to]`.
    /// @dev Used to bound an admin-resolved settlement price. Same window rules as `twap`.
    function range(bytes32 indexId, uint256 from, uint256 to) external view returns (uint256 min, uint256 max);
}
