// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {Clearinghouse} from "../../contracts/Clearinghouse.sol";
import {IndexOracle} from "../../contracts/IndexOracle.sol";
import {
    IClearinghouse,
    MarketParams,
    RiskParams,
    SettlementTerms
} from "../../contracts/interfaces/IClearinghouse.sol";
import {IIndexOracle} from "../../contracts/interfaces/IIndexOracle.sol";
import {MockERC20} from "../../contracts/test/tokens/MockERC20.sol";
import {MockIndexOracle} from "../../contracts/test/MockIndexOracle.sol";
import {OracleTestBase} from "./utils/OracleTestBase.sol";

/// @notice The Clearinghouse's copy of the index (issue 15): the real `IndexOracle` pushes every accepted round
/// and every `maxAge` change in the same transaction; the marks read the copy under the oracle's `latest` rule;
/// `syncIndex` copies the oracle's latest and nothing else.
contract ClearinghouseIndexCacheTest is OracleTestBase {
    bytes32 internal constant INDEX = keccak256("ATPI");
    bytes32 internal constant OTHER = keccak256("GPU");
    uint256 internal constant MAX_AGE = 1 hours;
    uint256 internal constant MIN_INTERVAL = 60;
    address internal constant MAKER = address(0xA11CE);
    address internal constant TAKER = address(0xB0B);

    IndexOracle internal oracle;
    Clearinghouse internal ch;
    MockERC20 internal token;
    bytes32 internal marketId;
    uint256 internal lastObservedAt;
    uint256 internal nonce;

    function setUp() public {
        vm.warp(START);
        oracle = _deployOracle();
        address[] memory reporters = new address[](3);
        for (uint256 i = 0; i < 3; ++i) reporters[i] = vm.addr(_key(i));
        oracle.createIndex(INDEX, _params(MAX_AGE), reporters);
        oracle.createIndex(OTHER, _params(MAX_AGE), reporters);
        token = new MockERC20("USD Coin", "USDC", 6);
        AccessManager manager = new AccessManager(address(this));
        ch = new Clearinghouse(address(manager), IERC20Metadata(address(token)), oracle, address(0xbeef));
        oracle.setListener(address(ch));
        ch.setVenue(address(this), true);
        for (uint256 i = 0; i < 2; ++i) {
            address who = i == 0 ? MAKER : TAKER;
            token.mint(who, 1e12);
            vm.startPrank(who);
            token.approve(address(ch), 1e12);
            ch.deposit(1e12);
            vm.stopPrank();
        }
    }

    // ------------------------------------------------------------------ helpers

    function _key(uint256 i) internal pure returns (uint256) {
        return 0xC0FFEE + i;
    }

    function _params(uint256 maxAge) internal pure returns (IIndexOracle.IndexParams memory) {
        return
            IIndexOracle.IndexParams({
                quorum: 2,
                maxAge: uint32(maxAge),
                minInterval: uint32(MIN_INTERVAL),
                maxDeviation: 10e18,
                faultBound: 0
            });
    }

    /// @dev Two reporters sign `value` for `indexId`, observed now; the round is accepted now.
    function _submit(bytes32 indexId, uint256 value) internal {
        uint256 nowTs = vm.getBlockTimestamp();
        IIndexOracle.SignedReport[] memory reports = new IIndexOracle.SignedReport[](2);
        for (uint256 i = 0; i < 2; ++i) {
            ++nonce;
            reports[i] = _sign(
                oracle,
                _key(i),
                IIndexOracle.Report({
                    indexId: indexId,
                    value: value,
                    observedAt: uint64(nowTs),
                    inputsHash: keccak256(abi.encode(nonce))
                })
            );
        }
        oracle.submit(indexId, reports);
        lastObservedAt = nowTs;
    }

    function _createMarket(bytes32 indexId) internal returns (bytes32) {
        return ch.createMarket(_marketParams(indexId), _risk(), SettlementTerms(3_600, 2 days));
    }

    function _marketParams(bytes32 indexId) internal view returns (MarketParams memory) {
        return MarketParams(indexId, bytes32(0), uint64(vm.getBlockTimestamp() + 90 days), 1_000e18, 1e15, 1, 3_600);
    }

    function _risk() internal pure returns (RiskParams memory) {
        return
            RiskParams({
                imr: 0.1e18,
                mmr: 0.05e18,
                liquidationPenalty: 0.02e18,
                maxPositionSize: 1e9,
                maxOpenInterest: 1e9,
                priceBand: 0.5e18,
                makerFee: 0,
                takerFee: 0,
                basisWeight: 0.1e18,
                maxBasisRate: 0.5e18,
                maxBasisStep: 0.05e18,
                basisDepth: 10
            });
    }

    function _assertCacheEqualsOracle(bytes32 indexId) internal view {
        IIndexOracle.Checkpoint memory c = oracle.latestCheckpoint(indexId);
        (uint256 value, uint256 updatedAt, uint256 maxAge) = ch.indexValue(indexId);
        assertEq(value, c.value, "cached value");
        assertEq(updatedAt, c.timestamp, "cached time");
        assertEq(maxAge, oracle.indexParams(indexId).maxAge, "cached maxAge");
    }

    // ------------------------------------------------------------------ push

    function test_submit_updatesTheCacheInTheSameTransactionAndTheMarkMovesAtOnce() public {
        _submit(INDEX, 10e18);
        marketId = _createMarket(INDEX);
        uint256 markBefore = ch.markPrice(marketId);
        vm.warp(vm.getBlockTimestamp() + MIN_INTERVAL);

        vm.expectEmit(address(ch));
        emit IClearinghouse.IndexValueCached(INDEX, 12e18, vm.getBlockTimestamp(), MAX_AGE);
        _submit(INDEX, 12e18);

        _assertCacheEqualsOracle(INDEX);
        uint256 markAfter = ch.markPrice(marketId);
        // No basis: the mark is the index times one.
        assertEq(markBefore, 10e18, "mark at the first round");
        assertEq(markAfter, 12e18, "mark at the new round, in the block that accepted it");
    }

    function test_setIndexParams_pushesTheNewMaxAgeAndMovesTheStalenessBound() public {
        _submit(INDEX, 10e18);
        marketId = _createMarket(INDEX);
        uint256 acceptedAt = vm.getBlockTimestamp();
        vm.warp(acceptedAt + 30 minutes);
        assertEq(ch.markPrice(marketId), 10e18, "fresh under one hour");

        oracle.setIndexParams(INDEX, _params(10 minutes));
        (, uint256 updatedAt, uint256 maxAge) = ch.indexValue(INDEX);
        assertEq(updatedAt, acceptedAt, "time kept");
        assertEq(maxAge, 10 minutes, "maxAge pushed");
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.StaleIndex.selector, INDEX, acceptedAt, 10 minutes));
        ch.markPrice(marketId);

        oracle.setIndexParams(INDEX, _params(2 hours));
        assertEq(ch.markPrice(marketId), 10e18, "fresh again under two hours");
        _assertCacheEqualsOracle(INDEX);
    }

    function test_setIndexParams_beforeAnyRoundPushesNothing() public {
        oracle.setIndexParams(INDEX, _params(10 minutes));
        (uint256 value, uint256 updatedAt, uint256 maxAge) = ch.indexValue(INDEX);
        assertEq(value + updatedAt + maxAge, 0, "nothing cached");
    }

    function test_trade_afterMaxAgeWithoutARoundRevertsStaleIndexWithTheStoredTime() public {
        _submit(INDEX, 10e18);
        marketId = _createMarket(INDEX);
        uint256 acceptedAt = vm.getBlockTimestamp();
        // Exactly `maxAge` old is still fresh (the oracle's rule), one second more is not.
        vm.warp(acceptedAt + MAX_AGE);
        ch.trade(marketId, MAKER, TAKER, 1, 10e18, bytes32(0));
        vm.warp(acceptedAt + MAX_AGE + 1);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.StaleIndex.selector, INDEX, acceptedAt, MAX_AGE));
        ch.trade(marketId, MAKER, TAKER, 1, 10e18, bytes32(0));
        // The oracle agrees, with the same arguments.
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.StaleIndex.selector, INDEX, acceptedAt, MAX_AGE));
        oracle.latest(INDEX);
        // A new round makes it tradable at once.
        _submit(INDEX, 10e18);
        ch.trade(marketId, MAKER, TAKER, 1, 10e18, bytes32(0));
    }

    function test_indexNotCached_beforeAnyPush() public {
        // A market created before the index's first round: nothing to copy yet.
        marketId = _createMarket(INDEX);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.IndexNotCached.selector, INDEX));
        ch.markPrice(marketId);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.IndexNotCached.selector, INDEX));
        ch.trade(marketId, MAKER, TAKER, 1, 10e18, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.IndexNotCached.selector, INDEX));
        ch.syncIndex(INDEX);
        _submit(INDEX, 10e18);
        assertEq(ch.markPrice(marketId), 10e18, "the first round is pushed");
    }

    function test_onIndexValue_fromAnyoneButTheOracleRevertsNotOracle() public {
        _createMarket(INDEX);
        _submit(INDEX, 10e18);
        vm.prank(address(0xBAD));
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.NotOracle.selector, address(0xBAD)));
        ch.onIndexValue(INDEX, 1, vm.getBlockTimestamp(), type(uint32).max, 1);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.NotOracle.selector, address(this)));
        ch.onIndexValue(INDEX, 1, vm.getBlockTimestamp(), type(uint32).max, 1);
        _assertCacheEqualsOracle(INDEX);
    }

    function test_createMarket_syncsAnIndexThatHasRounds() public {
        // The listener was not wired when the round came in: the copy is empty until the market is created.
        oracle.setListener(address(0));
        _submit(OTHER, 7e18);
        (, uint256 before, ) = ch.indexValue(OTHER);
        assertEq(before, 0, "not pushed");
        bytes32 id = _createMarket(OTHER);
        _assertCacheEqualsOracle(OTHER);
        assertEq(ch.markPrice(id), 7e18, "trades at once");
    }

    // ------------------------------------------------------------------ the index number

    function test_oracle_numbersIndexesInCreationOrder_andStopsAt255() public {
        (, , , uint256 first) = oracle.latestUnchecked(INDEX);
        (, , , uint256 second) = oracle.latestUnchecked(OTHER);
        assertEq(first, 1, "first index");
        assertEq(second, 2, "second index");
        assertEq(oracle.indexState(OTHER).number, 2, "state view");
        address[] memory reporters = new address[](1);
        reporters[0] = vm.addr(_key(0));
        IIndexOracle.IndexParams memory p = _params(MAX_AGE);
        p.quorum = 1;
        vm.expectEmit(address(oracle));
        emit IIndexOracle.IndexCreated(keccak256(abi.encode(uint256(3))), p, 3);
        oracle.createIndex(keccak256(abi.encode(uint256(3))), p, reporters);
        for (uint256 n = 4; n <= 255; ++n) oracle.createIndex(keccak256(abi.encode(n)), p, reporters);
        (, , , uint256 last) = oracle.latestUnchecked(keccak256(abi.encode(uint256(255))));
        assertEq(last, 255, "the 255th index");
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.TooManyIndexes.selector, 255));
        oracle.createIndex(keccak256(abi.encode(uint256(256))), p, reporters);
    }

    function test_copy_isKeyedByTheIndexNumber_soEachMarketReadsItsOwnIndex() public {
        bytes32 onIndex = _createMarket(INDEX);
        bytes32 onOther = _createMarket(OTHER);
        _submit(INDEX, 10e18);
        _submit(OTHER, 20e18);
        assertEq(ch.markPrice(onIndex), 10e18, "INDEX's market");
        assertEq(ch.markPrice(onOther), 20e18, "OTHER's market");
        vm.warp(vm.getBlockTimestamp() + MIN_INTERVAL);
        // The push carries the index's number, which keys the copy: the other index's copy is untouched.
        vm.expectEmit(address(ch));
        emit IClearinghouse.IndexValueCached(INDEX, 12e18, vm.getBlockTimestamp(), MAX_AGE);
        _submit(INDEX, 12e18);
        assertEq(ch.markPrice(onIndex), 12e18, "INDEX moved");
        assertEq(ch.markPrice(onOther), 20e18, "OTHER did not");
        _assertCacheEqualsOracle(INDEX);
        _assertCacheEqualsOracle(OTHER);
    }

    function test_createMarket_revertsIndexNotNumbered_whenTheOracleGivesNoNumber() public {
        // An oracle that gives the index number 0, which no copy could be keyed by.
        MockIndexOracle mock = new MockIndexOracle();
        mock.setUnnumbered(INDEX, true);
        AccessManager manager = new AccessManager(address(this));
        Clearinghouse other = new Clearinghouse(address(manager), IERC20Metadata(address(token)), mock, address(0xbeef));
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.IndexNotNumbered.selector, INDEX));
        other.createMarket(_marketParams(INDEX), _risk(), SettlementTerms(3_600, 2 days));
        mock.setUnnumbered(INDEX, false);
        other.createMarket(_marketParams(INDEX), _risk(), SettlementTerms(3_600, 2 days));
        assertEq(other.marketCount(), 1, "created once numbered");
    }

    // ------------------------------------------------------------------ sync

    function test_syncIndex_copiesTheOraclesLatestAndNothingElse() public {
        oracle.setListener(address(0));
        _submit(INDEX, 10e18);
        vm.expectEmit(address(ch));
        emit IClearinghouse.IndexValueCached(INDEX, 10e18, vm.getBlockTimestamp(), MAX_AGE);
        vm.prank(address(0xBAD));
        ch.syncIndex(INDEX);
        _assertCacheEqualsOracle(INDEX);

        // Later rounds are not pushed while unwired; a sync by anyone brings the copy to the latest.
        vm.warp(vm.getBlockTimestamp() + MIN_INTERVAL);
        _submit(INDEX, 11e18);
        (uint256 stale, , ) = ch.indexValue(INDEX);
        assertEq(stale, 10e18, "not pushed");
        ch.syncIndex(INDEX);
        _assertCacheEqualsOracle(INDEX);

        // A sync of a stale value keeps its time: it stays stale.
        uint256 acceptedAt = vm.getBlockTimestamp();
        vm.warp(acceptedAt + MAX_AGE + 1);
        ch.syncIndex(INDEX);
        marketId = _createMarket(INDEX);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.StaleIndex.selector, INDEX, acceptedAt, MAX_AGE));
        ch.markPrice(marketId);

        // Syncing twice changes nothing; an unknown index reverts in the oracle.
        ch.syncIndex(INDEX);
        _assertCacheEqualsOracle(INDEX);
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.UnknownIndex.selector, keccak256("nope")));
        ch.syncIndex(keccak256("nope"));
    }

    function test_setListener_isRestrictedAndPushesNothing() public {
        _submit(INDEX, 10e18);
        vm.prank(address(0xBAD));
        vm.expectRevert();
        oracle.setListener(address(0xBAD));
        oracle.setListener(address(0));
        assertEq(oracle.listener(), address(0), "unset");
        oracle.setListener(address(ch));
        assertEq(oracle.listener(), address(ch), "set");
    }

    // ------------------------------------------------------------------ fuzz

    /// @dev Across any sequence of rounds, waits and `maxAge` changes the copy equals the oracle's latest, and
    /// the mark reverts exactly when the oracle's `latest` does.
    function testFuzz_cacheAlwaysEqualsTheOraclesLatest(uint256 seed) public {
        _submit(INDEX, 10e18);
        marketId = _createMarket(INDEX);
        uint256 value = 10e18;
        for (uint256 step = 0; step < 12; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            uint256 action = r % 3;
            if (action == 0) {
                // a round, when the interval allows (values within the deviation bound)
                vm.warp(vm.getBlockTimestamp() + MIN_INTERVAL + ((r >> 8) % (2 * MAX_AGE)));
                value = bound(r >> 64, 1e18, 100e18);
                _submit(INDEX, value);
            } else if (action == 1) {
                vm.warp(vm.getBlockTimestamp() + ((r >> 8) % (2 * MAX_AGE)));
            } else {
                oracle.setIndexParams(INDEX, _params(bound(r >> 8, 1 minutes, 3 hours)));
            }
            _assertCacheEqualsOracle(INDEX);
            (bool oracleOk, ) = address(oracle).staticcall(abi.encodeCall(oracle.latest, (INDEX)));
            (bool markOk, bytes memory ret) = address(ch).staticcall(abi.encodeCall(ch.markPrice, (marketId)));
            assertTrue(oracleOk == markOk, "mark reverts exactly when latest does");
            if (markOk) assertEq(abi.decode(ret, (uint256)), value, "mark at the latest value");
        }
    }
}
