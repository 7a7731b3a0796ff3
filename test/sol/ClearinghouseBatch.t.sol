// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {Clearinghouse} from "../../contracts/Clearinghouse.sol";
import {MarketParams, RiskParams, SettlementTerms} from "../../contracts/interfaces/IClearinghouse.sol";
import {VenueFill} from "../../contracts/interfaces/IClearinghouseVenue.sol";
import {MockIndexOracle} from "../../contracts/test/MockIndexOracle.sol";
import {MockERC20} from "../../contracts/test/tokens/MockERC20.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @notice `tradeBatch` books exactly what the same fills booked one `trade` at a time would, at the same
/// instant: every position, balance, market counter, the basis and the fee accruals. Accounts are funded
/// far beyond any margin and limits are wide, so only the fills' own checks (band, tick) can fail, and
/// then both ways fail. The basis depth (10 contracts) lies inside the fills' sizes (1 to 25), so each fill's
/// own size weighting its basis step is compared too.
contract ClearinghouseBatchTest is TestBase {
    bytes32 internal constant INDEX = keccak256("ATPI-FRONTIER");
    uint256 internal constant TICK = 1e15;
    address internal constant TAKER = address(0x7A);
    address[3] internal makers = [address(0xA1), address(0xA2), address(0xA3)];

    Clearinghouse internal ch;
    bytes32 internal marketId;

    function setUp() public {
        MockERC20 token = new MockERC20("USD Coin", "USDC", 6);
        MockIndexOracle oracle = new MockIndexOracle();
        oracle.setValue(INDEX, 10e18);
        AccessManager manager = new AccessManager(address(this));
        ch = new Clearinghouse(address(manager), IERC20Metadata(address(token)), oracle, address(0xbeef));
        oracle.setListener(address(ch));
        ch.setVenue(address(this), true);
        RiskParams memory risk = RiskParams({
            imr: 0.1e18,
            mmr: 0.05e18,
            liquidationPenalty: 0.02e18,
            maxPositionSize: 1e9,
            maxOpenInterest: 1e9,
            priceBand: 0.1e18,
            makerFee: 0.0002e18,
            takerFee: 0.0005e18,
            basisWeight: 0.3e18,
            maxBasisRate: 0.5e18,
            maxBasisStep: 0.05e18,
            basisDepth: 10
        });
        marketId = ch.createMarket(
            MarketParams(INDEX, bytes32(0), uint64(vm.getBlockTimestamp() + 90 days), 1_000e18, uint128(TICK), 1, 3_600),
            risk,
            SettlementTerms(3_600, 2 days)
        );
        uint256 amount = 1e12 * 1e6; // a trillion dollars each
        for (uint256 i = 0; i < 4; ++i) {
            address who = i == 3 ? TAKER : makers[i];
            token.mint(who, amount);
            vm.startPrank(who);
            token.approve(address(ch), amount);
            ch.deposit(amount);
            vm.stopPrank();
        }
    }

    /// @dev Everything a batch changes, flattened.
    function _state() internal view returns (int256[] memory out) {
        out = new int256[](16);
        for (uint256 i = 0; i < 4; ++i) {
            address who = i == 3 ? TAKER : makers[i];
            (out[3 * i], out[3 * i + 1]) = ch.position(who, marketId);
            (out[3 * i + 2], ) = ch.accountOf(who);
        }
        (int256 basis, uint256 oi, uint256 openPositions, , ) = ch.marketState(marketId);
        out[12] = basis;
        out[13] = int256(oi);
        out[14] = int256(openPositions) + int256(ch.insuranceFund()) * 1e6;
        out[15] = int256(ch.treasuryAccrued());
    }

    function batchExternal(VenueFill[] calldata fills) external {
        ch.tradeBatch(marketId, TAKER, bytes32(0), fills);
    }

    function sequentialExternal(VenueFill[] calldata fills) external {
        for (uint256 i = 0; i < fills.length; ++i) {
            ch.trade(marketId, fills[i].maker, TAKER, fills[i].takerSizeDelta, fills[i].price, bytes32(0));
        }
    }

    function testFuzz_tradeBatch_equalsSequentialTrades(
        int256 start,
        bool takerBuys,
        uint256[4] memory sizes,
        uint256[4] memory makerSeeds,
        uint256[4] memory priceSeeds
    ) public {
        // The taker starts long, short or flat against maker 0 (so fills reduce, cross zero or grow).
        start = int256(bound(uint256(start < 0 ? -(start % 40) : start % 40), 0, 40)) - 20;
        if (start != 0) ch.trade(marketId, makers[0], TAKER, start, 10e18, bytes32(0));
        VenueFill[] memory fills = new VenueFill[](4);
        for (uint256 i = 0; i < 4; ++i) {
            int256 size = int256(bound(sizes[i], 1, 25));
            // Prices within ±12 % of the index, on ticks: mostly inside the 10 % band, some outside.
            uint256 price = 8.8e18 + bound(priceSeeds[i], 0, 480) * 5e15;
            fills[i] = VenueFill(makers[makerSeeds[i] % 3], takerBuys ? size : -size, price, bytes32(0));
        }
        uint256 snapshot = vm.snapshotState();
        bool sequentialOk;
        try this.sequentialExternal(fills) {
            sequentialOk = true;
        } catch {}
        int256[] memory sequential = _state();
        vm.revertToState(snapshot);
        bool batchOk;
        try this.batchExternal(fills) {
            batchOk = true;
        } catch {}
        int256[] memory batched = _state();
        assertTrue(batchOk == sequentialOk, "both succeed or both fail");
        if (!batchOk) return;
        for (uint256 i = 0; i < sequential.length; ++i) {
            assertEq(batched[i], sequential[i], "same state");
        }
    }
}
