// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {IIndexOracleReader} from "../interfaces/IIndexOracle.sol";
import {Account, Layout, Market, Position} from "./ClearinghouseStorage.sol";
import {MarginLogic} from "./MarginLogic.sol";
import {WadMath} from "./WadMath.sol";

/// @title SettlementLogic
/// @notice Expiry settlement: propose, dispute, resolve, finalize, then settle positions one by one or in
/// batches. Run by the Clearinghouse with `delegatecall` on its own storage.
/// @dev Losses are debited as positions settle, gains become claims; once the market's open-position
/// count is zero the claims are paid, pro rata if what was collected, net of the profit and loss realised
/// before settlement, is less than claimed.
library SettlementLogic {
    using SafeCast for uint256;
    using SafeCast for int256;
    using WadMath for uint256;

    /// @dev The market's settlement accumulators, loaded once per call and stored once.
    struct Tally {
        uint256 unitValue;
        uint256 collected;
        uint256 claimed;
        uint256 openPositions;
        uint256 openInterest;
        uint32 index;
    }

    /// @notice See `IClearinghouse.proposeSettlement`.
    function propose(Layout storage s, IIndexOracleReader oracle, bytes32 marketId) external {
        Market storage m = MarginLogic.market(s, marketId);
        uint256 expiry = m.expiry;
        if (block.timestamp < expiry) revert IClearinghouse.MarketNotExpired(marketId, expiry);
        if (m.finalPrice != 0) revert IClearinghouse.MarketAlreadySettled(marketId);
        if (m.proposedAt != 0) revert IClearinghouse.SettlementAlreadyProposed(marketId);
        uint256 price = oracle.twap(m.indexId, expiry - m.settlementWindow, expiry);
        if (price == 0) revert IClearinghouse.ZeroSettlementPrice(marketId);
        m.proposedPrice = price.toUint128();
        m.proposedAt = uint40(block.timestamp);
        emit IClearinghouse.SettlementProposed(marketId, price);
    }

    /// @notice See `IClearinghouse.disputeSettlement`.
    function dispute(Layout storage s, bytes32 marketId) external {
        Market storage m = MarginLogic.market(s, marketId);
        if (m.finalPrice != 0) revert IClearinghouse.MarketAlreadySettled(marketId);
        uint256 proposedAt = m.proposedAt;
        if (proposedAt == 0) revert IClearinghouse.SettlementNotProposed(marketId);
        if (m.disputed) revert IClearinghouse.SettlementAlreadyDisputed(marketId);
        uint256 closesAt = proposedAt + m.disputeWindow;
        if (block.timestamp >= closesAt) revert IClearinghouse.DisputeWindowClosed(marketId, closesAt);
        m.disputed = true;
        emit IClearinghouse.SettlementDisputed(marketId);
    }

    /// @notice See `IClearinghouse.resolveSettlement`.
    function resolve(Layout storage s, IIndexOracleReader oracle, bytes32 marketId, uint256 price) external {
        Market storage m = MarginLogic.market(s, marketId);
        if (m.finalPrice != 0) revert IClearinghouse.MarketAlreadySettled(marketId);
        if (!m.disputed) revert IClearinghouse.SettlementNotDisputed(marketId);
        if (price == 0) revert IClearinghouse.ZeroSettlementPrice(marketId);
        uint256 expiry = m.expiry;
        (uint256 lo, uint256 hi) = oracle.range(m.indexId, expiry - m.settlementWindow, expiry);
        if (price < lo || price > hi) revert IClearinghouse.SettlementPriceOutOfRange(price, lo, hi);
        _finalize(s, m, marketId, price, true, false);
    }

    /// @notice See `IClearinghouse.finalizeSettlement`.
    function finalize(Layout storage s, IIndexOracleReader oracle, bytes32 marketId) external {
        Market storage m = MarginLogic.market(s, marketId);
        if (m.finalPrice != 0) revert IClearinghouse.MarketAlreadySettled(marketId);
        uint256 expiry = m.expiry;
        if (block.timestamp < expiry) revert IClearinghouse.MarketNotExpired(marketId, expiry);
        uint256 proposedAt = m.proposedAt;
        bool undisputed = proposedAt != 0 && !m.disputed;
        uint256 windowEnd = proposedAt + m.disputeWindow;
        if (undisputed && block.timestamp >= windowEnd) {
            _finalize(s, m, marketId, m.proposedPrice, false, false);
            return;
        }
        uint256 deadline = expiry + m.fallbackDelay;
        if (block.timestamp < deadline) {
            revert IClearinghouse.SettlementNotReady(marketId, undisputed && windowEnd < deadline ? windowEnd : deadline);
        }
        // The fallback averages whatever rounds exist, however old, so it answers whenever the index has a
        // value (market creation requires one): no market stays unsettled for want of fresh rounds.
        uint256 price = oracle.fallbackTwap(m.indexId, expiry - m.settlementWindow, expiry);
        if (price == 0) revert IClearinghouse.ZeroSettlementPrice(marketId);
        _finalize(s, m, marketId, price, false, true);
    }

    function _finalize(
        Layout storage s,
        Market storage m,
        bytes32 marketId,
        uint256 price,
        bool resolved,
        bool fallbackUsed
    ) private {
        m.finalPrice = price.toUint128();
        m.finalUnitValue = MarginLogic.unitValue(price, m.contractSize).toUint128();
        // The accumulators are stored plus one, so the first `settle` does not pay for a fresh slot.
        m.collected = 1;
        m.claimed = 1;
        emit IClearinghouse.SettlementFinalized(marketId, price, resolved, fallbackUsed);
        if (m.openPositions == 0) {
            Tally memory t;
            _complete(s, m, marketId, t);
        }
    }

    /// @notice See `IClearinghouse.settle`.
    function settle(
        Layout storage s,
        uint256 scale,
        address account,
        bytes32 marketId
    ) external {
        Market storage m = s.markets[marketId];
        Tally memory t = _load(m, marketId);
        if (!_settleOne(s, m, t, marketId, account, scale)) {
            if (s.positions[account][marketId].openNotional > 0) {
                revert IClearinghouse.ClaimNotYetPayable(account, marketId, t.openPositions);
            }
            revert IClearinghouse.NothingToSettle(account, marketId);
        }
        _store(m, t);
    }

    /// @notice See `IClearinghouse.settleMany`.
    function settleMany(
        Layout storage s,
        uint256 scale,
        bytes32 marketId,
        address[] calldata accounts
    ) external {
        Market storage m = s.markets[marketId];
        Tally memory t = _load(m, marketId);
        for (uint256 i = 0; i < accounts.length; ++i) {
            _settleOne(s, m, t, marketId, accounts[i], scale);
        }
        _store(m, t);
    }

    /// @notice See `IClearinghouse.coverDebt`.
    function coverDebt(Layout storage s, address account) external {
        Account storage a = s.accounts[account];
        int256 balance = a.balance;
        uint128 list = a.markets;
        if (balance >= 0 || list != 0) {
            revert IClearinghouse.NoDebtToCover(account, balance, _openLanes(list));
        }
        if (s.insuranceFund == 0) revert IClearinghouse.InsuranceFundEmpty(account, uint256(-balance));
        _coverRest(s, a, account);
    }

    /// @dev How many of the eight 16-bit open-market lanes of `list` are in use.
    function _openLanes(uint128 list) private pure returns (uint256 n) {
        for (; list != 0; list >>= 16) {
            if (list & 0xffff != 0) ++n;
        }
    }

    function _load(Market storage m, bytes32 marketId) private view returns (Tally memory t) {
        t.unitValue = m.finalUnitValue;
        if (m.finalPrice == 0) {
            if (m.contractSize == 0) revert IClearinghouse.UnknownMarket(marketId);
            revert IClearinghouse.MarketNotSettled(marketId);
        }
        // Stored plus one (see `_finalize`); both are at least one once the final price is set.
        t.collected = m.collected - 1;
        t.claimed = m.claimed - 1;
        t.openPositions = m.openPositions;
        t.openInterest = m.openInterest;
        t.index = m.index;
    }

    function _store(Market storage m, Tally memory t) private {
        m.collected = (t.collected + 1).toUint128();
        m.claimed = (t.claimed + 1).toUint128();
        m.openPositions = uint32(t.openPositions);
        m.openInterest = uint64(t.openInterest);
    }

    /// @dev Settles one account; returns false when it had nothing to settle or to be paid. A slot holds a
    /// position (`size != 0`), an escrowed gain realised before expiry (`size == 0`, `openNotional < 0`,
    /// closed here into a claim like any winning position), or, once closed, a claim (`size == 0`,
    /// `openNotional > 0`, paid when every slot of the market is closed).
    function _settleOne(
        Layout storage s,
        Market storage m,
        Tally memory t,
        bytes32 marketId,
        address account,
        uint256 scale
    ) private returns (bool) {
        Position storage p = s.positions[account][marketId];
        int256 size = p.size;
        int256 notional = p.openNotional;
        if (size == 0 && notional >= 0) {
            if (notional == 0 || t.openPositions != 0) return false;
            delete s.positions[account][marketId];
            _pay(s, t, marketId, account, uint256(notional));
            return true;
        }
        uint256 claimAmount = _close(s, t, p, marketId, account, size, scale);
        --t.openPositions;
        // Open interest is the sum of long sizes; a settled long leaves it.
        if (size > 0) t.openInterest -= uint256(size);
        if (t.openPositions == 0) {
            _complete(s, m, marketId, t);
            if (claimAmount != 0) {
                p.openNotional = 0;
                _pay(s, t, marketId, account, claimAmount);
            }
        }
        return true;
    }

    /// @dev Closes a slot at the final value: a loss is debited, a gain is kept as a claim in the slot.
    /// A loss that leaves the account's equity (its other open markets valued as `MarginLogic.markPrice`
    /// values them) below zero is bad debt: the part of it this market's loss accounts for, pro rata to
    /// the account's losses still open elsewhere, is drawn from the insurance fund and what the fund cannot
    /// pay reduces what this market collected (its winners bear it). The share does not depend on the
    /// order the account's markets settle in (docs/clearinghouse.md, "Solvency").
    function _close(
        Layout storage s,
        Tally memory t,
        Position storage p,
        bytes32 marketId,
        address account,
        int256 size,
        uint256 scale
    ) private returns (uint256 claimAmount) {
        Account storage a = s.accounts[account];
        uint128 list = MarginLogic.removeMarket(a.markets, t.index);
        a.markets = list;
        int256 pnl = size * int256(t.unitValue) - p.openNotional;
        if (pnl < 0) {
            uint256 loss = uint256(-pnl).toTokenUp(scale);
            uint256 unpaid = _debit(s, scale, a, account, list, loss);
            t.collected += loss - unpaid;
            delete s.positions[account][marketId];
            emit IClearinghouse.PositionSettled(marketId, account, size, -loss.toInt256());
        } else {
            claimAmount = uint256(pnl).toTokenDown(scale);
            t.claimed += claimAmount;
            p.size = 0;
            p.openNotional = claimAmount.toInt256().toInt128();
            emit IClearinghouse.PositionSettled(marketId, account, size, claimAmount.toInt256());
            if (claimAmount == 0 && list == 0) _coverRest(s, a, account);
        }
    }

    /// @dev Debits a settlement loss; returns the part of it nobody paid (bad debt the fund could not cover).
    function _debit(
        Layout storage s,
        uint256 scale,
        Account storage a,
        address account,
        uint128 list,
        uint256 loss
    ) private returns (uint256 unpaid) {
        int256 balance = int256(a.balance) - loss.toInt256();
        a.balance = balance.toInt128();
        if (balance >= 0) return 0;
        (uint256 share, uint256 deficit) = _badDebtShare(s, scale, account, list, loss);
        if (share == 0) return 0;
        // The fund pays the same fraction of every share of one deficit (all of it when the fund covers the
        // whole deficit), so which of the account's markets settles first does not decide whom it helps.
        uint256 fund = s.insuranceFund;
        // With other markets open the fund pays the same fraction of each of their shares (order-independent);
        // for the last open market it pays what it can of this share, then of any older debt (`_coverRest`).
        uint256 fromFund;
        if (list == 0) fromFund = fund < share ? fund : share;
        else fromFund = fund >= deficit ? share : WadMath.mulDivDown(fund, share, deficit);
        MarginLogic.coverBadDebt(s, account, fromFund);
        unpaid = share - fromFund;
        a.balance = (balance + share.toInt256()).toInt128();
        if (list == 0) _coverRest(s, a, account);
    }

    /// @dev An account left with no open market and a negative balance after its share was written off (a debt
    /// older than this market's loss, already counted as paid where it arose): the fund pays what it can.
    function _coverRest(Layout storage s, Account storage a, address account) private {
        int256 balance = a.balance;
        if (balance >= 0) return;
        uint256 uncovered = MarginLogic.coverBadDebt(s, account, uint256(-balance));
        a.balance = -uncovered.toInt256().toInt128();
    }

    /// @dev The bad debt a settlement loss of `loss` tokens leaves that this market answers for (`share`, tokens)
    /// and the account's whole bad debt it is a share of (`deficit`): with no other open market, the negative
    /// balance, of which this market answers for at most `loss`; otherwise the account's negative equity
    /// (rounded up), of which this market answers for `loss / (loss + other open losses)`, rounded down, at
    /// most `loss`. Zero when the account's other positions still cover its balance.
    function _badDebtShare(
        Layout storage s,
        uint256 scale,
        address account,
        uint128 list,
        uint256 loss
    ) private view returns (uint256 share, uint256 deficit) {
        if (list == 0) {
            deficit = uint256(-int256(s.accounts[account].balance));
            return (deficit < loss ? deficit : loss, deficit);
        }
        // Valued through the Clearinghouse's own view (this library runs in its context), so that an open market
        // that cannot be valued now (a stale index) does not block this settlement: nothing is written off
        // then, and the negative balance stays backed by the account's other positions until they close.
        int256 equity;
        uint256 openLosses;
        try IClearinghouse(address(this)).equityAndOpenLosses(account) returns (int256 e, uint256 losses) {
            (equity, openLosses) = (e, losses);
        } catch {
            return (0, 0);
        }
        if (equity >= 0) return (0, 0);
        deficit = uint256(-equity).toTokenUp(scale);
        share = WadMath.mulDivDown(deficit, loss, loss + openLosses.toTokenDown(scale));
        if (share > loss) share = loss;
    }

    /// @dev The last position closed. The market's tokens for claims are what the settlement losers paid
    /// minus the net profit and loss already realised into balances before settlement (early winners were
    /// paid from it; early losers' payments are in it):
    /// `available = collected - realisedNet`. Claims are paid in full when `available >= claimed`, the
    /// surplus (rounding in the protocol's favour, bad debt the fund covered) going to the insurance fund;
    /// else pro rata to `available / claimed`, rounded down; if `available <= 0` (bad debt nobody covered
    /// exceeded everything the settlement losers paid), claims are paid nothing: the loss is socialised
    /// over the winners. From here on `collected` holds what is available for claims (at most `claimed`).
    function _complete(Layout storage s, Market storage m, bytes32 marketId, Tally memory t) private {
        // Stored plus one from creation on (see `Clearinghouse.createMarket`).
        int256 realisedNet = m.realisedNet - 1;
        // Both sides fit in 129 bits, far from int256's range.
        int256 available = int256(t.collected) - realisedNet;
        uint256 surplus;
        if (available >= int256(t.claimed)) {
            surplus = uint256(available) - t.claimed;
            if (surplus != 0) s.insuranceFund = (uint256(s.insuranceFund) + surplus).toUint128();
            emit IClearinghouse.SettlementCompleted(marketId, t.collected, t.claimed, realisedNet, surplus);
            t.collected = t.claimed;
        } else {
            emit IClearinghouse.SettlementCompleted(marketId, t.collected, t.claimed, realisedNet, 0);
            t.collected = available > 0 ? uint256(available) : 0;
        }
        m.collected = (t.collected + 1).toUint128();
    }

    /// @dev Pays one claim from what is left for claims: in full when enough is left, else pro rata to what is
    /// left over what is still claimed, rounded down. The last claim paid takes exactly what is left, so no
    /// rounding dust stays outside the books; the rounding moves at most one token unit between claimants.
    function _pay(Layout storage s, Tally memory t, bytes32 marketId, address account, uint256 claim) private {
        uint256 amount = t.collected >= t.claimed ? claim : WadMath.mulDivDown(claim, t.collected, t.claimed);
        t.collected -= amount;
        t.claimed -= claim;
        Account storage a = s.accounts[account];
        a.balance = (int256(a.balance) + amount.toInt256()).toInt128();
        emit IClearinghouse.ClaimPaid(marketId, account, amount);
        // A claim that was backing a negative balance and came in short: the fund pays what it can.
        if (a.markets == 0) _coverRest(s, a, account);
    }
}
