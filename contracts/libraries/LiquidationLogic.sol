// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {IIndexOracleReader} from "../interfaces/IIndexOracle.sol";
import {Account, Layout, Market, Position} from "./ClearinghouseStorage.sol";
import {MarginLogic} from "./MarginLogic.sol";
import {WadMath} from "./WadMath.sol";

/// @title LiquidationLogic
/// @notice Liquidation, bad debt and auto-deleveraging, run by the Clearinghouse with `delegatecall`
/// on its own storage (an external library, linked at deployment, to keep the core under EIP-170).
library LiquidationLogic {
    using SafeCast for uint256;
    using SafeCast for int256;
    using WadMath for uint256;

    uint256 internal constant WAD = 1e18;
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
        Liq memory q = _assess(s, m, oracle, scale, account, marketId, priceLimit);
        uint256 maxSize = maxLiquidationSize(m, WadMath.abs(q.posSize), q.v, q.equity, q.mm);
        if (size > maxSize) revert IClearinghouse.LiquidationSizeTooLarge(size, maxSize);

        bool liquidatorIncreased = _takeOver(s, m, marketId, account, size, q);
        q.penalty = (size * q.v).wMulUp(m.liquidationPenalty).toTokenUp(scale);
        // The penalty never exceeds what the account has left above zero (its equity before this liquidation),
        // so no parameter setting can make a liquidation take more than the account has or make the fund
        // pay a reward.
        uint256 equityTokens = q.equity > 0 ? uint256(q.equity).toTokenDown(scale) : 0;
        if (q.penalty > equityTokens) q.penalty = equityTokens;
        q.reward = q.penalty.wMulDown(s.liquidatorShare);
        int256 accountTokens = MarginLogic.pnlToTokens(q.accountPnl, scale);
        accountTokens += _chargeAccount(s, account, q, accountTokens).toInt256();

        Account storage la = s.accounts[msg.sender];
        int256 liquidatorTokens = MarginLogic.pnlToTokens(q.liquidatorPnl, scale);
        la.balance = (int256(la.balance) + liquidatorTokens + q.reward.toInt256()).toInt128();
        // Both sides' realised profit and loss (the penalty is not: it goes to the fund and the liquidator).
        // Bad debt the fund pays is already in the account's debit: the fund's tokens make it whole.
        MarginLogic.addRealised(m, accountTokens + liquidatorTokens);
        if (liquidatorIncreased) MarginLogic.requireInitialMargin(s, oracle, scale, msg.sender);
        emit IClearinghouse.Liquidated(marketId, account, msg.sender, -q.delta, q.mark, q.penalty, q.reward);
    }

    /// @notice Bad debt left by a trade that closed an account's last position at a loss larger than its balance
    /// (a reducing trade is allowed whatever the margin): the fund pays what it can and what it cannot, at most
    /// the trade's realised loss `loss` (tokens), is written off against the market's pot, as in `liquidate`.
    /// Called by the Clearinghouse only in that case (balance below zero, no open market).
    function coverTradeDebt(Layout storage s, Market storage m, address account, uint256 loss) external {
        Account storage a = s.accounts[account];
        uint256 uncovered = MarginLogic.coverBadDebt(s, account, uint256(-int256(a.balance)));
        uint256 writtenOff = uncovered < loss ? uncovered : loss;
        MarginLogic.addRealised(m, writtenOff.toInt256());
        a.balance = (-(uncovered - writtenOff).toInt256()).toInt128();
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
    ) private view returns (Liq memory q) {
        q.posSize = s.positions[account][marketId].size;
        if (q.posSize == 0) revert IClearinghouse.NoPosition(account, marketId);
        MarginLogic.LiquidationHealth memory h = MarginLogic.liquidationHealth(s, oracle, scale, account);
        (q.equity, q.mm) = (h.equity, h.mm);
        if (q.equity >= int256(q.mm)) revert IClearinghouse.AccountHealthy(account, q.equity, q.mm);
        // Also below maintenance at the time-averaged basis (a basis walk counts only once it has held) and at
        // the index (a walk of the basis alone liquidates nobody the index has not put below the line; an
        // index move lowers all three at once).
        if (h.averagedEquity >= int256(h.averagedMm)) {
            revert IClearinghouse.AccountHealthy(account, h.averagedEquity, h.averagedMm);
        }
        if (h.indexEquity >= int256(h.indexMm)) revert IClearinghouse.AccountHealthy(account, h.indexEquity, h.indexMm);
        q.mark = MarginLogic.markPrice(m, oracle);
        if (q.posSize > 0 ? q.mark > priceLimit : q.mark < priceLimit) {
            revert IClearinghouse.PriceLimitExceeded(q.mark, priceLimit);
        }
        q.v = MarginLogic.unitValue(q.mark, m.contractSize);
    }

    /// @dev Moves `size` contracts from the account to the liquidator at mark; returns whether the
    /// liquidator's risk grew.
    function _takeOver(
        Layout storage s,
        Market storage m,
        bytes32 marketId,
        address account,
        uint256 size,
        Liq memory q
    ) private returns (bool liquidatorIncreased) {
        q.delta = q.posSize > 0 ? -int256(size) : int256(size);
        int256 accountNew;
        (, accountNew, q.accountPnl) = MarginLogic.updatePosition(s, m, marketId, account, q.delta, q.v);
        (q.liquidatorOld, q.liquidatorNew, q.liquidatorPnl) = MarginLogic.updatePosition(
            s,
            m,
            marketId,
            msg.sender,
            -q.delta,
            q.v
        );
        liquidatorIncreased = MarginLogic.increases(q.liquidatorOld, q.liquidatorNew);
        if (liquidatorIncreased && WadMath.abs(q.liquidatorNew) > m.maxPositionSize) {
            revert IClearinghouse.PositionSizeExceeded(msg.sender, WadMath.abs(q.liquidatorNew), m.maxPositionSize);
        }
        // Taking a position over never adds longs: the account's long shrinks by what the liquidator adds.
        q.oiDelta =
            MarginLogic.longDelta(q.posSize, accountNew) +
            MarginLogic.longDelta(q.liquidatorOld, q.liquidatorNew);
        m.openInterest = uint64(uint256(int256(uint256(m.openInterest)) + q.oiDelta));
    }

    /// @dev Debits realised PnL and penalty from the liquidated account; credits the insurance share. When the
    /// account has no positions left and a negative balance, that is bad debt: the fund (with its share of
    /// the penalty) pays what it can, and what it cannot (at most this
    /// liquidation's realised loss) is written off against this market's settlement pot, so the market's
    /// winners bear it pro rata at settlement (docs/clearinghouse.md, "Solvency"). Liquidation never reverts
    /// for bad debt. Returns the amount written off (tokens), which counts as not collected.
    function _chargeAccount(
        Layout storage s,
        address account,
        Liq memory q,
        int256 accountTokens
    ) private returns (uint256 writtenOff) {
        Account storage a = s.accounts[account];
        // The penalty is at most the account's equity (`liquidate`), so it never creates bad debt beyond a
        // rounding unit; no waiver is needed.
        int256 balance = int256(a.balance) + accountTokens - q.penalty.toInt256();
        s.insuranceFund = (uint256(s.insuranceFund) + q.penalty - q.reward).toUint128();
        if (balance < 0 && a.markets == 0) {
            uint256 uncovered = MarginLogic.coverBadDebt(s, account, uint256(-balance));
            uint256 loss = accountTokens < 0 ? uint256(-accountTokens) : 0;
            writtenOff = uncovered < loss ? uncovered : loss;
            // What neither the fund nor this market's pot answers for (a debt from before) stays on the account.
            balance = -(uncovered - writtenOff).toInt256();
        }
        a.balance = balance.toInt128();
    }

    /// @notice The largest size a liquidation of this position may take: what restores maintenance margin
    /// (rounded up), or the whole position when it is small or the rest would be under `minSize`.
    function maxLiquidationSize(
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
        Adl memory d = _bankruptcy(s, m, oracle, scale, account, marketId);
        // The waterfall: the whole fund pays first (the shortfall exceeds it), counterparties only the rest.
        if (d.fundPaid != 0) {
            Account storage a = s.accounts[account];
            a.balance = (int256(a.balance) + d.fundPaid.toInt256()).toInt128();
            MarginLogic.coverBadDebt(s, account, d.fundPaid);
        }
        for (uint256 i = 0; i < counterparties.length && d.remaining != 0; ++i) {
            _closeAgainst(s, m, marketId, counterparties[i], d);
        }
        m.openInterest = uint64(uint256(int256(uint256(m.openInterest)) + d.oiDelta));
        _settleBankrupt(s, d);
        MarginLogic.addRealised(m, d.realised);
    }

    /// @dev Checks the account is bankrupt beyond what the fund covers and computes the bankruptcy value.
    function _bankruptcy(
        Layout storage s,
        Market storage m,
        IIndexOracleReader oracle,
        uint256 scale,
        address account,
        bytes32 marketId
    ) private view returns (Adl memory d) {
        d.scale = scale;
        d.account = account;
        d.posSize = s.positions[account][marketId].size;
        if (d.posSize == 0) revert IClearinghouse.NoPosition(account, marketId);
        MarginLogic.LiquidationHealth memory h = MarginLogic.liquidationHealth(s, oracle, scale, account);
        int256 equity = h.equity;
        if (equity >= 0) revert IClearinghouse.NotBankrupt(account, equity);
        // Bankrupt at the time-averaged basis and at the index too (see `_assess`); the deficit is the one at
        // the mark.
        if (h.averagedEquity >= 0) revert IClearinghouse.NotBankrupt(account, h.averagedEquity);
        if (h.indexEquity >= 0) revert IClearinghouse.NotBankrupt(account, h.indexEquity);
        uint256 deficit = uint256(-equity);
        uint256 shortfall = deficit.toTokenUp(scale);
        uint256 fund = s.insuranceFund;
        if (shortfall <= fund) revert IClearinghouse.InsuranceCanCover(shortfall, fund);
        // The fund pays all it has first (credited by `deleverage`); counterparties absorb only the rest.
        d.fundPaid = fund;
        deficit -= fund * scale;
        uint256 v = MarginLogic.unitValue(MarginLogic.markPrice(m, oracle), m.contractSize);
        d.remaining = WadMath.abs(d.posSize);
        // Closing the whole position at vb lifts equity (with the fund's payment) to at least one collateral
        // unit above zero, so the final rounding down of the account's credit cannot leave a negative balance.
        uint256 gap = WadMath.mulDivUp(deficit + scale, 1, d.remaining);
        d.vb = d.posSize > 0 ? v + gap : (v > gap ? v - gap : 0);
        d.bankruptcyPrice = WadMath.mulDivDown(d.vb, WAD, m.contractSize);
    }

    /// @dev Credits the bankrupt account's realised PnL once; a negative balance with no positions left
    /// (only when a short's bankruptcy value is clamped at zero) is paid by the fund as far as it goes,
    /// the rest stays as the account's debt.
    function _settleBankrupt(Layout storage s, Adl memory d) private {
        Account storage a = s.accounts[d.account];
        int256 tokens = MarginLogic.pnlToTokens(d.accountPnl, d.scale);
        d.realised += tokens;
        int256 balance = int256(a.balance) + tokens;
        if (balance < 0 && a.markets == 0) {
            uint256 uncovered = MarginLogic.coverBadDebt(s, d.account, uint256(-balance));
            balance = -uncovered.toInt256();
        }
        a.balance = balance.toInt128();
    }

    function _closeAgainst(
        Layout storage s,
        Market storage m,
        bytes32 marketId,
        address counterparty,
        Adl memory d
    ) private {
        uint256 q = _takeable(s, marketId, counterparty, d);
        int256 delta = d.posSize > 0 ? -int256(q) : int256(q);
        {
            (int256 aPnl, int256 aOi) = _move(s, m, marketId, d.account, delta, d.vb);
            d.accountPnl += aPnl;
            d.oiDelta += aOi;
        }
        (int256 cPnl, int256 cOi) = _move(s, m, marketId, counterparty, -delta, d.vb);
        d.oiDelta += cOi;
        d.remaining -= q;
        Account storage ca = s.accounts[counterparty];
        int256 cTokens = MarginLogic.pnlToTokens(cPnl, d.scale);
        d.realised += cTokens;
        ca.balance = (int256(ca.balance) + cTokens).toInt128();
        emit IClearinghouse.Deleveraged(marketId, d.account, counterparty, -delta, d.bankruptcyPrice);
    }

    /// @dev Checks a counterparty (opposite side, in profit at the bankruptcy value) and returns how many
    /// contracts it closes.
    function _takeable(
        Layout storage s,
        bytes32 marketId,
        address counterparty,
        Adl memory d
    ) private view returns (uint256) {
        if (counterparty == d.account) revert IClearinghouse.SelfLiquidation(counterparty);
        Position storage cp = s.positions[counterparty][marketId];
        int256 cpSize = cp.size;
        if (cpSize == 0 || (cpSize > 0) == (d.posSize > 0)) {
            revert IClearinghouse.CounterpartyNotOpposite(counterparty, cpSize);
        }
        int256 cpPnl = cpSize * int256(d.vb) - cp.openNotional;
        if (cpPnl <= 0) revert IClearinghouse.CounterpartyNotProfitable(counterparty, cpPnl);
        uint256 cpAbs = WadMath.abs(cpSize);
        return cpAbs < d.remaining ? cpAbs : d.remaining;
    }

    function _move(
        Layout storage s,
        Market storage m,
        bytes32 marketId,
        address who,
        int256 delta,
        uint256 v
    ) private returns (int256 pnl, int256 oiDelta) {
        (int256 oldSize, int256 newSize, int256 realized) = MarginLogic.updatePosition(s, m, marketId, who, delta, v);
        return (realized, MarginLogic.longDelta(oldSize, newSize));
    }

    // ------------------------------------------------------------------ views

    /// @notice See `IClearinghouse.liquidationPrice`.
    function liquidationPrice(
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
        uint256 v = MarginLogic.unitValue(MarginLogic.markPrice(m, oracle), m.contractSize);
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
