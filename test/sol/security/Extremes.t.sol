// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IClearinghouse, MarketParams, RiskParams, SettlementTerms} from "../../../contracts/interfaces/IClearinghouse.sol";
import {MockERC20} from "../../../contracts/test/tokens/MockERC20.sol";
import {SecurityBase} from "./SecurityBase.sol";

/// @notice Extreme prices, sizes, contract sizes and collateral decimals: every path works exactly or reverts
/// with its own error.
contract ExtremesTest is SecurityBase {
    uint256 internal constant MAX_VALUE = type(uint96).max; // the oracle's largest value

    function _market(uint256 contractSize, uint256 tick) internal returns (bytes32 id) {
        MarketParams memory p = _marketParams(contractSize, tick);
        p.methodologyHash = keccak256(abi.encode(contractSize, tick));
        id = ch.createMarket(p, _risk(), _terms());
    }

    function _unitsHeld() internal view returns (uint256) {
        return collateral.balanceOf(address(ch));
    }

    function _assertConserved(uint256 dust) internal view {
        address[] memory accounts = new address[](2);
        (accounts[0], accounts[1]) = (ALICE, BOB);
        int256 booked = _booked(accounts);
        assertTrue(booked >= 0, "booked non-negative");
        assertLe(uint256(booked), _unitsHeld(), "booked <= held");
        assertLe(_unitsHeld() - uint256(booked), dust, "dust bounded");
    }

    function test_price_oneWei_tradesAtExactlyMarkAndChargesOneUnitFees() public {
        _deploy(address(0), 6, 1);
        bytes32 id = _market(1e18, 1);
        _fund(ALICE, 100e6);
        _fund(BOB, 100e6);
        assertEq(ch.markPrice(id), 1, "mark is one wei");
        // The band around a one-wei mark rounds to zero width: only the mark itself trades.
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.PriceOutsideBand.selector, 2, 1, 0.1e18));
        ch.trade(id, BOB, ALICE, 1, 2, bytes32(0));
        ch.trade(id, BOB, ALICE, 1, 1, bytes32(0));
        // Fees on a 1e-18 dollar notional round up to one collateral unit each, in the protocol's favour.
        (int256 a, ) = ch.accountOf(ALICE);
        (int256 b, ) = ch.accountOf(BOB);
        assertEq(a, int256(100e6 - 1), "taker fee one unit");
        assertEq(b, int256(100e6 - 1), "maker fee one unit");
        assertEq(ch.insuranceFund() + ch.treasuryAccrued(), 2, "fees booked");
        _assertConserved(0);
    }

    function test_price_oracleMax_withMaxContractSizeTradesOneContract() public {
        _deploy(address(0), 6, MAX_VALUE);
        bytes32 id = _market(1e24, 1);
        uint256 v = MAX_VALUE * 1e6; // price × contractSize / 1e18, exact
        // One contract is worth ~7.9e16 dollars; fund both sides for the 10 % initial margin and fees.
        uint256 funds = (v / 1e12) / 5; // 20 % of the notional in 6-decimal units
        _fund(ALICE, funds);
        _fund(BOB, funds);
        ch.trade(id, BOB, ALICE, 1, MAX_VALUE, bytes32(0));
        (int256 size, int256 openNotional) = ch.position(ALICE, id);
        assertEq(size, int256(1), "size");
        assertEq(openNotional, int256(v), "cost basis exact");
        _assertConserved(0);
    }

    function test_price_oracleMax_costBasisBeyondInt128RevertsWithSafeCast() public {
        _deploy(address(0), 6, MAX_VALUE);
        bytes32 id = _market(1e24, 1);
        uint256 v = MAX_VALUE * 1e6;
        uint256 size = uint256(uint128(type(int128).max)) / v + 1; // first size whose cost basis overflows int128
        _fund(ALICE, uint256(uint128(type(int128).max)) / 2);
        _fund(BOB, uint256(uint128(type(int128).max)) / 2);
        vm.expectRevert(
            // The maker's side (BOB, selling) is booked first: its cost basis is the negative one.
            abi.encodeWithSelector(SafeCast.SafeCastOverflowedIntDowncast.selector, uint8(128), -int256(size * v))
        );
        ch.trade(id, BOB, ALICE, int256(size), MAX_VALUE, bytes32(0));
    }

    /// @dev Sizes from just past the position limit to beyond the int128 edges all meet the position limit
    /// (`PositionSizeExceeded`), which is checked before any size or cost basis is narrowed. Beyond 2^128 a venue
    /// reaches a checked-arithmetic panic instead: see test/ts/security/findings/ (the Exchange caps sizes at
    /// uint128, so only a registered venue can send such a delta).
    function test_size_extremesRevertWithPositionLimitOrSafeCast() public {
        _deploy(address(0), 6, 10e18);
        _fund(ALICE, 1_000e6);
        _fund(BOB, 1_000e6);
        int256[6] memory deltas = [
            int256(1_000_001),
            -int256(1_000_001),
            int256(uint256(type(uint64).max)) + 1,
            int256(type(int128).max),
            int256(type(int128).min),
            -int256(uint256(type(uint128).max))
        ];
        for (uint256 i; i < deltas.length; ++i) {
            uint256 magnitude = uint256(deltas[i] > 0 ? deltas[i] : -deltas[i]);
            vm.expectRevert(abi.encodeWithSelector(IClearinghouse.PositionSizeExceeded.selector, ALICE, magnitude, 1_000_000));
            ch.trade(marketId, BOB, ALICE, deltas[i], 10e18, bytes32(0));
        }
    }

    function test_contractSize_boundsAtCreation() public {
        _deploy(address(0), 6, 10e18);
        RiskParams memory risk = _risk();
        MarketParams memory p = _marketParams(0, 1e15);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.ContractSizeOutOfBounds.selector, 0, uint256(1e24)));
        ch.createMarket(p, risk, _terms());
        p.contractSize = 1e24 + 1;
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.ContractSizeOutOfBounds.selector, uint256(1e24 + 1), 1e24));
        ch.createMarket(p, risk, _terms());
        p.tickSize = 1e24 + 1;
        p.contractSize = 1;
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.TickSizeOutOfBounds.selector, uint256(1e24 + 1), 1e24));
        ch.createMarket(p, risk, _terms());
        p.tickSize = 0;
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.TickSizeOutOfBounds.selector, 0, 1e24));
        ch.createMarket(p, risk, _terms());
        p.tickSize = 1e15;
        p.minSize = 0;
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.MinSizeOutOfBounds.selector, 0, type(uint32).max));
        ch.createMarket(p, risk, _terms());
        p.minSize = uint64(type(uint32).max) + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                IClearinghouse.MinSizeOutOfBounds.selector, uint256(type(uint32).max) + 1, type(uint32).max
            )
        );
        ch.createMarket(p, risk, _terms());
    }

    /// @notice Some settings are stored narrower than the API's types (tick 80 bits, fees 56, minimum size 32, so a
    /// trade reads its settings in fewer slots): every setting at its largest allowed value reads back exactly from
    /// the views, so none is truncated in storage.
    function test_settingsAtTheirBounds_readBackExactly() public {
        _deploy(address(0), 6, 10e18);
        MarketParams memory p = _marketParams(1e24, 1e24);
        p.minSize = type(uint32).max;
        p.methodologyHash = keccak256("bounds");
        RiskParams memory r = _risk();
        r.imr = 1e18;
        r.mmr = 1e18 - 1;
        r.liquidationPenalty = 1e18 - 2;
        r.maxPositionSize = type(uint64).max;
        r.maxOpenInterest = type(uint64).max;
        r.priceBand = 0.5e18;
        r.makerFee = 0.01e18;
        r.takerFee = 0.01e18 - 1;
        r.basisWeight = 1e18;
        r.maxBasisRate = 0.9e18;
        r.maxBasisStep = 0.9e18 - 1;
        r.basisDepth = type(uint56).max;
        SettlementTerms memory t = SettlementTerms({disputeWindow: 7 days, fallbackDelay: 90 days});
        p.settlementWindow = 7 days;
        bytes32 id = ch.createMarket(p, r, t);
        assertEq(keccak256(abi.encode(ch.marketParams(id))), keccak256(abi.encode(p)), "market params");
        assertEq(keccak256(abi.encode(ch.riskParams(id))), keccak256(abi.encode(r)), "risk params");
        assertEq(keccak256(abi.encode(ch.settlementTerms(id))), keccak256(abi.encode(t)), "settlement terms");
        // And a risk update at other values in the same fields; the tick and the minimum size are market
        // parameters, set at creation only, so the update leaves them as they were.
        r.makerFee = 1;
        r.takerFee = 0;
        r.maxPositionSize = 1;
        r.maxOpenInterest = 1;
        ch.setRiskParams(id, r);
        assertEq(keccak256(abi.encode(ch.riskParams(id))), keccak256(abi.encode(r)), "risk params after an update");
        assertEq(keccak256(abi.encode(ch.marketParams(id))), keccak256(abi.encode(p)), "market params untouched by the update");
    }

    function test_contractSize_oneWeiTradesWithFeesRoundedUp() public {
        _deploy(address(0), 6, 10e18);
        bytes32 id = _market(1, 1e15);
        _fund(ALICE, 100e6);
        _fund(BOB, 100e6);
        ch.trade(id, BOB, ALICE, 5, 10e18, bytes32(0));
        (, int256 openNotional) = ch.position(ALICE, id);
        assertEq(openNotional, int256(50), "5 contracts of 10 wei-dollars");
        (int256 a, ) = ch.accountOf(ALICE);
        assertEq(a, int256(100e6 - 1), "fee rounds up to one unit");
        _assertConserved(0);
    }

    /// @dev Open and close a position across decimals 0, 6 and 18: the books never exceed what is held, and the
    /// difference is rounding dust of at most a few units.
    function testFuzz_roundTrip_conservesAcrossDecimals(uint256 which, bool long, uint256 size, uint256 ticks, int256 moveBps)
        public
    {
        uint8[3] memory decimals = [uint8(0), 6, 18];
        uint8 d = decimals[which % 3];
        size = bound(size, 1, 10_000);
        uint256 price = bound(ticks, 1_000, 100_000) * 1e15; // 1 to 100 dollars
        moveBps = int256(bound(uint256(moveBps), 0, 1_000)) - 500; // ±5 %
        _deploy(address(0), d, price);
        _fund(ALICE, 10_000_000 * 10 ** uint256(d));
        _fund(BOB, 10_000_000 * 10 ** uint256(d));
        int256 delta = long ? int256(size) : -int256(size);
        ch.trade(marketId, BOB, ALICE, delta, price, bytes32(0));
        uint256 exit = ((uint256(int256(price) + (int256(price) * moveBps) / 10_000)) / 1e15) * 1e15;
        oracle.setValue(INDEX, exit);
        ch.trade(marketId, BOB, ALICE, -delta, exit, bytes32(0));
        (int256 s, ) = ch.position(ALICE, marketId);
        assertEq(s, int256(0), "closed");
        _assertConserved(4);
    }

    // ------------------------------------------------------------------ staleness, path by path

    function _openAndGoStale() internal {
        _deploy(address(0), 6, 10e18);
        _fund(ALICE, 1_000e6);
        _fund(BOB, 1_000e6);
        _fund(CAROL, 1_000e6);
        ch.trade(marketId, BOB, ALICE, 10, 10e18, bytes32(0));
        oracle.setStale(INDEX, true);
    }

    /// @dev The Clearinghouse's own `StaleIndex`: the stale mock pushes time 1 with `maxAge` 0.
    function _staleError() internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IClearinghouse.StaleIndex.selector, INDEX, 1, 0);
    }

    function test_stale_blocksTradeLiquidationAndWithdrawalWithPositions() public {
        _openAndGoStale();
        bytes memory stale = _staleError();
        vm.expectRevert(stale);
        ch.trade(marketId, BOB, ALICE, 1, 10e18, bytes32(0));
        vm.expectRevert(stale);
        ch.liquidate(ALICE, marketId, 1, type(uint256).max);
        vm.prank(ALICE);
        vm.expectRevert(stale);
        ch.withdraw(1);
        vm.expectRevert(stale);
        ch.markPrice(marketId);
    }

    function test_stale_neverBlocksDepositsOrWithdrawalsWithoutPositions() public {
        _openAndGoStale();
        vm.startPrank(CAROL);
        ch.withdraw(500e6);
        ch.deposit(100e6);
        ch.depositInsurance(1e6);
        vm.stopPrank();
        MockERC20(address(collateral)).mint(ALICE, 1e6);
        vm.prank(ALICE);
        ch.deposit(1e6); // a margin top-up needs no price
        (int256 c, ) = ch.accountOf(CAROL);
        assertEq(c, int256(600e6), "carol moved freely");
    }

    function test_stale_neverBlocksSettlementAfterTheFinalPrice() public {
        _openAndGoStale();
        _settleMarketAt(11e18); // propose and finalize read the TWAP, not the latest value
        ch.settle(BOB, marketId);
        address[] memory both = new address[](1);
        both[0] = ALICE;
        ch.settleMany(marketId, both); // the last position: alice's claim is paid at once
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.NothingToSettle.selector, ALICE, marketId));
        ch.settle(ALICE, marketId);
        vm.prank(ALICE);
        ch.withdraw(1_000e6);
        vm.prank(BOB);
        ch.withdraw(900e6);
        (int256 a, ) = ch.accountOf(ALICE);
        assertTrue(a > 0, "alice keeps her gain");
    }
}
