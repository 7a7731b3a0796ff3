// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {Clearinghouse} from "../../../contracts/Clearinghouse.sol";
import {MarketParams, RiskParams, SettlementTerms} from "../../../contracts/interfaces/IClearinghouse.sol";
import {MockIndexOracle} from "../../../contracts/test/MockIndexOracle.sol";
import {MockERC20} from "../../../contracts/test/tokens/MockERC20.sol";
import {TestBase} from "../utils/TestBase.sol";

/// @notice A Clearinghouse on the mock oracle, administered by the test contract (which is also its venue),
/// with one market on one index (one contract = one index unit, so 10 dollars at an index of 10), and
/// helpers to fund accounts, trade and settle.
abstract contract SecurityBase is TestBase {
    bytes32 internal constant INDEX = keccak256("ATPI-FRONTIER");
    uint256 internal constant START = 1_700_000_000;
    address internal constant ALICE = address(0xA11CE);
    address internal constant BOB = address(0xB0B);
    address internal constant CAROL = address(0xCA401);
    address internal constant TREASURY = address(0x7EA5);

    AccessManager internal manager;
    Clearinghouse internal ch;
    IERC20Metadata internal collateral;
    MockIndexOracle internal oracle;
    bytes32 internal marketId;
    MarketParams internal params;

    function _risk() internal pure returns (RiskParams memory) {
        return RiskParams({
            imr: 0.1e18,
            mmr: 0.05e18,
            liquidationPenalty: 0.02e18,
            maxPositionSize: 1_000_000,
            maxOpenInterest: 10_000_000,
            priceBand: 0.1e18,
            makerFee: 0.0002e18,
            takerFee: 0.0005e18,
            basisWeight: 0.1e18,
            maxBasisRate: 0.5e18,
            maxBasisStep: 0.05e18,
            basisDepth: 1
        });
    }

    function _terms() internal pure returns (SettlementTerms memory) {
        return SettlementTerms({disputeWindow: 3_600, fallbackDelay: 3 days});
    }

    function _marketParams(uint256 contractSize, uint256 tickSize) internal view returns (MarketParams memory) {
        return MarketParams({
            indexId: INDEX,
            methodologyHash: keccak256("methodology"),
            expiry: uint64(vm.getBlockTimestamp() + 90 days),
            contractSize: uint128(contractSize),
            tickSize: uint128(tickSize),
            minSize: 1,
            settlementWindow: 3_600
        });
    }

    /// @dev Deploys on `token` (a MockERC20 of `decimals` when zero address) with the index at `indexValue`.
    function _deploy(address token, uint8 decimals, uint256 indexValue) internal {
        vm.warp(START);
        collateral = token == address(0)
            ? IERC20Metadata(address(new MockERC20("USD Coin", "USDC", decimals)))
            : IERC20Metadata(token);
        oracle = new MockIndexOracle();
        manager = new AccessManager(address(this));
        ch = new Clearinghouse(address(manager), collateral, oracle, TREASURY);
        oracle.setListener(address(ch));
        ch.setVenue(address(this), true);
        ch.setFeeShares(0.5e18, 0.5e18);
        oracle.setValue(INDEX, indexValue);
        params = _marketParams(1e18, 1e15);
        marketId = ch.createMarket(params, _risk(), _terms());
    }

    function _fund(address who, uint256 amount) internal {
        MockERC20(address(collateral)).mint(who, amount);
        vm.startPrank(who);
        collateral.approve(address(ch), type(uint256).max);
        ch.deposit(amount);
        vm.stopPrank();
    }

    /// @dev One dollar in collateral units.
    function _usd(uint256 dollars) internal view returns (uint256) {
        return dollars * 10 ** uint256(collateral.decimals());
    }

    /// @dev Expires the market, proposes at `price` and finalizes after the dispute window.
    function _settleMarketAt(uint256 price) internal {
        vm.warp(params.expiry + 1);
        oracle.setTwap(INDEX, price);
        ch.proposeSettlement(marketId);
        vm.warp(vm.getBlockTimestamp() + 3_601);
        ch.finalizeSettlement(marketId);
    }

    /// @dev Σ balances of `accounts` + insurance + treasury accrual, in collateral units, for conservation.
    /// @dev Positive balances, gains escrowed in closed positions (rounded down to token units, as they will be paid at
    /// most), the fund and the treasury's accrual.
    function _booked(address[] memory accounts) internal view returns (int256 sum) {
        uint256 scale = ch.collateralScale();
        for (uint256 i; i < accounts.length; ++i) {
            (int256 b, bytes32[] memory open) = ch.accountOf(accounts[i]);
            // A negative balance is owed to the insurance fund: no one's tokens back it.
            if (b > 0) sum += b;
            for (uint256 k; k < open.length; ++k) {
                (int256 size, int256 notional) = ch.position(accounts[i], open[k]);
                if (size == 0 && notional < 0) sum += int256(uint256(-notional) / scale);
            }
        }
        sum += int256(ch.insuranceFund()) + int256(ch.treasuryAccrued());
    }
}
