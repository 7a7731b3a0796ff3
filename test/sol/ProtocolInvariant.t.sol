// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Exchange} from "../../contracts/Exchange.sol";
import {IndexOracle} from "../../contracts/IndexOracle.sol";
import {IIndexOracle} from "../../contracts/interfaces/IIndexOracle.sol";
import {Order} from "../../contracts/libraries/OrderTypes.sol";
import {ClearinghouseInvariantBase} from "./ClearinghouseInvariant.t.sol";
import {ClearinghouseHandler} from "./invariant/ClearinghouseHandler.sol";
import {ProtocolHandler} from "./invariant/ProtocolHandler.sol";
import {SystemHandler} from "./invariant/SystemHandler.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @notice One target of the invariant runner and the handler functions it may call (read through
/// `targetSelectors()`); a selector listed several times is drawn that many times as often.
struct FuzzSelector {
    address addr;
    bytes4[] selectors;
}

/// @notice A target given by address and artifact name (read through `targetInterfaces()`).
struct FuzzInterface {
    address addr;
    string[] artifacts;
}

/// @notice The whole system (Clearinghouse, Exchange and the real IndexOracle with signed reporter rounds)
/// under `SystemHandler`: the Clearinghouse invariants (conservation, open-interest symmetry, margin on
/// withdrawal, no healthy liquidation, settlement pays what was collected), the Exchange's (no order fills
/// beyond its size, nothing fills after cancel, expiry or delegate revocation), the oracle's (the value is
/// always the median of an accepted signed round, outliers from a minority and rounds without quorum never
/// move it, timestamps only increase), staleness (nothing trades, withdraws against a position or
/// liquidates on a stale index) and the adversaries' (no adversarial call ever succeeds).
abstract contract ProtocolInvariantBase is ClearinghouseInvariantBase {
    function _newHandler(uint8 decimals) internal override returns (ClearinghouseHandler) {
        return new SystemHandler(decimals);
    }

    function _system() internal view returns (SystemHandler) {
        return SystemHandler(address(handler));
    }

    /// @notice The handler's ABI by artifact name. The runner otherwise finds a target's ABI by matching
    /// its deployed code against the build's artifacts, which does not reliably recognise this handler
    /// (it embeds the creation code of the whole system); naming the artifact makes the target explicit.
    function targetInterfaces() public view returns (FuzzInterface[] memory targets) {
        string[] memory artifacts = new string[](1);
        artifacts[0] = "project/test/sol/invariant/SystemHandler.sol:SystemHandler";
        targets = new FuzzInterface[](1);
        targets[0] = FuzzInterface(address(handler), artifacts);
    }

    /// @notice Every action of the handler, weighted so that the shallow runs (depth 40) spend about a
    /// fifth of their calls on trading and a fair share on reporting, time, liquidation and the
    /// adversaries, rather than one call in fifty each.
    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        SystemHandler h = _system();
        bytes4[] memory selectors = new bytes4[](52);
        uint256 n;
        n = _weigh(selectors, n, h.deposit.selector, 1);
        n = _weigh(selectors, n, h.depositInsurance.selector, 1);
        n = _weigh(selectors, n, h.withdraw.selector, 2);
        n = _weigh(selectors, n, h.withdrawWhileStale.selector, 1);
        n = _weigh(selectors, n, h.withdrawTreasury.selector, 1);
        n = _weigh(selectors, n, h.trade.selector, 4);
        n = _weigh(selectors, n, h.moveIndex.selector, 3);
        n = _weigh(selectors, n, h.walkMark.selector, 2);
        n = _weigh(selectors, n, h.liquidate.selector, 1);
        n = _weigh(selectors, n, h.liquidateOne.selector, 2);
        n = _weigh(selectors, n, h.deleverage.selector, 1);
        n = _weigh(selectors, n, h.pause.selector, 1);
        n = _weigh(selectors, n, h.warp.selector, 2);
        n = _weigh(selectors, n, h.settleAll.selector, 1);
        n = _weigh(selectors, n, h.placeOrder.selector, 3);
        n = _weigh(selectors, n, h.fillOrder.selector, 3);
        n = _weigh(selectors, n, h.matchOrders.selector, 2);
        n = _weigh(selectors, n, h.cancelOrder.selector, 1);
        n = _weigh(selectors, n, h.cancelUpTo.selector, 1);
        n = _weigh(selectors, n, h.setDelegate.selector, 1);
        n = _weigh(selectors, n, h.reportCurrentValues.selector, 2);
        n = _weigh(selectors, n, h.warpReporting.selector, 2);
        n = _weigh(selectors, n, h.jumpIndex.selector, 2);
        n = _weigh(selectors, n, h.warpPastExpiry.selector, 1);
        n = _weigh(selectors, n, h.settleAllVia.selector, 1);
        n = _weigh(selectors, n, h.depositFor.selector, 1);
        n = _weigh(selectors, n, h.depositWithPermit.selector, 1);
        n = _weigh(selectors, n, h.attackOracle.selector, 3);
        n = _weigh(selectors, n, h.adversary.selector, 3);
        n = _weigh(selectors, n, h.admin.selector, 2);
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector(address(h), selectors);
    }

    /// @dev Lists `selector` `weight` times from position `n`; returns the next free position.
    function _weigh(bytes4[] memory selectors, uint256 n, bytes4 selector, uint256 weight)
        internal
        pure
        returns (uint256)
    {
        for (uint256 k = 0; k < weight; ++k) selectors[n + k] = selector;
        return n + weight;
    }

    /// @dev Reporters sign the current values (inside the invariant's reverted snapshot).
    function _freshenIndices() internal override {
        _system().reportCurrentValues(0);
    }

    /// @notice No order's filled amount ever exceeds its size; once its nonce is used nothing is left.
    function invariant_orderFilledNeverExceedsSize() public view {
        SystemHandler h = _system();
        Exchange exchange = h.exchange();
        uint256 n = h.orderCount();
        for (uint256 i = 0; i < n; ++i) {
            Order memory o = h.orderAt(i);
            assertLe(exchange.filled(exchange.hashOrder(o)), o.size, "filled <= size");
            assertLe(exchange.remaining(o), o.size, "remaining <= size");
            if (exchange.isNonceUsed(o.trader, o.nonce)) assertEq(exchange.remaining(o), 0, "used nonce: void");
        }
    }

    /// @notice Nothing fills after cancellation (by hash or nonce), expiry or delegate revocation, and
    /// nothing fills through the Exchange while it is not an authorised venue.
    function invariant_nothingFillsAfterCancelOrExpiry() public view {
        assertEq(_system().ghostForbiddenFills(), 0, "forbidden fills");
        assertEq(_system().ghostRevokedVenueFills(), 0, "fills through a revoked venue");
    }

    /// @notice Each index's checkpoints are exactly the rounds the handler got accepted: the value is the
    /// lower median of that round's signed values, the timestamp the block that accepted it.
    function invariant_oracleValueIsTheMedianOfAnAcceptedSignedRound() public view {
        SystemHandler h = _system();
        IndexOracle oracle = h.indexOracle();
        assertEq(h.storedValueNotTheSignedMedian(), 0, "stored value is not the signed median");
        for (uint256 m = 0; m < 2; ++m) {
            bytes32 id = h.indexIdOf(m);
            (uint256[] memory times, uint256[] memory values) = h.history(m);
            assertEq(oracle.checkpointCount(id), times.length, "round count");
            for (uint256 k = 0; k < times.length; ++k) {
                IIndexOracle.Checkpoint memory c = oracle.checkpoint(id, k + 1);
                assertEq(c.timestamp, times[k], "checkpoint time");
                assertEq(c.value, values[k], "checkpoint value");
            }
        }
    }

    /// @notice Checkpoint timestamps strictly increase, never lie in the future, and the oracle's newest
    /// `observedAt` is the newest report of the latest round.
    function invariant_oracleTimestampsOnlyIncrease() public view {
        SystemHandler h = _system();
        IndexOracle oracle = h.indexOracle();
        for (uint256 m = 0; m < 2; ++m) {
            bytes32 id = h.indexIdOf(m);
            uint256 n = oracle.checkpointCount(id);
            uint256 previous;
            for (uint256 k = 1; k <= n; ++k) {
                uint256 t = oracle.checkpoint(id, k).timestamp;
                assertTrue(t > previous, "checkpoint times increase");
                previous = t;
            }
            assertLe(previous, vm.getBlockTimestamp(), "no checkpoint in the future");
            assertEq(oracle.indexState(id).lastObservedAt, h.lastObservedAt(m), "last observedAt");
            assertLe(h.lastObservedAt(m), previous, "observed no later than accepted");
        }
    }

    /// @notice No adversarial round (no quorum, replayed, stale, future, foreign domain, unknown or
    /// duplicate signer, tampered, large move without supermajority) is ever accepted, a minority outlier
    /// inside a valid round never moves the value outside the honest values, and honest rounds are
    /// always accepted.
    function invariant_adversarialRoundsNeverMoveTheValue() public view {
        SystemHandler h = _system();
        assertEq(h.attacksAccepted(), 0, "adversarial round accepted");
        assertEq(h.outlierMovedValue(), 0, "minority outlier moved the value");
        assertEq(h.honestRoundsRejected(), 0, "honest round rejected");
    }

    /// @notice A stale index blocks trades, withdrawals that need a margin check and liquidations (and
    /// no funds move: the conservation invariants hold throughout).
    function invariant_staleIndexBlocksTradingMarginAndLiquidation() public view {
        SystemHandler h = _system();
        assertEq(h.staleTrades(), 0, "traded on a stale index");
        assertEq(h.staleWithdrawals(), 0, "withdrew against a position on a stale index");
        assertEq(h.staleLiquidations(), 0, "liquidated on a stale index");
    }

    /// @notice The adversarial trader never succeeds (self-trade, voided fills, withdrawals beyond free
    /// collateral, liquidating healthy or deleveraging solvent accounts, cancelling others' orders, venue
    /// or restricted calls, early settlement), and every in-bounds admin call succeeds.
    function invariant_adversaryNeverSucceeds() public view {
        assertEq(_system().adversarySucceeded(), 0, "adversary succeeded");
        assertEq(_system().honestDepositsRejected(), 0, "an honest or front-run permit deposit reverted");
        assertEq(_system().adminRejected(), 0, "in-bounds admin call rejected");
    }

    /// @notice Every final price is the oracle's TWAP over the settlement window (proposal or fallback)
    /// or inside the window's range (resolution after a dispute).
    function invariant_settlementPriceComesFromTheOracle() public view {
        assertEq(_system().settlementPriceMismatch(), 0, "final price not from the oracle");
    }
}

contract ProtocolInvariant6Test is ProtocolInvariantBase {
    function _decimals() internal pure override returns (uint8) {
        return 6;
    }
}

/// @notice The Exchange actions of the handler are not vacuous: a fixed script fills and matches.
contract ProtocolHandlerTest is TestBase {
    function test_handler_scriptFillsAndMatchesThroughTheExchange() public {
        ProtocolHandler h = new ProtocolHandler(6);
        for (uint256 i = 0; i < 4; ++i) h.deposit(i, 49_999);
        h.placeOrder(0, 0, false, 19, 50, 1); // actor 0 sells 20 at mark
        h.fillOrder(0, 1, 3); // actor 1 takes 4
        assertEq(h.ghostExchangeFills(), 1, "filled");
        assertEq(h.ch().positionSize(h.actors()[1], h.marketIds()[0]), 4, "taker long");
        h.placeOrder(2, 0, true, 19, 100, 1); // actor 2 buys 20 at 5 % above mark
        h.matchOrders(1, 0, 0, 0); // crosses with actor 0's order
        assertEq(h.ghostExchangeFills(), 2, "matched");
        h.cancelOrder(0);
        h.fillOrder(0, 1, 0);
        assertEq(h.ghostExchangeFills(), 2, "cancelled order does not fill");
        assertEq(h.ghostForbiddenFills(), 0, "nothing forbidden");
    }
}

/// @notice The whole-system handler is not vacuous: fixed scripts reach every oracle path (honest rounds,
/// jumps, every attack), staleness, every adversary and admin action and every settlement path, and the
/// ghost counters the invariants read stay at zero.
contract SystemHandlerTest is TestBase {
    SystemHandler internal h;

    function setUp() public {
        h = new SystemHandler(6);
        for (uint256 i = 0; i < 4; ++i) h.deposit(i, 49_999);
    }

    function _assertReached(bytes32 label) internal view {
        assertTrue(h.reached(label) > 0, string(abi.encodePacked("not reached: ", label)));
    }

    function test_handler_reachesEveryOraclePathAndRejectsEveryAttack() public {
        IndexOracle oracle = h.indexOracle();
        bytes32 id0 = h.indexIdOf(0);
        assertEq(h.honestRounds(), 2, "one round per index at deployment");
        h.reportCurrentValues(1);
        h.moveIndex(0, 500, true); // +5 %: a plain quorum
        h.jumpIndex(1, 10, true); // +21 %: needs and gets the supermajority
        assertEq(h.honestRounds(), 6, "honest rounds accepted");
        uint256 before = oracle.checkpointCount(id0);
        (uint256 valueBefore, ) = oracle.latest(id0);
        h.attackOracle(h.ATTACK_OUTLIER_BELOW_QUORUM(), 0, 1);
        h.attackOracle(h.ATTACK_REPLAY(), 0, 0);
        h.attackOracle(h.ATTACK_STALE(), 0, 3);
        h.attackOracle(h.ATTACK_FUTURE(), 0, 4);
        h.attackOracle(h.ATTACK_OTHER_CHAIN(), 0, 5);
        h.attackOracle(h.ATTACK_OTHER_DEPLOYMENT(), 0, 6);
        h.attackOracle(h.ATTACK_DUPLICATE_SIGNER(), 0, 7);
        h.attackOracle(h.ATTACK_UNKNOWN_SIGNER(), 0, 8);
        h.attackOracle(h.ATTACK_TAMPERED(), 0, 9);
        h.attackOracle(h.ATTACK_LARGE_MOVE(), 0, 10);
        assertEq(oracle.checkpointCount(id0), before, "no attack added a round");
        (uint256 valueAfter, ) = oracle.latest(id0);
        assertEq(valueAfter, valueBefore, "no attack moved the value");
        h.attackOracle(h.ATTACK_OUTLIER_IN_ROUND(), 0, 2); // two of five sign x5: accepted, median honest
        assertEq(oracle.checkpointCount(id0), before + 1, "the round with a minority outlier is valid");
        (valueAfter, ) = oracle.latest(id0);
        assertApproxEq(valueAfter, valueBefore, valueBefore / 1_000, "outliers did not move the value");
        bytes32[13] memory labels = [
            bytes32("honest"),
            "jump",
            "outlier-below-quorum",
            "outlier-minority-in-round",
            "replay",
            "stale",
            "future",
            "other-chain",
            "other-deployment",
            "duplicate-signer",
            "unknown-signer",
            "tampered",
            "large-move-plain-quorum"
        ];
        for (uint256 i = 0; i < labels.length; ++i) _assertReached(labels[i]);
        assertEq(h.attacksAccepted(), 0, "attacks accepted");
        assertEq(h.honestRoundsRejected(), 0, "honest rejected");
        assertEq(h.outlierMovedValue(), 0, "outlier moved value");
        assertEq(h.storedValueNotTheSignedMedian(), 0, "stored value");
    }

    function test_handler_staleIndexBlocksTradingAndMarginChecksButNotFreeWithdrawals() public {
        h.trade(0, 1, 0, 9, true, 60);
        assertEq(h.trades(), 1, "traded while fresh");
        h.warp(2 days - 1); // two days without a report: both indices stale
        assertTrue(!_fresh(0) && !_fresh(1), "stale");
        h.trade(0, 1, 0, 9, true, 60);
        h.placeOrder(1, 0, false, 100_004, 50, 1); // 5 contracts, valid for 100,005 s
        h.fillOrder(0, 3, 4);
        assertEq(h.trades(), 1, "no trade on a stale index");
        uint256 out = h.totalOut();
        h.withdraw(0, 1); // actor 0 has a position: the margin check cannot read the index
        assertEq(h.totalOut(), out, "no withdrawal against a position");
        h.withdraw(2, 99); // actor 2 has none: free collateral leaves
        assertTrue(h.totalOut() > out, "free withdrawal");
        h.adversary(h.ADV_WITHDRAW_BEYOND_FREE(), 0, 0, 0);
        h.reportCurrentValues(3);
        assertTrue(_fresh(0) && _fresh(1), "fresh again");
        h.fillOrder(0, 3, 4);
        assertEq(h.trades(), 2, "trades again once reported");
        assertEq(h.staleTrades() + h.staleWithdrawals() + h.staleLiquidations(), 0, "nothing on a stale index");
        assertEq(h.adversarySucceeded(), 0, "adversary");
    }

    function test_handler_liquidatesAfterASignedJump() public {
        h.trade(0, 1, 0, 29, true, 60); // actor 0 buys 30 from actor 1
        h.trade(0, 1, 0, 29, true, 60); // and 30 more: 600,000 dollars of notional on 100,000
        assertEq(h.trades(), 2, "traded");
        assertTrue(!h.ch().isLiquidatable(h.actors()[0]), "healthy before");
        h.adversary(h.ADV_LIQUIDATE_HEALTHY(), 0, 0, 5);
        assertEq(h.liquidations(), 0, "healthy account not liquidated");
        h.jumpIndex(0, 4, false); // -15 %, signed by the supermajority
        assertTrue(h.ch().isLiquidatable(h.actors()[0]), "underwater after the jump");
        h.liquidateOne(0, 2, 0);
        assertEq(h.liquidations(), 1, "liquidated one contract");
        assertTrue(!h.healthyLiquidated(), "only an unhealthy account");
        assertEq(h.adversarySucceeded() + h.staleLiquidations(), 0, "ghosts");
    }

    function test_handler_reachesEveryAdversaryAction() public {
        h.trade(0, 1, 0, 9, true, 60);
        h.trade(1, 2, 1, 5, false, 60);
        h.placeOrder(0, 0, false, 9, 50, 1);
        h.placeOrder(1, 0, true, 9, 50, 1);
        h.cancelOrder(0);
        h.setDelegate(2, true);
        h.placeOrder(2, 1, true, 9, 50, 4); // signed by actor 2's delegate
        h.fillOrder(2, 0, 1);
        assertEq(h.ghostExchangeFills(), 1, "delegate-signed order filled");
        h.setDelegate(2, false);
        for (uint256 mode = 0; mode < 3; ++mode) h.adversary(h.ADV_SELF_TRADE(), 0, 3, mode);
        h.adversary(h.ADV_FILL_VOIDED(), 0, 1, 0);
        h.adversary(h.ADV_CANCEL_OTHERS(), 1, 0, 0);
        h.adversary(h.ADV_WITHDRAW_BEYOND_FREE(), 5, 0, 0);
        h.adversary(h.ADV_LIQUIDATE_HEALTHY(), 0, 0, 3);
        h.adversary(h.ADV_DELEVERAGE_SOLVENT(), 0, 0, 1);
        h.adversary(h.ADV_TRADE_AS_VENUE(), 0, 1, 0);
        h.adversary(h.ADV_TRADE_AS_VENUE(), 0, 1, 1);
        for (uint256 which = 0; which < 12; ++which) h.adversary(h.ADV_RESTRICTED(), which, which, 0);
        h.adversary(h.ADV_SETTLE_EARLY(), 0, 0, 0);
        bytes32[9] memory labels = [
            bytes32("adv-self-trade"),
            "adv-fill-voided",
            "adv-cancel-others",
            "adv-withdraw-beyond-free",
            "adv-liquidate-healthy",
            "adv-deleverage-solvent",
            "adv-trade-as-venue",
            "adv-restricted",
            "adv-settle-early"
        ];
        for (uint256 i = 0; i < labels.length; ++i) _assertReached(labels[i]);
        assertEq(h.reached("adv-self-trade"), 3, "three self-trade routes");
        assertEq(h.reached("adv-restricted"), 12, "twelve restricted calls");
        assertEq(h.adversarySucceeded(), 0, "adversary succeeded");
        assertEq(h.ghostForbiddenFills() + h.ghostRevokedVenueFills(), 0, "forbidden fills");
    }

    function test_handler_reachesEveryAdminAction() public {
        h.placeOrder(1, 0, true, 9, 50, 1);
        h.admin(h.ADMIN_RISK(), 0, 7);
        h.admin(h.ADMIN_FEE_SHARES(), 0.3e18, 0.6e18);
        h.admin(h.ADMIN_TREASURY(), 1, 0);
        h.admin(h.ADMIN_VENUE(), 0, 0); // revoked
        h.fillOrder(0, 2, 1);
        assertEq(h.ghostExchangeFills(), 0, "no fill through a revoked venue");
        h.admin(h.ADMIN_VENUE(), 1, 0);
        h.fillOrder(0, 2, 1);
        assertEq(h.ghostExchangeFills(), 1, "fills once re-authorised");
        h.admin(h.ADMIN_CREATE_MARKET(), 11, 0);
        h.admin(h.ADMIN_ADD_REPORTER(), 0, 0);
        h.admin(h.ADMIN_INDEX_PARAMS(), 0, 12);
        h.admin(h.ADMIN_REMOVE_REPORTER(), 0, 13);
        h.admin(h.ADMIN_CREATE_INDEX(), 0, 0);
        h.depositFor(0, 1, 100);
        for (uint256 mode = 0; mode < 3; ++mode) {
            h.depositWithPermit(mode, 100, mode);
            assertEq(h.reached(bytes32(uint256(keccak256("deposit-permit")) + mode)), 1, "permit deposit mode");
        }
        assertEq(h.honestDepositsRejected(), 0, "honest permit deposits go through");
        assertEq(h.adversarySucceeded(), 0, "a short permit never deposits");
        h.reportCurrentValues(4);
        bytes32[11] memory labels = [
            bytes32("admin-risk"),
            "admin-fee-shares",
            "admin-treasury",
            "admin-venue",
            "admin-create-market",
            "admin-index-params",
            "admin-add-reporter",
            "admin-remove-reporter",
            "admin-create-index",
            "deposit-for",
            "honest"
        ];
        for (uint256 i = 0; i < labels.length; ++i) _assertReached(labels[i]);
        assertEq(h.adminRejected(), 0, "admin rejected");
        assertEq(h.honestRoundsRejected(), 0, "honest rejected after reporter changes");
    }

    function test_handler_settlesThroughEveryPath() public {
        h.trade(0, 1, 0, 9, true, 60);
        h.trade(1, 2, 3, 5, false, 60);
        h.warpPastExpiry(0, 1);
        h.settleAllVia(0, 1, 1); // disputed and resolved, accounts one by one
        assertTrue(h.settled(0), "first market settled");
        h.warpPastExpiry(1, 2);
        h.settleAllVia(1, 2, 0); // nobody proposes: fallback TWAP, in a batch
        assertTrue(h.settled(1), "second market settled");
        assertEq(h.reached(bytes32(uint256(keccak256("settle-mode")) + 1)), 1, "dispute path");
        assertEq(h.reached(bytes32(uint256(keccak256("settle-mode")) + 2)), 1, "fallback path");
        _assertReached("settle-one-by-one");
        _assertReached("past-expiry");
        assertEq(h.settlementPriceMismatch(), 0, "final prices from the oracle");
        assertTrue(!h.settledWithOpenPositions() && !h.payoutMismatch(), "settlement checks");
    }

    function _fresh(uint256 m) internal view returns (bool) {
        try h.indexOracle().latest(h.indexIdOf(m)) {
            return true;
        } catch {
            return false;
        }
    }
}
