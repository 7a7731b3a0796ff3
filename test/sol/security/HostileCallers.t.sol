// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {Clearinghouse} from "../../../contracts/Clearinghouse.sol";
import {Exchange} from "../../../contracts/Exchange.sol";
import {IClearinghouse} from "../../../contracts/interfaces/IClearinghouse.sol";
import {IExchange} from "../../../contracts/interfaces/IExchange.sol";
import {Order} from "../../../contracts/libraries/OrderTypes.sol";
import {MockIndexOracle} from "../../../contracts/test/MockIndexOracle.sol";
import {ReentrantERC1271Wallet} from "../../../contracts/test/hostile/ReentrantERC1271Wallet.sol";
import {ReentrantToken} from "../../../contracts/test/hostile/ReentrantToken.sol";
import {RevertingDecimalsToken} from "../../../contracts/test/hostile/RevertingDecimalsToken.sol";
import {RogueVenue} from "../../../contracts/test/hostile/RogueVenue.sol";
import {FalseReturnToken} from "../../../contracts/test/tokens/FalseReturnToken.sol";
import {FeeOnTransferToken} from "../../../contracts/test/tokens/FeeOnTransferToken.sol";
import {MockERC20} from "../../../contracts/test/tokens/MockERC20.sol";
import {NoReturnToken} from "../../../contracts/test/tokens/NoReturnToken.sol";
import {SecurityBase} from "./SecurityBase.sol";

/// @notice Hostile tokens, re-entrant callers and rogue venues against the Clearinghouse and the Exchange:
/// every attack fails and no funds move.
contract HostileTokensTest is SecurityBase {
    bytes4 internal immutable REENTRANT = ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector;

    ReentrantToken internal token;

    function setUp() public {
        token = new ReentrantToken();
        _deploy(address(token), 0, 10e18);
        // The token holds money of its own, approved and deposited, so a re-entrant withdraw or deposit by
        // it would have something to take if the guard were missing.
        token.mint(address(token), 1_000e6);
        token.approveFromToken(address(ch), type(uint256).max);
        vm.prank(address(token));
        ch.deposit(500e6);
        _fund(ALICE, 1_000e6);
        token.mint(ALICE, 1_000e6);
    }

    function _attacks() internal pure returns (bytes[] memory calls) {
        calls = new bytes[](5);
        calls[0] = abi.encodeCall(IClearinghouse.deposit, (100e6));
        calls[1] = abi.encodeCall(IClearinghouse.depositFor, (ALICE, 100e6));
        calls[2] = abi.encodeCall(IClearinghouse.withdraw, (100e6));
        calls[3] = abi.encodeCall(IClearinghouse.depositInsurance, (100e6));
        calls[4] = abi.encodeCall(IClearinghouse.withdrawTreasury, ());
    }

    /// @dev Conservation with no positions: the Clearinghouse holds exactly what it books.
    function _assertConserved() internal view {
        address[] memory accounts = new address[](3);
        (accounts[0], accounts[1], accounts[2]) = (ALICE, BOB, address(token));
        assertEq(uint256(_booked(accounts)), token.balanceOf(address(ch)), "token balance == booked");
    }

    function test_reentrantToken_everyGuardedEntryFromDepositHookFails() public {
        bytes[] memory calls = _attacks();
        for (uint256 i; i < calls.length; ++i) {
            uint256 held = token.balanceOf(address(ch));
            (int256 tokenBalance, ) = ch.accountOf(address(token));
            token.arm(address(ch), calls[i], false);
            vm.prank(ALICE);
            ch.deposit(10e6);
            assertEq(token.attacks(), i + 1, "hook ran");
            assertTrue(!token.lastSucceeded(), "re-entrant call failed");
            assertEq(bytes32(bytes4(token.lastReturnData())), bytes32(REENTRANT), "guard error");
            assertEq(token.balanceOf(address(ch)), held + 10e6, "only the outer deposit arrived");
            (int256 tokenBalanceAfter, ) = ch.accountOf(address(token));
            assertEq(tokenBalanceAfter, tokenBalance, "attacker's account untouched");
            _assertConserved();
        }
    }

    function test_reentrantToken_everyGuardedEntryFromWithdrawHookFails() public {
        bytes[] memory calls = _attacks();
        for (uint256 i; i < calls.length; ++i) {
            uint256 held = token.balanceOf(address(ch));
            token.arm(address(ch), calls[i], false);
            vm.prank(ALICE);
            ch.withdraw(10e6);
            assertTrue(!token.lastSucceeded(), "re-entrant call failed");
            assertEq(bytes32(bytes4(token.lastReturnData())), bytes32(REENTRANT), "guard error");
            assertEq(token.balanceOf(address(ch)), held - 10e6, "only the outer withdrawal left");
            _assertConserved();
        }
    }

    function test_reentrantToken_bubbledReentryRevertsTheWholeDeposit() public {
        uint256 held = token.balanceOf(address(ch));
        token.arm(address(ch), abi.encodeCall(IClearinghouse.withdraw, (500e6)), true);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(REENTRANT));
        ch.deposit(10e6);
        assertEq(token.balanceOf(address(ch)), held, "nothing moved");
        (int256 alice, ) = ch.accountOf(ALICE);
        assertEq(alice, int256(1_000e6), "alice unchanged");
    }

    function test_reentrantToken_withdrawTreasuryHookCannotDrainTwice() public {
        // Accrue some treasury fees through a trade, then re-enter withdrawTreasury from its own transfer.
        _fund(BOB, 1_000e6);
        ch.trade(marketId, BOB, ALICE, 10, 10e18, bytes32(0));
        uint256 accrued = ch.treasuryAccrued();
        assertTrue(accrued > 0, "fees accrued");
        uint256 held = token.balanceOf(address(ch));
        token.arm(address(ch), abi.encodeCall(IClearinghouse.withdrawTreasury, ()), false);
        ch.withdrawTreasury();
        assertTrue(!token.lastSucceeded(), "second withdrawal refused");
        assertEq(token.balanceOf(TREASURY), accrued, "treasury paid once");
        assertEq(token.balanceOf(address(ch)), held - accrued, "one transfer out");
    }

    /// @dev `settle` / `settleMany` move no tokens and are not guarded: re-entering them from a token hook is
    /// the same as calling them before or after, so the books still balance exactly.
    function test_reentrantToken_settleFromHookKeepsConservation() public {
        _fund(BOB, 1_000e6);
        ch.trade(marketId, BOB, ALICE, 10, 10e18, bytes32(0));
        _settleMarketAt(11e18);
        address[] memory both = new address[](2);
        (both[0], both[1]) = (ALICE, BOB);
        token.arm(address(ch), abi.encodeCall(IClearinghouse.settleMany, (marketId, both)), false);
        _fund(CAROL, 100e6);
        vm.prank(CAROL);
        ch.withdraw(100e6);
        assertTrue(token.lastSucceeded(), "settleMany ran inside the hook");
        (int256 aSize, ) = ch.position(ALICE, marketId);
        (int256 bSize, ) = ch.position(BOB, marketId);
        assertEq(aSize, int256(0), "alice closed");
        assertEq(bSize, int256(0), "bob closed");
        // Alice's gain was recorded as a claim before the last position closed: it is still held, unbooked.
        address[] memory accounts = new address[](3);
        (accounts[0], accounts[1], accounts[2]) = (ALICE, BOB, address(token));
        assertEq(uint256(_booked(accounts)) + 10e6, token.balanceOf(address(ch)), "held == booked + claim");
        // A second re-entrant settle pays the claim exactly once.
        token.arm(address(ch), abi.encodeCall(IClearinghouse.settle, (ALICE, marketId)), false);
        vm.prank(ALICE);
        ch.withdraw(1);
        assertTrue(token.lastSucceeded(), "claim paid inside the hook");
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.NothingToSettle.selector, ALICE, marketId));
        ch.settle(ALICE, marketId);
        _assertConserved();
    }
}

/// @notice Odd and broken collateral tokens.
contract OddTokensTest is SecurityBase {
    function test_constructor_revertsOnMoreThan18Decimals() public {
        MockERC20 t = new MockERC20("Nineteen", "N19", 19);
        MockIndexOracle o = new MockIndexOracle();
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.CollateralDecimalsTooHigh.selector, uint8(19)));
        new Clearinghouse(address(this), IERC20Metadata(address(t)), o, TREASURY);
    }

    function test_constructor_revertsWhenDecimalsReverts() public {
        RevertingDecimalsToken t = new RevertingDecimalsToken();
        MockIndexOracle o = new MockIndexOracle();
        vm.expectRevert(abi.encodeWithSelector(RevertingDecimalsToken.NoDecimals.selector));
        new Clearinghouse(address(this), IERC20Metadata(address(t)), o, TREASURY);
    }

    function test_feeOnTransfer_creditsOnlyWhatArrived() public {
        FeeOnTransferToken t = new FeeOnTransferToken(100); // 1 %
        _deploy(address(t), 0, 10e18);
        t.mint(ALICE, 1_000e6);
        vm.startPrank(ALICE);
        t.approve(address(ch), type(uint256).max);
        ch.deposit(1_000e6);
        (int256 balance, ) = ch.accountOf(ALICE);
        assertEq(balance, int256(990e6), "credited the measured amount");
        assertEq(t.balanceOf(address(ch)), 990e6, "held == booked");
        ch.withdraw(990e6);
        vm.stopPrank();
        assertEq(t.balanceOf(address(ch)), 0, "nothing owed, nothing held");
    }

    function test_feeOnTransfer_fullFeeRevertsNothingReceived() public {
        FeeOnTransferToken t = new FeeOnTransferToken(10_000); // 100 %
        _deploy(address(t), 0, 10e18);
        t.mint(ALICE, 1_000e6);
        vm.startPrank(ALICE);
        t.approve(address(ch), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.NothingReceived.selector, uint256(1_000e6)));
        ch.deposit(1_000e6);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.NothingReceived.selector, uint256(5e6)));
        ch.depositInsurance(5e6);
        vm.stopPrank();
        assertEq(ch.insuranceFund(), 0, "no insurance credited");
    }

    function test_falseReturningToken_depositRevertsAndCreditsNothing() public {
        FalseReturnToken t = new FalseReturnToken();
        _deploy(address(t), 0, 10e18);
        t.mint(ALICE, 1_000e6);
        vm.startPrank(ALICE);
        t.approve(address(ch), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(t)));
        ch.deposit(1_000e6);
        vm.stopPrank();
        (int256 balance, ) = ch.accountOf(ALICE);
        assertEq(balance, int256(0), "nothing credited");
    }

    function test_noReturnToken_depositAndWithdrawMoveExactAmounts() public {
        NoReturnToken t = new NoReturnToken();
        _deploy(address(t), 0, 10e18);
        t.mint(ALICE, 1_000e6);
        vm.startPrank(ALICE);
        t.approve(address(ch), type(uint256).max);
        ch.deposit(1_000e6);
        ch.withdraw(400e6);
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.InsufficientBalance.selector, ALICE, int256(600e6), uint256(601e6))
        );
        ch.withdraw(601e6);
        vm.stopPrank();
        assertEq(t.balanceOf(address(ch)), 600e6, "held");
        assertEq(t.balanceOf(ALICE), 400e6, "returned");
    }
}

/// @notice Venues: an unregistered one is refused; a registered one is fully trusted, bounded only by the
/// Clearinghouse's own checks (band, tick, margin, limits).
contract RogueVenueTest is SecurityBase {
    RogueVenue internal rogue;

    function setUp() public {
        _deploy(address(0), 6, 10e18);
        rogue = new RogueVenue(ch);
        _fund(ALICE, 1_000e6);
        _fund(BOB, 1_000e6);
    }

    function test_unregisteredVenue_cannotTrade() public {
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.UnauthorizedVenue.selector, address(rogue)));
        rogue.forceTrade(marketId, ALICE, BOB, 1, 10e18);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.UnauthorizedVenue.selector, ALICE));
        ch.trade(marketId, BOB, ALICE, 1, 10e18, bytes32(0));
    }

    function test_revokedVenue_cannotTrade() public {
        ch.setVenue(address(rogue), true);
        ch.setVenue(address(rogue), false);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.UnauthorizedVenue.selector, address(rogue)));
        rogue.forceTrade(marketId, ALICE, BOB, 1, 10e18);
    }

    /// @dev Documents the trust: a registered venue trades for accounts that signed nothing. What still
    /// holds is every check inside `trade`, so the victim's loss is bounded by the band and its margin.
    function test_registeredVenue_isTrustedButBoundedByBandAndMargin() public {
        ch.setVenue(address(rogue), true);
        // Allowed: an unsigned trade inside the band, within the victim's margin.
        rogue.forceTrade(marketId, ALICE, BOB, 5, 10.9e18);
        (int256 size, ) = ch.position(ALICE, marketId);
        assertEq(size, int256(5), "forced position exists");
        // Refused: a price outside the band around mark (10 % of 10).
        uint256 mark = ch.markPrice(marketId);
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.PriceOutsideBand.selector, uint256(12e18), mark, uint256(0.1e18))
        );
        rogue.forceTrade(marketId, ALICE, BOB, 1, 12e18);
        // Refused: more risk than the victim's collateral carries (1,000 dollars at 10 % IM: about 1,000
        // contracts of 10 dollars).
        vm.expectRevert(); // InsufficientMargin(alice, equity, im): both figures depend on the basis update
        rogue.forceTrade(marketId, ALICE, BOB, 2_000, 10e18);
        (size, ) = ch.position(ALICE, marketId);
        assertEq(size, int256(5), "refused trades left nothing");
    }
}

/// @notice A contract wallet whose EIP-1271 check tries to re-enter the Exchange (or the Clearinghouse):
/// the Exchange calls it with STATICCALL, so every state-changing attempt fails.
contract ReentrantWalletTest is SecurityBase {
    uint256 internal constant OWNER_KEY = 0xA11CE5;
    uint256 internal constant TAKER_KEY = 0xB0B5;
    uint256 internal constant CAROL_KEY = 0xCA4015;

    Exchange internal exchange;
    ReentrantERC1271Wallet internal wallet;
    address internal taker;
    address internal carol;

    function setUp() public {
        _deploy(address(0), 6, 10e18);
        exchange = new Exchange(ch, address(manager));
        ch.setVenue(address(exchange), true);
        wallet = new ReentrantERC1271Wallet(vm.addr(OWNER_KEY));
        MockERC20(address(collateral)).mint(address(wallet), 1_000e6);
        wallet.execute(address(collateral), abi.encodeCall(collateral.approve, (address(ch), type(uint256).max)));
        wallet.execute(address(ch), abi.encodeCall(IClearinghouse.deposit, (1_000e6)));
        taker = vm.addr(TAKER_KEY);
        carol = vm.addr(CAROL_KEY);
        _fund(taker, 1_000e6);
        _fund(carol, 1_000e6);
    }

    function _order(address trader, bool isBuy, uint256 salt) internal view returns (Order memory) {
        return Order({
            trader: trader,
            marketId: marketId,
            isBuy: isBuy,
            size: 10,
            limitPrice: 10e18,
            expiry: vm.getBlockTimestamp() + 1 days,
            nonce: 0,
            salt: salt,
            flags: 0
        });
    }

    function _sign(uint256 key, Order memory o) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, exchange.hashOrder(o));
        return abi.encodePacked(r, s, v);
    }

    function test_cancelUpTo_succeedsOutsideAStaticContext() public {
        // Control: the very call the attack uses is valid when the wallet makes it normally.
        wallet.execute(address(exchange), abi.encodeCall(IExchange.cancelUpTo, (100)));
        assertEq(exchange.minNonce(address(wallet)), 100, "cancelUpTo works directly");
    }

    function test_walletReentry_requiredStateChangeFailsSoSignatureIsRejected() public {
        Order memory o = _order(address(wallet), true, 1);
        bytes memory sig = _sign(OWNER_KEY, o);
        bytes[] memory attacks = new bytes[](3);
        attacks[0] = abi.encodeCall(IExchange.cancelUpTo, (100));
        Order memory carolOrder = _order(carol, false, 2);
        attacks[1] = abi.encodeCall(IExchange.fillOrder, (carolOrder, _sign(CAROL_KEY, carolOrder), 1));
        attacks[2] = abi.encodeCall(IClearinghouse.withdraw, (1e6));
        for (uint256 i; i < attacks.length; ++i) {
            address target = i == 2 ? address(ch) : address(exchange);
            wallet.arm(target, attacks[i], true);
            bytes32 h = exchange.hashOrder(o);
            vm.prank(taker);
            vm.expectRevert(abi.encodeWithSelector(IExchange.InvalidContractSignature.selector, h, address(wallet)));
            exchange.fillOrder(o, sig, 5);
        }
        assertEq(exchange.filled(exchange.hashOrder(o)), 0, "nothing filled");
        assertEq(exchange.filled(exchange.hashOrder(carolOrder)), 0, "carol's order untouched");
        assertEq(exchange.minNonce(address(wallet)), 0, "no nonce bump");
        (int256 balance, ) = ch.accountOf(address(wallet));
        assertEq(balance, int256(1_000e6), "no withdrawal");
    }

    function test_walletReentry_ignoredFailureLeavesNoTrace() public {
        Order memory o = _order(address(wallet), true, 1);
        Order memory carolOrder = _order(carol, false, 2);
        wallet.arm(
            address(exchange), abi.encodeCall(IExchange.fillOrder, (carolOrder, _sign(CAROL_KEY, carolOrder), 3)), false
        );
        bytes memory sig = _sign(OWNER_KEY, o);
        vm.prank(taker);
        exchange.fillOrder(o, sig, 5);
        (int256 size, ) = ch.position(address(wallet), marketId);
        assertEq(size, int256(5), "the outer fill went through");
        assertEq(exchange.filled(exchange.hashOrder(carolOrder)), 0, "the re-entrant fill did not");
        (int256 carolSize, ) = ch.position(carol, marketId);
        assertEq(carolSize, int256(0), "carol has no position");
    }

    function test_walletReentry_matchOrdersAttemptFails() public {
        Order memory walletTaker = _order(address(wallet), true, 1);
        walletTaker.flags = 0;
        Order[] memory makers = new Order[](1);
        makers[0] = _order(carol, false, 2);
        bytes[] memory sigs = new bytes[](1);
        sigs[0] = _sign(CAROL_KEY, makers[0]);
        uint256[] memory sizes = new uint256[](1);
        sizes[0] = 1;
        bytes memory takerSig = _sign(OWNER_KEY, walletTaker);
        // Inside its own signature check the wallet tries to match carol's order a second time.
        wallet.arm(
            address(exchange), abi.encodeCall(IExchange.matchOrders, (walletTaker, takerSig, makers, sigs, sizes)), true
        );
        bytes32 h = exchange.hashOrder(walletTaker);
        vm.expectRevert(abi.encodeWithSelector(IExchange.InvalidContractSignature.selector, h, address(wallet)));
        exchange.matchOrders(walletTaker, takerSig, makers, sigs, sizes);
        assertEq(exchange.filled(exchange.hashOrder(makers[0])), 0, "maker untouched");
    }
}
