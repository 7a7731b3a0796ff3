// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IIndexOracle} from "../interfaces/IIndexOracle.sol";
import {WAD} from "./WadMath.sol";

/// @title CheckpointLib
/// @notice The arithmetic of the oracle's TWAP checkpoints and deviation guard.
/// @dev Checkpoints hold `cumulative = ∫ value dt` modulo `2^128`. For a window of length `L < 2^32`
/// seconds the true increase is at most `(2^96 − 1) × L < 2^128`, so the wrapped difference of two
/// cumulatives is exact; every function here relies on windows shorter than `2^32` seconds, which
/// 32-bit timestamps guarantee.
library CheckpointLib {
    /// @notice The cumulative of the step function at time `t >= c.timestamp`, when `c` is the last
    /// checkpoint at or before `t`: `c.cumulative + c.value × (t − c.timestamp)`, modulo `2^128`.
    /// @dev The caller guarantees `c.timestamp <= t < 2^32`.
    function cumulativeAt(IIndexOracle.Checkpoint memory c, uint256 t) internal pure returns (uint128) {
        // Cannot overflow: value < 2^96 and t − timestamp < 2^32, so the product is below 2^128 and
        // fits uint256; the sum is meant to wrap modulo 2^128 (only differences are ever used).
        unchecked {
            return c.cumulative + uint128(uint256(c.value) * (t - c.timestamp));
        }
    }

    /// @notice The average of the step function over `[from, to)` given the cumulatives at both ends,
    /// rounded down.
    /// @dev The caller guarantees `from < to` and `to − from < 2^32`.
    function averageDown(uint128 cumulativeFrom, uint128 cumulativeTo, uint256 from, uint256 to)
        internal
        pure
        returns (uint256)
    {
        // Wrapping subtraction on purpose: the cumulatives live modulo 2^128 and the true difference is
        // below 2^128 for windows shorter than 2^32 seconds (see the library notes).
        uint128 delta;
        unchecked {
            delta = cumulativeTo - cumulativeFrom;
        }
        return uint256(delta) / (to - from);
    }

    /// @notice Whether `value` differs from `previous` by more than `maxDeviation` (`1e18` = 100 %) of
    /// `previous`: `|value − previous| × 1e18 > maxDeviation × previous`.
    /// @dev Exact integer comparison, no rounding. Values are below 2^96 and `maxDeviation` below 2^64,
    /// so neither product overflows.
    function exceedsDeviation(uint256 previous, uint256 value, uint256 maxDeviation) internal pure returns (bool) {
        uint256 diff = value > previous ? value - previous : previous - value;
        return diff * WAD > maxDeviation * previous;
    }

    /// @notice The two-thirds supermajority of `n` reporters, rounded up: `⌈2n/3⌉`.
    function supermajority(uint256 n) internal pure returns (uint256) {
        return (2 * n + 2) / 3;
    }
}
