// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Clearinghouse} from "../../contracts/Clearinghouse.sol";
// solhint-disable-next-line no-console
import {console} from "hardhat/console.sol";

import {ClearinghouseHandler} from "./invariant/ClearinghouseHandler.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @notice Invariants of the Clearinghouse (DESIGN.md section 6) under the handler.
abstract contract ClearinghouseInvariantBase is TestBase {
    ClearinghouseHandler internal handler;

    function _decimals() internal pure virtual returns (uint8);

    function setUp() public {
        handler = _newHandler(_decimals());
        targetContract(address(handler));
    }

    /// @dev The handler to drive; `ProtocolInvariant.t.sol` substitutes one that also trades through the
    /// Exchange.
    function _newHandler(uint8 decimals) internal virtual returns (ClearinghouseHandler) {
        return new ClearinghouseHandler(decimals);
    }

    function invariant_tokenBalanceIsInMinusOut() public view {
        uint256 held = handler.token().balanceOf(address(handler.ch()));
        assertEq(held, handler.totalIn() - handler.totalOut(), "held");
    }

    /// @dev Once every market is settled (no position, every claim paid), the tokens held are exactly the
    /// positive balances, the fund and the treasury's accrual, up to the pro rata rounding of claims (at most
    /// one unit per claim, four per market), which stays in the contract in the protocol's favour. A negative
    /// balance is a debt to the fund that lent it, backed by no tokens, so it is not counted.
    function invariant_tokensAreBalancesFundAndTreasuryAfterFullSettlement() public view {
        if (!handler.allSettled()) return;
        Clearinghouse ch = handler.ch();
        address[4] memory actors = handler.actors();
        int256 accounted = int256(uint256(ch.insuranceFund()) + ch.treasuryAccrued());
        for (uint256 i = 0; i < 4; ++i) {
            (int256 balance, ) = ch.accountOf(actors[i]);
            if (balance > 0) accounted += balance;
        }
        int256 held = int256(handler.token().balanceOf(address(ch)));
        assertTrue(held >= accounted, "held >= accounted");
        assertTrue(held <= accounted + 8, "held <= accounted + dust");
    }

    /// @dev Makes every index readable for an invariant that needs marks (the whole-system suite has
    /// reporters sign a round at the current values); called inside a state snapshot that is reverted.
    function _freshenIndices() internal virtual {}

    function invariant_claimsNeverExceedTheTokenBalance() public {
        uint256 snapshot = vm.snapshotState();
        _freshenIndices();
        _checkClaimsNeverExceedTheTokenBalance();
        vm.revertToState(snapshot);
    }

    function _checkClaimsNeverExceedTheTokenBalance() internal view {
        Clearinghouse ch = handler.ch();
        uint256 scale = ch.collateralScale();
        address[4] memory actors = handler.actors();
        // Sum of equity (balances plus unrealised PnL at one mark) plus fund and treasury, in wad.
        int256 owed = int256((ch.insuranceFund() + ch.treasuryAccrued()) * scale);
        for (uint256 i = 0; i < 4; ++i) {
            // An expired market whose window lacks fresh rounds has no value until its fallback finalizes
            // (`twap` reverts `InsufficientCoverage`); the exact books invariant covers that moment.
            try ch.health(actors[i]) returns (int256 equity, uint256, uint256) {
                owed += equity;
            } catch {
                return;
            }
        }
        // Equity counts a winner's gain in full until settlement; a loss written off against a market's pot is
        // cut from its winners' claims then. So the tokens cover what is owed net of the pending write-offs.
        int256 held = int256((handler.token().balanceOf(address(ch)) + handler.pendingWriteOffs()) * scale);
        assertTrue(owed <= held, "owed <= held + pending write-offs");
    }

    /// @dev The books balance exactly, bad debt included: the tokens held are the positive balances (a negative
    /// one is owed to the fund, which lent it, or was written off against a pot: no one's tokens back it), the
    /// fund, the treasury's accrual and every market's pot (what its losers paid in and its claims have not
    /// taken out yet: before completion `collected - realisedNet`, after it what is left).
    function invariant_booksBalanceExactly() public view {
        assertEq(
            int256(handler.token().balanceOf(address(handler.ch()))),
            handler.booked(),
            "held == positive balances + fund + treasury + pots"
        );
    }

    /// @dev Once every market is settled, every account can withdraw its whole balance: the tokens held cover
    /// every positive balance, the fund and the treasury.
    function invariant_lastWithdrawalSucceedsAfterFullSettlement() public view {
        if (!handler.allSettled()) return;
        Clearinghouse ch = handler.ch();
        address[4] memory actors = handler.actors();
        uint256 owed = uint256(ch.insuranceFund()) + ch.treasuryAccrued();
        for (uint256 i = 0; i < 4; ++i) {
            (int256 balance, ) = ch.accountOf(actors[i]);
            if (balance > 0) owed += uint256(balance);
        }
        assertLe(owed, handler.token().balanceOf(address(ch)), "owed <= held after full settlement");
    }

    function invariant_sizesSumToZeroAndOpenInterestIsTheLongs() public view {
        Clearinghouse ch = handler.ch();
        bytes32[2] memory ids = handler.marketIds();
        address[4] memory actors = handler.actors();
        for (uint256 m = 0; m < 2; ++m) {
            int256 sum;
            uint256 longs;
            uint256 holders;
            for (uint256 i = 0; i < 4; ++i) {
                int256 size = ch.positionSize(actors[i], ids[m]);
                sum += size;
                if (size > 0) longs += uint256(size);
                // An escrowed gain (a closed position, `size == 0`, basis below zero) holds its slot too.
                (, int256 basis) = ch.position(actors[i], ids[m]);
                if (size != 0 || basis < 0) ++holders;
            }
            (, uint256 openInterest, uint256 openPositions, , ) = ch.marketState(ids[m]);
            assertEq(sum, int256(0), "sum of sizes");
            assertEq(openInterest, longs, "open interest");
            assertEq(openPositions, holders, "open positions");
        }
    }

    function invariant_noHealthyAccountLiquidated() public view {
        assertTrue(!handler.healthyLiquidated(), "healthy liquidated");
    }

    function invariant_noWithdrawalBelowInitialMargin() public view {
        assertTrue(!handler.withdrewBelowInitialMargin(), "withdrawal below initial margin");
    }

    function invariant_freeCollateralWithdrawableWhenStaleAndPaused() public view {
        assertTrue(!handler.freeWithdrawalBlocked(), "free withdrawal blocked");
    }

    function invariant_settlementClosesEverythingAndPaysWhatWasCollected() public view {
        assertTrue(!handler.settledWithOpenPositions(), "positions left after settlement");
        assertTrue(!handler.payoutMismatch(), "payouts differ from collected");
    }
}

/// @notice The handler is not vacuous: a fixed script through it trades, liquidates and settles.
contract ClearinghouseHandlerTest is TestBase {
    function test_handler_scriptTradesLiquidatesAndSettles() public {
        ClearinghouseHandler h = new ClearinghouseHandler(6);
        h.deposit(0, 19_999);
        h.deposit(1, 49_999);
        h.deposit(2, 49_999);
        h.deposit(3, 999);
        h.trade(0, 1, 0, 9, true, 60); // actor 0 buys 9 at mark in the AI market
        h.trade(1, 2, 0, 9, false, 60); // and sells 9 in the GPU market
        assertEq(h.trades(), 2, "traded");
        for (uint256 i = 0; i < 3; ++i) h.moveIndex(0, 899, false);
        assertTrue(h.ch().isLiquidatable(h.actors()[0]), "actor 0 underwater");
        h.liquidate(0, 2, 0, 0);
        assertEq(h.liquidations(), 1, "liquidated");
        h.withdrawWhileStale(3);
        assertTrue(!h.freeWithdrawalBlocked(), "free withdrawal");
        h.settleAll(0);
        assertTrue(!h.settled(0), "not before expiry");
        for (uint256 i = 0; i < 11; ++i) h.warp(2 days - 1); // two days each
        h.settleAll(0);
        assertTrue(h.settled(0) && !h.settled(1), "first market settled");
        assertTrue(!h.settledWithOpenPositions() && !h.payoutMismatch(), "settlement checks");
    }

    /// @dev The log recorder keeps the logs of calls that reverted: a trade that lends its taker's overdraft
    /// (`OverdraftLent`) and then fails its margin check must not count as an overdraft lent.
    function test_handler_countsOnlyTheOverdraftsOfTradesThatSucceeded() public {
        ClearinghouseHandler h = new ClearinghouseHandler(6);
        h.deposit(0, 1_099); // actor 0: 1,100 dollars
        h.deposit(1, 49_999);
        h.depositInsurance(4_999);
        h.trade(0, 1, 0, 0, true, 60); // actor 0 buys 1 at the mark
        for (uint256 i = 0; i < 3; ++i) h.moveIndex(0, 899, false); // a loss beyond its balance
        // Sells 2: closing the long realises the loss (the fund lends the overdraft), then the new short fails
        // the initial margin check and the whole trade reverts.
        h.trade(0, 1, 0, 1, false, 60);
        assertEq(h.trades(), 1, "the flip reverted");
        assertEq(h.overdraftsLent(), 0, "a reverted trade's overdraft is not counted");
        h.trade(0, 1, 0, 0, false, 60); // sells 1: closes the long, the fund lends the overdraft
        assertEq(h.trades(), 2, "the close succeeded");
        assertEq(h.overdraftsLent(), 1, "the close's overdraft is counted");
    }
}

contract ClearinghouseInvariant6Test is ClearinghouseInvariantBase {
    function _decimals() internal pure override returns (uint8) {
        return 6;
    }
}

contract ClearinghouseInvariant18Test is ClearinghouseInvariantBase {
    function _decimals() internal pure override returns (uint8) {
        return 18;
    }
}

/// @notice How often the solvency invariants' states are reached (issue 12): seeded random runs through the
/// handler, biased toward leverage, index gaps (also just before expiry) and settlement, with the solvency
/// checks after every step. It prints the counts and fails if any state is never reached, since a check that
/// never reaches its state proves nothing. The invariant suites above run the same checks at random.
contract SolvencyReachTest is TestBase {
    /// @dev Seeded runs in the default profile; the deep profile (`DEEP=1`, `npm run test:deep`) runs 240.
    uint256 internal constant RUNS = 24;
    uint256 internal constant DEEP_RUNS = 240;
    uint256 internal constant STEPS = 60;

    /// @dev How often each guarded state was reached: in all, and in how many runs at least once.
    struct Reach {
        uint256 bankruptLiquidations;
        uint256 bankruptSettlements;
        uint256 socialised;
        uint256 overdraftsLent;
        uint256 overdraftsWrittenOff;
        uint256 runsWithBankruptcy;
        uint256 runsWithSocialisedLoss;
        uint256 waitingForTheAverage;
        uint256 walkFills;
        uint256 afterTheAverage;
        uint256 atTheIndexOnly;
        uint256 feeSweeps;
    }

    function test_randomRuns_reachBankruptcyAndSocialisedLossesAndStaySolvent() public {
        uint256 runs = vm.envOr("DEEP", uint256(0)) == 1 ? DEEP_RUNS : RUNS;
        Reach memory r;
        for (uint256 run = 0; run < runs; ++run) {
            uint256 snap = vm.snapshotState();
            ClearinghouseHandler h = _run(run);
            uint256 bankrupt = h.bankruptLiquidations() + h.bankruptSettlements();
            r.bankruptLiquidations += h.bankruptLiquidations();
            r.bankruptSettlements += h.bankruptSettlements();
            r.socialised += h.socialisedLosses();
            r.overdraftsLent += h.overdraftsLent();
            r.overdraftsWrittenOff += h.overdraftsWrittenOff();
            r.waitingForTheAverage += h.liquidationsWaitingForTheAverage();
            r.walkFills += h.walkFills();
            r.afterTheAverage += h.liquidationsOnceTheAverageFollowed();
            r.atTheIndexOnly += h.refusalsAtTheIndexOnly();
            r.feeSweeps += h.feeSweeps();
            if (bankrupt != 0) ++r.runsWithBankruptcy;
            if (h.socialisedLosses() != 0) ++r.runsWithSocialisedLoss;
            vm.revertToState(snap);
        }
        _print(r, runs);
        assertTrue(r.bankruptLiquidations > 0, "liquidations of accounts below zero equity reached");
        assertTrue(r.bankruptSettlements > 0, "settlements of accounts below zero equity reached");
        assertTrue(r.socialised > 0, "socialised losses reached");
        assertTrue(r.walkFills > 0, "mark walks reached");
        assertTrue(r.waitingForTheAverage > 0, "accounts below maintenance at the mark only reached");
        assertTrue(r.afterTheAverage > 0, "liquidations once the average followed reached");
        assertTrue(r.atTheIndexOnly > 0, "accounts kept by the index alone reached");
        assertTrue(r.overdraftsLent > 0, "overdrafts lent by the fund reached");
        assertTrue(r.overdraftsWrittenOff > 0, "overdrafts written off for lack of fund reached");
        assertTrue(r.feeSweeps > 0, "splits of pending fees reached");
    }

    /// @dev One seeded run: four funded accounts, `STEPS` random steps with the books checked after each, then
    /// a last gap an hour before expiry and settlement of everything.
    function _run(uint256 run) internal returns (ClearinghouseHandler h) {
        h = new ClearinghouseHandler(6);
        for (uint256 i = 0; i < 4; ++i) h.deposit(i, 1_100 + ((run * 37 + i * 101) % 900));
        h.depositInsurance(run);
        for (uint256 step = 0; step < STEPS; ++step) {
            _step(h, uint256(keccak256(abi.encode(run, step))), step);
            _checkSolvency(h);
        }
        for (uint256 m = 0; m < 2; ++m) {
            h.moveIndex(m, uint256(keccak256(abi.encode(run, "gap", m))), run % 2 == 0);
            h.settleAll(m);
        }
        vm.warp(vm.getBlockTimestamp() + 41 days);
        for (uint256 m = 0; m < 2; ++m) h.settleAll(m);
        _checkSolvency(h);
        _checkEveryoneCanWithdraw(h);
    }

    function _print(Reach memory r, uint256 runs) internal pure {
        // solhint-disable-next-line no-console
        console.log("solvency reach over %d runs of %d steps:", runs, STEPS);
        // solhint-disable-next-line no-console
        console.log("  bankrupt liquidations %d, bankrupt settlements %d", r.bankruptLiquidations, r.bankruptSettlements);
        // solhint-disable-next-line no-console
        console.log("  socialised losses (claims cut pro rata) %d", r.socialised);
        // solhint-disable-next-line no-console
        console.log(
            "  liquidations refused below maintenance at the mark only (a basis move) %d, after %d walk fills",
            r.waitingForTheAverage,
            r.walkFills
        );
        // solhint-disable-next-line no-console
        console.log("  of those refusals, below at the averaged basis too, kept by the index alone %d", r.atTheIndexOnly);
        // solhint-disable-next-line no-console
        console.log("  of those accounts, liquidated later (the index moved) %d", r.afterTheAverage);
        // solhint-disable-next-line no-console
        console.log(
            "  runs with a bankruptcy %d, runs with a socialised loss %d",
            r.runsWithBankruptcy,
            r.runsWithSocialisedLoss
        );
        // solhint-disable-next-line no-console
        console.log(
            "  overdrafts lent by the fund %d, written off for lack of fund %d",
            r.overdraftsLent,
            r.overdraftsWrittenOff
        );
        // solhint-disable-next-line no-console
        console.log("  splits of pending trade fees before the fund or the treasury was used %d", r.feeSweeps);
    }

    function _step(ClearinghouseHandler h, uint256 r, uint256 step) internal {
        uint256 action = r % 100;
        uint256 a = r >> 8;
        uint256 b = r >> 72;
        uint256 c = r >> 136;
        if (action < 30) h.trade(a, b, c, (r >> 200) % 2, (r >> 199) % 2 == 0, r >> 180);
        else if (action < 35) _walkStep(h, a % 2, b, r >> 200);
        else if (action < 47) h.moveIndex(a, 300 + (b % 600), (c % 2) == 0);
        else if (action < 55) {
            // A gap beyond maintenance margin (12 % to 17 %), then a liquidation straight after it.
            h.moveIndex(a, 600 + (b % 300), (c % 2) == 0);
            h.moveIndex(a, 600 + (c % 300), (c % 2) == 0);
            h.liquidate(a, b >> 3, c >> 3, type(uint256).max);
        }
        else if (action < 72) h.liquidate(a, b, c, r >> 200);
        // Half of the warps within the liquidation basis's 30-minute window, so the average lags the mark.
        else if (action < 80) vm.warp(vm.getBlockTimestamp() + (c % 2 == 0 ? b % 10 minutes : b % 3 days) + 1);
        else if (action < 85) h.deposit(a, b % 600);
        else if (action < 90) h.withdraw(a, 50 + (b % 50));
        else if (action < 95) h.settleAll(a);
        else if (action < 98) h.deleverage(a, b, c);
        else h.depositInsurance(b);
        step;
    }

    /// @dev Index moves against the position of the account closest to maintenance in `market` until it is near it, a
    /// mark walk the same way on top of it, then a liquidation attempt on every account there.
    function _walkStep(ClearinghouseHandler h, uint256 market, uint256 b, uint256 seconds_) internal {
        uint256 victim = _closestToMaintenance(h, market);
        bool down = h.ch().positionSize(h.actors()[victim], h.marketIds()[market]) >= 0;
        // Index steps of 1 % until it is within 1.5 % of its notional of maintenance (at most ten).
        for (uint256 i = 0; i < 10; ++i) {
            try h.ch().health(h.actors()[victim]) returns (int256 equity, uint256 im, uint256 mm) {
                if (equity - int256(mm) <= int256((im * 15) / 100)) break;
            } catch {
                break;
            }
            h.moveIndex(market, 100, !down);
        }
        // The walker trades with itself between two of the other accounts.
        h.walkMark(market, victim + 1 + (b % 2), victim + 3, down, seconds_);
        for (uint256 who = 0; who < 4; ++who) h.liquidate(market, who + 1, who, type(uint256).max);
    }

    /// @dev The index of the account with a position in `market` whose equity is least above its maintenance
    /// margin (0 when none is readable or above it).
    function _closestToMaintenance(ClearinghouseHandler h, uint256 market) internal view returns (uint256 closest) {
        address[4] memory actors = h.actors();
        int256 least = type(int256).max;
        for (uint256 i = 0; i < 4; ++i) {
            if (h.ch().positionSize(actors[i], h.marketIds()[market]) == 0) continue;
            try h.ch().health(actors[i]) returns (int256 equity, uint256, uint256 mm) {
                int256 room = equity - int256(mm);
                if (room > 0 && room < least) (least, closest) = (room, i);
            } catch {}
        }
    }

    /// @dev Every market settled: each account withdraws its whole positive balance, the last one included.
    function _checkEveryoneCanWithdraw(ClearinghouseHandler h) internal {
        address[4] memory actors = h.actors();
        Clearinghouse ch = h.ch();
        for (uint256 i = 0; i < 4; ++i) {
            (int256 balance, ) = ch.accountOf(actors[i]);
            if (balance <= 0) continue;
            vm.prank(actors[i]);
            ch.withdraw(uint256(balance));
        }
        assertEq(
            h.token().balanceOf(address(ch)),
            uint256(ch.insuranceFund()) + ch.treasuryAccrued(),
            "after every withdrawal the fund and treasury remain"
        );
    }

    function _checkSolvency(ClearinghouseHandler h) internal view {
        assertEq(int256(h.token().balanceOf(address(h.ch()))), h.booked(), "books balance");
        assertTrue(!h.payoutMismatch(), "claims paid exactly what was left");
    }
}
