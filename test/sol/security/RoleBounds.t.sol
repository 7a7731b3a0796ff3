// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";

import {IndexOracle} from "../../../contracts/IndexOracle.sol";
import {
    IClearinghouse, MarketParams, RiskParams, SettlementTerms
} from "../../../contracts/interfaces/IClearinghouse.sol";
import {IIndexOracle} from "../../../contracts/interfaces/IIndexOracle.sol";
import {LAYOUT_FUNDS, LAYOUT_SLOT} from "../../../contracts/libraries/ClearinghouseStorage.sol";
import {MockERC20} from "../../../contracts/test/tokens/MockERC20.sol";
import {SecurityBase} from "./SecurityBase.sol";

/// @notice Role abuse stopped by the coded bounds: every risk, market, fee-share and oracle parameter at and just
/// beyond each hard bound; what the guardian and the settlement admin can and cannot do; no admin path to the
/// insurance fund.
contract RoleBoundsTest is SecurityBase {
    uint64 internal constant GUARDIAN_ROLE = 3;
    uint64 internal constant SETTLEMENT_ROLE = 4;
    address internal constant GUARDIAN = address(0x6A4D);
    address internal constant SETTLER = address(0x5E77);

    function setUp() public {
        _deploy(address(0), 6, 10e18);
    }

    function _expectRisk(RiskParams memory r, bytes memory err) internal {
        vm.expectRevert(err);
        ch.setRiskParams(marketId, r);
    }

    function test_setRiskParams_marginAndPenaltyBoundsAtAndBeyond() public {
        RiskParams memory r = _risk();
        // imr: (0, 100 %]
        r.imr = 1e18;
        ch.setRiskParams(marketId, r);
        r.imr = 1e18 + 1;
        _expectRisk(r, abi.encodeWithSelector(IClearinghouse.ImrOutOfBounds.selector, 1e18 + 1, 1e18));
        r.imr = 0;
        _expectRisk(r, abi.encodeWithSelector(IClearinghouse.ImrOutOfBounds.selector, 0, 1e18));
        // mmr: (0, imr)
        r = _risk();
        r.mmr = r.imr;
        _expectRisk(r, abi.encodeWithSelector(IClearinghouse.MmrOutOfBounds.selector, r.imr, r.imr));
        r.mmr = 0;
        _expectRisk(r, abi.encodeWithSelector(IClearinghouse.MmrOutOfBounds.selector, 0, r.imr));
        r.mmr = r.imr - 1;
        ch.setRiskParams(marketId, r);
        // liquidationPenalty: [0, mmr)
        r = _risk();
        r.liquidationPenalty = r.mmr;
        _expectRisk(r, abi.encodeWithSelector(IClearinghouse.LiquidationPenaltyOutOfBounds.selector, r.mmr, r.mmr));
        r.liquidationPenalty = r.mmr - 1;
        ch.setRiskParams(marketId, r);
    }

    function test_setRiskParams_limitBandAndFeeBoundsAtAndBeyond() public {
        // limits: > 0
        RiskParams memory r = _risk();
        r.maxPositionSize = 0;
        _expectRisk(r, abi.encodeWithSelector(IClearinghouse.MaxPositionSizeOutOfBounds.selector, 0));
        r = _risk();
        r.maxOpenInterest = 0;
        _expectRisk(r, abi.encodeWithSelector(IClearinghouse.MaxOpenInterestOutOfBounds.selector, 0));
        // priceBand: (0, 50 %]
        r = _risk();
        r.priceBand = 0;
        _expectRisk(r, abi.encodeWithSelector(IClearinghouse.PriceBandOutOfBounds.selector, 0, 0.5e18));
        r.priceBand = 0.5e18 + 1;
        _expectRisk(r, abi.encodeWithSelector(IClearinghouse.PriceBandOutOfBounds.selector, 0.5e18 + 1, 0.5e18));
        r.priceBand = 0.5e18;
        ch.setRiskParams(marketId, r);
        // fees: [0, 1 %], no rebates (unsigned)
        r = _risk();
        r.makerFee = 0.01e18 + 1;
        _expectRisk(r, abi.encodeWithSelector(IClearinghouse.MakerFeeOutOfBounds.selector, 0.01e18 + 1, 0.01e18));
        r.makerFee = 0.01e18;
        r.takerFee = 0.01e18 + 1;
        _expectRisk(r, abi.encodeWithSelector(IClearinghouse.TakerFeeOutOfBounds.selector, 0.01e18 + 1, 0.01e18));
        r.takerFee = 0.01e18;
        ch.setRiskParams(marketId, r);
    }

    function test_setRiskParams_basisBoundsAtAndBeyond() public {
        // basisWeight: (0, 100 %]
        RiskParams memory r = _risk();
        r.basisWeight = 0;
        _expectRisk(r, abi.encodeWithSelector(IClearinghouse.BasisWeightOutOfBounds.selector, 0, 1e18));
        r.basisWeight = 1e18 + 1;
        _expectRisk(r, abi.encodeWithSelector(IClearinghouse.BasisWeightOutOfBounds.selector, 1e18 + 1, 1e18));
        // maxBasisRate: <= 90 %; maxBasisStep: (0, maxBasisRate]
        r = _risk();
        r.maxBasisRate = 0.9e18 + 1;
        _expectRisk(r, abi.encodeWithSelector(IClearinghouse.MaxBasisRateOutOfBounds.selector, 0.9e18 + 1, 0.9e18));
        r.maxBasisRate = 0.9e18;
        r.maxBasisStep = 0.9e18 + 1;
        _expectRisk(r, abi.encodeWithSelector(IClearinghouse.MaxBasisStepOutOfBounds.selector, 0.9e18 + 1, 0.9e18));
        r.maxBasisStep = 0;
        _expectRisk(r, abi.encodeWithSelector(IClearinghouse.MaxBasisStepOutOfBounds.selector, 0, 0.9e18));
        // A zero clamp leaves no valid step, so the basis can never be switched off entirely (smallest: 1 wei).
        r.maxBasisRate = 0;
        r.maxBasisStep = 1;
        _expectRisk(r, abi.encodeWithSelector(IClearinghouse.MaxBasisStepOutOfBounds.selector, 1, 0));
        r.maxBasisRate = 1;
        ch.setRiskParams(marketId, r);
        RiskParams memory stored = ch.riskParams(marketId);
        assertEq(stored.maxBasisRate, 1, "stored");
    }

    function test_createMarket_expiryAndWindowBoundsAtAndBeyond() public {
        RiskParams memory r = _risk();
        MarketParams memory p = _marketParams(1e18, 1e15);
        p.methodologyHash = keccak256("bounds");
        SettlementTerms memory t = _terms();
        uint256 latest = vm.getBlockTimestamp() + 366 days;
        p.expiry = uint64(vm.getBlockTimestamp());
        vm.expectRevert(
            abi.encodeWithSelector(
                IClearinghouse.ExpiryOutOfBounds.selector, vm.getBlockTimestamp(), vm.getBlockTimestamp() + 1, latest
            )
        );
        ch.createMarket(p, r, t);
        p.expiry = uint64(latest + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.ExpiryOutOfBounds.selector, latest + 1, vm.getBlockTimestamp() + 1, latest)
        );
        ch.createMarket(p, r, t);
        p.expiry = uint64(latest);
        p.settlementWindow = 5 minutes - 1;
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.SettlementWindowOutOfBounds.selector, 5 minutes - 1, 5 minutes, 7 days)
        );
        ch.createMarket(p, r, t);
        p.settlementWindow = 7 days + 1;
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.SettlementWindowOutOfBounds.selector, 7 days + 1, 5 minutes, 7 days)
        );
        ch.createMarket(p, r, t);
        p.settlementWindow = 7 days;
        ch.createMarket(p, r, t); // expiry and settlement window at their upper edges
    }

    function test_createMarket_disputeAndFallbackBoundsAtAndBeyond() public {
        RiskParams memory r = _risk();
        MarketParams memory p = _marketParams(1e18, 1e15);
        p.methodologyHash = keccak256("bounds");
        SettlementTerms memory t = _terms();
        t.disputeWindow = 1 hours - 1;
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.DisputeWindowOutOfBounds.selector, 1 hours - 1, 1 hours, 7 days)
        );
        ch.createMarket(p, r, t);
        t.disputeWindow = 7 days + 1;
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.DisputeWindowOutOfBounds.selector, 7 days + 1, 1 hours, 7 days)
        );
        ch.createMarket(p, r, t);
        t.disputeWindow = 7 days;
        t.fallbackDelay = 8 days - 1;
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.FallbackDelayOutOfBounds.selector, 8 days - 1, 8 days, 90 days)
        );
        ch.createMarket(p, r, t);
        t.fallbackDelay = 90 days + 1;
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.FallbackDelayOutOfBounds.selector, 90 days + 1, 8 days, 90 days)
        );
        ch.createMarket(p, r, t);
        t.fallbackDelay = 90 days;
        bytes32 id = ch.createMarket(p, r, t); // every bound at its edge
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.MarketAlreadyExists.selector, id));
        ch.createMarket(p, r, t);
    }

    /// @dev The market count sits in the top 16 bits of the Clearinghouse's funds slot, above the insurance fund
    /// and the treasury accrual.
    function _marketCountSlot() internal pure returns (bytes32) {
        return bytes32(LAYOUT_SLOT + LAYOUT_FUNDS);
    }

    function test_createMarket_stopsAtTheLastIndexAnOpenMarketLaneCanHold() public {
        bytes32 slot = _marketCountSlot();
        uint256 word = uint256(vm.load(address(ch), slot));
        assertEq(word >> 240, ch.marketCount(), "slot found");
        // Jump to 65,534 markets created.
        vm.store(address(ch), slot, bytes32((word & type(uint240).max) | (uint256(65_534) << 240)));
        MarketParams memory p = _marketParams(1e18, 1e15);
        p.methodologyHash = keccak256("last lane index");
        bytes32 last = ch.createMarket(p, _risk(), _terms());
        assertEq(ch.marketIdAt(65_535), last, "index 65,535");
        p.methodologyHash = keccak256("one too many");
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.TooManyMarkets.selector, 65_536));
        ch.createMarket(p, _risk(), _terms());
        // A position in the market with the largest index fills a whole 16-bit lane and reads back.
        _fund(ALICE, 1_000e6);
        _fund(BOB, 1_000e6);
        ch.trade(last, BOB, ALICE, 1, 10e18, bytes32(0));
        (, bytes32[] memory open) = ch.accountOf(ALICE);
        assertEq(open.length, 1, "one open market");
        assertEq(open[0], last, "lane 0xffff");
        ch.trade(last, BOB, ALICE, -1, 10e18, bytes32(0));
        (, open) = ch.accountOf(ALICE);
        assertEq(open.length, 0, "lane cleared");
    }

    /// @dev Issue 12, item 11: the insurance fee share is bounded at 100 %, the liquidator share at 50 %, and
    /// once markets exist the liquidator share rises at most 10 points per update, at most once a day.
    function test_setFeeShares_boundedAndRaisedInSteps() public {
        ch.setFeeShares(1e18, 0);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.ShareOutOfBounds.selector, 1e18 + 1, 1e18));
        ch.setFeeShares(1e18 + 1, 0);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.ShareOutOfBounds.selector, 1e18, 0.5e18));
        ch.setFeeShares(0, 1e18);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.ShareRaiseTooLarge.selector, 0, 0.2e18, 0.1e18));
        ch.setFeeShares(0, 0.2e18);
        ch.setFeeShares(0, 0.1e18);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.ShareRaiseTooSoon.selector, vm.getBlockTimestamp() + 1 days));
        ch.setFeeShares(0, 0.2e18);
        ch.setFeeShares(0, 0.05e18); // lowering is never limited
        vm.warp(vm.getBlockTimestamp() + 1 days);
        ch.setFeeShares(0, 0.15e18);
        (, uint64 liquidatorShare) = ch.feeShares();
        assertEq(liquidatorShare, 0.15e18, "raised one step a day");
    }

    function test_oracleConfig_everyBoundAtAndBeyond() public {
        IndexOracle o = new IndexOracle(address(new AccessManager(address(this))));
        bytes32 id = keccak256("bounds");
        address[] memory reporters = new address[](3);
        (reporters[0], reporters[1], reporters[2]) = (address(1), address(2), address(3));
        IIndexOracle.IndexParams memory p =
            IIndexOracle.IndexParams({quorum: 2, maxAge: 1 hours, minInterval: 60, maxDeviation: 0.1e18, faultBound: 0});
        p.quorum = 0;
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.InvalidQuorum.selector, 0, 3));
        o.createIndex(id, p, reporters);
        p.quorum = 4;
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.InvalidQuorum.selector, 4, 3));
        o.createIndex(id, p, reporters);
        p.quorum = 3;
        p.maxAge = 59;
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.InvalidMaxAge.selector, 59));
        o.createIndex(id, p, reporters);
        p.maxAge = 7 days + 1;
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.InvalidMaxAge.selector, 7 days + 1));
        o.createIndex(id, p, reporters);
        p.maxAge = 7 days;
        p.minInterval = 0;
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.InvalidMinInterval.selector, 0, 7 days));
        o.createIndex(id, p, reporters);
        p.minInterval = 7 days + 1;
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.InvalidMinInterval.selector, 7 days + 1, 7 days));
        o.createIndex(id, p, reporters);
        p.minInterval = 7 days;
        p.maxDeviation = 1e15 - 1;
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.InvalidMaxDeviation.selector, 1e15 - 1));
        o.createIndex(id, p, reporters);
        p.maxDeviation = 10e18 + 1;
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.InvalidMaxDeviation.selector, 10e18 + 1));
        o.createIndex(id, p, reporters);
        p.maxDeviation = 10e18;
        reporters[2] = address(0);
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.ZeroAddressReporter.selector));
        o.createIndex(id, p, reporters);
        reporters[2] = address(1);
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.ReporterAlreadyAuthorised.selector, id, address(1)));
        o.createIndex(id, p, reporters);
        address[] memory many = new address[](33);
        for (uint256 i; i < many.length; ++i) {
            many[i] = address(uint160(100 + i));
        }
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.TooManyReporters.selector, id, 32));
        o.createIndex(id, p, many);
        reporters[2] = address(3);
        o.createIndex(id, p, reporters); // every bound at its edge
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.InvalidQuorum.selector, 3, 2));
        o.removeReporter(id, address(3));
    }

    /// @dev The deployment's role layout (docs/deployment.md) for the guardian and the settlement admin.
    function _wireRoles() internal {
        bytes4[] memory guardian = new bytes4[](3);
        guardian[0] = IClearinghouse.setMarketPaused.selector;
        guardian[1] = IClearinghouse.setGlobalPaused.selector;
        guardian[2] = IClearinghouse.disputeSettlement.selector;
        manager.setTargetFunctionRole(address(ch), guardian, GUARDIAN_ROLE);
        bytes4[] memory settlement = new bytes4[](1);
        settlement[0] = IClearinghouse.resolveSettlement.selector;
        manager.setTargetFunctionRole(address(ch), settlement, SETTLEMENT_ROLE);
        manager.grantRole(GUARDIAN_ROLE, GUARDIAN, 0);
        manager.grantRole(SETTLEMENT_ROLE, SETTLER, 0);
    }

    function test_guardian_cannotSetPricesChangeParamsOrMoveFunds() public {
        _wireRoles();
        _fund(ALICE, 1_000e6);
        _fund(BOB, 1_000e6);
        ch.trade(marketId, BOB, ALICE, 10, 10e18, bytes32(0));
        vm.startPrank(GUARDIAN);
        bytes memory unauthorized = abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, GUARDIAN);
        vm.expectRevert(unauthorized);
        ch.resolveSettlement(marketId, 1);
        vm.expectRevert(unauthorized);
        ch.setRiskParams(marketId, _risk());
        vm.expectRevert(unauthorized);
        ch.setVenue(GUARDIAN, true);
        vm.expectRevert(unauthorized);
        ch.setTreasury(GUARDIAN);
        vm.expectRevert(unauthorized);
        ch.setFeeShares(0, 1e18);
        vm.expectRevert(unauthorized);
        ch.createMarket(_marketParams(2e18, 1e15), _risk(), _terms());
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.UnauthorizedVenue.selector, GUARDIAN));
        ch.trade(marketId, ALICE, BOB, 1, 10e18, bytes32(0));
        // What it can do: pause. A pause blocks risk, never free collateral or reductions.
        ch.setGlobalPaused(true);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.MarketIsPaused.selector, marketId));
        ch.trade(marketId, BOB, ALICE, 1, 10e18, bytes32(0));
        ch.trade(marketId, BOB, ALICE, -1, 10e18, bytes32(0)); // reduces both
        vm.prank(ALICE);
        ch.withdraw(100e6);
        assertEq(collateral.balanceOf(GUARDIAN), 0, "guardian received nothing");
    }

    function test_settlementAdmin_priceBoundedToTheWindowRange() public {
        _wireRoles();
        _fund(ALICE, 1_000e6);
        _fund(BOB, 1_000e6);
        ch.trade(marketId, BOB, ALICE, 10, 10e18, bytes32(0));
        vm.warp(params.expiry + 1);
        oracle.setTwap(INDEX, 10e18);
        oracle.setRange(INDEX, 9e18, 11e18);
        ch.proposeSettlement(marketId);
        vm.prank(SETTLER);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.SettlementNotDisputed.selector, marketId));
        ch.resolveSettlement(marketId, 10e18);
        vm.prank(GUARDIAN);
        ch.disputeSettlement(marketId);
        vm.startPrank(SETTLER);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.SettlementPriceOutOfRange.selector, 11e18 + 1, 9e18, 11e18));
        ch.resolveSettlement(marketId, 11e18 + 1);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.SettlementPriceOutOfRange.selector, 9e18 - 1, 9e18, 11e18));
        ch.resolveSettlement(marketId, 9e18 - 1);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.ZeroSettlementPrice.selector, marketId));
        ch.resolveSettlement(marketId, 0);
        ch.resolveSettlement(marketId, 11e18); // the edge of the range is allowed
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.MarketAlreadySettled.selector, marketId));
        ch.resolveSettlement(marketId, 10e18);
        vm.stopPrank();
    }

    /// @dev The test contract holds the AccessManager's admin role, so it can call every restricted function:
    /// none of them moves the insurance fund or any collateral.
    function test_noAdminPath_movesInsuranceOrCollateral() public {
        _fund(ALICE, 1_000e6);
        MockERC20(address(collateral)).mint(ALICE, 500e6);
        vm.prank(ALICE);
        ch.depositInsurance(500e6);
        uint256 held = collateral.balanceOf(address(ch));
        ch.setRiskParams(marketId, _risk());
        ch.setVenue(address(0xBAD), true);
        ch.setTreasury(address(0xBAD));
        ch.setFeeShares(0, 0.1e18);
        ch.setMarketPaused(marketId, true);
        ch.setGlobalPaused(true);
        MarketParams memory p = _marketParams(2e18, 1e15);
        ch.createMarket(p, _risk(), _terms());
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.NothingToWithdraw.selector));
        ch.withdrawTreasury();
        assertEq(ch.insuranceFund(), 500e6, "insurance untouched");
        assertEq(collateral.balanceOf(address(ch)), held, "no collateral moved");
        // A new venue can only trade; a treasury change redirects future fees, never the fund.
        assertEq(collateral.balanceOf(address(0xBAD)), 0, "nothing paid out");
    }

    function test_restricted_everyAdminFunctionRefusesAStranger() public {
        address stranger = address(0x57A);
        bytes memory err = abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger);
        vm.startPrank(stranger);
        vm.expectRevert(err);
        ch.createMarket(_marketParams(2e18, 1e15), _risk(), _terms());
        vm.expectRevert(err);
        ch.setRiskParams(marketId, _risk());
        vm.expectRevert(err);
        ch.setVenue(stranger, true);
        vm.expectRevert(err);
        ch.setMarketPaused(marketId, true);
        vm.expectRevert(err);
        ch.setGlobalPaused(true);
        vm.expectRevert(err);
        ch.setTreasury(stranger);
        vm.expectRevert(err);
        ch.setFeeShares(0, 0);
        vm.expectRevert(err);
        ch.disputeSettlement(marketId);
        vm.expectRevert(err);
        ch.resolveSettlement(marketId, 1);
        vm.stopPrank();
    }
}
