// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SecurityBase} from "./SecurityBase.sol";

/// @notice A trader walking the basis EMA with wash trades between two accounts it controls, always at the
/// edge of the price band: the mark never leaves `index × (1 ± maxBasisRate × τ)`, and this test records what
/// the walk costs (see docs/SECURITY.md, "Mark manipulation inside the band").
contract WashTradeManipulationTest is SecurityBase {
    uint256 internal constant YEAR = 365 days;
    uint256 internal constant TICK = 1e15;

    /// @dev The highest on-tick price inside the band around the current mark.
    function _bandTop() internal view returns (uint256) {
        uint256 mark = ch.markPrice(marketId);
        return ((mark + (mark * 0.1e18) / WAD) / TICK) * TICK;
    }

    function _clampBound() internal view returns (uint256) {
        uint256 tau = ((params.expiry - block.timestamp) * WAD) / YEAR;
        return 10e18 + (10e18 * ((0.5e18 * tau) / WAD)) / WAD; // index × (1 + maxBasisRate × τ)
    }

    /// @dev `n` one-contract wash trades at the band's top, alternating direction so the attacker's two
    /// accounts stay flat. Returns the fees paid (the only cost: the PnL between the two accounts nets out).
    function _walk(uint256 n) internal returns (uint256 fees) {
        uint256 before = ch.insuranceFund() + ch.treasuryAccrued();
        for (uint256 i; i < n; ++i) {
            ch.trade(marketId, BOB, ALICE, i % 2 == 0 ? int256(1) : int256(-1), _bandTop());
            (int256 basis, , , , ) = ch.marketState(marketId);
            assertLe(uint256(basis), 0.5e18, "basis within its clamp");
            assertLe(ch.markPrice(marketId), _clampBound(), "mark within index x (1 + maxBasisRate x tau)");
        }
        fees = ch.insuranceFund() + ch.treasuryAccrued() - before;
    }

    function test_washTrades_neverPushMarkPastTheClamp() public {
        _deploy(address(0), 6, 10e18);
        _fund(ALICE, 1_000e6);
        _fund(BOB, 1_000e6);
        _walk(120);
        (int256 basis, , , , ) = ch.marketState(marketId);
        // The EMA approaches the clamp geometrically (the band's top is rounded to the tick).
        assertGe(uint256(basis), 0.4999e18, "walked to the clamp");
        assertApproxEq(ch.markPrice(marketId), _clampBound(), 1e15, "mark at the clamp, not beyond");
        // More trades keep it there.
        _walk(20);
        assertLe(ch.markPrice(marketId), _clampBound(), "still within the clamp");
    }

    /// @dev Documents the weakness: the EMA step does not depend on trade size, so one-contract wash trades
    /// (minSize = 1) move the mark as far as large ones. 60 trades costing 0.51 dollars in fees lift a 90-day
    /// market's mark from 10 to 11.23 (+12.3 %) and make a 6.7x-levered short liquidatable although the index
    /// did not move. The clamp (maxBasisRate × τ) is the only bound: size it below the margin a position carries.
    function test_washTrades_costCentsAndCanLiquidateAShortAtAnUnchangedIndex() public {
        _deploy(address(0), 6, 10e18);
        _fund(ALICE, 1_000e6);
        _fund(BOB, 1_000e6);
        _fund(CAROL, 15e6);
        // Carol shorts 10 contracts (100 dollars) on 15 dollars: healthy, initial margin 10 dollars.
        ch.trade(marketId, CAROL, BOB, 10, 10e18);
        ch.trade(marketId, BOB, ALICE, 10, 10e18); // bob hands the long to alice; both attacker accounts again
        assertTrue(!ch.isLiquidatable(CAROL), "carol healthy before");
        uint256 fees = _walk(60);
        assertLe(fees, 1e6, "the walk cost at most one dollar of fees");
        uint256 mark = ch.markPrice(marketId);
        assertGe(mark, 11.1e18, "mark lifted more than 11 % with the index still at 10");
        assertTrue(ch.isLiquidatable(CAROL), "carol liquidatable at an unchanged index");
    }
}
