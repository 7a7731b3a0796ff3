// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Hostile collateral whose `decimals()` reverts: a Clearinghouse must refuse to be built on it.
contract RevertingDecimalsToken {
    /// @notice Thrown by `decimals()`, always.
    error NoDecimals();

    function decimals() external pure returns (uint8) {
        revert NoDecimals();
    }
}
