// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {Clearinghouse} from "../../../contracts/Clearinghouse.sol";
import {MarketParams, RiskParams, SettlementTerms} from "../../../contracts/interfaces/IClearinghouse.sol";
import {IIndexOracle, IIndexOracleReader} from "../../../contracts/interfaces/IIndexOracle.sol";
import {MockIndexOracle} from "../../../contracts/test/MockIndexOracle.sol";
import {MockERC20} from "../../../contracts/test/tokens/MockERC20.sol";
import {Vm} from "../utils/TestBase.sol";

/// @notice Drives the Clearinghouse at random over four accounts and two markets on two indices (cross
/// margin): deposits, trades, withdrawals (also with a stale index), index moves, liquidations,
/// deleveraging, pauses, time, expiry and settlement. It is the venue and the admin, and records what
/// the invariants check.
/// @dev The index comes from a `MockIndexOracle` here; the oracle hooks (`_newOracle`, `_setIndex`,
/// `_setStale`, `_fixFinalPrice`) let the whole-system handler (`SystemHandlerBase.sol`, beside this file)
/// put the real `IndexOracle` with signed reporter rounds behind the same actions.
contract ClearinghouseHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 internal constant TICK = 1e15;
    uint256 internal constant MARKETS = 2;

    Clearinghouse public ch;
    MockERC20 public token;
    MockIndexOracle public oracle;
    uint256 public unit;

    bytes32[2] internal _indexIds = [keccak256("ATPI-FRONTIER"), keccak256("GPU-H100")];
    bytes32[2] internal _marketIds;
    uint256[2] internal _expiries;
    uint256[2] internal _index = [uint256(10e18), uint256(2e18)];
    bool[2] internal _settled;
    address[4] internal _actors;
    /// @dev Private keys of `_actors` (they sign orders in `ProtocolInvariant.t.sol`).
    uint256[4] internal _keys;

    uint256 public totalIn;
    uint256 public totalOut;
    uint256 public trades;
    uint256 public liquidations;
    uint256 public settlements;
    bool public healthyLiquidated;
    bool public withdrewBelowInitialMargin;
    bool public freeWithdrawalBlocked;
    bool public payoutMismatch;
    bool public settledWithOpenPositions;
    /// @dev How often a run reaches the states the solvency invariants guard (issue 12): liquidations of an
    /// account already below zero equity, settlements of one, and markets whose claims were cut pro rata (a
    /// socialised loss). A check that never reaches its state proves nothing: the suites report these.
    uint256 public bankruptLiquidations;
    uint256 public bankruptSettlements;
    uint256 public socialisedLosses;
    /// @dev Overdrafts (a debit beyond a balance, `OverdraftLent`) the insurance fund lent some of, and those
    /// it could not lend all of (the rest written off against the market's pot, or cut from a fee or penalty).
    uint256 public overdraftsLent;
    uint256 public overdraftsWrittenOff;
    /// @dev Splits of the pending trade fees (`FeesSwept`): before the fund lends or pays, the treasury is
    /// withdrawn or the fee share changes. The books count the pending fees through the views all along.
    uint256 public feeSweeps;
    /// @dev Liquidations refused to an account below maintenance at the mark but not at the liquidation mark or
    /// at the index (the basis moved: the time-averaged basis has not followed, or the index has not put the
    /// account below the line at all): the state those two valuations guard.
    uint256 public liquidationsWaitingForTheAverage;
    /// @dev Of those refusals, the ones where the account was below maintenance at the time-averaged basis too,
    /// and only the index kept it (a basis move that had held, or a walk long enough).
    uint256 public refusalsAtTheIndexOnly;
    /// @dev Fills made by `walkMark`.
    uint256 public walkFills;
    /// @dev Liquidations that succeeded after one of the same account had been refused below maintenance at the
    /// mark only: the index moved (and the time average followed) and the account was below maintenance at all
    /// three.
    uint256 public liquidationsOnceTheAverageFollowed;
    mapping(address account => bool) internal _refusedAtMarkOnly;

    constructor(uint8 decimals) {
        token = new MockERC20("USD Coin", "USDC", decimals);
        IIndexOracleReader reader = _newOracle();
        AccessManager manager = new AccessManager(address(this));
        ch = new Clearinghouse(address(manager), IERC20Metadata(address(token)), reader, address(0xbeef));
        // Both oracles (the mock and `IndexOracle`, administered by this handler) push every value to it.
        IIndexOracle(address(reader)).setListener(address(ch));
        ch.setVenue(address(this), true);
        ch.setFeeShares(0.5e18, 0.5e18);
        unit = 10 ** decimals;
        RiskParams memory risk = _risk();
        for (uint256 i = 0; i < MARKETS; ++i) {
            _setIndex(i, _index[i]);
            _expiries[i] = vm.getBlockTimestamp() + (i + 1) * 20 days;
            _marketIds[i] = ch.createMarket(
                MarketParams(_indexIds[i], bytes32(0), uint64(_expiries[i]), 1_000e18, uint128(TICK), 1, 3_600),
                risk,
                SettlementTerms(3_600, 2 days)
            );
        }
        for (uint256 i = 0; i < 4; ++i) {
            _keys[i] = 0x1000 + i;
            _actors[i] = vm.addr(_keys[i]);
        }
        // The overdraft and fee-split counters read the Clearinghouse's events (`_countLogs`).
        vm.recordLogs();
    }

    function actors() external view returns (address[4] memory) {
        return _actors;
    }

    function marketIds() external view returns (bytes32[2] memory) {
        return _marketIds;
    }

    function settled(uint256 i) external view returns (bool) {
        return _settled[i];
    }

    function _actor(uint256 seed) internal view returns (address) {
        return _actors[seed % 4];
    }

    // ------------------------------------------------------------------ oracle hooks

    /// @dev Deploys the oracle the Clearinghouse reads (called from the constructor, before the markets).
    function _newOracle() internal virtual returns (IIndexOracleReader) {
        oracle = new MockIndexOracle();
        return oracle;
    }

    /// @dev Makes `value` the index of market `market`'s index (fresh, read at once).
    function _setIndex(uint256 market, uint256 value) internal virtual {
        oracle.setValue(_indexIds[market], value);
    }

    /// @dev Makes both indices stale (`stale`) or fresh again at their last values.
    function _setStale(bool stale) internal virtual {
        for (uint256 i = 0; i < MARKETS; ++i) oracle.setStale(_indexIds[i], stale);
    }

    /// @dev Fixes the final price of an expired market: proposes, waits the dispute window, finalizes.
    function _fixFinalPrice(uint256 market, bytes32 id) internal virtual {
        oracle.setTwap(_indexIds[market], _index[market]);
        ch.proposeSettlement(id);
        vm.warp(vm.getBlockTimestamp() + 3_600);
        ch.finalizeSettlement(id);
    }

    /// @dev The risk parameters the handler's markets start with.
    function _risk() internal pure returns (RiskParams memory) {
        return RiskParams({
            imr: 0.1e18,
            mmr: 0.05e18,
            liquidationPenalty: 0.02e18,
            maxPositionSize: 200,
            maxOpenInterest: 1_000,
            priceBand: 0.1e18,
            makerFee: 0.0002e18,
            takerFee: 0.0005e18,
            basisWeight: 0.2e18,
            maxBasisRate: 0.5e18,
            maxBasisStep: 0.1e18,
            basisDepth: 1
        });
    }

    /// @dev Settles every account of a finalized market twice (the second pass pays the claims recorded
    /// before the last position closed).
    function _settleAccounts(bytes32 id, address[] memory all) internal virtual {
        ch.settleMany(id, all);
        _noteClaimsCut(id);
        ch.settleMany(id, all);
    }

    /// @dev After the pass that closed the market's last slot: were the claims cut pro rata?
    function _noteClaimsCut(bytes32 id) internal {
        (, , , , uint256 collected, uint256 claimed, ) = ch.settlementState(id);
        (, , uint256 openPositions, , ) = ch.marketState(id);
        if (openPositions == 0 && collected < claimed) _claimsCut = true;
    }

    /// @dev Called after a trade through any venue succeeded in `market`.
    function _afterTrade(uint256 market) internal virtual {}

    /// @dev Called after `account` withdrew.
    function _afterWithdraw(address account) internal virtual {}

    /// @dev Called after a liquidation in `market` succeeded.
    function _afterLiquidation(uint256 market) internal virtual {}

    /// @dev The mark of `market`, or its last index when the oracle cannot be read (a stale index): the
    /// action is then still attempted, and must fail.
    function _markOrIndex(uint256 market) internal view returns (uint256) {
        try ch.markPrice(_marketIds[market]) returns (uint256 mark) {
            return mark;
        } catch {
            return _index[market];
        }
    }

    // ------------------------------------------------------------------ actions

    function deposit(uint256 who, uint256 dollars) external {
        address a = _actor(who);
        uint256 amount = (dollars % 50_000 + 1) * unit;
        token.mint(a, amount);
        vm.startPrank(a);
        token.approve(address(ch), amount);
        ch.deposit(amount);
        vm.stopPrank();
        totalIn += amount;
    }

    function depositInsurance(uint256 dollars) external {
        uint256 amount = (dollars % 5_000 + 1) * unit;
        token.mint(address(this), amount);
        token.approve(address(ch), amount);
        ch.depositInsurance(amount);
        totalIn += amount;
    }

    function withdraw(uint256 who, uint256 fraction) external {
        address a = _actor(who);
        (int256 balance, ) = ch.accountOf(a);
        if (balance <= 0) return;
        uint256 amount = (uint256(balance) * (fraction % 100 + 1)) / 100;
        if (amount == 0) return;
        _dropLogs();
        vm.prank(a);
        try ch.withdraw(amount) {
            _countLogs();
            totalOut += amount;
            _afterWithdraw(a);
            try ch.health(a) returns (int256 equity, uint256 im, uint256) {
                if (equity < int256(im)) withdrewBelowInitialMargin = true;
            } catch {
                // Health cannot be read (a stale index): the withdrawal must then have had no position
                // to check, which `_afterWithdraw` verifies in the whole-system handler.
            }
        } catch {
            _dropLogs();
        }
    }

    /// @dev With both indices stale and everything paused, an account without positions must still be
    /// able to withdraw its whole balance.
    function withdrawWhileStale(uint256 who) external {
        address a = _actor(who);
        (int256 balance, bytes32[] memory open) = ch.accountOf(a);
        if (balance <= 0 || open.length != 0) return;
        _setStale(true);
        ch.setGlobalPaused(true);
        _dropLogs();
        vm.prank(a);
        try ch.withdraw(uint256(balance)) {
            _countLogs();
            totalOut += uint256(balance);
        } catch {
            _dropLogs();
            freeWithdrawalBlocked = true;
        }
        ch.setGlobalPaused(false);
        _setStale(false);
    }

    function withdrawTreasury() external {
        uint256 accrued = ch.treasuryAccrued();
        _dropLogs();
        try ch.withdrawTreasury() {
            _countLogs();
            totalOut += accrued;
        } catch {
            _dropLogs();
        }
    }

    function trade(uint256 market, uint256 makerSeed, uint256 takerSeed, uint256 size, bool buy, uint256 offset) external {
        market %= MARKETS;
        if (vm.getBlockTimestamp() >= _expiries[market]) return;
        address maker = _actor(makerSeed);
        address taker = _actor(takerSeed);
        if (maker == taker) return;
        uint256 mark = _markOrIndex(market);
        // Within +-6 % of mark, on the tick.
        uint256 spread = (mark * (offset % 121)) / 1_000;
        uint256 price = ((mark + spread - (mark * 6) / 100) / TICK) * TICK;
        if (price == 0) return;
        int256 delta = int256(size % 30 + 1);
        _dropLogs();
        try ch.trade(_marketIds[market], maker, taker, buy ? delta : -delta, price, bytes32(0)) {
            _countLogs();
            ++trades;
            _afterTrade(market);
        } catch {
            _dropLogs();
        }
    }

    /// @dev A mark walk (issue 12): one fill a second 4 % from the mark, for three to twelve seconds, between two
    /// of the accounts (the walker on both sides, 1 contract each way, so its own position stays small), then
    /// one more second so the last fill's basis is the one the mark uses. The index does not move: an account
    /// the walk takes below maintenance at the mark is below it at the mark only until the liquidation basis's
    /// time average has followed (`liquidationsWaitingForTheAverage` counts the refusals).
    function walkMark(uint256 market, uint256 makerSeed, uint256 takerSeed, bool down, uint256 secondsSeed) external {
        market %= MARKETS;
        address maker = _actor(makerSeed);
        address taker = _actor(takerSeed);
        if (maker == taker) return;
        uint256 steps = secondsSeed % 10 + 3;
        for (uint256 i = 0; i <= steps; ++i) {
            if (vm.getBlockTimestamp() + 1 >= _expiries[market]) return;
            vm.warp(vm.getBlockTimestamp() + 1);
            if (i == steps) return;
            uint256 mark = _markOrIndex(market);
            // 4 % from the mark, on the tick: beyond what one second's step can follow at these markets' horizons.
            uint256 price = ((down ? (mark * 96) / 100 : (mark * 104) / 100) / TICK) * TICK;
            if (price == 0) return;
            _dropLogs();
            try ch.trade(_marketIds[market], maker, taker, i % 2 == 0 ? int256(1) : int256(-1), price, bytes32(0)) {
                _countLogs();
                ++trades;
                ++walkFills;
                _afterTrade(market);
            } catch {
                _dropLogs();
            }
        }
    }

    function moveIndex(uint256 market, uint256 bps, bool up) external {
        market %= MARKETS;
        if (_settled[market]) return;
        uint256 value = _index[market];
        uint256 step = (value * (bps % 900)) / 10_000;
        value = up ? value + step : value - step;
        if (value < 1e17) value = 1e17;
        _index[market] = value;
        _setIndex(market, value);
    }

    function liquidate(uint256 market, uint256 liquidatorSeed, uint256 who, uint256 size) external {
        market %= MARKETS;
        address liquidator = _actor(liquidatorSeed);
        address account = _actor(who);
        if (liquidator == account || vm.getBlockTimestamp() >= _expiries[market]) return;
        int256 pos = ch.positionSize(account, _marketIds[market]);
        if (pos == 0) return;
        (bool eligible, bool waiting, bool indexOnly) = _liquidationEligibility(account);
        uint256 amount = size % (pos > 0 ? uint256(pos) : uint256(-pos)) + 1;
        bool bankrupt = _equityBelowZero(account);
        _dropLogs();
        vm.prank(liquidator);
        try ch.liquidate(account, _marketIds[market], amount, pos > 0 ? type(uint256).max : 0) {
            _countLogs();
            if (!eligible) healthyLiquidated = true;
            ++liquidations;
            if (_refusedAtMarkOnly[account]) {
                ++liquidationsOnceTheAverageFollowed;
                _refusedAtMarkOnly[account] = false;
            }
            if (bankrupt) ++bankruptLiquidations;
            _afterLiquidation(market);
        } catch {
            _dropLogs();
            if (waiting) {
                ++liquidationsWaitingForTheAverage;
                if (indexOnly) ++refusalsAtTheIndexOnly;
                _refusedAtMarkOnly[account] = true;
            }
        }
    }

    /// @dev Whether a liquidation of `account` may succeed: `isLiquidatable`, and independently of it below
    /// maintenance at the marks (`health`), at the liquidation marks and at the index values (both valued here
    /// from positions, `liquidationMarkPrice` and the oracle); unreadable health (a stale index) counts as
    /// healthy. `waiting`: below maintenance at the mark but not at one of the other two (a basis move);
    /// `indexOnly`: of those, below at the liquidation marks too, kept by the index alone.
    function _liquidationEligibility(
        address account
    ) internal view returns (bool eligible, bool waiting, bool indexOnly) {
        bool flagged;
        try ch.isLiquidatable(account) returns (bool liquidatable) {
            flagged = liquidatable;
        } catch {}
        bool belowAtMark = _belowMaintenanceAtMark(account);
        bool belowAtLiquidationMark = _belowMaintenanceAt(account, false);
        bool belowAtIndex = _belowMaintenanceAt(account, true);
        bool belowAtAll = belowAtMark && belowAtLiquidationMark && belowAtIndex;
        waiting = belowAtMark && !(belowAtLiquidationMark && belowAtIndex);
        return (flagged && belowAtAll, waiting, waiting && belowAtLiquidationMark);
    }

    function _belowMaintenanceAtMark(address account) internal view returns (bool) {
        try ch.health(account) returns (int256 equity, uint256, uint256 mm) {
            return equity < int256(mm);
        } catch {
            return false;
        }
    }

    /// @dev Whether equity is below maintenance margin with every market at its `liquidationMarkPrice` (or, with
    /// `atIndex`, at the oracle's latest value before expiry and the settlement value from expiry on), computed
    /// from the account's balance and positions as `MarginLogic.health` values them (per-contract value rounded
    /// down, margin up).
    function _belowMaintenanceAt(address account, bool atIndex) internal view returns (bool) {
        (int256 balance, ) = ch.accountOf(account);
        int256 equity = balance * int256(10 ** (18 - uint256(token.decimals())));
        uint256 mm;
        for (uint256 i = 0; i < MARKETS; ++i) {
            (int256 size, int256 openNotional) = ch.position(account, _marketIds[i]);
            if (size == 0) {
                equity -= openNotional;
                continue;
            }
            uint256 mark;
            if (atIndex && vm.getBlockTimestamp() < _expiries[i]) {
                try IIndexOracleReader(ch.oracle()).latest(_indexIds[i]) returns (uint256 value, uint256) {
                    mark = value;
                } catch {
                    return false;
                }
            } else {
                // from expiry on the liquidation mark is the settlement value, which is also the index's
                try ch.liquidationMarkPrice(_marketIds[i]) returns (uint256 value) {
                    mark = value;
                } catch {
                    return false;
                }
            }
            uint256 v = (mark * ch.marketParams(_marketIds[i]).contractSize) / 1e18;
            equity += size * int256(v) - openNotional;
            uint256 notional = uint256(size < 0 ? -size : size) * v;
            mm += (notional * ch.riskParams(_marketIds[i]).mmr + 1e18 - 1) / 1e18;
        }
        return equity < int256(mm);
    }

    function deleverage(uint256 market, uint256 who, uint256 counterparty) external {
        address[] memory cps = new address[](1);
        cps[0] = _actor(counterparty);
        _dropLogs();
        try ch.deleverage(_actor(who), _marketIds[market % MARKETS], cps) {
            _countLogs();
        } catch {
            _dropLogs();
        }
    }

    function pause(uint256 market, bool global, bool on) external {
        if (global) ch.setGlobalPaused(on);
        else ch.setMarketPaused(_marketIds[market % MARKETS], on);
    }

    function warp(uint256 secondsAhead) external {
        vm.warp(vm.getBlockTimestamp() + (secondsAhead % (2 days)) + 1);
    }

    /// @dev After expiry: propose, wait the dispute window, finalize, settle everyone twice (the second
    /// pass pays the claims recorded before the last position closed) and check the payouts.
    function settleAll(uint256 market) external {
        _settleAll(market);
    }

    function _settleAll(uint256 market) internal {
        market %= MARKETS;
        if (_settled[market] || vm.getBlockTimestamp() < _expiries[market]) return;
        bytes32 id = _marketIds[market];
        _fixFinalPrice(market, id);
        _settled[market] = true;
        ++settlements;
        address[] memory all = new address[](4);
        for (uint256 i = 0; i < 4; ++i) {
            all[i] = _actors[i];
            if (ch.positionSize(_actors[i], id) != 0 && _equityBelowZero(_actors[i])) ++bankruptSettlements;
        }
        _dropLogs();
        _settleAccounts(id, all);
        _countLogs();
        (, , uint256 openPositions, , ) = ch.marketState(id);
        if (openPositions != 0) settledWithOpenPositions = true;
        for (uint256 i = 0; i < 4; ++i) {
            (int256 size, int256 claim) = ch.position(_actors[i], id);
            if (size != 0 || claim != 0) settledWithOpenPositions = true;
        }
        // Every claim is paid from what was left for claims, the last one taking exactly what remained: after
        // both passes nothing is left and nothing is still claimed (no dust outside the books). A market whose
        // claims were cut (what the losers and the fund paid fell short) is a socialised loss.
        (, , , , uint256 collected, uint256 claimed, ) = ch.settlementState(id);
        if (collected != 0 || claimed != 0) payoutMismatch = true;
        if (_claimsCut) ++socialisedLosses;
        _claimsCut = false;
    }

    /// @dev Set by `_settleAccounts` when, after the first pass, less was left for claims than claimed.
    bool internal _claimsCut;

    function _equityBelowZero(address account) internal view returns (bool) {
        try ch.health(account) returns (int256 equity, uint256, uint256) {
            return equity < 0;
        } catch {
            return false;
        }
    }

    bytes32 internal constant OVERDRAFT_LENT = keccak256("OverdraftLent(address,uint256,uint256)");
    bytes32 internal constant FEES_SWEPT = keccak256("FeesSwept(uint256,uint256)");

    /// @dev Counts the events of the calls since the last `_dropLogs` or `_countLogs`: the overdrafts
    /// (`OverdraftLent`), the fund lent some of or could not lend all of, and the splits of pending fees
    /// (`FeesSwept`). The log recorder also keeps the logs of calls that reverted (a reverted trade's lent
    /// overdraft, say), so a counted call is framed: `_dropLogs()` before it and in its `catch`, `_countLogs()`
    /// when it succeeded; only a state a call that succeeded reached is counted.
    function _countLogs() internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter != address(ch) || logs[i].topics.length == 0) continue;
            if (logs[i].topics[0] == FEES_SWEPT) ++feeSweeps;
            if (logs[i].topics[0] != OVERDRAFT_LENT) continue;
            (uint256 lent, uint256 writtenOff) = abi.decode(logs[i].data, (uint256, uint256));
            if (lent != 0) ++overdraftsLent;
            if (writtenOff != 0) ++overdraftsWrittenOff;
        }
    }

    /// @dev Discards the recorded logs: those of a call that reverted, or of calls before a counted one.
    function _dropLogs() internal {
        vm.getRecordedLogs();
    }

    /// @dev What the books say the Clearinghouse holds: the actors' positive balances (a negative one is owed to
    /// the fund and counted by nobody), the fund,
    /// the treasury's accrual and every market's pot (what its losers paid in and its claims have not taken out
    /// yet: before completion `collected - realisedNet`, after it what is left).
    function booked() external view returns (int256 total) {
        total = int256(uint256(ch.insuranceFund()) + ch.treasuryAccrued());
        for (uint256 i = 0; i < 4; ++i) {
            (int256 balance, ) = ch.accountOf(_actors[i]);
            if (balance > 0) total += balance;
        }
        for (uint256 m = 0; m < MARKETS; ++m) {
            (, , , uint256 finalPrice, uint256 collected, , int256 realisedNet) = ch.settlementState(_marketIds[m]);
            (, , uint256 openPositions, , ) = ch.marketState(_marketIds[m]);
            total += finalPrice != 0 && openPositions == 0 ? int256(collected) : int256(collected) - realisedNet;
        }
    }

    /// @dev What has been written off against the pots of markets without a final price (collateral units): what
    /// each market owes its holders at the mark (`size × unit value − cost basis`, escrowed gains included)
    /// beyond what its pot holds (`collected − realisedNet`). A loss written off is borne by the market's
    /// winners when settlement cuts their claims; until then their equity counts their gains in full.
    function pendingWriteOffs() external view returns (uint256 total) {
        uint256 scale = ch.collateralScale();
        for (uint256 m = 0; m < MARKETS; ++m) {
            bytes32 id = _marketIds[m];
            (, , , uint256 finalPrice, uint256 collected, , int256 realisedNet) = ch.settlementState(id);
            if (finalPrice != 0) continue;
            uint256 v;
            try ch.markPrice(id) returns (uint256 mark) {
                v = (mark * ch.marketParams(id).contractSize) / 1e18;
            } catch {
                continue;
            }
            int256 owes;
            for (uint256 i = 0; i < 4; ++i) {
                (int256 size, int256 notional) = ch.position(_actors[i], id);
                owes += size * int256(v) - notional;
            }
            // rounded up, so the tokens added to the check never fall short of the wad amount
            int256 owesTokens = owes > 0 ? (owes + int256(scale) - 1) / int256(scale) : owes / int256(scale);
            int256 gap = owesTokens - (int256(collected) - realisedNet);
            if (gap > 0) total += uint256(gap);
        }
    }

    /// @dev Whether every market is settled and every claim paid (no position or claim left).
    function allSettled() external view returns (bool) {
        for (uint256 i = 0; i < MARKETS; ++i) if (!_settled[i]) return false;
        return true;
    }
}
