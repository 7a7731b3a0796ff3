// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {IIndexOracleReader} from "../interfaces/IIndexOracle.sol";
import {Layout, Market, Position} from "./ClearinghouseStorage.sol";
import {MarginLogic} from "./MarginLogic.sol";
import {PositionMath} from "./PositionMath.sol";
import {WAD, WadMath} from "./WadMath.sol";

/// @title LiquidationLogic
/// @notice Liquidation, bad debt and auto-deleveraging, run by the Clearinghouse with `delegatecall`
/// on its own storage (an external library, linked at deployment, to keep the core under EIP-170).
library LiquidationLogic {
    using SafeCast for uint256;
    using SafeCast for int256;
    using WadMath for uint256;

    /// @notice A position whose notional at mark is at most this (wad dollars) may be liquidated whole.
    uint256 public constant SMALL_POSITION_NOTIONAL = 1_000e18;

    /// @dev Working values of one liquidation (keeps the stack shallow).
    struct Liq {
        int256 posSize;
        int256 equity;
        uint256 mm;
        uint256 mark;
        uint256 v;
        int256 delta;
        int256 accountPnl;
        int256 liquidatorOld;
        int256 liquidatorNew;
        int256 liquidatorPnl;
        int256 oiDelta;
        uint256 penalty;
        uint256 reward;
    }

    /// @notice See `IClearinghouse.liquidate`; the liquidator is `msg.sender`.
    function liquidate(
        Layout storage s,
        IIndexOracleReader oracle,
        uint256 scale,
        address account,
        bytes32 marketId,
        uint256 size,
        uint256 priceLimit
    ) external {
        if (msg.sender == account) revert IClearinghouse.SelfLiquidation(account);
        if (size == 0) revert IClearinghouse.ZeroSize();
        Market storage m = MarginLogic.market(s, marketId);
        if (block.timestamp >= m.expiry) revert IClearinghouse.MarketExpired(marketId, m.expiry);
        if (m.paused || s.globalPaused) revert IClearinghouse.MarketIsPaused(marketId);
        Liq memory liq = _assess(s, m, oracle, scale, account, marketId, priceLimit);
        uint256 maxSize = maxLiquidationSizeUp(m, WadMath.abs(liq.posSize), liq.v, liq.equity, liq.mm);
        if (size > maxSize) revert IClearinghouse.LiquidationSizeTooLarge(size, maxSize);

        bool liquidatorIncreased = _takeOver(s, m, marketId, account, size, liq);
        liq.penalty = (size * liq.v).wMulUp(m.liquidationPenalty).toTokenUp(scale);
        // The penalty never exceeds what the account has left above zero (its equity before this liquidation),
        // so no parameter setting can make a liquidation take more than the account has or make the fund
        // pay a reward.
        uint256 equityTokens = liq.equity > 0 ? uint256(liq.equity).toTokenDown(scale) : 0;
        if (liq.penalty > equityTokens) liq.penalty = equityTokens;
        liq.reward = liq.penalty.wMulDown(s.liquidatorShare);
        _book(s, m, scale, account, liq);
        if (liquidatorIncreased) MarginLogic.requireInitialMargin(s, oracle, scale, msg.sender);
        emit IClearinghouse.Liquidated(marketId, account, msg.sender, -liq.delta, liq.mark, liq.penalty, liq.reward);
    }

    /// @notice Credits `amount` (collateral units) to a negative balance `before` (the Clearinghouse's deposit slow
    /// path): the insurance fund, which lent the debt, is repaid first (`MarginLogic.changeBalance`).
    function credit(Layout storage s, address account, int256 before, uint256 amount) external {
        MarginLogic.changeBalance(s, account, before, amount.toInt256());
    }

    /// @notice One side's balance change from a trade (`delta`: realised profit and loss minus `fee`, collateral
    /// units) when the balance was or becomes negative (the Clearinghouse's slow path; a reducing trade is
    /// allowed whatever the margin): it goes through `MarginLogic.changeBalance`, so a debt is repaid to the fund
    /// first and an overdraft is lent by the fund. What the fund cannot lend cuts the fee first (a fee is charged
    /// only as far as the account or the fund pays it); the rest is written off against the market's pot, which
    /// then never counts it. Returns the fee charged.
    function chargeTrade(
        Layout storage s,
        Market storage m,
        address account,
        int256 before,
        int256 delta,
        uint256 fee
    ) external returns (uint256 charged) {
        uint256 unlent = MarginLogic.changeBalance(s, account, before, delta);
        if (unlent == 0) return fee;
        uint256 cut = unlent < fee ? unlent : fee;
        MarginLogic.addRealised(m, (unlent - cut).toInt256());
        return fee - cut;
    }

    /// @dev Checks the account is liquidatable and the mark within the caller's limit.
    function _assess(
        Layout storage s,
        Market storage m,
        IIndexOracleReader oracle,
        uint256 scale,
        address account,
        bytes32 marketId,
        uint256 priceLimit
    ) private view returns (Liq memory liq) {
        liq.posSize = s.positions[account][marketId].size;
        if (liq.posSize == 0) revert IClearinghouse.NoPosition(account, marketId);
        MarginLogic.LiquidationHealth memory h = MarginLogic.liquidationHealth(s, oracle, scale, account);
        (liq.equity, liq.mm) = (h.equity, h.mm);
        if (liq.equity >= int256(liq.mm)) revert IClearinghouse.AccountHealthy(account, liq.equity, liq.mm);
        // Also below maintenance at the time-averaged basis (a basis walk counts only once it has held) and at
        // the index (a walk of the basis alone liquidates nobody the index has not put below the line; an
        // index move lowers all three at once).
        if (h.averagedEquity >= int256(h.averagedMm)) {
            revert IClearinghouse.AccountHealthy(account, h.averagedEquity, h.averagedMm);
        }
        if (h.indexEquity >= int256(h.indexMm)) revert IClearinghouse.AccountHealthy(account, h.indexEquity, h.indexMm);
        liq.mark = MarginLogic.markPriceDown(s, m, oracle);
        if (liq.posSize > 0 ? liq.mark > priceLimit : liq.mark < priceLimit) {
            revert IClearinghouse.PriceLimitExceeded(liq.mark, priceLimit);
        }
        liq.v = PositionMath.unitValueDown(liq.mark, m.contractSize);
    }

    /// @dev Moves `size` contracts from the account to the liquidator at mark; returns whether the
    /// liquidator's risk grew.
    function _takeOver(
        Layout storage s,
        Market storage m,
        bytes32 marketId,
        address account,
        uint256 size,
        Liq memory liq
    ) private returns (bool liquidatorIncreased) {
        liq.delta = liq.posSize > 0 ? -int256(size) : int256(size);
        int256 accountNew;
        (, accountNew, liq.accountPnl) = MarginLogic.updatePosition(s, m, marketId, account, liq.delta, liq.v);
        (liq.liquidatorOld, liq.liquidatorNew, liq.liquidatorPnl) = MarginLogic.updatePosition(
            s,
            m,
            marketId,
            msg.sender,
            -liq.delta,
            liq.v
        );
        liquidatorIncreased = PositionMath.increasesRisk(liq.liquidatorOld, liq.liquidatorNew);
        if (liquidatorIncreased && WadMath.abs(liq.liquidatorNew) > m.maxPositionSize) {
            revert IClearinghouse.PositionSizeExceeded(msg.sender, WadMath.abs(liq.liquidatorNew), m.maxPositionSize);
        }
        // Taking a position over never adds longs: the account's long shrinks by what the liquidator adds.
        liq.oiDelta =
            PositionMath.longDelta(liq.posSize, accountNew) +
            PositionMath.longDelta(liq.liquidatorOld, liq.liquidatorNew);
        m.openInterest = uint64(uint256(int256(uint256(m.openInterest)) + liq.oiDelta));
    }

    /// @dev Books both sides' balances and the market's realised profit and loss: the account's (with the penalty,
    /// `_chargeAccount`) and the liquidator's (`msg.sender`: its realised PnL and the reward; its own realised
    /// loss can overdraw too). The pot counts both sides' realised profit and loss (the penalty is not: it goes
    /// to the fund and the liquidator) less what the fund could not lend of an overdraft.
    function _book(Layout storage s, Market storage m, uint256 scale, address account, Liq memory liq) private {
        int256 accountTokens = PositionMath.pnlToTokens(liq.accountPnl, scale);
        accountTokens += _chargeAccount(s, account, liq, accountTokens).toInt256();
        int256 liquidatorTokens = PositionMath.pnlToTokens(liq.liquidatorPnl, scale);
        uint256 unlent = MarginLogic.changeBalance(
            s,
            msg.sender,
            s.accounts[msg.sender].balance,
            liquidatorTokens + liq.reward.toInt256()
        );
        MarginLogic.addRealised(m, accountTokens + liquidatorTokens + unlent.toInt256());
    }

    /// @dev Debits realised PnL and penalty from the liquidated account; credits the insurance share. A debit
    /// that overdraws the balance is lent by the fund as far as it holds tokens (`MarginLogic.changeBalance`:
    /// the negative balance is then owed to the fund, whatever markets the account still has open); what the
    /// fund cannot lend cuts the penalty first (and the liquidator's reward with it), and the rest is written off
    /// against this market's settlement pot, so the market's winners bear it pro rata at settlement
    /// (docs/clearinghouse.md, "Solvency"). Liquidation never reverts for bad debt. Returns the amount written
    /// off (tokens), which counts as not collected.
    function _chargeAccount(
        Layout storage s,
        address account,
        Liq memory liq,
        int256 accountTokens
    ) private returns (uint256 writtenOff) {
        uint256 unlent = MarginLogic.changeBalance(
            s,
            account,
            s.accounts[account].balance,
            accountTokens - liq.penalty.toInt256()
        );
        if (unlent != 0) {
            uint256 cut = unlent < liq.penalty ? unlent : liq.penalty;
            liq.penalty -= cut;
            if (liq.reward > liq.penalty) liq.reward = liq.penalty;
            writtenOff = unlent - cut;
        }
        s.insuranceFund = (uint256(s.insuranceFund) + liq.penalty - liq.reward).toUint128();
    }

    /// @notice The largest size a liquidation of this position may take: what restores maintenance margin
    /// (rounded up), or the whole position when it is small or the rest would be under `minSize`.
    function maxLiquidationSizeUp(
        Market storage m,
        uint256 absPos,
        uint256 v,
        int256 equity,
        uint256 mm
    ) internal view returns (uint256) {
        if (absPos * v <= SMALL_POSITION_NOTIONAL) return absPos;
        // Each contract taken over lowers maintenance margin by v * mmr and equity by v * penalty.
        uint256 relief = v.wMulDown(uint256(m.mmr) - uint256(m.liquidationPenalty));
        if (relief == 0) return absPos;
        uint256 shortfall = uint256(int256(mm) - equity);
        uint256 needed = (shortfall + relief - 1) / relief;
        if (needed >= absPos || absPos - needed < m.minSize) return absPos;
        return needed;
    }

    // ------------------------------------------------------------------ auto-deleveraging

    /// @dev Working values of one deleveraging.
    struct Adl {
        int256 posSize;
        uint256 vb;
        uint256 remaining;
        int256 accountPnl;
        int256 oiDelta;
        uint256 bankruptcyPrice;
        uint256 scale;
        uint256 fundPaid;
        address account;
        // realised profit and loss credited to the counterparties and the account (collateral units)
        int256 realised;
    }

    /// @notice See `IClearinghouse.deleverage`.
    function deleverage(
        Layout storage s,
        IIndexOracleReader oracle,
        uint256 scale,
        address account,
        bytes32 marketId,
        address[] calldata counterparties
    ) external {
        if (counterparties.length == 0) revert IClearinghouse.NoCounterparties();
        Market storage m = MarginLogic.market(s, marketId);
        if (block.timestamp >= m.expiry) revert IClearinghouse.MarketExpired(marketId, m.expiry);
        // A pause (a suspect oracle, say) stops forced closes at a price derived from the mark, as it stops
        // liquidation.
        if (m.paused || s.globalPaused) revert IClearinghouse.MarketIsPaused(marketId);
        Adl memory adl = _bankruptcy(s, m, oracle, scale, account, marketId);
        // The waterfall: the whole fund pays first (the shortfall exceeds it), counterparties only the rest. A
        // payment into a negative balance (a debt to the fund) goes back to the fund, which then lends the
        // overdraft left when the position closes (`_settleBankrupt`).
        if (adl.fundPaid != 0) {
            MarginLogic.coverBadDebt(s, account, adl.fundPaid);
            MarginLogic.changeBalance(s, account, s.accounts[account].balance, adl.fundPaid.toInt256());
        }
        for (uint256 i = 0; i < counterparties.length && adl.remaining != 0; ++i) {
            _closeAgainst(s, m, marketId, counterparties[i], adl);
        }
        m.openInterest = uint64(uint256(int256(uint256(m.openInterest)) + adl.oiDelta));
        _settleBankrupt(s, adl);
        MarginLogic.addRealised(m, adl.realised);
    }

    /// @dev Checks the account is bankrupt beyond what the fund covers (the pending fees split first) and computes
    /// the bankruptcy value.
    function _bankruptcy(
        Layout storage s,
        Market storage m,
        IIndexOracleReader oracle,
        uint256 scale,
        address account,
        bytes32 marketId
    ) private returns (Adl memory adl) {
        adl.scale = scale;
        adl.account = account;
        adl.posSize = s.positions[account][marketId].size;
        if (adl.posSize == 0) revert IClearinghouse.NoPosition(account, marketId);
        MarginLogic.LiquidationHealth memory h = MarginLogic.liquidationHealth(s, oracle, scale, account);
        int256 equity = h.equity;
        if (equity >= 0) revert IClearinghouse.NotBankrupt(account, equity);
        // Bankrupt at the time-averaged basis and at the index too (see `_assess`); the deficit is the one at
        // the mark.
        if (h.averagedEquity >= 0) revert IClearinghouse.NotBankrupt(account, h.averagedEquity);
        if (h.indexEquity >= 0) revert IClearinghouse.NotBankrupt(account, h.indexEquity);
        uint256 deficit = uint256(-equity);
        uint256 shortfall = deficit.toTokenUp(scale);
        // The fund with its share of the trade fees waiting to be split (split first, as every payment does).
        uint256 fund = MarginLogic.sweepFees(s);
        if (shortfall <= fund) revert IClearinghouse.InsuranceCanCover(shortfall, fund);
        // The fund pays all it has first (credited by `deleverage`); counterparties absorb only the rest.
        adl.fundPaid = fund;
        deficit -= fund * scale;
        uint256 v = PositionMath.unitValueDown(MarginLogic.markPriceDown(s, m, oracle), m.contractSize);
        adl.remaining = WadMath.abs(adl.posSize);
        // Closing the whole position at vb lifts equity (with the fund's payment) to at least one collateral
        // unit above zero, so the final rounding down of the account's credit cannot leave a negative balance.
        uint256 gap = WadMath.mulDivUp(deficit + scale, 1, adl.remaining);
        adl.vb = adl.posSize > 0 ? v + gap : (v > gap ? v - gap : 0);
        adl.bankruptcyPrice = WadMath.mulDivDown(adl.vb, WAD, m.contractSize);
    }

    /// @dev Credits the bankrupt account's realised PnL once (`MarginLogic.changeBalance`): an overdraft (when a
    /// short's bankruptcy value is clamped at zero, or the account owed the fund before) is lent by the fund as
    /// far as it goes, and what it cannot lend is not counted as paid by this market's pot.
    function _settleBankrupt(Layout storage s, Adl memory adl) private {
        int256 tokens = PositionMath.pnlToTokens(adl.accountPnl, adl.scale);
        uint256 unlent = MarginLogic.changeBalance(s, adl.account, s.accounts[adl.account].balance, tokens);
        adl.realised += tokens + unlent.toInt256();
    }

    function _closeAgainst(
        Layout storage s,
        Market storage m,
        bytes32 marketId,
        address counterparty,
        Adl memory adl
    ) private {
        uint256 take = _takeable(s, marketId, counterparty, adl);
        int256 delta = adl.posSize > 0 ? -int256(take) : int256(take);
        {
            (int256 aPnl, int256 aOi) = _move(s, m, marketId, adl.account, delta, adl.vb);
            adl.accountPnl += aPnl;
            adl.oiDelta += aOi;
        }
        (int256 cPnl, int256 cOi) = _move(s, m, marketId, counterparty, -delta, adl.vb);
        adl.oiDelta += cOi;
        adl.remaining -= take;
        int256 cTokens = PositionMath.pnlToTokens(cPnl, adl.scale);
        // A counterparty's gain repays its own debt to the fund first, if it has one.
        uint256 unlent = MarginLogic.changeBalance(s, counterparty, s.accounts[counterparty].balance, cTokens);
        adl.realised += cTokens + unlent.toInt256();
        emit IClearinghouse.Deleveraged(marketId, adl.account, counterparty, -delta, adl.bankruptcyPrice);
    }

    /// @dev Checks a counterparty (opposite side, in profit at the bankruptcy value) and returns how many
    /// contracts it closes.
    function _takeable(
        Layout storage s,
        bytes32 marketId,
        address counterparty,
        Adl memory adl
    ) private view returns (uint256) {
        if (counterparty == adl.account) revert IClearinghouse.SelfLiquidation(counterparty);
        Position storage cp = s.positions[counterparty][marketId];
        int256 cpSize = cp.size;
        if (cpSize == 0 || (cpSize > 0) == (adl.posSize > 0)) {
            revert IClearinghouse.CounterpartyNotOpposite(counterparty, cpSize);
        }
        int256 cpPnl = cpSize * int256(adl.vb) - cp.openNotional;
        if (cpPnl <= 0) revert IClearinghouse.CounterpartyNotProfitable(counterparty, cpPnl);
        uint256 cpAbs = WadMath.abs(cpSize);
        return cpAbs < adl.remaining ? cpAbs : adl.remaining;
    }

    function _move(
        Layout storage s,
        Market storage m,
        bytes32 marketId,
        address who,
        int256 delta,
        uint256 v
    ) private returns (int256 pnl, int256 oiDelta) {
        (int256 oldSize, int256 newSize, int256 realised) = MarginLogic.updatePosition(s, m, marketId, who, delta, v);
        return (realised, PositionMath.longDelta(oldSize, newSize));
    }

    // ------------------------------------------------------------------ views

    /// @notice See `IClearinghouse.liquidationPrice`: the price rounded down, as `liquidationPriceDown` in
    /// `sdk/core/math/margin.ts`.
    function liquidationPriceDown(
        Layout storage s,
        IIndexOracleReader oracle,
        uint256 scale,
        address account,
        bytes32 marketId
    ) external view returns (uint256) {
        Market storage m = MarginLogic.market(s, marketId);
        int256 size = s.positions[account][marketId].size;
        if (size == 0) return 0;
        (int256 equity, , uint256 mm) = MarginLogic.health(s, oracle, scale, account);
        uint256 v = PositionMath.unitValueDown(MarginLogic.markPriceDown(s, m, oracle), m.contractSize);
        uint256 absSize = WadMath.abs(size);
        uint256 mmr = m.mmr;
        // Equity and maintenance margin without this position's mark value: A + size * x = mmOther + |size| x mmr.
        int256 rest = equity - size * int256(v);
        int256 mmOther = int256(mm) - int256((absSize * v).wMulUp(mmr));
        uint256 x;
        if (size > 0) {
            if (mmOther <= rest) return 0;
            x = WadMath.mulDivDown(uint256(mmOther - rest), WAD, absSize * (WAD - mmr));
        } else {
            if (rest <= mmOther) return 0;
            x = WadMath.mulDivDown(uint256(rest - mmOther), WAD, absSize * (WAD + mmr));
        }
        return WadMath.mulDivDown(x, WAD, m.contractSize);
    }
}
