// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IClearinghouse} from "../../contracts/interfaces/IClearinghouse.sol";
import {LAYOUT_FUNDS, LAYOUT_SLOT, LAYOUT_TRADE_SETTINGS} from "../../contracts/libraries/ClearinghouseStorage.sol";
import {SecurityBase} from "./security/SecurityBase.sol";
import {Vm} from "./utils/TestBase.sol";

/// @notice Trade fees wait in `pendingFees` (the slot every trade reads for the venue check) and are split
/// between the insurance fund and the treasury before anything pays from the fund, withdraws the treasury or
/// changes the fee share: the views count them all along, and each use sees what a split at every trade would
/// have left.
contract ClearinghouseFeeSweepTest is SecurityBase {
    function setUp() public {
        _deploy(address(0), 6, 10e18);
        _fund(BOB, 1_000_000e6);
    }

    function _pending() internal view returns (uint256) {
        return uint256(vm.load(address(ch), bytes32(LAYOUT_SLOT + LAYOUT_TRADE_SETTINGS))) >> 168;
    }

    /// @dev The fund and the treasury as stored, without what is pending.
    function _storedFunds() internal view returns (uint256 fund, uint256 treasury) {
        uint256 word = uint256(vm.load(address(ch), bytes32(LAYOUT_SLOT + LAYOUT_FUNDS)));
        return (word & type(uint128).max, (word >> 128) & type(uint112).max);
    }

    function test_tradeFeesWaitAndTheViewsCountThem() public {
        _fund(ALICE, 1_000e6);
        ch.trade(marketId, BOB, ALICE, 3, 10e18, bytes32(0));
        ch.trade(marketId, BOB, ALICE, 2, 10.1e18, bytes32(0));
        // 0.0007 of 30 dollars, then of 20.2 dollars (maker 0.02 %, taker 0.05 %)
        uint256 fees = 21_000 + 14_140;
        assertEq(_pending(), fees, "both trades' fees pending");
        (uint256 fund, uint256 treasury) = _storedFunds();
        assertEq(fund + treasury, 0, "the fund's slot is not written by a trade");
        assertEq(ch.insuranceFund(), fees / 2, "the fund's half, rounded down");
        assertEq(ch.treasuryAccrued(), fees - fees / 2, "the treasury's half");
    }

    function test_withdrawTreasury_splitsFirstAndSendsTheTreasuryShare() public {
        _fund(ALICE, 1_000e6);
        ch.trade(marketId, BOB, ALICE, 3, 10e18, bytes32(0));
        uint256 toTreasury = ch.treasuryAccrued();
        uint256 toInsurance = ch.insuranceFund();
        vm.expectEmit(address(ch));
        emit IClearinghouse.FeesSwept(toInsurance, toTreasury);
        ch.withdrawTreasury();
        assertEq(collateral.balanceOf(TREASURY), toTreasury, "the treasury received its share of the pending fees");
        assertEq(_pending(), 0, "nothing pending");
        (uint256 fund, uint256 treasury) = _storedFunds();
        assertEq(fund, toInsurance, "the fund's share stored");
        assertEq(treasury, 0, "the treasury withdrawn");
        assertEq(ch.treasuryAccrued(), 0, "the view agrees");
    }

    function test_feeShareChange_splitsPendingFeesAtTheShareTheyAccruedUnder() public {
        _fund(ALICE, 1_000e6);
        ch.trade(marketId, BOB, ALICE, 3, 10e18, bytes32(0)); // 21,000 in fees, half to the fund
        ch.setFeeShares(1e18, 0.5e18); // from now on all to the fund
        assertEq(ch.insuranceFund(), 10_500, "split at the old share");
        assertEq(ch.treasuryAccrued(), 10_500, "the treasury keeps its half");
        ch.trade(marketId, BOB, ALICE, 2, 10e18, bytes32(0)); // 14,000 more
        assertEq(ch.insuranceFund(), 24_500, "the new fees all to the fund");
        assertEq(ch.treasuryAccrued(), 10_500, "none to the treasury");
    }

    /// @dev Alice's closing trade overdraws her account; the fund lends from what it holds, which here is only
    /// its share of the fees still pending.
    function test_overdraftInATrade_isLentFromThePendingFees() public {
        _fund(ALICE, 1.1e6);
        ch.trade(marketId, BOB, ALICE, 1, 10e18, bytes32(0));
        oracle.setValue(INDEX, 8e18);
        uint256 fundBefore = ch.insuranceFund();
        assertTrue(fundBefore > 0, "the fund's share of the first trade's fees");
        (uint256 storedFund, ) = _storedFunds();
        assertEq(storedFund, 0, "all of it still pending");
        vm.recordLogs();
        ch.trade(marketId, BOB, ALICE, -1, 8e18, bytes32(0)); // a $2 loss against $1.095
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool found;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] != IClearinghouse.OverdraftLent.selector) continue;
            (uint256 lent, ) = abi.decode(logs[i].data, (uint256, uint256));
            assertEq(lent, fundBefore, "the whole fund, pending share included, lent");
            found = true;
        }
        assertTrue(found, "an overdraft was lent");
    }

    /// @dev A pending sum that would not fit its 88 bits is split at once, this trade's fees with it.
    function test_pendingFeesThatWouldOverflow_areSplitAtOnce() public {
        _fund(ALICE, 1_000e6);
        bytes32 slot = bytes32(LAYOUT_SLOT + LAYOUT_TRADE_SETTINGS);
        uint256 word = uint256(vm.load(address(ch), slot));
        uint256 nearlyFull = type(uint88).max - 100;
        vm.store(address(ch), slot, bytes32((word & type(uint168).max) | (nearlyFull << 168)));
        uint256 total = nearlyFull + 21_000;
        vm.expectEmit(address(ch));
        emit IClearinghouse.FeesSwept(total / 2, total - total / 2);
        ch.trade(marketId, BOB, ALICE, 3, 10e18, bytes32(0));
        assertEq(_pending(), 0, "nothing left pending");
        (uint256 fund, uint256 treasury) = _storedFunds();
        assertEq(fund, total / 2, "the fund's half stored");
        assertEq(treasury, total - total / 2, "the treasury's half stored");
        assertEq(uint256(vm.load(address(ch), slot)) & type(uint168).max, word & type(uint168).max, "venue kept");
    }
}
