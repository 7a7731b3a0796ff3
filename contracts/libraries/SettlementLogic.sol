// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {IIndexOracleReader} from "../interfaces/IIndexOracle.sol";
import {Account, Layout, Market, Position} from "./ClearinghouseStorage.sol";
import {MarginLogic} from "./MarginLogic.sol";
import {PositionMath} from "./PositionMath.sol";
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
        m.finalUnitValue = PositionMath.unitValueDown(price, m.contractSize).toUint128();
        // The accumulators are stored plus one, so the first `settle` does not pay for a fresh slot.
        m.collected = 1;
        m.claimed = 1;
        emit IClearinghouse.SettlementFinalized(marketId, price, resolved, fallbackUsed);
        if (m.openPositions == 0) {
            Tally memory tally;
            _complete(s, m, marketId, tally);
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
        Tally memory tally = _load(m, marketId);
        if (!_settleOne(s, m, tally, marketId, account, scale)) {
            if (s.positions[account][marketId].openNotional > 0) {
                revert IClearinghouse.ClaimNotYetPayable(account, marketId, tally.openPositions);
            }
            revert IClearinghouse.NothingToSettle(account, marketId);
        }
        _store(m, tally);
    }

    /// @notice See `IClearinghouse.settleMany`.
    function settleMany(
        Layout storage s,
        uint256 scale,
        bytes32 marketId,
        address[] calldata accounts
    ) external {
        Market storage m = s.markets[marketId];
        Tally memory tally = _load(m, marketId);
        for (uint256 i = 0; i < accounts.length; ++i) {
            _settleOne(s, m, tally, marketId, accounts[i], scale);
        }
        _store(m, tally);
    }

    function _load(Market storage m, bytes32 marketId) private view returns (Tally memory tally) {
        tally.unitValue = m.finalUnitValue;
        if (m.finalPrice == 0) {
            if (m.contractSize == 0) revert IClearinghouse.UnknownMarket(marketId);
            revert IClearinghouse.MarketNotSettled(marketId);
        }
        // Stored plus one (see `_finalize`); both are at least one once the final price is set.
        tally.collected = m.collected - 1;
        tally.claimed = m.claimed - 1;
        tally.openPositions = m.openPositions;
        tally.openInterest = m.openInterest;
        tally.index = m.index;
    }

    function _store(Market storage m, Tally memory tally) private {
        m.collected = (tally.collected + 1).toUint128();
        m.claimed = (tally.claimed + 1).toUint128();
        m.openPositions = uint32(tally.openPositions);
        m.openInterest = uint64(tally.openInterest);
    }

    /// @dev Settles one account; returns false when it had nothing to settle or to be paid. A slot holds a
    /// position (`size != 0`), an escrowed gain realised before expiry (`size == 0`, `openNotional < 0`,
    /// closed here into a claim like any winning position), or, once closed, a claim (`size == 0`,
    /// `openNotional > 0`, paid when every slot of the market is closed).
    function _settleOne(
        Layout storage s,
        Market storage m,
        Tally memory tally,
        bytes32 marketId,
        address account,
        uint256 scale
    ) private returns (bool) {
        Position storage p = s.positions[account][marketId];
        int256 size = p.size;
        int256 notional = p.openNotional;
        if (size == 0 && notional >= 0) {
            if (notional == 0 || tally.openPositions != 0) return false;
            delete s.positions[account][marketId];
            _pay(s, tally, marketId, account, uint256(notional));
            return true;
        }
        uint256 claimAmount = _close(s, tally, p, marketId, account, size, scale);
        --tally.openPositions;
        // Open interest is the sum of long sizes; a settled long leaves it.
        if (size > 0) tally.openInterest -= uint256(size);
        if (tally.openPositions == 0) {
            _complete(s, m, marketId, tally);
            if (claimAmount != 0) {
                p.openNotional = 0;
                _pay(s, tally, marketId, account, claimAmount);
            }
        }
        return true;
    }

    /// @dev Closes a slot at the final value: a loss is debited (`_debit`), a gain is kept as a claim in the slot.
    function _close(
        Layout storage s,
        Tally memory tally,
        Position storage p,
        bytes32 marketId,
        address account,
        int256 size,
        uint256 scale
    ) private returns (uint256 claimAmount) {
        Account storage a = s.accounts[account];
        uint128 list = MarginLogic.removeMarket(a.markets, tally.index);
        a.markets = list;
        int256 pnl = size * int256(tally.unitValue) - p.openNotional;
        if (pnl < 0) {
            uint256 loss = uint256(-pnl).toTokenUp(scale);
            uint256 unpaid = _debit(s, scale, account, list, loss);
            tally.collected += loss - unpaid;
            delete s.positions[account][marketId];
            emit IClearinghouse.PositionSettled(marketId, account, size, -loss.toInt256());
        } else {
            claimAmount = uint256(pnl).toTokenDown(scale);
            tally.claimed += claimAmount;
            p.size = 0;
            p.openNotional = claimAmount.toInt256().toInt128();
            emit IClearinghouse.PositionSettled(marketId, account, size, claimAmount.toInt256());
        }
    }

    /// @dev Debits a settlement loss of `loss` tokens; returns the part of it this market's pot does not count
    /// (`unpaid`: its winners bear it). The whole loss stays on the balance; a negative balance is owed to the
    /// insurance fund and counted by nobody (`MarginLogic.changeBalance`).
    /// When the account's losses (this one and those still open elsewhere, `openLosses`, valued as
    /// `MarginLogic.markPriceDown` values them) exceed its cash, the projected overdraft is
    /// `D = loss + openLosses - cash`; this market answers for its share of the cash and of the overdraft pro
    /// rata to its loss (`cash × loss / (loss + openLosses)` and the rest of `loss`), and the fund lends the same
    /// fraction `min(1, fund / D)` of every market's overdraft share. The pot is credited the cash share plus
    /// what the fund lends; the fund takes the difference from the cash paid (keeping, for the account's other
    /// losses, the cash this market does not answer for). Settling the account's markets in any order then
    /// credits each pot the same amount when their values do not move between the settlements (markets of one
    /// expiry, all final), as long as nothing else draws the fund in between (docs/clearinghouse.md, "Solvency").
    function _debit(
        Layout storage s,
        uint256 scale,
        address account,
        uint128 list,
        uint256 loss
    ) private returns (uint256 unpaid) {
        int256 before = s.accounts[account].balance;
        s.accounts[account].balance = (before - loss.toInt256()).toInt128();
        uint256 cash = before > 0 ? uint256(before) : 0;
        uint256 openLosses = list == 0 ? 0 : _openLosses(scale, account);
        if (loss + openLosses <= cash) return 0;
        uint256 fund = MarginLogic.sweepFees(s);
        // A fund that can lend the whole projected overdraft lends it as it arises: nothing to do while the
        // balance covers this loss.
        if (fund >= loss + openLosses - cash && loss <= cash) return 0;
        (uint256 credited, uint256 lent) = lendingShare(cash, loss, openLosses, fund);
        // The fund gives what it lends and keeps the cash paid beyond this market's share (`credited - lent`), for
        // the account's other losses: `paid >= credited - lent` and `lent <= fund`.
        uint256 paid = loss < cash ? loss : cash;
        s.insuranceFund = (fund + paid - credited).toUint128();
        unpaid = loss - credited;
        emit IClearinghouse.OverdraftLent(account, lent, unpaid);
    }

    /// @notice What a settlement loss of `loss` credits its market's pot (`credited`) and how much of that the
    /// fund lends (`lent`), for an account with `cash` (its positive balance) and `openLosses` still open
    /// elsewhere, with the fund at `fund` (all in collateral units). The projected overdraft is
    /// `D = loss + openLosses - cash` (positive here); this market's cash share is `cash × loss / (loss +
    /// openLosses)` (rounded down), its overdraft share the rest of `loss`, of which the fund lends
    /// `min(1, fund / D)` (rounded down). Mirrored by the SDK's `lendingShare`.
    function lendingShare(
        uint256 cash,
        uint256 loss,
        uint256 openLosses,
        uint256 fund
    ) internal pure returns (uint256 credited, uint256 lent) {
        uint256 total = loss + openLosses;
        uint256 projected = total - cash;
        uint256 cashShare = WadMath.mulDivDown(cash, loss, total);
        uint256 overdraft = loss - cashShare;
        lent = fund >= projected ? overdraft : WadMath.mulDivDown(fund, overdraft, projected);
        credited = cashShare + lent;
    }

    /// @dev The account's losses still open in other markets (tokens, rounded down), valued through the
    /// Clearinghouse's own view (this library runs in its context), so that an open market that cannot be valued
    /// now (a stale index) does not block this settlement: they count as zero then (this market's loss alone is
    /// weighed against the cash).
    function _openLosses(uint256 scale, address account) private view returns (uint256) {
        try IClearinghouse(address(this)).equityAndOpenLosses(account) returns (int256, uint256 losses) {
            return losses.toTokenDown(scale);
        } catch {
            return 0;
        }
    }

    /// @dev The last position closed. The market's tokens for claims are what the settlement losers paid
    /// minus the net profit and loss already realised into balances before settlement (early winners were
    /// paid from it; early losers' payments are in it):
    /// `available = collected - realisedNet`. Claims are paid in full when `available >= claimed`, the
    /// surplus (rounding in the protocol's favour, bad debt the fund covered) going to the insurance fund;
    /// else pro rata to `available / claimed`, rounded down; if `available <= 0` (bad debt nobody covered
    /// exceeded everything the settlement losers paid), claims are paid nothing: the loss is socialised
    /// over the winners. From here on `collected` holds what is available for claims (at most `claimed`).
    function _complete(Layout storage s, Market storage m, bytes32 marketId, Tally memory tally) private {
        // Stored plus one from creation on (see `Clearinghouse.createMarket`).
        int256 realisedNet = m.realisedNet - 1;
        // Both sides fit in 129 bits, far from int256's range.
        int256 available = int256(tally.collected) - realisedNet;
        uint256 surplus;
        if (available >= int256(tally.claimed)) {
            surplus = uint256(available) - tally.claimed;
            if (surplus != 0) s.insuranceFund = (uint256(s.insuranceFund) + surplus).toUint128();
            emit IClearinghouse.SettlementCompleted(marketId, tally.collected, tally.claimed, realisedNet, surplus);
            tally.collected = tally.claimed;
        } else {
            emit IClearinghouse.SettlementCompleted(marketId, tally.collected, tally.claimed, realisedNet, 0);
            tally.collected = available > 0 ? uint256(available) : 0;
        }
        m.collected = (tally.collected + 1).toUint128();
    }

    /// @dev Pays one claim from what is left for claims: in full when enough is left, else pro rata to what is
    /// left over what is still claimed, rounded down. The last claim paid takes exactly what is left, so no
    /// rounding dust stays outside the books; the rounding moves at most one token unit between claimants.
    function _pay(Layout storage s, Tally memory tally, bytes32 marketId, address account, uint256 claim) private {
        uint256 amount = tally.collected >= tally.claimed ? claim : WadMath.mulDivDown(claim, tally.collected, tally.claimed);
        tally.collected -= amount;
        tally.claimed -= claim;
        // A claim paid into a negative balance repays the fund first.
        MarginLogic.changeBalance(s, account, s.accounts[account].balance, amount.toInt256());
        emit IClearinghouse.ClaimPaid(marketId, account, amount);
    }
}
