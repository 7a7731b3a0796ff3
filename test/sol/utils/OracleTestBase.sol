// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";

import {IndexOracle} from "../../../contracts/IndexOracle.sol";
import {IIndexOracle} from "../../../contracts/interfaces/IIndexOracle.sol";
import {TestBase} from "./TestBase.sol";

/// @notice Deploys an oracle administered by the test contract, signs reports with `vm.sign`, and
/// computes the reference median, TWAP and range that the oracle's answers are checked against.
abstract contract OracleTestBase is TestBase {
    /// @dev A realistic clock, so `now − maxAge` is far from zero.
    uint256 internal constant START = 1_700_000_000;

    function _deployOracle() internal returns (IndexOracle oracle) {
        AccessManager manager = new AccessManager(address(this));
        oracle = new IndexOracle(address(manager));
    }

    /// @dev Signs `report` with `key` and returns it in the compact form the oracle takes.
    function _sign(IndexOracle oracle, uint256 key, IIndexOracle.Report memory report)
        internal
        view
        returns (IIndexOracle.SignedReport memory)
    {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, oracle.reportDigest(report));
        bytes32 vs = bytes32(uint256(s) | (uint256(v - 27) << 255));
        return IIndexOracle.SignedReport({report: report, r: r, vs: vs});
    }

    /// @dev The `⌊(n−1)/2⌋`-th smallest value, found by counting (no sorting), so it is independent of
    /// the oracle's insertion sort.
    function _referenceLowerMedian(uint256[] memory values) internal pure returns (uint256) {
        uint256 n = values.length;
        uint256 p = (n - 1) / 2;
        for (uint256 i; i < n; ++i) {
            uint256 less;
            uint256 lessOrEqual;
            for (uint256 j; j < n; ++j) {
                if (values[j] < values[i]) ++less;
                if (values[j] <= values[i]) ++lessOrEqual;
            }
            if (less <= p && p < lessOrEqual) return values[i];
        }
        revert("no median");
    }

    /// @dev The exact average, rounded down, of the step function `values[k]` on `[times[k], times[k+1])`
    /// over `[from, to)`, by summing the segments. Requires `times[0] <= from < to`.
    function _referenceTwap(uint256[] memory times, uint256[] memory values, uint256 from, uint256 to)
        internal
        pure
        returns (uint256)
    {
        uint256 sum;
        for (uint256 k; k < times.length; ++k) {
            uint256 start = times[k] > from ? times[k] : from;
            uint256 end = k + 1 < times.length && times[k + 1] < to ? times[k + 1] : to;
            if (end > start) sum += values[k] * (end - start);
        }
        return sum / (to - from);
    }

    /// @dev The average over the fresh seconds of `[from, to]` (a round is fresh until `maxAge` after its
    /// time), rounded down, and the number of fresh seconds, by summing the segments.
    function _referenceFreshTwap(
        uint256[] memory times,
        uint256[] memory values,
        uint256 from,
        uint256 to,
        uint256 maxAge
    ) internal pure returns (uint256 twap, uint256 covered) {
        uint256 sum;
        for (uint256 k; k < times.length; ++k) {
            uint256 start = times[k] > from ? times[k] : from;
            uint256 end = k + 1 < times.length && times[k + 1] < to ? times[k + 1] : to;
            if (times[k] + maxAge < end) end = times[k] + maxAge;
            if (end > start) {
                sum += values[k] * (end - start);
                covered += end - start;
            }
        }
        twap = covered == 0 ? 0 : sum / covered;
    }

    /// @dev Min and max of the values in force at some instant of the closed window `[from, to]`.
    function _referenceRange(uint256[] memory times, uint256[] memory values, uint256 from, uint256 to)
        internal
        pure
        returns (uint256 min, uint256 max)
    {
        min = type(uint256).max;
        for (uint256 k; k < times.length; ++k) {
            bool inForceAtFrom = times[k] <= from && (k + 1 == times.length || times[k + 1] > from);
            bool startsInside = times[k] > from && times[k] <= to;
            if (inForceAtFrom || startsInside) {
                if (values[k] < min) min = values[k];
                if (values[k] > max) max = values[k];
            }
        }
    }
}
