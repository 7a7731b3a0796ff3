// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IClearinghouse, MarketParams, RiskParams} from "../../../contracts/interfaces/IClearinghouse.sol";
import {SecurityBase} from "./SecurityBase.sol";

/// @notice Edges of liquidation, settlement and the risk setters that the other suites did not reach: small
/// positions liquidated whole, the penalty waiver that leaves a non-negative balance, a zero relief per contract,
/// the liquidator's position limit, expiry and zero-price guards, the settlement surplus, clamping a stored
/// basis when its bound is lowered, and zero-fee markets.
contract LiquidationSettlementEdgesTest is SecurityBase {
    address internal constant LIQUIDATOR = address(0x11D);

    function setUp() public {
        _deploy(address(0), 6, 10e18);
        _fund(BOB, 100_000e6);
        _fund(LIQUIDATOR, 100_000e6);
    }

    function _marketWith(uint256 contractSize, RiskParams memory risk) internal returns (bytes32 id) {
        MarketParams memory p = _marketParams(contractSize, 1e15);
        p.methodologyHash = keccak256(abi.encode(contractSize, risk.liquidationPenalty, risk.makerFee));
        id = ch.createMarket(p, risk, _terms());
    }

    /// @dev Alice: 12 dollars, long 10 contracts of 10 dollars. At 8.85 she is under maintenance margin and her
    /// realised loss leaves 0.45 dollars, less than the 1.77 dollar penalty, and the fund cannot pay the rest.
    function test_liquidate_smallPositionGoesWholeAndPenaltyIsCappedAtTheAccountsEquity() public {
        _fund(ALICE, 12e6);
        ch.trade(marketId, BOB, ALICE, 10, 10e18, bytes32(0));
        oracle.setValue(INDEX, 8.85e18);
        assertTrue(ch.isLiquidatable(ALICE), "liquidatable");
        uint256 insuranceBefore = ch.insuranceFund();
        (int256 liquidatorBefore, ) = ch.accountOf(LIQUIDATOR);
        // The whole position may go although fewer contracts would restore maintenance margin: it is small.
        vm.prank(LIQUIDATOR);
        ch.liquidate(ALICE, marketId, 10, type(uint256).max);
        (int256 size, ) = ch.position(ALICE, marketId);
        assertEq(size, int256(0), "closed whole");
        (int256 balance, ) = ch.accountOf(ALICE);
        // 12 - 0.05 fee - 11.5 loss = 0.45 of equity: the penalty (5 % of 88.5 = 4.425) is capped at it.
        assertEq(balance, int256(0), "the penalty takes the equity left and no more");
        (int256 liquidatorAfter, ) = ch.accountOf(LIQUIDATOR);
        uint256 reward = uint256(liquidatorAfter - liquidatorBefore);
        assertEq(ch.insuranceFund() - insuranceBefore + reward, 0.45e6, "the capped penalty, split");
    }

    function test_liquidate_zeroReliefPerContractAllowsTheWholePosition() public {
        RiskParams memory risk = _risk();
        risk.liquidationPenalty = risk.mmr - 1; // mmr − penalty = 1e-18: relief per contract rounds to zero
        bytes32 id = _marketWith(0.05e18, risk); // one contract = 0.5 dollars at 10
        _fund(ALICE, 160e6);
        ch.trade(id, BOB, ALICE, 3_000, 10e18, bytes32(0)); // 1,500 dollars: not small
        oracle.setValue(INDEX, 9.2e18);
        assertTrue(ch.isLiquidatable(ALICE), "liquidatable");
        vm.prank(LIQUIDATOR);
        ch.liquidate(ALICE, id, 3_000, type(uint256).max);
        (int256 size, ) = ch.position(ALICE, id);
        assertEq(size, int256(0), "closed whole");
    }

    function test_liquidate_liquidatorPositionLimitApplies() public {
        RiskParams memory risk = _risk();
        risk.maxPositionSize = 20;
        bytes32 id = _marketWith(1e18, risk);
        _fund(ALICE, 12e6);
        ch.trade(id, BOB, ALICE, 10, 10e18, bytes32(0));
        _fund(CAROL, 1_000e6);
        ch.trade(id, CAROL, LIQUIDATOR, 15, 10e18, bytes32(0));
        oracle.setValue(INDEX, 8.85e18);
        vm.prank(LIQUIDATOR);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.PositionSizeExceeded.selector, LIQUIDATOR, 25, 20));
        ch.liquidate(ALICE, id, 10, type(uint256).max);
    }

    function test_liquidateAndDeleverage_refuseAfterExpiry() public {
        _fund(ALICE, 12e6);
        ch.trade(marketId, BOB, ALICE, 10, 10e18, bytes32(0));
        vm.warp(params.expiry);
        vm.prank(LIQUIDATOR);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.MarketExpired.selector, marketId, params.expiry));
        ch.liquidate(ALICE, marketId, 1, type(uint256).max);
        address[] memory cps = new address[](1);
        cps[0] = BOB;
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.MarketExpired.selector, marketId, params.expiry));
        ch.deleverage(ALICE, marketId, cps);
    }

    function test_settlement_guardsOnTimeAndZeroPrices() public {
        _fund(ALICE, 100e6);
        ch.trade(marketId, BOB, ALICE, 1, 10e18, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.MarketNotExpired.selector, marketId, params.expiry));
        ch.finalizeSettlement(marketId);
        vm.warp(params.expiry);
        oracle.setTwap(INDEX, 0);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.ZeroSettlementPrice.selector, marketId));
        ch.proposeSettlement(marketId);
        // The fallback refuses a zero TWAP too.
        vm.warp(params.expiry + 3 days);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.ZeroSettlementPrice.selector, marketId));
        ch.finalizeSettlement(marketId);
        oracle.setTwap(INDEX, 10e18);
        ch.finalizeSettlement(marketId);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.MarketAlreadySettled.selector, marketId));
        ch.proposeSettlement(marketId);
    }

    /// @dev A one-wei price move: the loser pays one collateral unit (rounded up), the winner's claim rounds to
    /// zero, and the unit of surplus goes to the insurance fund when the market completes.
    function test_settlement_roundingSurplusGoesToInsurance() public {
        _fund(ALICE, 100e6);
        ch.trade(marketId, BOB, ALICE, 1, 10e18, bytes32(0));
        uint256 fundBefore = ch.insuranceFund();
        _settleMarketAt(10e18 - 1);
        (int256 bobBefore, ) = ch.accountOf(BOB);
        address[] memory both = new address[](2);
        (both[0], both[1]) = (ALICE, BOB);
        ch.settleMany(marketId, both);
        (int256 aliceAfter, ) = ch.accountOf(ALICE);
        (int256 bobAfter, ) = ch.accountOf(BOB);
        assertEq(aliceAfter, int256(100e6 - 5_000 - 1), "alice (long) paid one unit for a one-wei loss");
        assertEq(bobAfter, bobBefore, "bob's one-wei gain rounds to nothing");
        assertEq(ch.insuranceFund(), fundBefore + 1, "the unit of surplus");
    }

    function test_setRiskParams_loweringTheClampClampsTheStoredBasisBothWays() public {
        _fund(ALICE, 1_000e6);
        ch.trade(marketId, BOB, ALICE, 1, 10.9e18, bytes32(0)); // basis up
        (int256 up, , , , ) = ch.marketState(marketId);
        assertTrue(up > 0.01e18, "basis pushed up");
        RiskParams memory risk = _risk();
        risk.maxBasisRate = 0.01e18;
        risk.maxBasisStep = 0.01e18;
        ch.setRiskParams(marketId, risk);
        (int256 clamped, , , , ) = ch.marketState(marketId);
        assertEq(clamped, int256(0.01e18), "clamped from above");
        ch.setRiskParams(marketId, _risk());
        for (uint256 i; i < 10; ++i) {
            uint256 mark = ch.markPrice(marketId);
            ch.trade(marketId, BOB, ALICE, i % 2 == 0 ? int256(-1) : int256(1), ((mark * 9) / 10 / 1e15 + 1) * 1e15, bytes32(0));
        }
        (int256 down, , , , ) = ch.marketState(marketId);
        assertTrue(down < -0.01e18, "basis pushed down");
        ch.setRiskParams(marketId, risk);
        (clamped, , , , ) = ch.marketState(marketId);
        assertEq(clamped, -int256(0.01e18), "clamped from below");
    }

    function test_trade_zeroFeeMarketAccruesNothing() public {
        RiskParams memory risk = _risk();
        risk.makerFee = 0;
        risk.takerFee = 0;
        bytes32 id = _marketWith(1e18, risk);
        _fund(ALICE, 100e6);
        uint256 before = ch.insuranceFund() + ch.treasuryAccrued();
        ch.trade(id, BOB, ALICE, 1, 10e18, bytes32(0));
        assertEq(ch.insuranceFund() + ch.treasuryAccrued(), before, "no fees");
        (int256 balance, ) = ch.accountOf(ALICE);
        assertEq(balance, int256(100e6), "nothing charged");
    }

    /// @dev An account whose first lane was freed by closing a position is still valued over its other lanes.
    function test_health_skipsAnEmptyLaneBeforeAnOpenOne() public {
        RiskParams memory risk = _risk();
        bytes32 second = _marketWith(2e18, risk);
        _fund(ALICE, 1_000e6);
        ch.trade(marketId, BOB, ALICE, 1, 10e18, bytes32(0));
        ch.trade(second, BOB, ALICE, 1, 10e18, bytes32(0));
        ch.trade(marketId, BOB, ALICE, -1, 10e18, bytes32(0)); // frees lane 0
        (, uint256 im, ) = ch.health(ALICE);
        assertEq(im, 2e18, "initial margin of the second market only (1 contract x 20 dollars x 10 %)");
        vm.prank(ALICE);
        ch.withdraw(100e6); // valued over the remaining lane
    }

    /// @dev Found by the whole-system invariant suite at the deep profile. Alice is short one contract in two
    /// markets on the same index. The first market settles far above her entry: the loss drives her balance
    /// negative while her second position is still open, so no bad debt is declared yet. When the second market
    /// settles she loses again, and the fund (fees only) cannot cover her whole debt: the uncovered part is larger
    /// than this second loss. Settling used to revert with an arithmetic panic there (`loss - uncovered`), so the
    /// second market could never complete and its winners' claims stayed locked. Now only this loss's unpaid
    /// part reduces what the second market collected; the older debt the fund cannot cover stays on the account.
    /// @dev Issue 12, item 4 (different expiries): each market answers for the bad debt its own settlement
    /// leaves, and nothing unbacked stays on the account.
    function test_settle_badDebtAcrossExpiriesIsWrittenOffWhereItArises() public {
        MarketParams memory p2 = _marketParams(1e18, 1e15);
        p2.methodologyHash = keccak256("second market");
        p2.expiry = uint64(params.expiry + 10 days);
        bytes32 second = ch.createMarket(p2, _risk(), _terms());
        _fund(ALICE, 30e6);
        ch.trade(marketId, BOB, ALICE, -1, 10e18, bytes32(0));
        ch.trade(second, BOB, ALICE, -1, 10e18, bytes32(0));
        address[] memory both = new address[](2);
        (both[0], both[1]) = (ALICE, BOB);

        // The index jumps to 50 and stays there: each short owes $40, with $30 (less fees) on hand.
        _settleMarketAt(50e18);
        ch.settleMany(marketId, both);
        (int256 afterFirst, ) = ch.accountOf(ALICE);
        // The second market still trades at 10, so alice's other position is not losing: the whole overdraft at
        // this settlement (40 against her 29.99) is this market's, lent by the fund as far as it goes and
        // written off against this market's pot for the rest; it stays on her balance, owed to the fund.
        assertEq(afterFirst, -10.01e6, "the first market's overdraft is owed to the fund");

        vm.warp(p2.expiry + 1);
        oracle.setTwap(INDEX, 50e18);
        ch.proposeSettlement(second);
        vm.warp(vm.getBlockTimestamp() + 3_601);
        ch.finalizeSettlement(second);
        ch.settleMany(second, both);
        ch.settleMany(second, both);

        (int256 aliceAfter, bytes32[] memory open) = ch.accountOf(ALICE);
        assertEq(open.length, 0, "alice has no positions left");
        assertEq(aliceAfter, -50.01e6, "the debt is owed to the fund, counted by no one's tokens");
        assertEq(ch.insuranceFund(), 0, "the fund lent what it had");
        address[] memory everyone = new address[](3);
        (everyone[0], everyone[1], everyone[2]) = (ALICE, BOB, LIQUIDATOR);
        assertEq(
            int256(collateral.balanceOf(address(ch))),
            _booked(everyone),
            "tokens == positive balances + fund + treasury"
        );
    }

    /// @dev Issue 12, item 4 (same expiry): an account short in two markets of one expiry goes bankrupt in both.
    /// Settled in either order, each market's winners bear the same share of the overdraft the fund could not
    /// lend (pro rata to the two losses) and the account ends owing the fund its whole overdraft (counted by no
    /// one's tokens). Before the fix the first market settled paid its winners in full and the second paid
    /// nothing.
    function test_settle_badDebtAcrossMarketsOfOneExpiryIsTheSameInEitherOrder() public {
        MarketParams memory p2 = _marketParams(1e18, 1e15);
        p2.methodologyHash = keccak256("second market, same expiry");
        p2.expiry = params.expiry;
        bytes32 second = ch.createMarket(p2, _risk(), _terms());
        _fund(ALICE, 30e6);
        _fund(CAROL, 1_000e6);
        ch.trade(marketId, BOB, ALICE, -1, 10e18, bytes32(0));
        ch.trade(second, CAROL, ALICE, -2, 10e18, bytes32(0));
        (int256 bob0, ) = ch.accountOf(BOB);
        (int256 carol0, ) = ch.accountOf(CAROL);
        address[] memory all = new address[](3);
        (all[0], all[1], all[2]) = (ALICE, BOB, CAROL);
        vm.warp(params.expiry + 1);
        oracle.setTwap(INDEX, 50e18);
        ch.proposeSettlement(marketId);
        ch.proposeSettlement(second);
        vm.warp(vm.getBlockTimestamp() + 3_601);
        ch.finalizeSettlement(marketId);
        ch.finalizeSettlement(second);

        uint256 snap = vm.snapshotState();
        ch.settleMany(marketId, all);
        ch.settleMany(second, all);
        ch.settleMany(marketId, all);
        ch.settleMany(second, all);
        (int256 bob1, ) = ch.accountOf(BOB);
        (int256 carol1, ) = ch.accountOf(CAROL);
        (int256 alice1, ) = ch.accountOf(ALICE);
        vm.revertToState(snap);
        ch.settleMany(second, all);
        ch.settleMany(marketId, all);
        ch.settleMany(second, all);
        ch.settleMany(marketId, all);
        (int256 bob2, ) = ch.accountOf(BOB);
        (int256 carol2, ) = ch.accountOf(CAROL);
        (int256 alice2, ) = ch.accountOf(ALICE);

        // 120 of losses against 29.985 of cash: the 90.015 overdraft is owed to the fund.
        assertEq(alice1, -90.015e6, "the overdraft stays owed to the fund");
        assertEq(alice2, -90.015e6, "in either order");
        // Losses 40 and 80 dollars: bob's market answers for a third of the deficit, carol's for two thirds.
        assertApproxEq(uint256(bob1), uint256(bob2), 1, "bob: the same in either order");
        assertApproxEq(uint256(carol1), uint256(carol2), 1, "carol: the same in either order");
        assertTrue(bob1 > bob0 && carol1 > carol0, "winners paid what alice and the fund had");
        assertApproxEq(uint256(carol1 - carol0), 2 * uint256(bob1 - bob0), 3, "pro rata to the losses");
    }
}
