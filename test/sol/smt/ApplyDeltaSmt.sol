// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PositionMath} from "../../../contracts/libraries/PositionMath.sol";

/// @notice SMTChecker harness (`npm run check:smt`): position bookkeeping of `PositionMath.applyDelta`.
/// @dev Signed non-linear products: neither engine finished this within ten minutes here, so the script
/// skips it unless named explicitly (`// smt-engine: skip`); `test/sol/ClearinghouseMath.t.sol` fuzzes the same
/// properties (`testFuzz_applyDelta_*`).
contract ApplyDeltaSmt {
    /// Adding to a position on its own side realises nothing and adds `delta × v` to the cost basis.
    function sameSideDeltaRealisesNothing(int128 size, int128 notional, int64 delta, uint64 v) external pure {
        require(size > 0 && delta > 0);
        (int256 newSize, int256 newNotional, int256 realised) = PositionMath.applyDelta(size, notional, delta, v);
        assert(realised == 0);
        assert(newSize == int256(size) + delta);
        assert(newNotional == int256(notional) + int256(delta) * int256(uint256(v)));
    }

    /// Closing a whole position removes its whole cost basis and realises `size × v − basis` exactly.
    function fullCloseRealisesExactly(int128 size, int128 notional, uint64 v) external pure {
        require(size != 0);
        (int256 newSize, int256 newNotional, int256 realised) =
            PositionMath.applyDelta(size, notional, -int256(size), v);
        assert(newSize == 0);
        assert(newNotional == 0);
        assert(realised == int256(size) * int256(uint256(v)) - notional);
    }

}
// smt-engine: skip
