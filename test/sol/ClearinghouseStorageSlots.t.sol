// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {
    LAYOUT_ACCOUNTS,
    LAYOUT_ADMIN_SETTINGS,
    LAYOUT_FUNDS,
    LAYOUT_INDEX_NUMBERS,
    LAYOUT_INDEXES,
    LAYOUT_MARKET_IDS,
    LAYOUT_MARKETS,
    LAYOUT_POSITIONS,
    LAYOUT_SHARE_RAISED_AT,
    LAYOUT_SLOT,
    LAYOUT_TRADE_SETTINGS,
    LAYOUT_VENUES,
    BASIS_MAX_POSITION_AT,
    BASIS_MAX_RATE_AT,
    BASIS_MAX_STEP_AT,
    CHECKS_MAKER_FEE_AT,
    CHECKS_PRICE_BAND_AT,
    CHECKS_TAKER_FEE_AT,
    MARK_BASIS_AT,
    MARK_BASIS_TIME_AT,
    MARK_MIN_SIZE_AT,
    MARKET_FINAL,
    MARKET_BASIS_PARAMS,
    MARKET_INDEX_ID,
    MARKET_MARK_BASIS,
    MARKET_METHODOLOGY,
    MARKET_REALISED,
    MARKET_SETTLEMENT,
    MARKET_SETTLEMENT_CASH,
    MARKET_TERMS,
    MARKET_TRADE,
    MARKET_TRADE_CHECKS,
    MARKET_VALUATION,
    SETTINGS_PAUSED_AT,
    SETTINGS_PENDING_FEES_AT,
    TRADE_MARKET_INDEX_AT,
    TRADE_OPEN_INTEREST_AT,
    TRADE_PAUSED_AT,
    VALUATION_CONTRACT_SIZE_AT,
    VALUATION_IMR_AT,
    VALUATION_INDEX_NUMBER_AT,
    VALUATION_MMR_AT
} from "../../contracts/libraries/ClearinghouseStorage.sol";
import {MarketStatus, RiskParams, SettlementTerms} from "../../contracts/interfaces/IClearinghouse.sol";
import {IIndexOracleReader} from "../../contracts/interfaces/IIndexOracle.sol";
import {SecurityBase} from "./security/SecurityBase.sol";

/// @notice Every named storage slot of `ClearinghouseStorage.sol` read from a live Clearinghouse and compared with
/// its views, so a constant that drifts from the compiler's layout fails here (the trade path addresses the layout
/// through `LAYOUT_SLOT`).
contract ClearinghouseStorageSlotsTest is SecurityBase {
    function setUp() public {
        _deploy(address(0), 6, 10e18);
        _fund(ALICE, 1_000_000e6);
        _fund(BOB, 1_000_000e6);
    }

    function _word(uint256 slot) internal view returns (uint256) {
        return uint256(vm.load(address(ch), bytes32(slot)));
    }

    function _bits(uint256 word, uint256 from, uint256 width) internal pure returns (uint256) {
        return (word >> from) & ((1 << width) - 1);
    }

    function _signed64(uint256 word, uint256 from) internal pure returns (int256) {
        return int256(int64(uint64(_bits(word, from, 64))));
    }

    function _mapSlot(bytes32 key, uint256 field) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(key, LAYOUT_SLOT + field)));
    }

    /// @dev The number the oracle gave `INDEX`, which keys the Clearinghouse's copy of it.
    function _indexNumber() internal view returns (uint256 number) {
        (, , , number) = IIndexOracleReader(ch.oracle()).latestUnchecked(INDEX);
    }

    function _marketSlot(bytes32 id, uint256 offset) internal pure returns (uint256) {
        return _mapSlot(id, LAYOUT_MARKETS) + offset;
    }

    function test_layoutSettingsSlots() public {
        ch.setFeeShares(0.3e18, 0.4e18);
        ch.setFeeShares(0.3e18, 0.45e18); // a raise of the liquidator share with a market listed: timestamped
        uint256 trade = _word(LAYOUT_SLOT + LAYOUT_TRADE_SETTINGS);
        (uint64 insuranceShare, uint64 liquidatorShare) = ch.feeShares();
        assertEq(address(uint160(_bits(trade, 0, 160))), address(this), "primary venue");
        assertEq(_bits(trade, SETTINGS_PAUSED_AT, 8), 0, "not paused");
        assertEq(trade >> SETTINGS_PENDING_FEES_AT, 0, "no fees pending");
        ch.setGlobalPaused(true);
        assertEq(_bits(_word(LAYOUT_SLOT + LAYOUT_TRADE_SETTINGS), SETTINGS_PAUSED_AT, 8), 1, "paused");

        uint256 admin = _word(LAYOUT_SLOT + LAYOUT_ADMIN_SETTINGS);
        assertEq(_bits(admin, 0, 64), liquidatorShare, "liquidator share");
        assertEq(address(uint160(admin >> 64)), ch.treasury(), "treasury");
        uint256 shares = _word(LAYOUT_SLOT + LAYOUT_SHARE_RAISED_AT);
        assertEq(_bits(shares, 0, 40), vm.getBlockTimestamp(), "share raised at");
        assertEq(_bits(shares, 40, 64), insuranceShare, "insurance fee share");
        assertEq(_word(LAYOUT_SLOT + LAYOUT_FUNDS) >> 240, ch.marketCount(), "market count");

        assertEq(_word(_mapSlot(bytes32(uint256(uint160(address(this)))), LAYOUT_VENUES)), 1, "venue");
        assertEq(_word(_mapSlot(bytes32(uint256(uint160(ALICE))), LAYOUT_VENUES)), 0, "not a venue");
        (,,,, uint32 index) = ch.marketState(marketId);
        assertEq(bytes32(_word(_mapSlot(bytes32(uint256(index)), LAYOUT_MARKET_IDS))), marketId, "by market index");
        assertEq(ch.marketIdAt(index), marketId, "its view");
    }

    function test_accountPositionFundsAndIndexSlots() public {
        ch.trade(marketId, BOB, ALICE, 3, 10.5e18, bytes32(0));
        uint256 account = _word(_mapSlot(bytes32(uint256(uint160(ALICE))), LAYOUT_ACCOUNTS));
        (int256 balance,) = ch.accountOf(ALICE);
        assertEq(int256(int128(uint128(_bits(account, 0, 128)))), balance, "balance");
        (,,,, uint32 index) = ch.marketState(marketId);
        assertEq(_bits(account, 128, 16), index, "first open-market lane: the market's index");

        uint256 inner = uint256(keccak256(abi.encode(ALICE, LAYOUT_SLOT + LAYOUT_POSITIONS)));
        uint256 position = uint256(vm.load(address(ch), keccak256(abi.encode(marketId, inner))));
        (int256 size, int256 notional) = ch.position(ALICE, marketId);
        assertEq(int256(int128(uint128(_bits(position, 0, 128)))), size, "size");
        assertEq(int256(int128(uint128(position >> 128))), notional, "open notional");

        // The trade's fees wait in the trade-settings slot; the views count them, the fund's slot does not yet.
        uint256 fund = ch.insuranceFund();
        uint256 treasury = ch.treasuryAccrued();
        assertTrue(fund > 0 && treasury > 0, "fees accrued");
        assertEq(_word(LAYOUT_SLOT + LAYOUT_TRADE_SETTINGS) >> SETTINGS_PENDING_FEES_AT, fund + treasury, "fees pending");
        assertEq(_bits(_word(LAYOUT_SLOT + LAYOUT_FUNDS), 0, 240), 0, "nothing split yet");
        (uint64 insuranceShare, uint64 liquidatorShare) = ch.feeShares();
        ch.setFeeShares(insuranceShare, liquidatorShare); // splits what is pending
        uint256 funds = _word(LAYOUT_SLOT + LAYOUT_FUNDS);
        assertEq(_bits(funds, 0, 128), fund, "insurance fund");
        assertEq(_bits(funds, 128, 112), treasury, "treasury accrued");
        assertEq(funds >> 240, ch.marketCount(), "market count");
        assertEq(_word(LAYOUT_SLOT + LAYOUT_TRADE_SETTINGS) >> SETTINGS_PENDING_FEES_AT, 0, "nothing pending");

        // The copy is keyed by the index's number in the oracle, which the Clearinghouse keeps per index id.
        uint256 number = _indexNumber();
        assertGe(number, 1, "numbered");
        assertEq(_word(_mapSlot(INDEX, LAYOUT_INDEX_NUMBERS)), number, "index number");
        uint256 cache = _word(_mapSlot(bytes32(number), LAYOUT_INDEXES));
        (uint256 value, uint256 updatedAt, uint256 maxAge) = ch.indexValue(INDEX);
        assertEq(_bits(cache, 0, 96), value, "index value");
        assertEq(_bits(cache, 96, 32), updatedAt, "updated at");
        assertEq(_bits(cache, 128, 32), maxAge, "max age");
    }

    function test_marketSlots() public {
        ch.trade(marketId, BOB, ALICE, 3, 10.5e18, bytes32(0));
        vm.warp(vm.getBlockTimestamp() + 1);
        ch.trade(marketId, ALICE, BOB, 1, 10.2e18, bytes32(0)); // opens a second: the mark basis moves
        RiskParams memory r = ch.riskParams(marketId);
        SettlementTerms memory t = ch.settlementTerms(marketId);

        assertEq(bytes32(_word(_marketSlot(marketId, MARKET_INDEX_ID))), INDEX, "index id");
        uint256 valuation = _word(_marketSlot(marketId, MARKET_VALUATION));
        assertEq(_bits(valuation, 0, 40), params.expiry, "expiry");
        assertEq(_bits(valuation, VALUATION_CONTRACT_SIZE_AT, 80), params.contractSize, "contract size");
        assertEq(_bits(valuation, VALUATION_IMR_AT, 64), r.imr, "imr");
        assertEq(_bits(valuation, VALUATION_MMR_AT, 64), r.mmr, "mmr");
        uint256 number = _indexNumber();
        assertEq(valuation >> VALUATION_INDEX_NUMBER_AT, number, "index number");

        uint256 hot = _word(_marketSlot(marketId, MARKET_TRADE));
        (int256 basis, uint256 oi, uint256 openPositions,, uint32 index) = ch.marketState(marketId);
        assertEq(_signed64(hot, 0), basis, "basis rate");
        assertEq(_bits(hot, TRADE_OPEN_INTEREST_AT, 64), oi, "open interest");
        assertEq(_bits(hot, TRADE_MARKET_INDEX_AT, 32), index, "market index");
        assertEq(_bits(hot, 160, 32), openPositions, "open positions");
        assertEq(hot >> 200, r.basisDepth, "basis depth");
        assertEq(_bits(hot, TRADE_PAUSED_AT, 8), 0, "not paused");
        ch.setMarketPaused(marketId, true);
        assertEq(_bits(_word(_marketSlot(marketId, MARKET_TRADE)), TRADE_PAUSED_AT, 8), 1, "paused");
        ch.setMarketPaused(marketId, false);

        _checkSettingsSlots(r, t);

        uint256 mark = _word(_marketSlot(marketId, MARKET_MARK_BASIS));
        (int256 markBasis, int256 averageBasis,) = ch.markBases(marketId);
        assertEq(_bits(mark, 0, 64), r.maxOpenInterest, "largest open interest");
        assertEq(_bits(mark, MARK_MIN_SIZE_AT, 32), params.minSize, "min size");
        assertTrue(markBasis != 0, "the second trade's second has a mark basis");
        assertEq(_signed64(mark, MARK_BASIS_AT), markBasis, "mark basis");
        assertEq(_bits(mark, MARK_BASIS_TIME_AT, 32), vm.getBlockTimestamp(), "its second");
        assertEq(_signed64(mark, 192), averageBasis, "time-averaged basis");

        assertEq(bytes32(_word(_marketSlot(marketId, MARKET_METHODOLOGY))), params.methodologyHash, "methodology");
        assertTrue(_word(_marketSlot(marketId, MARKET_REALISED)) != 0, "realised net, stored plus one");
    }

    /// @dev Market slots 3, 4 and 6: the settings a trade reads, and the terms only a liquidation or a settlement
    /// step reads.
    function _checkSettingsSlots(RiskParams memory r, SettlementTerms memory t) internal view {
        uint256 checks = _word(_marketSlot(marketId, MARKET_TRADE_CHECKS));
        assertEq(_bits(checks, 0, 80), params.tickSize, "tick");
        assertEq(_bits(checks, CHECKS_MAKER_FEE_AT, 56), r.makerFee, "maker fee");
        assertEq(_bits(checks, CHECKS_TAKER_FEE_AT, 56), r.takerFee, "taker fee");
        assertEq(checks >> CHECKS_PRICE_BAND_AT, r.priceBand, "price band");
        uint256 basisParams = _word(_marketSlot(marketId, MARKET_BASIS_PARAMS));
        assertEq(_bits(basisParams, 0, 64), r.basisWeight, "basis weight");
        assertEq(_bits(basisParams, BASIS_MAX_RATE_AT, 64), r.maxBasisRate, "largest basis rate");
        assertEq(_bits(basisParams, BASIS_MAX_STEP_AT, 64), r.maxBasisStep, "largest basis step");
        assertEq(basisParams >> BASIS_MAX_POSITION_AT, r.maxPositionSize, "largest position");

        uint256 terms = _word(_marketSlot(marketId, MARKET_TERMS));
        assertEq(_bits(terms, 0, 64), params.settlementWindow, "settlement window");
        assertEq(_bits(terms, 64, 64), t.disputeWindow, "dispute window");
        assertEq(_bits(terms, 128, 64), t.fallbackDelay, "fallback delay");
        assertEq(terms >> 192, r.liquidationPenalty, "liquidation penalty");
    }

    function test_settlementSlots() public {
        ch.trade(marketId, BOB, ALICE, 3, 10.5e18, bytes32(0));
        vm.warp(params.expiry + 1);
        oracle.setTwap(INDEX, 11e18);
        ch.proposeSettlement(marketId);
        uint256 progress = _word(_marketSlot(marketId, MARKET_SETTLEMENT));
        assertEq(_bits(progress, 0, 128), 11e18, "proposed price");
        assertEq(_bits(progress, 168, 40), vm.getBlockTimestamp(), "proposed at");
        assertEq(_bits(progress, 208, 8), 0, "not disputed");
        vm.warp(vm.getBlockTimestamp() + 3_601);
        ch.finalizeSettlement(marketId);
        assertEq(uint256(ch.marketStatus(marketId)), uint256(MarketStatus.Settled), "settled");
        uint256 fin = _word(_marketSlot(marketId, MARKET_FINAL));
        assertEq(_bits(fin, 0, 128), 11e18, "final price");
        assertEq(fin >> 128, 11e18 * params.contractSize / 1e18, "value per contract");
        uint256 cash = _word(_marketSlot(marketId, MARKET_SETTLEMENT_CASH));
        assertEq(_bits(cash, 0, 128), 1, "nothing collected yet: stored plus one");
        assertEq(cash >> 128, 1, "nothing claimed yet: stored plus one");
    }
}
