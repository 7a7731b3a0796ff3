// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TestBase} from "./utils/TestBase.sol";

/// @notice The shared assertions fail when they should, so a passing suite means something.
contract TestBaseTest is TestBase {
    function assertEqExternal(uint256 a, uint256 b) external pure {
        assertEq(a, b, "eq");
    }

    function test_assertEq_failsOnDifferentValues() public {
        vm.expectRevert(abi.encodeWithSelector(AssertionFailed.selector, "eq", uint256(1), uint256(2)));
        this.assertEqExternal(1, 2);
    }

    function testFuzz_bound_staysInRange(uint256 x, uint256 lo, uint256 hi) public pure {
        lo = lo % 1e30;
        hi = lo + (hi % 1e30);
        uint256 y = bound(x, lo, hi);
        assertTrue(y >= lo && y <= hi, "bound");
    }
}
