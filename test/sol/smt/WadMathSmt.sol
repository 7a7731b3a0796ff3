// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {WadMath} from "../../../contracts/libraries/WadMath.sol";

/// @notice SMTChecker harness (`npm run check:smt`): the documented properties of `WadMath`.
/// @dev Each public function is a property; `require` states the documented input range, `assert` the claim.
contract WadMathSmt {
    /// Crediting rounds down: converting back never exceeds the wad amount, and loses less than one unit.
    function toTokenDownNeverOverCredits(uint256 wad, uint256 scale) external pure {
        require(scale >= 1 && scale <= 1e18);
        uint256 units = WadMath.toTokenDown(wad, scale);
        assert(units <= wad);
        assert(wad - units * scale < scale);
    }

    /// The absolute value is exact for every int256, including the minimum.
    function absIsExact(int256 x) external pure {
        uint256 a = WadMath.abs(x);
        if (x >= 0) assert(a == uint256(x));
        else if (x == type(int256).min) assert(a == 1 << 255);
        else assert(a == uint256(-x));
    }
}
