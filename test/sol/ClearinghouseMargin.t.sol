// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {Clearinghouse} from "../../contracts/Clearinghouse.sol";
import {MarketParams, RiskParams, SettlementTerms} from "../../contracts/interfaces/IClearinghouse.sol";
import {WAD} from "../../contracts/libraries/WadMath.sol";
import {MockIndexOracle} from "../../contracts/test/MockIndexOracle.sol";
import {MockERC20} from "../../contracts/test/tokens/MockERC20.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @notice Fuzz tests of equity, margins, fees and realised PnL of a deployed Clearinghouse against a
/// reference computed here, for 6- and 18-decimal collateral.
contract ClearinghouseMarginTest is TestBase {
    bytes32 internal constant INDEX = keccak256("ATPI-FRONTIER");
    uint256 internal constant TICK = 1e15;
    uint256 internal constant CONTRACT_SIZE = 1_000e18;
    uint256 internal constant IMR = 0.1e18;
    uint256 internal constant MMR = 0.05e18;
    uint256 internal constant MAKER_FEE = 0.0002e18;
    uint256 internal constant TAKER_FEE = 0.0005e18;
    address internal constant A = address(0xA11CE);
    address internal constant B = address(0xB0B);

    Clearinghouse internal ch;
    MockERC20 internal token;
    MockIndexOracle internal oracle;
    bytes32 internal marketId;
    uint256 internal scale;

    function _deploy(bool eighteen) internal {
        uint8 decimals = eighteen ? 18 : 6;
        scale = 10 ** (18 - uint256(decimals));
        token = new MockERC20("USD Coin", "USDC", decimals);
        oracle = new MockIndexOracle();
        AccessManager manager = new AccessManager(address(this));
        ch = new Clearinghouse(address(manager), IERC20Metadata(address(token)), oracle, address(0xbeef));
        oracle.setListener(address(ch));
        ch.setVenue(address(this), true);
        RiskParams memory risk = RiskParams({
            imr: uint64(IMR),
            mmr: uint64(MMR),
            liquidationPenalty: 0.02e18,
            maxPositionSize: 1e9,
            maxOpenInterest: 1e9,
            priceBand: 0.1e18,
            makerFee: uint64(MAKER_FEE),
            takerFee: uint64(TAKER_FEE),
            basisWeight: 0.1e18,
            maxBasisRate: 0.5e18,
            maxBasisStep: 0.05e18,
            basisDepth: 1
        });
        marketId = ch.createMarket(
            MarketParams(INDEX, bytes32(0), uint64(vm.getBlockTimestamp() + 90 days), uint128(CONTRACT_SIZE), 1e15, 1, 3_600),
            risk,
            SettlementTerms(3_600, 2 days)
        );
        uint256 amount = 1e12 * 10 ** uint256(decimals); // a trillion dollars each
        for (uint256 i = 0; i < 2; ++i) {
            address who = i == 0 ? A : B;
            token.mint(who, amount);
            vm.startPrank(who);
            token.approve(address(ch), amount);
            ch.deposit(amount);
            vm.stopPrank();
        }
    }

    function _ceilDiv(uint256 a, uint256 b) internal pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }

    function _fee(uint256 notional, uint256 rate) internal view returns (uint256) {
        return _ceilDiv(_ceilDiv(notional * rate, WAD), scale);
    }

    function testFuzz_health_matchesReference(
        bool eighteen,
        bool long,
        uint256 size,
        uint256 entryTicks,
        uint256 markTicks
    ) public {
        _deploy(eighteen);
        size = bound(size, 1, 100_000);
        uint256 entry = bound(entryTicks, 1_000, 1_000_000) * TICK; // 1 to 1,000 dollars
        uint256 mark = bound(markTicks, 1, 2_000_000) * TICK;
        int256 delta = _open(long, size, entry);
        oracle.setValue(INDEX, mark);
        assertEq(ch.markPrice(marketId), mark, "mark");
        _checkHealth(delta, entry, mark);
    }

    /// @dev Alice takes `size` from bob at `entry`, at the index, so the basis stays zero and mark == index.
    function _open(bool long, uint256 size, uint256 entry) internal returns (int256 delta) {
        oracle.setValue(INDEX, entry);
        delta = long ? int256(size) : -int256(size);
        ch.trade(marketId, B, A, delta, entry, bytes32(0));
    }

    function _checkHealth(int256 delta, uint256 entry, uint256 mark) internal view {
        uint256 size = delta > 0 ? uint256(delta) : uint256(-delta);
        uint256 vEntry = (entry * CONTRACT_SIZE) / WAD;
        uint256 v = (mark * CONTRACT_SIZE) / WAD;
        uint256 balance = 1e12 * (WAD / scale) - _fee(size * vEntry, TAKER_FEE);
        int256 pnl = delta * (int256(v) - int256(vEntry));
        (int256 equity, uint256 im, uint256 mm) = ch.health(A);
        assertEq(equity, int256(balance * scale) + pnl, "equity");
        assertEq(im, _ceilDiv(size * v * IMR, WAD), "initial margin");
        assertEq(mm, _ceilDiv(size * v * MMR, WAD), "maintenance margin");
        assertTrue(ch.isLiquidatable(A) == (equity < int256(mm)), "liquidatable");
    }

    function testFuzz_closing_realisesPnlRoundedAgainstTheAccount(
        bool eighteen,
        bool long,
        uint256 size,
        uint256 entryTicks,
        uint256 exitBps
    ) public {
        _deploy(eighteen);
        size = bound(size, 1, 100_000);
        uint256 entry = bound(entryTicks, 1_000, 1_000_000) * TICK;
        uint256 exit = ((entry * bound(exitBps, 9_100, 10_900)) / 10_000 / TICK) * TICK;
        oracle.setValue(INDEX, entry);
        int256 delta = long ? int256(size) : -int256(size);
        ch.trade(marketId, B, A, delta, entry, bytes32(0));
        oracle.setValue(INDEX, exit);
        ch.trade(marketId, B, A, -delta, exit, bytes32(0));

        uint256 vEntry = (entry * CONTRACT_SIZE) / WAD;
        uint256 vExit = (exit * CONTRACT_SIZE) / WAD;
        int256 pnl = delta * (int256(vExit) - int256(vEntry));
        int256 pnlTokens = pnl >= 0 ? int256(uint256(pnl) / scale) : -int256(_ceilDiv(uint256(-pnl), scale));
        uint256 fees = _fee(size * vEntry, TAKER_FEE) + _fee(size * vExit, TAKER_FEE);
        (int256 balance, bytes32[] memory open) = ch.accountOf(A);
        // A loss is debited at once (rounded up); a gain stays escrowed in the closed position (exactly, wad)
        // until the market settles.
        int256 debited = pnlTokens < 0 ? pnlTokens : int256(0);
        assertEq(balance, int256(1e12 * (WAD / scale)) - int256(fees) + debited, "balance");
        (int256 closedSize, int256 basis) = ch.position(A, marketId);
        assertEq(closedSize, int256(0), "closed");
        assertEq(basis, pnl > 0 ? -pnl : int256(0), "gain escrowed");
        assertEq(open.length, pnl > 0 ? 1 : 0, "the escrow keeps the market open");
        // The two sides together never gain: what they lost in rounding and fees stays in the contract.
        (int256 other, ) = ch.accountOf(B);
        uint256 held = token.balanceOf(address(ch));
        uint256 escrowed = (pnl > 0 ? uint256(pnl) : uint256(-pnl)) / scale; // the winner's escrow
        assertGe(held, uint256(balance + other) + escrowed + ch.insuranceFund() + ch.treasuryAccrued(), "solvent");
    }
}
