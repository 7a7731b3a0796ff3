// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IIndexOracle} from "../../../contracts/interfaces/IIndexOracle.sol";
import {CheckpointLib} from "../../../contracts/libraries/CheckpointLib.sol";

/// @notice SMTChecker harness (`npm run check:smt`): the documented properties of `CheckpointLib`.
contract CheckpointLibSmt {
    /// ⌈2n/3⌉ for every reporter count the oracle allows (1 to 32): at least two thirds, at most n, and the
    /// smallest such count.
    function supermajorityIsCeilingOfTwoThirds(uint256 n) external pure {
        require(n >= 1 && n <= 32);
        uint256 m = CheckpointLib.supermajority(n);
        assert(3 * m >= 2 * n);
        assert(3 * (m - 1) < 2 * n);
        assert(m <= n);
    }

    /// An unchanged value never exceeds the deviation bound; a change is flagged only when it is non-zero.
    function deviationOfNoMoveIsZero(uint96 previous, uint96 value, uint64 maxDeviation) external pure {
        if (value == previous) assert(!CheckpointLib.exceedsDeviation(previous, value, maxDeviation));
        if (CheckpointLib.exceedsDeviation(previous, value, maxDeviation)) assert(value != previous);
    }

    /// The deviation guard is symmetric in direction: a move up and the same move down compare the same.
    function deviationIsSymmetric(uint96 previous, uint96 diff, uint64 maxDeviation) external pure {
        require(diff <= previous);
        uint256 up = uint256(previous) + diff;
        uint256 down = uint256(previous) - diff;
        assert(
            CheckpointLib.exceedsDeviation(previous, up, maxDeviation)
                == CheckpointLib.exceedsDeviation(previous, down, maxDeviation)
        );
    }

    /// Extending a checkpoint by zero seconds returns its own cumulative.
    function cumulativeAtItsOwnTimeIsItsCumulative(uint32 timestamp, uint96 value, uint128 cumulative) external pure {
        IIndexOracle.Checkpoint memory c = IIndexOracle.Checkpoint(timestamp, value, cumulative);
        assert(CheckpointLib.cumulativeAt(c, timestamp) == cumulative);
    }

    /// The average of a constant step function is that constant (no wrap: from < to, the value held throughout).
    function averageOfAConstantIsTheConstant(uint96 value, uint128 start, uint8 length) external pure {
        require(length > 0);
        uint128 end;
        unchecked {
            end = start + uint128(uint256(value) * length);
        }
        assert(CheckpointLib.averageDown(start, end, 1000, 1000 + uint256(length)) == value);
    }
}
