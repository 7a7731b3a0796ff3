// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title MedianLib
/// @notice Sorting and the lower median of the small arrays of signed values an oracle round carries.
/// @dev The oracle sorts keys `value << 8 | reportIndex`, so the median key also says which report
/// (and therefore which `inputsHash`) the stored value came from.
library MedianLib {
    /// @notice Sorts `keys` ascending in place.
    /// @dev Insertion sort: the arrays hold at most 32 elements, where it beats anything asymptotically
    /// better, and it needs no recursion or extra memory.
    function sortAscending(uint256[] memory keys) internal pure {
        uint256 n = keys.length;
        // Cannot underflow or overflow: `1 <= i < n`, and `j` only decreases while `j > 0`; indices
        // stay inside the array, whose length bounds them far below 2^256.
        unchecked {
            for (uint256 i = 1; i < n; ++i) {
                uint256 key = keys[i];
                uint256 j = i;
                while (j > 0) {
                    uint256 prev = keys[j - 1];
                    if (prev <= key) break;
                    keys[j] = prev;
                    --j;
                }
                keys[j] = key;
            }
        }
    }

    /// @notice The position of the lower median in a sorted array of `n > 0` elements: `⌊(n−1)/2⌋`.
    /// @dev For an odd `n` this is the middle element; for an even `n` the lower of the two middle
    /// ones, so the median is always one of the inputs (never a mean of two). For `n >= 2f + 1` the
    /// position lies in `[f, n − 1 − f]`: at least `f + 1` elements are at or below it and at least
    /// `f + 1` at or above it, so `f` outliers on one side cannot choose it (the oracle's quorum bound
    /// guarantees `n >= 2f + 1`).
    function lowerMedianPosition(uint256 n) internal pure returns (uint256) {
        return (n - 1) >> 1;
    }

    /// @notice How many of `keys` (`value << 8 | reportIndex`) carry a value within half of `maxDeviation`
    /// (`1e18` = 100 %) of `median`: `|value − median| × 2e18 <= maxDeviation × median`, exact.
    /// @dev Values are below 2^96 and `maxDeviation` below 2^64, so neither product overflows; the
    /// median's own report always counts.
    function countWithin(uint256[] memory keys, uint256 median, uint256 maxDeviation)
        internal
        pure
        returns (uint256 agreeing)
    {
        uint256 bound = maxDeviation * median;
        for (uint256 i; i < keys.length; ++i) {
            uint256 value = keys[i] >> 8;
            uint256 diff = value > median ? value - median : median - value;
            if (diff * 2e18 <= bound) ++agreeing;
        }
    }

    /// @notice The lower median of `values` (sorts `values` in place). Reverts on an empty array.
    function lowerMedian(uint256[] memory values) internal pure returns (uint256) {
        sortAscending(values);
        return values[lowerMedianPosition(values.length)];
    }
}
