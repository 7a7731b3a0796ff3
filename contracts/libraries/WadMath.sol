// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @dev One in 18-decimal fixed point (`1e18` = 100 %): the one declaration, imported wherever a wad is used.
uint256 constant WAD = 1e18;

/// @title WadMath
/// @notice Fixed-point helpers for 18-decimal values ("wad") and their conversion to collateral units.
/// Every function names its rounding direction; callers pick the one that goes against the account.
library WadMath {
    /// @dev `x * y / d`, rounded down, full precision.
    function mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return Math.mulDiv(x, y, d);
    }

    /// @dev `x * y / d`, rounded up, full precision.
    function mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return Math.mulDiv(x, y, d, Math.Rounding.Ceil);
    }

    /// @dev `x * y / WAD`, rounded down.
    function wMulDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, y, WAD);
    }

    /// @dev `x * y / WAD`, rounded up.
    function wMulUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, y, WAD, Math.Rounding.Ceil);
    }

    /// @dev Wad dollars to collateral units, rounded down (for credits). `scale = 10 ** (18 - decimals)`.
    function toTokenDown(uint256 wad, uint256 scale) internal pure returns (uint256) {
        return wad / scale;
    }

    /// @dev Wad dollars to collateral units, rounded up (for debits).
    function toTokenUp(uint256 wad, uint256 scale) internal pure returns (uint256) {
        return Math.ceilDiv(wad, scale);
    }

    /// @dev Absolute value of a signed integer.
    function abs(int256 x) internal pure returns (uint256) {
        // `-type(int256).min` overflows; casting first keeps the magnitude exact. Unchecked, as nothing here can
        // overflow: for x < 0, `x + 1` is in [min + 1, 0], its negation in [0, max], and that plus one at most 2^255.
        unchecked {
            return x >= 0 ? uint256(x) : uint256(-(x + 1)) + 1;
        }
    }
}
