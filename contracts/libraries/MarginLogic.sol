// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {IIndexOracleReader} from "../interfaces/IIndexOracle.sol";
import {Account, IndexCache, Layout, Market, Position} from "./ClearinghouseStorage.sol";
import {PositionMath} from "./PositionMath.sol";
import {SlotWordLib} from "./SlotWordLib.sol";
import {WAD, WadMath} from "./WadMath.sol";

/// @title MarginLogic
/// @notice Mark price, position bookkeeping and cross-margin health shared by the Clearinghouse and its
/// external logic libraries.
/// @dev Values in wad dollars unless the name says collateral units ("tokens"). What touches storage lives
/// here; the pure price and position math it builds on is `PositionMath`.
library MarginLogic {
    using SafeCast for uint256;
    using SafeCast for int256;
    using WadMath for uint256;

    /// @dev How many markets one account may hold positions in at once (lanes of `Account.markets`).
    uint256 internal constant MAX_OPEN_MARKETS = 8;
    /// @dev Width of one lane: a market index (at most `MarketAdminLogic.MAX_MARKETS`, 0 = empty lane).
    uint256 internal constant LANE_BITS = 16;
    uint256 private constant LANE_MASK = 0xffff;

    // ------------------------------------------------------------------ prices

    /// @dev The live index of market `m`, whose index has number `indexNumber` (`m.indexNumber`, passed by a
    /// caller that already read it): the Clearinghouse's copy of the oracle's latest value (one slot, no call),
    /// under the oracle's `latest` rule: `IndexNotCached` before the first push or sync, `StaleIndex` once
    /// `block.timestamp − updatedAt > maxAge`. Only a revert reads the market's index id (slot 0).
    function liveIndex(Layout storage s, Market storage m, uint256 indexNumber) internal view returns (uint256) {
        IndexCache storage c = s.indexes[indexNumber];
        // Read together, so the three fields come from one SLOAD.
        (uint256 value, uint256 updatedAt, uint256 maxAge) = (c.value, c.updatedAt, c.maxAge);
        if (updatedAt == 0) revert IClearinghouse.IndexNotCached(m.indexId);
        if (block.timestamp - updatedAt > maxAge) revert IClearinghouse.StaleIndex(m.indexId, updatedAt, maxAge);
        return value;
    }

    /// @dev Stores the copy of `indexId`, number `indexNumber` in the oracle (one slot), and emits
    /// `IndexValueCached`. The casts revert only on values no `IndexOracle` can hold, never truncate.
    function cacheIndex(
        Layout storage s,
        bytes32 indexId,
        uint256 indexNumber,
        uint256 value,
        uint256 updatedAt,
        uint256 maxAge
    ) internal {
        s.indexes[indexNumber] = IndexCache(value.toUint96(), updatedAt.toUint32(), maxAge.toUint32());
        emit IClearinghouse.IndexValueCached(indexId, value, updatedAt, maxAge);
    }

    /// @dev The mark of a market: live mark before expiry (at `liveIndex`); from expiry on, the settlement value
    /// the market will close at, never the live index: the final price once set, else the proposed price, else
    /// the oracle TWAP over the settlement window (all of it in the past, so no one can move it any more).
    function markPriceDown(Layout storage s, Market storage m, IIndexOracleReader oracle) internal view returns (uint256) {
        uint256 expiry = m.expiry;
        if (block.timestamp < expiry) {
            uint256 index = liveIndex(s, m, m.indexNumber);
            return PositionMath.liveMarkDown(index, markBasis(m), expiry, block.timestamp);
        }
        return expiredMark(m, oracle);
    }

    /// @dev The basis rate the mark uses now: during a second in which the market traded, the basis as it stood
    /// before that second's first trade; otherwise the stored EMA. So no transaction (and no block) moves the
    /// mark that its own liquidations, margin checks and price band are judged by.
    function markBasis(Market storage m) internal view returns (int256) {
        return m.markBasisTime == block.timestamp ? int256(m.markBasis) : int256(m.basisRate);
    }

    /// @dev How long a basis must hold before it fully counts for liquidation (`averageBasis`).
    uint256 internal constant LIQUIDATION_BASIS_WINDOW = 30 minutes;

    /// @dev The mark liquidation is also judged by: before expiry the live mark with the time-averaged basis
    /// (`averageBasis`), from expiry on the same settlement value as `markPriceDown`. An index move moves it at
    /// once; a basis move only as it holds over `LIQUIDATION_BASIS_WINDOW`.
    function liquidationMarkDown(
        Layout storage s,
        Market storage m,
        IIndexOracleReader oracle
    ) internal view returns (uint256 mark) {
        (, mark, ) = marks(s, m, oracle);
    }

    /// @dev `markPriceDown`, `liquidationMarkDown` and the index of `m` from one index read. From expiry on all three are
    /// the settlement value (`expiredMark`): the index a position is then worth is the one it settles at.
    function marks(
        Layout storage s,
        Market storage m,
        IIndexOracleReader oracle
    ) internal view returns (uint256 mark, uint256 averagedMark, uint256 index) {
        uint256 expiry = m.expiry;
        if (block.timestamp < expiry) {
            index = liveIndex(s, m, m.indexNumber);
            mark = PositionMath.liveMarkDown(index, markBasis(m), expiry, block.timestamp);
            averagedMark = PositionMath.liveMarkDown(index, averageBasis(m), expiry, block.timestamp);
            return (mark, averagedMark, index);
        }
        index = expiredMark(m, oracle);
        return (index, index, index);
    }

    /// @dev The mark basis averaged over time: the stored average as of second `markBasisTime`, moved toward
    /// the basis the mark has used since (`basisRate`) by the time elapsed over `LIQUIDATION_BASIS_WINDOW`,
    /// reaching it once a whole window has passed. Within a second in which the market traded it is the
    /// stored average, so no transaction moves the average its own liquidations are judged by.
    function averageBasis(Market storage m) internal view returns (int256) {
        uint256 elapsed = block.timestamp - m.markBasisTime;
        int256 basis = m.basisRate;
        if (elapsed >= LIQUIDATION_BASIS_WINDOW) return basis;
        int256 average = m.averageBasis;
        return average + ((basis - average) * int256(elapsed)) / int256(LIQUIDATION_BASIS_WINDOW);
    }

    /// @dev `markPriceDown` of an expired market (see there).
    function expiredMark(Market storage m, IIndexOracleReader oracle) internal view returns (uint256) {
        uint256 finalPrice = m.finalPrice;
        if (finalPrice != 0) return finalPrice;
        uint256 proposed = m.proposedPrice;
        if (proposed != 0) return proposed;
        uint256 expiry = m.expiry;
        return oracle.twap(m.indexId, expiry - m.settlementWindow, expiry);
    }

    /// @dev The next basis EMA after a fill of `size` contracts (absolute, > 0) at `price` with index `index`:
    /// the fill's annualised basis `(price / index - 1) / tau`, clamped, moves the rate by `basisWeightDown`
    /// of the gap (truncated toward zero), at most `maxStep`, and at most `maxStep` from `anchor` (the second's
    /// mark basis) in all. `params` is the market's basis-parameter slot (`SlotWordLib.loadBasisParams`), which the
    /// fill has read for its position limit.
    function nextBasis(
        Market storage m,
        uint256 params,
        int256 basis,
        int256 anchor,
        uint256 price,
        uint256 index,
        uint256 expiry,
        uint256 size
    ) internal view returns (int256) {
        // `maxRate` is read from `params` where it is used, not held: the legacy `coverage` build's stack.
        int256 implied = _impliedBasis(price, index, expiry, int256(SlotWordLib.maxBasisRateOf(params)));
        int256 weight = int256(PositionMath.basisWeightDown(SlotWordLib.basisWeightOf(params), size, m.basisDepth));
        // Unchecked, as nothing below can overflow: `basis` and `anchor` are below 2^63 in magnitude (int64 storage,
        // or an earlier result of this function, which is clamped to `maxRate`), `implied` is clamped to `maxRate`,
        // `maxRate`, `maxStep` and `weight` are below 2^64, so no term reaches 2^130.
        unchecked {
            int256 maxStep = int256(SlotWordLib.maxBasisStepOf(params));
            int256 step = _clamp(((implied - basis) * weight) / int256(WAD), maxStep);
            // Within one second the running basis stays within one `maxStep` of the second's mark basis: the
            // mark can walk at most `maxStep` a second however many trades a block or transaction holds.
            return _clamp(anchor + _clamp(basis + step - anchor, maxStep), int256(SlotWordLib.maxBasisRateOf(params)));
        }
    }

    /// @dev The annualised basis `(price / index - 1) / tau` of a fill, clamped to `maxRate`.
    function _impliedBasis(uint256 price, uint256 index, uint256 expiry, int256 maxRate) private view returns (int256) {
        // tau >= 1 / YEAR wad > 0 because trades need `block.timestamp < expiry`.
        int256 tau = int256(((expiry - block.timestamp) * WAD) / PositionMath.YEAR);
        int256 premium = int256(WadMath.mulDivDown(price, WAD, index)) - int256(WAD);
        return _clamp((premium * int256(WAD)) / tau, maxRate);
    }

    /// @dev `x` clamped to `[-bound, bound]`. Every `bound` is a uint64 setting, so its negation cannot overflow.
    function _clamp(int256 x, int256 bound) private pure returns (int256) {
        unchecked {
            if (x > bound) return bound;
            if (x < -bound) return -bound;
            return x;
        }
    }

    // ------------------------------------------------------------------ positions

    /// @dev Books `delta` contracts at value `v` for `account`, keeping the open-market list and the
    /// market's open-position count in step (a slot with an escrowed gain stays open). Does not touch the
    /// balance.
    function updatePosition(
        Layout storage s,
        Market storage m,
        bytes32 marketId,
        address account,
        int256 delta,
        uint256 v
    ) internal returns (int256 oldSize, int256 newSize, int256 realised) {
        Position storage p = s.positions[account][marketId];
        int256 oldNotional;
        (oldSize, oldNotional) = SlotWordLib.loadPosition(p);
        int256 newNotional;
        (newSize, newNotional, realised) = PositionMath.applyDelta(oldSize, oldNotional, delta, v);
        SlotWordLib.storePosition(p, newSize, newNotional);
        bool wasEmpty = PositionMath.isEmptySlot(oldSize, oldNotional);
        bool nowEmpty = PositionMath.isEmptySlot(newSize, newNotional);
        if (wasEmpty && !nowEmpty) {
            Account storage a = s.accounts[account];
            a.markets = addMarket(a.markets, m.index, account);
            ++m.openPositions;
        } else if (!wasEmpty && nowEmpty) {
            Account storage a = s.accounts[account];
            a.markets = removeMarket(a.markets, m.index);
            --m.openPositions;
        }
    }

    /// @dev Adds `tokens` (collateral units credited, negative when debited) to the market's realised
    /// profit and loss; no write when nothing was realised. Callers add the same amount to an int128
    /// balance in the same transaction (which reverts if it does not fit), so `|tokens| < 2**130`.
    function addRealised(Market storage m, int256 tokens) internal {
        if (tokens == 0) return;
        // Each amount is below 2**130 in size (see above) and far fewer than 2**120 can ever be added, so the
        // sum stays far inside int256.
        unchecked {
            m.realisedNet += tokens;
        }
    }

    // ------------------------------------------------------------------ open-market lists

    /// @dev Puts `index` into the first empty lane of `list`.
    function addMarket(uint128 list, uint32 index, address account) internal pure returns (uint128) {
        for (uint256 shift = 0; shift < LANE_BITS * MAX_OPEN_MARKETS; shift += LANE_BITS) {
            if ((uint256(list) >> shift) & LANE_MASK == 0) return uint128(uint256(list) | (uint256(index) << shift));
        }
        revert IClearinghouse.TooManyOpenMarkets(account, MAX_OPEN_MARKETS);
    }

    /// @dev Clears the lane holding `index` (no-op when absent).
    function removeMarket(uint128 list, uint32 index) internal pure returns (uint128) {
        for (uint256 shift = 0; shift < LANE_BITS * MAX_OPEN_MARKETS; shift += LANE_BITS) {
            if ((uint256(list) >> shift) & LANE_MASK == index) return uint128(uint256(list) & ~(LANE_MASK << shift));
        }
        return list;
    }

    // ------------------------------------------------------------------ health

    /// @dev Cross-margin equity, initial and maintenance margin of `account`, wad dollars, at marks.
    /// Margins are rounded up, equity uses the common per-contract value.
    function health(
        Layout storage s,
        IIndexOracleReader oracle,
        uint256 scale,
        address account
    ) internal view returns (int256 equity, uint256 im, uint256 mm) {
        return health(s, oracle, scale, account, KnownMark(0, bytes32(0), 0));
    }

    /// @dev A market whose mark the caller already holds (the one being traded), so a valuation neither
    /// looks up its id nor calls the oracle for it again. `index == 0` matches no market.
    struct KnownMark {
        uint32 index;
        bytes32 marketId;
        uint256 mark;
    }

    /// @dev `health` with the mark of `known` taken as given (equal to `markPriceDown` of that market in the
    /// same transaction: the caller computed it from the same oracle value, basis and clock).
    function health(
        Layout storage s,
        IIndexOracleReader oracle,
        uint256 scale,
        address account,
        KnownMark memory known
    ) internal view returns (int256 equity, uint256 im, uint256 mm) {
        return _health(s, oracle, scale, account, known, true);
    }

    /// @dev `health`, with the maintenance margin left at zero unless `withMaintenance` (the initial-margin
    /// check after a trade or a withdrawal reads no `mmr` and computes no maintenance margin).
    function _health(
        Layout storage s,
        IIndexOracleReader oracle,
        uint256 scale,
        address account,
        KnownMark memory known,
        bool withMaintenance
    ) private view returns (int256 equity, uint256 im, uint256 mm) {
        (int256 balance, uint256 list) = SlotWordLib.loadAccount(s.accounts[account]);
        equity = balance * int256(scale);
        for (; list != 0; list >>= LANE_BITS) {
            uint32 index = uint16(list);
            if (index == 0) continue;
            (int256 pnl, uint256 notional, uint256 valuation) = _valuePosition(s, oracle, account, index, known);
            equity += pnl;
            if (notional == 0) continue;
            im += notional.wMulUp(SlotWordLib.imrOf(valuation));
            if (withMaintenance) mm += notional.wMulUp(SlotWordLib.mmrOf(valuation));
        }
    }

    /// @dev Equity and maintenance margin (wad, as `health`) at the marks, at the liquidation marks (the
    /// time-averaged basis) and at the index (no basis: every position at the oracle's value, or from expiry
    /// on at its settlement value).
    struct LiquidationHealth {
        int256 equity;
        uint256 mm;
        int256 averagedEquity;
        uint256 averagedMm;
        int256 indexEquity;
        uint256 indexMm;
    }

    /// @dev `account`'s equity and maintenance margin at the marks, at the liquidation marks and at the index, in
    /// one pass (one oracle read per market): what `liquidate`, `deleverage` and `isLiquidatable` judge by. The
    /// account must be below the line at all three: an index move lowers all three at once, a move of the
    /// basis alone (which trades make, and a walk can) never takes an account there that the index has not.
    function liquidationHealth(
        Layout storage s,
        IIndexOracleReader oracle,
        uint256 scale,
        address account
    ) internal view returns (LiquidationHealth memory h) {
        (int256 balance, uint256 list) = SlotWordLib.loadAccount(s.accounts[account]);
        h.equity = balance * int256(scale);
        h.averagedEquity = h.equity;
        h.indexEquity = h.equity;
        for (; list != 0; list >>= LANE_BITS) {
            uint32 index = uint16(list);
            if (index == 0) continue;
            _valueForLiquidation(s, oracle, account, s.marketIds[index], h);
        }
    }

    /// @dev Adds `account`'s position in `marketId` to `h` at the market's mark, its liquidation mark and its index.
    function _valueForLiquidation(
        Layout storage s,
        IIndexOracleReader oracle,
        address account,
        bytes32 marketId,
        LiquidationHealth memory h
    ) private view {
        Market storage m = s.markets[marketId];
        (int256 size, int256 openNotional) = SlotWordLib.loadPosition(s.positions[account][marketId]);
        // A closed position with an escrowed gain needs no mark: it is worth its gain at all three.
        if (size == 0) {
            h.equity -= openNotional;
            h.averagedEquity -= openNotional;
            h.indexEquity -= openNotional;
            return;
        }
        (uint256 mark, uint256 averagedMark, uint256 index) = marks(s, m, oracle);
        uint256 contractSize = m.contractSize;
        uint256 mmr = m.mmr;
        uint256 absSize = WadMath.abs(size);
        uint256 v = PositionMath.unitValueDown(mark, contractSize);
        h.equity += size * int256(v) - openNotional;
        h.mm += (absSize * v).wMulUp(mmr);
        v = PositionMath.unitValueDown(averagedMark, contractSize);
        h.averagedEquity += size * int256(v) - openNotional;
        h.averagedMm += (absSize * v).wMulUp(mmr);
        v = PositionMath.unitValueDown(index, contractSize);
        h.indexEquity += size * int256(v) - openNotional;
        h.indexMm += (absSize * v).wMulUp(mmr);
    }

    /// @dev Cross-margin equity of `account` (wad, as `health`) and the sum of its open positions' unrealised
    /// losses (wad, at the same marks): what a settlement's bad debt is shared against.
    function equityAndOpenLosses(
        Layout storage s,
        IIndexOracleReader oracle,
        uint256 scale,
        address account
    ) internal view returns (int256 equity, uint256 openLosses) {
        Account storage a = s.accounts[account];
        uint256 list = a.markets;
        equity = int256(a.balance) * int256(scale);
        KnownMark memory none;
        for (; list != 0; list >>= LANE_BITS) {
            uint32 index = uint16(list);
            if (index == 0) continue;
            (int256 pnl, , ) = _valuePosition(s, oracle, account, index, none);
            equity += pnl;
            if (pnl < 0) openLosses += uint256(-pnl);
        }
    }

    /// @dev Unrealised PnL and notional (both wad, at the mark) of `account`'s position in market `index`, and the
    /// market's valuation slot (`SlotWordLib.loadValuationWord`), read once for the contract size and kept for the
    /// caller's `imr` and `mmr` (the margins are the notional times them, rounded up). A closed position with an
    /// escrowed gain has no notional (and the slot is not read: zero).
    function _valuePosition(
        Layout storage s,
        IIndexOracleReader oracle,
        address account,
        uint32 index,
        KnownMark memory known
    ) private view returns (int256 pnl, uint256 notional, uint256 valuation) {
        bool isKnown = index == known.index;
        Market storage m;
        int256 size;
        int256 openNotional;
        {
            bytes32 marketId = isKnown ? known.marketId : s.marketIds[index];
            m = s.markets[marketId];
            (size, openNotional) = SlotWordLib.loadPosition(s.positions[account][marketId]);
        }
        // A closed position with an escrowed gain needs no mark (and no index): it is worth its gain.
        if (size == 0) return (-openNotional, 0, 0);
        uint256 mark = isKnown ? known.mark : markPriceDown(s, m, oracle);
        valuation = SlotWordLib.loadValuationWord(m);
        uint256 v = PositionMath.unitValueDown(mark, SlotWordLib.contractSizeOf(valuation));
        pnl = size * int256(v) - openNotional;
        notional = WadMath.abs(size) * v;
    }

    /// @dev Reverts with `InsufficientMargin` unless `equity >= initialMargin`.
    function requireInitialMargin(
        Layout storage s,
        IIndexOracleReader oracle,
        uint256 scale,
        address account
    ) internal view {
        requireInitialMargin(s, oracle, scale, account, KnownMark(0, bytes32(0), 0));
    }

    /// @dev `requireInitialMargin` with the mark of `known` taken as given (see `health`).
    function requireInitialMargin(
        Layout storage s,
        IIndexOracleReader oracle,
        uint256 scale,
        address account,
        KnownMark memory known
    ) internal view {
        (int256 equity, uint256 im, ) = _health(s, oracle, scale, account, known, false);
        if (equity < int256(im)) revert IClearinghouse.InsufficientMargin(account, equity, im);
    }

    /// @dev The market, or `UnknownMarket`.
    function market(Layout storage s, bytes32 marketId) internal view returns (Market storage m) {
        (m, ) = marketValuation(s, marketId);
    }

    /// @dev The market and its valuation slot (`SlotWordLib.loadValuationWord`) from one read, or `UnknownMarket`
    /// (a market exists once its contract size is set).
    function marketValuation(
        Layout storage s,
        bytes32 marketId
    ) internal view returns (Market storage m, uint256 valuation) {
        m = s.markets[marketId];
        valuation = SlotWordLib.loadValuationWord(m);
        if (SlotWordLib.contractSizeOf(valuation) == 0) revert IClearinghouse.UnknownMarket(marketId);
    }

    /// @dev Adds `delta` (collateral units) to `account`'s balance, stored as `before`, and stores the result.
    /// No balance below zero is counted in the books (`tokens held = positive balances + fund + treasury +
    /// pots`), so a negative balance is always a debt to the insurance fund: a credit to it repays the fund
    /// first, and a debit beyond what the balance holds (an overdraft) is lent by the fund as far as it holds
    /// tokens. What the fund cannot lend is returned as `unlent`: the caller must not count it as paid (the
    /// market's pot writes it off, or the fee or penalty in the debit is cut by it). The whole debit stays on
    /// the balance, owed to the fund and repaid by the account's later credits.
    function changeBalance(
        Layout storage s,
        address account,
        int256 before,
        int256 delta
    ) internal returns (uint256 unlent) {
        int256 result = before + delta;
        s.accounts[account].balance = result.toInt128();
        if (before >= 0 && result >= 0) return 0;
        if (delta >= 0) {
            // `before < 0`: the credit repays the fund first.
            uint256 repaid = result >= 0 ? uint256(-before) : uint256(delta);
            s.insuranceFund = (uint256(s.insuranceFund) + repaid).toUint128();
            emit IClearinghouse.DebtRepaid(account, repaid);
            return 0;
        }
        uint256 cash = before > 0 ? uint256(before) : 0;
        return lend(s, account, uint256(-delta) - cash);
    }

    /// @dev The insurance fund lends `overdraft` (collateral units) to `account` as far as it holds tokens;
    /// returns what it could not lend.
    function lend(Layout storage s, address account, uint256 overdraft) internal returns (uint256 unlent) {
        uint256 fund = sweepFees(s);
        uint256 lent = overdraft < fund ? overdraft : fund;
        s.insuranceFund = uint128(fund - lent);
        unlent = overdraft - lent;
        emit IClearinghouse.OverdraftLent(account, lent, unlent);
    }

    /// @dev Pays an account's negative balance from the insurance fund as far as it goes.
    /// @return uncovered What the fund could not pay (collateral units).
    function coverBadDebt(Layout storage s, address account, uint256 debt) internal returns (uint256 uncovered) {
        uint256 fund = sweepFees(s);
        uint256 paid = debt < fund ? debt : fund;
        s.insuranceFund = uint128(fund - paid);
        emit IClearinghouse.BadDebtCovered(account, paid, fund - paid);
        return debt - paid;
    }

    /// @dev Splits the trade fees waiting in `pendingFees` (each trade adds its fees there, in the slot it
    /// already reads, instead of writing the fund's slot) between the insurance fund and the treasury, and
    /// returns the fund after. Runs before anything reads the fund to pay from it or the treasury to withdraw
    /// it, and before the fee share changes, so what either holds when it is used is what a split at every
    /// trade would have left, up to the rounding: the whole pending sum's fund share is rounded down once.
    function sweepFees(Layout storage s) internal returns (uint256 fund) {
        uint256 pending = s.pendingFees;
        if (pending == 0) return s.insuranceFund;
        s.pendingFees = 0;
        return splitFees(s, pending);
    }

    /// @dev Adds `fees` (collateral units) to the insurance fund, its share rounded down, and to the treasury,
    /// the rest; emits `FeesSwept` and returns the fund after.
    function splitFees(Layout storage s, uint256 fees) internal returns (uint256 fund) {
        (uint256 toInsurance, uint256 toTreasury) = feeSplit(s, fees);
        fund = uint256(s.insuranceFund) + toInsurance;
        s.insuranceFund = fund.toUint128();
        s.treasuryAccrued = (uint256(s.treasuryAccrued) + toTreasury).toUint112();
        emit IClearinghouse.FeesSwept(toInsurance, toTreasury);
    }

    /// @dev The insurance fund's share of `fees` (rounded down) and the treasury's (the rest).
    function feeSplit(Layout storage s, uint256 fees) internal view returns (uint256 toInsurance, uint256 toTreasury) {
        toInsurance = fees.wMulDown(s.insuranceFeeShare);
        toTreasury = fees - toInsurance;
    }
}
