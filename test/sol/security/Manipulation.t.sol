// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {RiskParams} from "../../../contracts/interfaces/IClearinghouse.sol";
import {WAD} from "../../../contracts/libraries/WadMath.sol";
import {SecurityBase} from "./SecurityBase.sol";

/// @notice A trader walking the basis EMA with wash trades between two accounts it controls, always at the
/// edge of the price band: the mark never leaves `index × (1 ± maxBasisRate × τ)`, and these tests record what
/// the walk costs at `basisDepth = 1` (every fill in full, the weakness of finding 2) and at a realistic depth
/// (see docs/SECURITY.md, "Mark manipulation inside the band").
contract WashTradeManipulationTest is SecurityBase {
    uint256 internal constant YEAR = 365 days;
    uint256 internal constant TICK = 1e15;
    /// @dev A realistic depth here: one contract is one index unit (10 dollars), so 100,000 contracts are one
    /// million dollars of notional, as the ATPI-FRONTIER markets' depth of 100 contracts of 1,000 units.
    uint256 internal constant DEPTH = 100_000;

    /// @dev The highest on-tick price inside the band around the current mark.
    function _bandTop() internal view returns (uint256) {
        uint256 mark = ch.markPrice(marketId);
        return ((mark + (mark * 0.1e18) / WAD) / TICK) * TICK;
    }

    function _clampBound() internal view returns (uint256) {
        uint256 tau = ((params.expiry - vm.getBlockTimestamp()) * WAD) / YEAR;
        return 10e18 + (10e18 * ((0.5e18 * tau) / WAD)) / WAD; // index × (1 + maxBasisRate × τ)
    }

    function _setDepth(uint256 depth) internal {
        RiskParams memory r = _risk();
        r.basisDepth = uint64(depth);
        ch.setRiskParams(marketId, r);
    }

    /// @dev Wash trade number `i` of `size` contracts at the band's top, alternating direction so the attacker's
    /// two accounts stay flat; checks the clamp and returns the fees paid (the only cost: the PnL between the two
    /// accounts nets out).
    function _washFill(uint256 i, uint256 size) internal returns (uint256 fee) {
        uint256 before = ch.insuranceFund() + ch.treasuryAccrued();
        ch.trade(marketId, BOB, ALICE, i % 2 == 0 ? int256(size) : -int256(size), _bandTop(), bytes32(0));
        // One fill a second: within its own second a fill does not move the mark it is judged by (the mark's
        // basis is fixed per second, `test/sol/security/Solvency.t.sol` item 8), so a walk spans seconds.
        vm.warp(vm.getBlockTimestamp() + 1);
        (int256 basis, , , , ) = ch.marketState(marketId);
        assertLe(uint256(basis), 0.5e18, "basis within its clamp");
        assertLe(ch.markPrice(marketId), _clampBound(), "mark within index x (1 + maxBasisRate x tau)");
        fee = ch.insuranceFund() + ch.treasuryAccrued() - before;
    }

    /// @dev `n` wash trades of `size` contracts; returns the fees paid.
    function _walk(uint256 n, uint256 size) internal returns (uint256 fees) {
        for (uint256 i; i < n; ++i) {
            fees += _washFill(i, size);
        }
    }

    /// @dev Carol shorts 10 contracts (100 dollars) on 15 dollars (initial margin 10 dollars) against the
    /// attacker, whose two accounts then hold the other side between them.
    function _carolShorts() internal {
        _fund(CAROL, 15e6);
        ch.trade(marketId, CAROL, BOB, 10, 10e18, bytes32(0));
        ch.trade(marketId, BOB, ALICE, 10, 10e18, bytes32(0)); // bob hands the long to alice; both attacker accounts again
        assertTrue(!ch.isLiquidatable(CAROL), "carol healthy before");
    }

    function test_washTrades_neverPushMarkPastTheClamp() public {
        _deploy(address(0), 6, 10e18);
        _fund(ALICE, 1_000e6);
        _fund(BOB, 1_000e6);
        _walk(120, 1);
        (int256 basis, , , , ) = ch.marketState(marketId);
        // The EMA approaches the clamp geometrically (the band's top is rounded to the tick).
        assertGe(uint256(basis), 0.4999e18, "walked to the clamp");
        assertApproxEq(ch.markPrice(marketId), _clampBound(), 1e15, "mark at the clamp, not beyond");
        // More trades keep it there.
        _walk(20, 1);
        assertLe(ch.markPrice(marketId), _clampBound(), "still within the clamp");
    }

    /// @dev What `basisDepth = 1` allows (finding 2 before the depth existed): every fill moves the EMA by the
    /// full weight whatever its size, so one-contract wash trades (minSize = 1) move the mark as far as large
    /// ones. 60 trades costing 0.51 dollars in fees lift a 90-day market's mark from 10 to 11.23 (+12.3 %) and
    /// take a 6.7x-levered short below maintenance although the index did not move. Liquidation needs the
    /// account below maintenance at the index too, so however long the walk holds carol is never liquidatable
    /// while the index leaves her above the line (before that rule, 30 minutes of hold liquidated her); an
    /// index move that takes her there does at once.
    function test_washTrades_atDepthOne_costCentsAndCanLiquidateAShortAtAnUnchangedIndex() public {
        _deploy(address(0), 6, 10e18);
        _fund(ALICE, 1_000e6);
        _fund(BOB, 1_000e6);
        _carolShorts();
        uint256 fees = _walk(60, 1);
        assertLe(fees, 1e6, "the walk cost at most one dollar of fees");
        uint256 mark = ch.markPrice(marketId);
        assertGe(mark, 11.1e18, "mark lifted more than 11 % with the index still at 10");
        assertTrue(_belowMaintenanceAtMark(CAROL), "carol below maintenance at an unchanged index");
        // Liquidation also needs her below maintenance at the time-averaged basis and at the index.
        assertTrue(!ch.isLiquidatable(CAROL), "not liquidatable a minute into the walk");
        vm.warp(vm.getBlockTimestamp() + 30 minutes);
        assertEq(ch.liquidationMarkPrice(marketId), ch.markPrice(marketId), "the average has followed the walk");
        assertTrue(!ch.isLiquidatable(CAROL), "nor once the walk has held: at the index carol is above the line");
        vm.warp(vm.getBlockTimestamp() + 1 days);
        assertTrue(!ch.isLiquidatable(CAROL), "nor a day later");
        // Carol: short 10 at 10 on 15 dollars, maintenance 5 %: at the index she crosses at about 11.43.
        oracle.setValue(INDEX, 11.5e18);
        assertTrue(ch.isLiquidatable(CAROL), "an index move that takes her below maintenance liquidates at once");
    }

    /// @dev Whether `account` is below maintenance margin at the marks (not yet at the liquidation marks).
    function _belowMaintenanceAtMark(address account) internal view returns (bool) {
        (int256 equity, , uint256 mm) = ch.health(account);
        return equity < int256(mm);
    }

    /// @dev The same 60 one-contract wash trades at a realistic depth: each weighs 1 / 100,000 of a full fill,
    /// so the basis moves by a hundred-thousandth of the walk above and the mark stays within 0.001 % of the
    /// index; carol stays healthy.
    function test_washTrades_oneContractFillsAtRealisticDepthBarelyMoveTheMark() public {
        _deploy(address(0), 6, 10e18);
        _setDepth(DEPTH);
        _fund(ALICE, 1_000e6);
        _fund(BOB, 1_000e6);
        _carolShorts();
        uint256 fees = _walk(60, 1);
        assertLe(fees, 1e6, "the same cents of fees");
        uint256 mark = ch.markPrice(marketId);
        (int256 basis, , , , ) = ch.marketState(marketId);
        assertTrue(basis > 0, "the walk still moves the basis a little");
        // Measured: 10.0000600 (+0.0006 %), 0.46 dollars of fees.
        assertLe(mark - 10e18, 0.0001e18, "mark within 0.001 % of the index (was +12.3 % at depth 1)");
        assertTrue(!ch.isLiquidatable(CAROL), "carol still healthy");
    }

    /// @dev The walk at a realistic depth takes full-depth fills (100,000 contracts, a million dollars each).
    /// Measured: a position opened at initial margin (10 %, maintenance 5 %) becomes liquidatable at +4.76 %,
    /// reached after 5 fills costing 3,927 dollars of fees; carol (15 % margin) after 15 fills, 12,198 dollars,
    /// more than 5,000 times the whole liquidation penalty on her position (2 % of about 110 dollars); the mark of
    /// the depth-1 walk (11.23) after 58 fills, 5.8 million contracts and 49,188 dollars, about 96,600 times
    /// the 0.51 dollars of depth 1.
    function test_washTrades_atRealisticDepthCostTheDepthInVolumeToMoveTheMarkAsFar() public {
        _deploy(address(0), 6, 10e18);
        _setDepth(DEPTH);
        _fund(ALICE, 100_000_000e6);
        _fund(BOB, 100_000_000e6);
        _carolShorts();
        uint256 fees;
        uint256 n;
        // index x (1 + 4.76 %): where a position opened at initial margin meets maintenance, at an unchanged index.
        while (ch.markPrice(marketId) < 10.476e18) fees += _washFill(n++, DEPTH);
        assertEq(n, 5, "five full-depth fills to reach +4.76 %");
        assertGe(fees, 3_900e6, "costing more than 3,900 dollars");
        while (!_belowMaintenanceAtMark(CAROL)) fees += _washFill(n++, DEPTH);
        assertEq(n, 15, "fifteen to take carol below maintenance at the mark");
        assertTrue(!ch.isLiquidatable(CAROL), "and still not liquidatable: the average lags the walk");
        assertGe(fees, 12_000e6, "costing more than 12,000 dollars");
        uint256 penalty = (ch.markPrice(marketId) * 10 * 0.02e18) / WAD / 1e12; // dollars -> 6-decimal units
        assertGe(fees, 5_000 * penalty, "more than 5,000 times the whole penalty carol would pay");
        while (ch.markPrice(marketId) < 11.23e18) fees += _washFill(n++, DEPTH);
        assertEq(n, 58, "58 full-depth fills to lift the mark as far as 60 one-contract fills at depth 1");
        assertGe(fees, 49_000e6, "about 49,000 dollars, against 0.51 at depth 1");
        vm.warp(vm.getBlockTimestamp() + 30 minutes);
        assertEq(ch.liquidationMarkPrice(marketId), ch.markPrice(marketId), "the average has followed the walk");
        assertTrue(!ch.isLiquidatable(CAROL), "and carol is still not liquidatable: above maintenance at the index");
    }
}
