// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IClearinghouse, MarketParams, RiskParams} from "../../../contracts/interfaces/IClearinghouse.sol";
import {MockERC20} from "../../../contracts/test/tokens/MockERC20.sol";
import {SecurityBase} from "./SecurityBase.sol";

/// @notice Issue 12's money-soundness findings, one regression test each (item numbers as in the issue and in
/// docs/SECURITY.md). Every test here failed on the code before the fix; the comment on each says how.
/// One contract is one index unit (10 dollars at 10); USDC has 6 decimals.
contract SolvencyTest is SecurityBase {
    address internal constant MALLORY = address(0xBAD);
    address internal constant MALLORY2 = address(0xBAD2);

    function setUp() public {
        _deploy(address(0), 6, 10e18);
    }

    function _insure(uint256 amount) internal {
        MockERC20(address(collateral)).mint(address(this), amount);
        collateral.approve(address(ch), amount);
        ch.depositInsurance(amount);
    }

    /// @dev A second market on another index (GPU-H100 at 2), expiring 30 days after the first.
    function _secondMarket() internal returns (bytes32 indexId, bytes32 id) {
        indexId = keccak256("GPU-H100");
        oracle.setValue(indexId, 2e18);
        MarketParams memory p2 = _marketParams(1e18, 1e15);
        p2.indexId = indexId;
        p2.expiry = uint64(params.expiry + 30 days);
        id = ch.createMarket(p2, _risk(), _terms());
    }

    bytes32 internal _second;

    function _withdrawAll(address who) internal {
        (int256 balance, ) = ch.accountOf(who);
        if (balance <= 0) return;
        vm.prank(who);
        ch.withdraw(uint256(balance));
    }

    // ------------------------------------------------------------------ item 2: margin after expiry

    /// @dev Before the fix an expired market was valued at the live index: with the live index at 20 and the
    /// settlement TWAP at 8, alice withdrew her margin against 1,000 dollars of paper profit and left a 200
    /// dollar loss behind.
    function test_item2_afterExpiryMarginUsesTheSettlementValueNotTheLiveIndex() public {
        _fund(ALICE, 200e6);
        _fund(BOB, 10_000e6);
        ch.trade(marketId, BOB, ALICE, 100, 10e18, bytes32(0));
        vm.warp(params.expiry + 1);
        oracle.setValue(INDEX, 20e18);
        oracle.setTwap(INDEX, 8e18);
        // Balance 199.5 after the 0.5 taker fee; at the TWAP of 8 the long has lost 200.
        (int256 equity, uint256 im, ) = ch.health(ALICE);
        assertEq(equity, 199.5e18 - 200e18, "valued at the TWAP, not at the live 20");
        assertEq(im, 80e18, "initial margin at the TWAP");
        vm.prank(ALICE);
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.InsufficientMargin.selector, ALICE, 99.5e18 - 200e18, 80e18)
        );
        ch.withdraw(100e6);
        // Once a price is proposed, it is what counts.
        ch.proposeSettlement(marketId);
        oracle.setTwap(INDEX, 30e18);
        assertEq(ch.markPrice(marketId), 8e18, "the proposed price");
    }

    // ------------------------------------------------------------------ item 3: bad debt beyond the fund

    /// @dev Before the fix alice's early gain (300) was credited at once and withdrawn; bob's loss at settlement
    /// could not be paid and the last account to withdraw found the contract short (the review measured
    /// 1,286.12 held against 1,300.04 owed). Now the gain waits in escrow as a claim on what losers pay: she is
    /// paid what bob paid, everyone withdraws, and the contract ends holding exactly the fund and treasury.
    function test_item3_gapBeforeExpiryWithEarlyWinners_lastWithdrawalSucceeds() public {
        _fund(ALICE, 150e6);
        _fund(BOB, 150e6);
        _fund(CAROL, 1_000e6);
        ch.trade(marketId, BOB, ALICE, 100, 10e18, bytes32(0));
        // An hour before expiry the index gaps to 13: bob's short (150 dollars of margin) has lost 300.
        vm.warp(params.expiry - 1 hours);
        oracle.setValue(INDEX, 13e18);
        // Alice takes her profit by selling to carol at 13.
        ch.trade(marketId, CAROL, ALICE, -100, 13e18, bytes32(0));
        (int256 aliceSize, int256 aliceEscrow) = ch.position(ALICE, marketId);
        assertEq(aliceSize, 0, "alice closed");
        assertEq(aliceEscrow, -300e18, "her 300 dollar gain is escrowed, not paid");
        (int256 aliceBalance, ) = ch.accountOf(ALICE);
        assertEq(aliceBalance, 150e6 - 0.5e6 - 0.65e6, "only her fees left her balance");

        _settleMarketAt(13e18);
        address[] memory all = new address[](3);
        (all[0], all[1], all[2]) = (ALICE, BOB, CAROL);
        ch.settleMany(marketId, all);
        ch.settleMany(marketId, all);
        (int256 bobBalance, ) = ch.accountOf(BOB);
        // His 300 loss overdrew his 149.80 by 150.20: the fund lent its fee share, the rest was written off
        // against the pot; the debt stays on his account, owed to the fund and counted by no one's tokens.
        assertEq(bobBalance, -150.2e6, "bob paid all he had and owes the rest to the fund");
        (aliceBalance, ) = ch.accountOf(ALICE);
        // Bob paid 150 - 0.2 maker fee; the fund (half of 1.35 + 0.2 + 0.26 of fees) covered part of the rest.
        uint256 paidToAlice = uint256(aliceBalance) - (150e6 - 1.15e6);
        assertTrue(paidToAlice < 300e6, "alice's claim is cut to what the losers and the fund paid");
        assertEq(ch.insuranceFund(), 0, "the fund paid first");

        _withdrawAll(ALICE);
        _withdrawAll(CAROL);
        _withdrawAll(BOB);
        assertEq(collateral.balanceOf(address(ch)), ch.treasuryAccrued(), "only the treasury's fees are left");
        ch.withdrawTreasury();
        assertEq(collateral.balanceOf(address(ch)), 0, "every token paid out, none missing");
    }

    /// @dev Before the fix a liquidation that left bad debt beyond the fund reverted with
    /// `BadDebtExceedsInsurance`, so the position could not be closed at all. Now the fund pays what it can,
    /// the rest is written off against the market's pot, and the winners' claims bear it at settlement.
    function test_item3_liquidationWithBadDebtBeyondTheFundCompletes() public {
        _fund(ALICE, 100.5e6);
        _fund(BOB, 1_000e6);
        _fund(CAROL, 10_000e6);
        ch.trade(marketId, BOB, ALICE, 100, 10e18, bytes32(0));
        oracle.setValue(INDEX, 8.9e18); // alice: 100.5 - 0.5 fee - 110 loss
        vm.prank(CAROL);
        ch.liquidate(ALICE, marketId, 100, type(uint256).max);
        (int256 aliceBalance, bytes32[] memory open) = ch.accountOf(ALICE);
        assertEq(open.length, 0, "closed");
        // The 10 dollar overdraft stays owed to the fund (which lent its 0.35), counted by no one's tokens.
        assertEq(aliceBalance, -10e6, "the overdraft is owed to the fund");
        (, , , , , , int256 realisedNet) = ch.settlementState(marketId);
        // Alice realised -110 but paid only 100 and the fund its 0.35 of fees; the rest is not collected.
        assertEq(realisedNet, -100.35e6, "the unpaid part is not collected");
        _settleMarketAt(8.9e18);
        address[] memory all = new address[](3);
        (all[0], all[1], all[2]) = (ALICE, BOB, CAROL);
        ch.settleMany(marketId, all);
        ch.settleMany(marketId, all);
        _withdrawAll(BOB);
        _withdrawAll(CAROL);
        assertEq(collateral.balanceOf(address(ch)), ch.insuranceFund() + ch.treasuryAccrued(), "solvent to the end");
    }

    // ------------------------------------------------------------------ item 6: rounding dust

    /// @dev Before the fix the pro rata rounding of claims stayed in the contract outside every account and
    /// fund. Now the last claim paid takes exactly what is left.
    function test_item6_proRataClaimsLeaveNoDust() public {
        _fund(ALICE, 18.1e6 + 1);
        _fund(BOB, 1_000e6);
        _fund(CAROL, 1_000e6);
        ch.trade(marketId, BOB, ALICE, -7, 10e18, bytes32(0));
        ch.trade(marketId, CAROL, ALICE, -11, 10e18, bytes32(0));
        _settleMarketAt(13e18); // alice owes 54, has 18
        address[] memory all = new address[](3);
        (all[0], all[1], all[2]) = (ALICE, BOB, CAROL);
        ch.settleMany(marketId, all);
        ch.settleMany(marketId, all);
        (, , , , uint256 collected, uint256 claimed, ) = ch.settlementState(marketId);
        assertEq(collected, 0, "everything available was paid out");
        assertEq(claimed, 0, "every claim was paid");
        address[] memory everyone = new address[](3);
        (everyone[0], everyone[1], everyone[2]) = (ALICE, BOB, CAROL);
        assertEq(int256(collateral.balanceOf(address(ch))), _booked(everyone), "held == booked, no dust");
    }

    // ------------------------------------------------------------------ item 8: one-transaction mark walk

    /// @dev Before the fix two attacker accounts trading at the band's edge walked the mark within one
    /// transaction and liquidated alice in the same transaction. Now the mark's basis is fixed for the second:
    /// the walk does not move the mark alice is judged by, and a second later it has moved at most one
    /// `maxBasisStep` (annualised; 5 % x 90/365 of the index here).
    function test_item8_oneTransactionMarkWalkCannotLiquidate() public {
        _fund(ALICE, 100.5e6);
        _fund(BOB, 10_000e6);
        _fund(MALLORY, 10_000e6);
        _fund(MALLORY2, 10_000e6);
        ch.trade(marketId, BOB, ALICE, 100, 10e18, bytes32(0)); // alice long 100 at 10 with 100: 10 % margin, mm 5 %
        vm.warp(vm.getBlockTimestamp() + 1);
        uint256 markBefore = ch.markPrice(marketId);
        assertTrue(!ch.isLiquidatable(ALICE), "healthy");
        // The walk: twelve fills at the band's lower edge, as in the review.
        for (uint256 i = 0; i < 12; ++i) {
            uint256 edge = ((ch.markPrice(marketId) * 9) / 10 / 1e15 + 1) * 1e15;
            if (i % 2 == 0) ch.trade(marketId, MALLORY, MALLORY2, -300, edge, bytes32(0));
            else ch.trade(marketId, MALLORY2, MALLORY, -300, edge, bytes32(0));
        }
        assertEq(ch.markPrice(marketId), markBefore, "the mark does not move within the second");
        assertTrue(!ch.isLiquidatable(ALICE), "still healthy in the same transaction");
        vm.prank(BOB);
        (int256 equity, , uint256 mm) = ch.health(ALICE);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.AccountHealthy.selector, ALICE, equity, mm));
        vm.prank(BOB);
        ch.liquidate(ALICE, marketId, 100, 0);
        // A second later the walk shows, by at most one step of the basis.
        vm.warp(vm.getBlockTimestamp() + 1);
        uint256 markAfter = ch.markPrice(marketId);
        uint256 tau = ((params.expiry - vm.getBlockTimestamp()) * 1e18) / 365 days;
        uint256 maxMove = (10e18 * ((0.05e18 * tau) / 1e18)) / 1e18 + 1e9;
        assertTrue(markBefore - markAfter <= maxMove, "at most one maxBasisStep a second");
    }

    /// @dev Walks the mark down one `maxBasisStep` a second for `secondsOfWalk` seconds with mallory on both
    /// sides at the band's lower edge (the cheapest walk, `npm run bench:mark-walk`).
    function _walkMarkDown(uint256 secondsOfWalk) internal {
        for (uint256 t = 0; t < secondsOfWalk; ++t) {
            vm.warp(vm.getBlockTimestamp() + 1);
            uint256 edge = ((ch.markPrice(marketId) * 9) / 10 / 1e15 + 1) * 1e15;
            if (t % 2 == 0) ch.trade(marketId, MALLORY, MALLORY2, -300, edge, bytes32(0));
            else ch.trade(marketId, MALLORY2, MALLORY, -300, edge, bytes32(0));
        }
    }

    /// @dev Before the time-averaged basis, a walk of a few seconds took alice (10 % margin, maintenance 5 %)
    /// below maintenance at the mark and liquidated her at once; with the average alone, a walk held for its
    /// 30-minute window did. Now liquidation needs her below maintenance at the mark, at the liquidation mark
    /// and at the index: a walk of the basis liquidates nobody the index has not put below the line, however
    /// long it holds, and the index move that does liquidates at once.
    function test_item8_aMarkWalkNeverLiquidatesAnAccountAboveMaintenanceAtTheIndex() public {
        _fund(ALICE, 100.5e6);
        _fund(BOB, 10_000e6);
        _fund(MALLORY, 100_000e6);
        _fund(MALLORY2, 100_000e6);
        ch.trade(marketId, BOB, ALICE, 100, 10e18, bytes32(0)); // alice long 100 at 10 with 100: 10 % margin, mm 5 %
        _walkMarkDown(12);
        vm.warp(vm.getBlockTimestamp() + 1);
        (int256 equity, , uint256 mm) = ch.health(ALICE);
        assertTrue(equity < int256(mm), "below maintenance at the walked mark");
        assertTrue(ch.markPrice(marketId) < 9.5e18, "the walk moved the mark more than 5 %");
        (int256 markBasis, int256 averageBasis, int256 runningBasis) = ch.markBases(marketId);
        assertEq(markBasis, runningBasis, "a second after the last trade the mark uses the running basis");
        assertTrue(averageBasis > markBasis, "the average lags the walk");
        assertTrue(!ch.isLiquidatable(ALICE), "not liquidatable while the average lags");
        (int256 averagedEquity, , uint256 averagedMm) = _healthAtLiquidationMark(ALICE);
        assertTrue(averagedEquity >= int256(averagedMm), "above maintenance at the liquidation mark");
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.AccountHealthy.selector, ALICE, averagedEquity, averagedMm)
        );
        vm.prank(BOB);
        ch.liquidate(ALICE, marketId, 100, type(uint256).max);
        // Held for the window (nobody traded it back), the average reaches the basis ...
        vm.warp(vm.getBlockTimestamp() + 30 minutes); // MarginLogic.LIQUIDATION_BASIS_WINDOW
        (, averageBasis, ) = ch.markBases(marketId);
        assertEq(averageBasis, runningBasis, "a whole window later the average is the basis");
        assertEq(ch.liquidationMarkPrice(marketId), ch.markPrice(marketId), "so is the liquidation mark");
        (averagedEquity, , averagedMm) = _healthAtLiquidationMark(ALICE);
        assertTrue(averagedEquity < int256(averagedMm), "below maintenance at the liquidation mark too");
        // ... but at the index (10, unchanged) alice holds 100 (100.50 less the 0.50 fee) against 50 of
        // maintenance: still healthy.
        assertTrue(!ch.isLiquidatable(ALICE), "not liquidatable: above maintenance at the index");
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.AccountHealthy.selector, ALICE, 100e18, 50e18));
        vm.prank(BOB);
        ch.liquidate(ALICE, marketId, 100, type(uint256).max);
        // The index move that takes her below maintenance (she crosses at about 9.47) liquidates her at once.
        oracle.setValue(INDEX, 9.4e18);
        assertTrue(ch.isLiquidatable(ALICE), "liquidatable once the index has moved");
        vm.prank(BOB);
        ch.liquidate(ALICE, marketId, 100, type(uint256).max);
    }

    /// @dev The review's shape over many accounts: 40 accounts long at 11 % margin (maintenance 5 %), the mark
    /// walked down to its clamp and held for the averaging window and a day more. Every one of them is below
    /// zero equity at the walked mark, and not one can be liquidated or deleveraged: at the index each holds
    /// 10.95 dollars (11 less the 0.05 fee) against 5 of maintenance. The walk pays its fees and takes no reward.
    function test_item8_aWalkHeldToTheClampLiquidatesNoneOfFortyAccountsAboveMaintenanceAtTheIndex() public {
        _fund(BOB, 10_000e6);
        _fund(MALLORY, 1_000_000e6);
        _fund(MALLORY2, 1_000_000e6);
        address[] memory longs = new address[](40);
        for (uint256 i = 0; i < 40; ++i) {
            longs[i] = address(uint160(0x1000 + i));
            _fund(longs[i], 11e6);
            ch.trade(marketId, BOB, longs[i], 10, 10e18, bytes32(0)); // long 10 at 10 with 11 dollars: 11 % margin
        }
        uint256 fundBefore = ch.insuranceFund() + ch.treasuryAccrued();
        _walkMarkDown(40);
        vm.warp(vm.getBlockTimestamp() + 30 minutes + 1 days);
        assertEq(ch.liquidationMarkPrice(marketId), ch.markPrice(marketId), "the average has followed the walk");
        assertTrue(ch.markPrice(marketId) < 8.9e18, "the mark is more than 11 % under the index");
        uint256 fees = ch.insuranceFund() + ch.treasuryAccrued() - fundBefore;
        assertTrue(fees > 0, "the walk paid fees");
        address[] memory cps = new address[](1);
        cps[0] = BOB;
        for (uint256 i = 0; i < 40; ++i) {
            (int256 equity, , ) = ch.health(longs[i]);
            assertTrue(equity < 0, "below zero equity at the walked mark");
            assertTrue(!ch.isLiquidatable(longs[i]), "not liquidatable");
            vm.expectRevert(abi.encodeWithSelector(IClearinghouse.AccountHealthy.selector, longs[i], 10.95e18, 5e18));
            vm.prank(MALLORY);
            ch.liquidate(longs[i], marketId, 10, type(uint256).max);
            vm.expectRevert(abi.encodeWithSelector(IClearinghouse.NotBankrupt.selector, longs[i], 10.95e18));
            ch.deleverage(longs[i], marketId, cps);
        }
        (int256 malloryBalance, ) = ch.accountOf(MALLORY);
        assertTrue(malloryBalance < 1_000_000e6, "the walker is out of pocket by its fees, with no reward");
    }

    /// @dev Walked down and then traded back by defenders (anyone, at the same cost: bob and carol here)
    /// within the window, the average never reaches alice's maintenance line and she is never liquidatable.
    function test_item8_aWalkTradedBackWithinTheWindowLiquidatesNobody() public {
        _fund(ALICE, 100.5e6);
        _fund(BOB, 100_000e6);
        _fund(CAROL, 100_000e6);
        _fund(MALLORY, 100_000e6);
        _fund(MALLORY2, 100_000e6);
        ch.trade(marketId, BOB, ALICE, 100, 10e18, bytes32(0));
        _walkMarkDown(12);
        (int256 equity, , uint256 mm) = ch.health(ALICE);
        assertTrue(equity < int256(mm), "below maintenance at the walked mark");
        // the defenders trade the mark back up, one step a second, at the band's upper edge
        for (uint256 t = 0; t < 12; ++t) {
            vm.warp(vm.getBlockTimestamp() + 1);
            assertTrue(!ch.isLiquidatable(ALICE), "never liquidatable during the contest");
            uint256 edge = ((ch.markPrice(marketId) * 11) / 10 / 1e15) * 1e15;
            if (t % 2 == 0) ch.trade(marketId, BOB, CAROL, 300, edge, bytes32(0));
            else ch.trade(marketId, CAROL, BOB, 300, edge, bytes32(0));
        }
        for (uint256 t = 0; t < 60; ++t) {
            vm.warp(vm.getBlockTimestamp() + 60);
            assertTrue(!ch.isLiquidatable(ALICE), "nor after it");
        }
    }

    /// @dev Equity and maintenance margin at the liquidation mark (the account's only market is `marketId`).
    function _healthAtLiquidationMark(address account) internal view returns (int256 equity, uint256, uint256 mm) {
        (int256 balance, ) = ch.accountOf(account);
        (int256 size, int256 openNotional) = ch.position(account, marketId);
        uint256 v = ch.liquidationMarkPrice(marketId) * params.contractSize / 1e18;
        equity = balance * 1e12 + size * int256(v) - openNotional;
        uint256 notional = uint256(size < 0 ? -size : size) * v;
        mm = (notional * 0.05e18 + 1e18 - 1) / 1e18;
        return (equity, 0, mm);
    }

    /// @dev An index move is not averaged: it lowers the mark and the liquidation mark at once.
    function test_item8_anIndexMoveLiquidatesAtOnce() public {
        _fund(ALICE, 100.5e6);
        _fund(BOB, 10_000e6);
        ch.trade(marketId, BOB, ALICE, 100, 10e18, bytes32(0));
        vm.warp(vm.getBlockTimestamp() + 1);
        oracle.setValue(INDEX, 9.4e18);
        assertTrue(ch.isLiquidatable(ALICE), "liquidatable at once");
        vm.prank(BOB);
        ch.liquidate(ALICE, marketId, 100, type(uint256).max);
    }

    // ------------------------------------------------------------------ items 9 and 10: deleveraging

    /// @dev Alice long 10 at 10 with 10.05 dollars; at 3.95 her equity is -50.50 and the fund holds exactly 50.
    function _bankruptAliceWithFund50() internal {
        ch.setFeeShares(0, 0.5e18); // fees to the treasury, so the fund is exactly what is deposited
        _fund(ALICE, 10.05e6);
        _fund(BOB, 1_000e6);
        ch.trade(marketId, BOB, ALICE, 10, 10e18, bytes32(0)); // taker fee 0.05
        _insure(50e6);
        oracle.setValue(INDEX, 3.95e18);
        (int256 equity, , ) = ch.health(ALICE);
        assertEq(equity, -50.5e18, "deficit 50.50");
    }

    /// @dev Before the fix deleveraging was allowed once the shortfall reached the fund and the counterparty
    /// absorbed all 50.50 while the fund paid nothing. Now the fund pays its 50 first and bob only 0.50.
    function test_item9_deleveragingDrawsTheFundFirst() public {
        _bankruptAliceWithFund50();
        address[] memory cps = new address[](1);
        cps[0] = BOB;
        ch.deleverage(ALICE, marketId, cps);
        assertEq(ch.insuranceFund(), 0, "the fund paid first");
        (int256 bobSize, int256 bobBasis) = ch.position(BOB, marketId);
        assertEq(bobSize, 0, "bob closed against alice");
        // At the mark bob's short has gained 60.50; the bankruptcy price takes 0.50 (and one unit of rounding).
        assertApproxEq(uint256(-bobBasis), 60e18, 1e12 + 10, "bob absorbs only what the fund could not");
        (int256 aliceBalance, ) = ch.accountOf(ALICE);
        assertTrue(aliceBalance >= 0, "alice left at zero or just above");
    }

    /// @dev A shortfall the fund covers is liquidation's job, not deleveraging's (`<=`).
    function test_item9_deleveragingRefusedWhenTheFundCoversTheShortfall() public {
        _bankruptAliceWithFund50();
        _insure(0.5e6);
        address[] memory cps = new address[](1);
        cps[0] = BOB;
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.InsuranceCanCover.selector, 50.5e6, 50.5e6));
        ch.deleverage(ALICE, marketId, cps);
    }

    /// @dev Before the fix deleveraging ignored pauses (liquidation did not).
    function test_item10_deleveragingObeysMarketAndGlobalPauses() public {
        _bankruptAliceWithFund50();
        address[] memory cps = new address[](1);
        cps[0] = BOB;
        ch.setMarketPaused(marketId, true);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.MarketIsPaused.selector, marketId));
        ch.deleverage(ALICE, marketId, cps);
        ch.setMarketPaused(marketId, false);
        ch.setGlobalPaused(true);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.MarketIsPaused.selector, marketId));
        ch.deleverage(ALICE, marketId, cps);
        ch.setGlobalPaused(false);
        ch.deleverage(ALICE, marketId, cps);
    }

    // ------------------------------------------------------------------ item 11: live parameter changes

    /// @dev Before the fix one key (behind its delay) could set imr/mmr/penalty to 0.6/0.5/0.19 and the
    /// liquidator share to 100 %, then liquidate a healthy 5x account and take 190 of its 200 dollars.
    function test_item11_liveRiskRaisesAreBoundedAndSpaced() public {
        _fund(ALICE, 200e6);
        _fund(BOB, 10_000e6);
        ch.trade(marketId, BOB, ALICE, 100, 10e18, bytes32(0)); // 5x
        RiskParams memory r = _risk();
        r.imr = 0.6e18;
        r.mmr = 0.5e18;
        r.liquidationPenalty = 0.19e18;
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.RiskRaiseTooLarge.selector, marketId, 0.05e18, 0.5e18, 0.01e18)
        );
        ch.setRiskParams(marketId, r);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.ShareOutOfBounds.selector, 1e18, 0.5e18));
        ch.setFeeShares(0.5e18, 1e18);
        r = _risk();
        r.mmr = 0.06e18;
        r.liquidationPenalty = 0.025e18;
        ch.setRiskParams(marketId, r); // one step
        r.mmr = 0.07e18;
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.RiskRaiseTooSoon.selector, marketId, vm.getBlockTimestamp() + 1 days)
        );
        ch.setRiskParams(marketId, r);
        r.mmr = 0.04e18; // lowering is never limited
        r.liquidationPenalty = 0.02e18;
        ch.setRiskParams(marketId, r);
        assertTrue(!ch.isLiquidatable(ALICE), "a 5x account stays healthy");
    }

    /// @dev The penalty never exceeds the account's equity, whatever the parameters: an account with 0.45 of
    /// equity pays at most 0.45, and the liquidator's reward comes out of it, never out of the fund.
    function test_item11_penaltyIsCappedAtTheAccountsEquity() public {
        _fund(ALICE, 12e6);
        _fund(BOB, 1_000e6);
        _fund(CAROL, 1_000e6);
        ch.trade(marketId, BOB, ALICE, 10, 10e18, bytes32(0));
        oracle.setValue(INDEX, 8.85e18);
        uint256 fundBefore = ch.insuranceFund();
        vm.prank(CAROL);
        ch.liquidate(ALICE, marketId, 10, type(uint256).max);
        (int256 carol, ) = ch.accountOf(CAROL);
        assertEq(uint256(carol) - 1_000e6 + (ch.insuranceFund() - fundBefore), 0.45e6, "penalty = the equity left");
    }

    // ------------------------------------------------------------------ item 5: markets that cannot settle

    /// @dev Before the fix nothing checked that the oracle could average a market's settlement window, and the
    /// fallback used the same `twap` as the proposal: a window without fresh rounds locked every position.
    /// Now creation refuses a window beyond the oracle's bounded `maxWindow`, and the fallback finalizes at
    /// `fallbackTwap` even when `twap` cannot answer.
    function test_item5_creationRefusesAnUncoverableWindowAndTheFallbackAlwaysEnds() public {
        oracle.setMaxWindow(INDEX, 1 hours - 1);
        MarketParams memory p = _marketParams(2e18, 1e15);
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.SettlementWindowNotCoverable.selector, INDEX, 1 hours, 1 hours - 1)
        );
        ch.createMarket(p, _risk(), _terms());
        oracle.setMaxWindow(INDEX, 0);

        _fund(ALICE, 200e6);
        _fund(BOB, 200e6);
        ch.trade(marketId, BOB, ALICE, 10, 10e18, bytes32(0));
        vm.warp(params.expiry + 1);
        oracle.setTwap(INDEX, 11e18);
        oracle.setTwapReverts(INDEX, true); // too few fresh rounds in the window: no proposal possible
        vm.expectRevert();
        ch.proposeSettlement(marketId);
        vm.warp(params.expiry + 3 days);
        ch.finalizeSettlement(marketId);
        (, , , uint256 finalPrice, , , ) = ch.settlementState(marketId);
        assertEq(finalPrice, 11e18, "finalized at the fallback TWAP");
    }

    /// @dev Found by the deep profile: a bankrupt settlement valued the account's other markets, so a stale
    /// index there made `settle` revert and left the market half settled. Now nothing is written off when the
    /// other markets cannot be valued (the negative balance stays backed by them) and the settlement goes on.
    function test_item4_aStaleIndexElsewhereDoesNotBlockSettlement() public {
        (bytes32 other, bytes32 second) = _secondMarket();
        _fund(ALICE, 30e6);
        _fund(BOB, 1_000e6);
        ch.trade(marketId, BOB, ALICE, -1, 10e18, bytes32(0));
        ch.trade(second, BOB, ALICE, 10, 2e18, bytes32(0));
        _settleMarketAt(50e18); // alice owes 40 with 30 on hand
        oracle.setStale(other, true);
        address[] memory both = new address[](2);
        (both[0], both[1]) = (ALICE, BOB);
        ch.settleMany(marketId, both);
        (int256 alice, bytes32[] memory open) = ch.accountOf(ALICE);
        assertEq(open.length, 1, "her other market is still open");
        assertTrue(alice < 0, "nothing written off while the other market cannot be valued");
        (, , uint256 openPositions, , ) = ch.marketState(marketId);
        assertEq(openPositions, 0, "the settled market completed");
    }

    // ------------------------------------------------------------------ residual debt

    /// @dev Leaves alice with a residual debt (see the test below); returns dave, who still has a market open.
    function _residualDebt() internal returns (address dave) {
        dave = address(0xDA7E);
        address erin = address(0xE417);
        (bytes32 gpu, bytes32 second) = _secondMarket();
        _second = second;
        _fund(ALICE, 101e6);
        _fund(BOB, 1_000e6);
        _fund(CAROL, 125e6);
        _fund(dave, 1_000e6);
        _fund(erin, 1_000e6);
        // Alice long 100 at 10, closed at 12 to carol: a 200 dollar gain, escrowed.
        ch.trade(marketId, BOB, ALICE, 100, 10e18, bytes32(0));
        oracle.setValue(INDEX, 12e18);
        vm.warp(vm.getBlockTimestamp() + 1);
        ch.trade(marketId, CAROL, ALICE, -100, 12e18, bytes32(0));
        // Short 300 at 2 in the second market, bought back at 2.5: a 150 dollar loss, more than her cash.
        ch.trade(second, dave, ALICE, -300, 2e18, bytes32(0));
        oracle.setValue(gpu, 2.5e18);
        vm.warp(vm.getBlockTimestamp() + 1);
        ch.trade(second, erin, ALICE, 300, 2.5e18, bytes32(0));
        (int256 overdrawn, bytes32[] memory open) = ch.accountOf(ALICE);
        assertTrue(overdrawn < 0, "overdrawn against her escrowed gain");
        assertEq(open.length, 1, "only the escrow slot is open");

        // The first market settles at 5: carol (long at 12, 125 dollars) is bankrupt beyond the fund, every
        // claim is cut, and alice's comes in short of her overdraft.
        oracle.setValue(gpu, 2.5e18);
        _settleMarketAt(5e18);
        address[] memory all = new address[](3);
        (all[0], all[1], all[2]) = (ALICE, BOB, CAROL);
        ch.settleMany(marketId, all);
        ch.settleMany(marketId, all);
    }

    /// @dev The residual case docs/clearinghouse.md stated: alice's loss in a second market overdrew her balance
    /// against a gain escrowed in the first; that market's claims were cut (carol went bankrupt beyond the
    /// fund), so her claim came in short and left a debt with the fund empty. Before the fix her overdraft was
    /// counted as collected by the second market's pot, the negative balance stayed, and the last withdrawal came
    /// up short by it. Now the pot counted only what was paid or lent, the debt is owed to the fund and counted by
    /// no one's tokens, and everyone withdraws everything, leaving exactly the fund and the treasury.
    function test_residualDebt_isBackedByNoOnesTokensAndTheLastWithdrawalSucceeds() public {
        address dave = _residualDebt();
        address erin = address(0xE417);
        (int256 debt, bytes32[] memory none) = ch.accountOf(ALICE);
        assertEq(none.length, 0, "no market left open");
        assertEq(debt, RESIDUAL_DEBT, "the debt stays on her account, owed to the fund");
        // The second market settles too (at the 2.5 its last trades were at), then everyone withdraws.
        (, bytes32 second) = _secondMarketId();
        vm.warp(params.expiry + 30 days + 1);
        oracle.setTwap(keccak256("GPU-H100"), 2.5e18);
        ch.proposeSettlement(second);
        vm.warp(vm.getBlockTimestamp() + 3_601);
        ch.finalizeSettlement(second);
        address[] memory holders = new address[](3);
        (holders[0], holders[1], holders[2]) = (ALICE, dave, erin);
        ch.settleMany(second, holders);
        ch.settleMany(second, holders);
        address[] memory everyone = new address[](5);
        (everyone[0], everyone[1], everyone[2], everyone[3], everyone[4]) = (ALICE, BOB, CAROL, dave, erin);
        assertEq(int256(collateral.balanceOf(address(ch))), _booked(everyone), "held == positive balances + fund + treasury");
        for (uint256 i = 0; i < everyone.length; ++i) _withdrawAll(everyone[i]);
        ch.withdrawTreasury();
        assertEq(collateral.balanceOf(address(ch)), ch.insuranceFund(), "only the fund is left");
        // A later deposit repays the fund first.
        uint256 fundBefore = ch.insuranceFund();
        _fund(ALICE, 20e6);
        (int256 alice, ) = ch.accountOf(ALICE);
        assertEq(alice, 20e6 + RESIDUAL_DEBT, "what is left of the deposit after the debt");
        assertEq(ch.insuranceFund(), fundBefore + uint256(-RESIDUAL_DEBT), "the fund is repaid");
        assertEq(collateral.balanceOf(address(ch)), ch.insuranceFund() + uint256(alice), "held == balance + fund");
    }

    /// @dev The debt `_residualDebt` leaves on alice (collateral units).
    int256 internal constant RESIDUAL_DEBT = -15_107_858;

    function _secondMarketId() internal view returns (bytes32 indexId, bytes32 id) {
        indexId = keccak256("GPU-H100");
        id = _second;
    }

    // ------------------------------------------------------------------ overdraft lending, same expiry

    /// @dev Alice (40 dollars) short 10 and 6 contracts in two fee-free markets of one expiry (bob and carol
    /// long) and long 100 in a later market (dave short) whose gain keeps her solvent. The fund holds 30.
    /// Both settle at 20 (losses 100 and 60): her cash (40) and the fund (30) fall short of the 160. The fund
    /// lends the same fraction, 30 / 120, of each market's overdraft share (120 x 100/160 = 75 and 45) and
    /// the cash is shared pro rata (25 and 15): the first market's pot is credited 25 + 18.75 = 43.75, the
    /// second's 15 + 11.25 = 26.25, whichever settles first. Before the fix the first settled took all the
    /// cash and counted the overdraft as collected, so its winners were paid in full from tokens that were not
    /// there and the debt stayed unbacked; with the overdraft written off as it arose (no sharing) the first
    /// market settled would take all the cash and the fund.
    function test_overdraftLending_sameExpiry_isTheSameInEitherOrder() public {
        (bytes32 a, bytes32 b, bytes32 c, address dave) = _lendingCase();
        uint256 snap = vm.snapshotState();
        int256[5] memory first = _settleLendingCase(a, b, c, dave);
        vm.revertToState(snap);
        int256[5] memory second = _settleLendingCase(b, a, c, dave);
        // bob (first market's winner), carol (second's), alice, the fund, what the contract holds beyond it all
        assertEq(first[0], 1_000e6 + 43.75e6, "bob: 100 claimed, 43.75 paid");
        assertEq(first[1], 1_000e6 + 26.25e6, "carol: 60 claimed, 26.25 paid");
        assertEq(first[2], -120e6, "alice owes the fund her 120 overdraft");
        assertEq(first[3], 0, "the fund lent all it had");
        assertEq(first[4], 0, "held == positive balances + fund + treasury");
        for (uint256 i = 0; i < 5; ++i) assertEq(first[i], second[i], "the same in either order");
        // Her later gain, paid as a claim, repays the fund first; then everyone withdraws everything. (The fund
        // gets back the 90 its lending could not cover, which bob and carol bore: see docs/clearinghouse.md.)
        oracle.setValue(keccak256("LATER"), 4e18);
        vm.warp(vm.getBlockTimestamp() + 1);
        ch.trade(c, dave, ALICE, -100, 4e18, bytes32(0));
        (int256 alice, ) = ch.accountOf(ALICE);
        assertEq(alice, -120e6, "a gain realised before expiry is escrowed until its market settles");
        vm.warp(params.expiry + 30 days + 1);
        oracle.setTwap(keccak256("LATER"), 4e18);
        ch.proposeSettlement(c);
        vm.warp(vm.getBlockTimestamp() + 3_601);
        ch.finalizeSettlement(c);
        address[] memory later = new address[](2);
        (later[0], later[1]) = (ALICE, dave);
        ch.settleMany(c, later);
        ch.settleMany(c, later);
        (alice, ) = ch.accountOf(ALICE);
        assertEq(alice, 80e6, "200 gain: 120 repaid to the fund, 80 hers");
        assertEq(ch.insuranceFund(), 120e6, "repaid");
        address[] memory everyone = new address[](4);
        (everyone[0], everyone[1], everyone[2], everyone[3]) = (ALICE, BOB, CAROL, dave);
        for (uint256 i = 0; i < everyone.length; ++i) _withdrawAll(everyone[i]);
        assertEq(collateral.balanceOf(address(ch)), 120e6, "only the fund is left");
    }

    function _lendingCase() internal returns (bytes32 a, bytes32 b, bytes32 c, address dave) {
        dave = address(0xDA7E);
        RiskParams memory risk = _risk();
        (risk.makerFee, risk.takerFee) = (0, 0);
        MarketParams memory p = _marketParams(1e18, 1e15);
        p.methodologyHash = keccak256("A");
        a = ch.createMarket(p, risk, _terms());
        p.methodologyHash = keccak256("B");
        b = ch.createMarket(p, risk, _terms());
        oracle.setValue(keccak256("LATER"), 2e18);
        p.methodologyHash = keccak256("C");
        p.indexId = keccak256("LATER");
        p.expiry = uint64(params.expiry + 30 days);
        c = ch.createMarket(p, risk, _terms());
        _fund(ALICE, 40e6);
        _fund(BOB, 1_000e6);
        _fund(CAROL, 1_000e6);
        _fund(dave, 1_000e6);
        _insure(30e6);
        ch.trade(a, BOB, ALICE, -10, 10e18, bytes32(0));
        ch.trade(b, CAROL, ALICE, -6, 10e18, bytes32(0));
        ch.trade(c, dave, ALICE, 100, 2e18, bytes32(0));
        // Both expire at 20; the later market's index doubles, so alice stays solvent (equity 40 - 160 + 200).
        oracle.setValue(keccak256("LATER"), 4e18);
        vm.warp(params.expiry + 1);
        oracle.setTwap(INDEX, 20e18);
        ch.proposeSettlement(a);
        ch.proposeSettlement(b);
        vm.warp(vm.getBlockTimestamp() + 3_601);
        ch.finalizeSettlement(a);
        ch.finalizeSettlement(b);
        oracle.setValue(keccak256("LATER"), 4e18);
    }

    function _settleLendingCase(bytes32 x, bytes32 y, bytes32, address dave) internal returns (int256[5] memory r) {
        address[] memory all = new address[](3);
        (all[0], all[1], all[2]) = (ALICE, BOB, CAROL);
        ch.settleMany(x, all);
        ch.settleMany(y, all);
        ch.settleMany(x, all);
        ch.settleMany(y, all);
        (r[0], ) = ch.accountOf(BOB);
        (r[1], ) = ch.accountOf(CAROL);
        (r[2], ) = ch.accountOf(ALICE);
        r[3] = int256(ch.insuranceFund());
        address[] memory everyone = new address[](4);
        (everyone[0], everyone[1], everyone[2], everyone[3]) = (ALICE, BOB, CAROL, dave);
        r[4] = int256(collateral.balanceOf(address(ch))) - _booked(everyone);
    }
}
