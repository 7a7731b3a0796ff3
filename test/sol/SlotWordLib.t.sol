// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {Account, Layout, Market, Position} from "../../contracts/libraries/ClearinghouseStorage.sol";
import {SlotWordLib} from "../../contracts/libraries/SlotWordLib.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @dev A `Layout` in storage: each field written or read through Solidity's own member access on one side and
/// through `SlotWordLib`'s whole-word reads and writes on the other.
contract SlotWordHarness {
    Layout internal s;
    bytes32 internal constant ID = keccak256("market");
    address internal constant WHO = address(0xA11CE);

    function setPosition(int128 size, int128 openNotional) external {
        Position storage p = s.positions[WHO][ID];
        p.size = size;
        p.openNotional = openNotional;
    }

    function position() external view returns (int128, int128) {
        Position storage p = s.positions[WHO][ID];
        return (p.size, p.openNotional);
    }

    function loadPosition() external view returns (int256, int256) {
        return SlotWordLib.loadPosition(s.positions[WHO][ID]);
    }

    function storePosition(int256 size, int256 openNotional) external {
        SlotWordLib.storePosition(s.positions[WHO][ID], size, openNotional);
    }

    function setAccount(int128 balance, uint128 markets) external {
        Account storage a = s.accounts[WHO];
        a.balance = balance;
        a.markets = markets;
    }

    function account() external view returns (int128, uint128) {
        Account storage a = s.accounts[WHO];
        return (a.balance, a.markets);
    }

    function loadAccount() external view returns (int256, uint128) {
        return SlotWordLib.loadAccount(s.accounts[WHO]);
    }

    function storeAccount(int256 balance, uint128 markets) external {
        SlotWordLib.storeAccount(s.accounts[WHO], balance, markets);
    }

    function setValuation(uint40 expiry, uint80 contractSize, uint64 imr, uint64 mmr, uint8 indexNumber) external {
        Market storage m = s.markets[ID];
        m.expiry = expiry;
        m.contractSize = contractSize;
        m.imr = imr;
        m.mmr = mmr;
        m.indexNumber = indexNumber;
    }

    /// @dev Each field through its getter; assigned one by one (the legacy `coverage` build's stack).
    function loadValuationWord() external view returns (uint256 e, uint256 c, uint256 i, uint256 m, uint256 n) {
        uint256 word = SlotWordLib.loadValuationWord(s.markets[ID]);
        e = SlotWordLib.expiryOf(word);
        c = SlotWordLib.contractSizeOf(word);
        i = SlotWordLib.imrOf(word);
        m = SlotWordLib.mmrOf(word);
        n = SlotWordLib.indexNumberOf(word);
    }

    function setBasisParams(uint64 weight, uint64 maxRate, uint64 maxStep, uint64 maxPosition) external {
        Market storage m = s.markets[ID];
        m.basisWeight = weight;
        m.maxBasisRate = maxRate;
        m.maxBasisStep = maxStep;
        m.maxPositionSize = maxPosition;
    }

    function loadBasisParams() external view returns (uint256 w, uint256 r, uint256 st, uint256 p) {
        uint256 word = SlotWordLib.loadBasisParams(s.markets[ID]);
        w = SlotWordLib.basisWeightOf(word);
        r = SlotWordLib.maxBasisRateOf(word);
        st = SlotWordLib.maxBasisStepOf(word);
        p = SlotWordLib.maxPositionOf(word);
    }

    function setTradeChecks(uint80 tick, uint56 makerFee, uint56 takerFee, uint64 band) external {
        Market storage m = s.markets[ID];
        m.tickSize = tick;
        m.makerFee = makerFee;
        m.takerFee = takerFee;
        m.priceBand = band;
    }

    function loadTradeChecks() external view returns (uint256, uint256, uint256, uint256) {
        return SlotWordLib.loadTradeChecks(s.markets[ID]);
    }

    function setMarkBasis(uint64 maxOi, uint32 minSize, int64 markBasis, uint32 time, int64 average) external {
        Market storage m = s.markets[ID];
        m.maxOpenInterest = maxOi;
        m.minSize = minSize;
        m.markBasis = markBasis;
        m.markBasisTime = time;
        m.averageBasis = average;
    }

    function loadMarkBasis() external view returns (uint256, int256, uint256) {
        return SlotWordLib.loadMarkBasis(s.markets[ID]);
    }

    function setTrade(int64 basis, uint64 oi, uint32 index, uint32 openPositions, bool paused, uint56 depth) external {
        Market storage m = s.markets[ID];
        m.basisRate = basis;
        m.openInterest = oi;
        m.index = index;
        m.openPositions = openPositions;
        m.paused = paused;
        m.basisDepth = depth;
    }

    /// @dev The two fields `storeTrade` writes.
    function tradeWritten() external view returns (int64, uint64) {
        Market storage m = s.markets[ID];
        return (m.basisRate, m.openInterest);
    }

    /// @dev The four fields `storeTrade` keeps.
    function tradeKept() external view returns (uint32, uint32, bool, uint56) {
        Market storage m = s.markets[ID];
        return (m.index, m.openPositions, m.paused, m.basisDepth);
    }

    function loadTrade() external view returns (bool paused, uint256 oi, uint32 index) {
        uint256 word = SlotWordLib.loadTrade(s.markets[ID]);
        return (SlotWordLib.marketPaused(word), SlotWordLib.openInterest(word), SlotWordLib.marketIndexOf(word));
    }

    function storeTrade(int256 basis, uint256 oi) external {
        Market storage m = s.markets[ID];
        SlotWordLib.storeTrade(m, SlotWordLib.loadTrade(m), basis, oi);
    }

    function setTradeSettings(address venue, bool paused, uint88 pending) external {
        (s.primaryVenue, s.globalPaused, s.pendingFees) = (venue, paused, pending);
    }

    function tradeSettings() external view returns (address, bool, uint88) {
        return (s.primaryVenue, s.globalPaused, s.pendingFees);
    }

    function loadTradeSettings() external view returns (bool paused, uint256 pending) {
        uint256 word = SlotWordLib.loadTradeSettings(s);
        return (SlotWordLib.globalPaused(word), SlotWordLib.pendingFees(word));
    }

    function storePendingFees(uint256 pending) external {
        SlotWordLib.storePendingFees(s, SlotWordLib.loadTradeSettings(s), pending);
    }
}

/// @notice `SlotWordLib`'s whole-word reads and writes agree with Solidity's member reads and writes of the same
/// structs, field by field, over each field's whole range: a wrong offset, width, sign extension or mask fails.
contract SlotWordLibTest is TestBase {
    SlotWordHarness internal h;

    function setUp() public {
        h = new SlotWordHarness();
    }

    function testFuzz_position_readsAndWritesAsTheMembers(int128 size, int128 notional, int128 size2, int128 notional2) public {
        h.setPosition(size, notional);
        (int256 a, int256 b) = h.loadPosition();
        assertEq(a, size, "size read");
        assertEq(b, notional, "notional read");
        h.storePosition(size2, notional2);
        (int128 c, int128 d) = h.position();
        assertEq(c, size2, "size written");
        assertEq(d, notional2, "notional written");
    }

    function test_position_storeRevertsBeyond128Bits() public {
        int256 over = int256(type(int128).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(SafeCast.SafeCastOverflowedIntDowncast.selector, 128, over));
        h.storePosition(over, 0);
        vm.expectRevert(abi.encodeWithSelector(SafeCast.SafeCastOverflowedIntDowncast.selector, 128, -over - 1));
        h.storePosition(0, -over - 1);
    }

    function testFuzz_account_readsAndWritesAsTheMembers(
        int128 balance,
        uint128 markets,
        int128 balance2,
        uint128 markets2
    ) public {
        h.setAccount(balance, markets);
        (int256 a, uint128 b) = h.loadAccount();
        assertEq(a, balance, "balance read");
        assertEq(b, markets, "markets read");
        h.storeAccount(balance2, markets2);
        (int128 c, uint128 d) = h.account();
        assertEq(c, balance2, "balance written");
        assertEq(d, markets2, "markets written");
    }

    function test_account_storeRevertsBeyond128Bits() public {
        int256 over = int256(type(int128).min) - 1;
        vm.expectRevert(abi.encodeWithSelector(SafeCast.SafeCastOverflowedIntDowncast.selector, 128, over));
        h.storeAccount(over, 1);
    }

    function testFuzz_valuation_readsAsTheMembers(uint40 expiry, uint80 size, uint64 imr, uint64 mmr, uint8 number) public {
        h.setValuation(expiry, size, imr, mmr, number);
        (uint256 e, uint256 c, uint256 i, uint256 m, uint256 n) = h.loadValuationWord();
        assertEq(e, expiry, "expiry");
        assertEq(c, size, "contract size");
        assertEq(i, imr, "imr");
        assertEq(m, mmr, "mmr");
        assertEq(n, number, "index number");
    }

    function testFuzz_basisParams_readAsTheMembers(uint64 weight, uint64 maxRate, uint64 maxStep, uint64 maxPosition) public {
        h.setBasisParams(weight, maxRate, maxStep, maxPosition);
        (uint256 w, uint256 r, uint256 st, uint256 p) = h.loadBasisParams();
        assertEq(w, weight, "basis weight");
        assertEq(r, maxRate, "largest basis rate");
        assertEq(st, maxStep, "largest basis step");
        assertEq(p, maxPosition, "largest position");
    }

    function testFuzz_tradeChecks_readAsTheMembers(uint80 tick, uint56 makerFee, uint56 takerFee, uint64 band) public {
        h.setTradeChecks(tick, makerFee, takerFee, band);
        (uint256 t, uint256 mf, uint256 tf, uint256 b) = h.loadTradeChecks();
        assertEq(t, tick, "tick");
        assertEq(mf, makerFee, "maker fee");
        assertEq(tf, takerFee, "taker fee");
        assertEq(b, band, "band");
    }

    function testFuzz_markBasis_readsAsTheMembers(
        uint64 maxOi,
        uint32 minSize,
        int64 markBasis,
        uint32 time,
        int64 average
    ) public {
        h.setMarkBasis(maxOi, minSize, markBasis, time, average);
        (uint256 size, int256 basis, uint256 at) = h.loadMarkBasis();
        assertEq(size, minSize, "min size");
        assertEq(basis, markBasis, "mark basis");
        assertEq(at, time, "mark basis time");
    }

    /// @dev The hot slot: the pause, open interest and market index read as the members hold them; the write replaces the basis
    /// and open interest and keeps the market index, open-position count, pause and basis depth.
    function testFuzz_trade_readsAndWritesAsTheMembers(
        int64 basis,
        uint64 oi,
        uint32 index,
        uint32 openPositions,
        bool paused,
        uint56 depth,
        int64 basis2,
        uint64 oi2
    ) public {
        h.setTrade(basis, oi, index, openPositions, paused, depth);
        {
            (bool p, uint256 o, uint32 read) = h.loadTrade();
            assertTrue(p == paused, "paused read");
            assertEq(o, oi, "open interest read");
            assertEq(read, index, "index read");
        }
        h.storeTrade(basis2, oi2);
        {
            (int64 b, uint64 o) = h.tradeWritten();
            assertEq(b, basis2, "basis written");
            assertEq(o, oi2, "open interest written");
        }
        (uint32 i, uint32 n, bool p2, uint56 d) = h.tradeKept();
        assertEq(i, index, "index kept");
        assertEq(n, openPositions, "open positions kept");
        assertTrue(p2 == paused, "pause kept");
        assertEq(d, depth, "depth kept");
    }

    /// @dev The global trade settings: the pause and pending fees read as the members hold them; the write
    /// replaces the pending fees and keeps the primary venue and the pause.
    function testFuzz_tradeSettings_readAndWriteAsTheMembers(
        address venue,
        bool paused,
        uint88 pending,
        uint88 pending2
    ) public {
        h.setTradeSettings(venue, paused, pending);
        (bool p, uint256 f) = h.loadTradeSettings();
        assertTrue(p == paused, "paused read");
        assertEq(f, pending, "pending read");
        h.storePendingFees(pending2);
        (address v, bool p2, uint88 f2) = h.tradeSettings();
        assertEq(v, venue, "venue kept");
        assertTrue(p2 == paused, "pause kept");
        assertEq(f2, pending2, "pending written");
    }
}
