// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MedianLib} from "../../../contracts/libraries/MedianLib.sol";

/// @notice SMTChecker harness (`npm run check:smt`): the lower-median position of `MedianLib`.
contract MedianPositionSmt {
    /// The lower-median position is inside the array and at the lower middle: ⌊(n−1)/2⌋.
    function positionIsLowerMiddle(uint256 n) external pure {
        require(n >= 1 && n <= 32);
        uint256 p = MedianLib.lowerMedianPosition(n);
        assert(p < n);
        assert(2 * p <= n - 1);
        assert(2 * p + 2 > n - 1);
    }
}

/// @notice SMTChecker harness: the median of a sorted round is one of the signed values, and the middle one.
/// @dev The insertion sort's loops over a memory array are beyond what the CHC engine proves here; the
/// script also runs BMC on this contract (`smt-engine: all`), which unrolls the loops for three elements.
contract MedianOfThreeSmt {
    function medianOfThreeIsTheMiddleInput(uint256 a, uint256 b, uint256 c) external pure {
        uint256[] memory values = new uint256[](3);
        values[0] = a;
        values[1] = b;
        values[2] = c;
        uint256 m = MedianLib.lowerMedian(values);
        assert(m == a || m == b || m == c);
        uint256 atMost = (a <= m ? uint256(1) : 0) + (b <= m ? uint256(1) : 0) + (c <= m ? uint256(1) : 0);
        uint256 atLeast = (a >= m ? uint256(1) : 0) + (b >= m ? uint256(1) : 0) + (c >= m ? uint256(1) : 0);
        assert(atMost >= 2 && atLeast >= 2);
    }
}
// smt-engine: all
