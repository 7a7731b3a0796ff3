// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {VenueFill} from "../interfaces/IClearinghouseVenue.sol";
import {Account, Layout, Market, Position} from "./ClearinghouseStorage.sol";
import {LiquidationLogic} from "./LiquidationLogic.sol";
import {MarginLogic} from "./MarginLogic.sol";
import {PositionMath} from "./PositionMath.sol";
import {SlotWordLib} from "./SlotWordLib.sol";
import {WadMath} from "./WadMath.sol";

/// @title TradeLogic
/// @notice The Clearinghouse's trade path: a trade's checks, the booking of each fill (maker in storage, taker
/// in memory), the taker's single store and the trade's fees, open interest and basis. The Clearinghouse
/// keeps the guarded entry points `trade` and `tradeBatch` and the margin checks after them.
/// @dev Internal functions only, so the library is inlined into the Clearinghouse: no delegatecall, the same
/// code as when these were the Clearinghouse's private functions. `scale` is the Clearinghouse's `SCALE`.
library TradeLogic {
    using SafeCast for uint256;
    using SafeCast for int256;
    using WadMath for uint256;

    /// @dev The running state of a trade: the market's trade parameters and the oracle index read once, the
    /// taker's position, balance change and direction, and the market's running basis, open interest change
    /// and fees.
    // a memory-only working struct: storage packing does not apply
    // solhint-disable-next-line gas-struct-packing
    struct Batch {
        uint256 indexNumber;
        uint256 index;
        uint256 expiry;
        uint256 contractSize;
        uint256 minSize;
        int256 basis;
        int256 anchor;
        bool takerBuys;
        bool anyIncrease;
        bool takerIncreased;
        int256 takerOldSize;
        int256 takerOldNotional;
        int256 takerSize;
        int256 takerNotional;
        int256 takerBalanceDelta;
        uint256 takerFees;
        int256 oiDelta;
        uint256 fees;
        // the market's mark for the whole trade (index and the second's basis), set with the index
        uint256 mark;
        // the fill being booked: value of one contract and notional (wad)
        uint256 v;
        uint256 notional;
        // the market id, the taker and its order, kept here rather than on the stack (via-IR stack depth)
        bytes32 marketId;
        address taker;
        bytes32 takerOrderHash;
    }

    /// @dev Opens a trade of `taker` whose first fill is `first`: the first fill's self-trade, size and price
    /// checks run before the market lookup and the expiry check, as `trade` always ordered them; loads the
    /// market's trade parameters and the taker's position.
    function openBatch(
        Layout storage s,
        bytes32 marketId,
        address taker,
        bytes32 takerOrderHash,
        VenueFill memory first
    ) internal returns (Market storage m, Position storage p, Batch memory batch) {
        if (first.maker == taker) revert IClearinghouse.SelfTrade(taker);
        uint256 valuation;
        (m, valuation) = MarginLogic.marketValuation(s, marketId);
        batch.expiry = SlotWordLib.expiryOf(valuation);
        batch.contractSize = SlotWordLib.contractSizeOf(valuation);
        batch.indexNumber = SlotWordLib.indexNumberOf(valuation);
        if (first.takerSizeDelta == 0) revert IClearinghouse.ZeroSize();
        if (first.price == 0) revert IClearinghouse.ZeroPrice();
        batch.marketId = marketId;
        batch.taker = taker;
        batch.takerOrderHash = takerOrderHash;
        if (block.timestamp >= batch.expiry) revert IClearinghouse.MarketExpired(marketId, batch.expiry);
        batch.basis = m.basisRate;
        batch.anchor = _markBasisForTrade(m, batch);
        batch.takerBuys = first.takerSizeDelta > 0;
        p = s.positions[taker][marketId];
        (batch.takerOldSize, batch.takerOldNotional) = SlotWordLib.loadPosition(p);
        batch.takerSize = batch.takerOldSize;
        batch.takerNotional = batch.takerOldNotional;
    }

    /// @dev Closes a trade after its fills: stores the taker, checks the pause and open interest, accrues the
    /// fees and stores the running basis; returns the market's index, from the hot slot it read, for `knownMark`.
    /// The caller then checks the margins of the sides whose risk grew.
    function closeBatch(
        Layout storage s,
        Market storage m,
        Position storage p,
        Batch memory batch
    ) internal returns (uint32 marketIndex) {
        _closeBatchTaker(s, m, batch.taker, batch, p);
        // Each slot read once, after every write of the fills and the taker's close (an overdraft's sweep of the
        // pending fees, the open-position count), and written once.
        uint256 hot = SlotWordLib.loadTrade(m);
        uint256 settings = SlotWordLib.loadTradeSettings(s);
        if (batch.anyIncrease && (SlotWordLib.marketPaused(hot) || SlotWordLib.globalPaused(settings))) {
            revert IClearinghouse.MarketIsPaused(batch.marketId);
        }
        uint256 oi = SlotWordLib.openInterest(hot);
        if (batch.oiDelta != 0) {
            oi = uint256(int256(oi) + batch.oiDelta);
            if (batch.oiDelta > 0 && oi > m.maxOpenInterest) revert IClearinghouse.OpenInterestExceeded(oi, m.maxOpenInterest);
        }
        // The basis is clamped to `maxBasisRate` (below 2^63); the open interest is at most `maxOpenInterest` when
        // it grew, below its stored value when it fell.
        SlotWordLib.storeTrade(m, hot, batch.basis, oi);
        _accrueFees(s, settings, batch.fees);
        return SlotWordLib.marketIndexOf(hot);
    }

    /// @dev The market's mark after the trade, for the margin checks (`marketIndex` from `closeBatch`).
    function knownMark(uint32 marketIndex, Batch memory batch) internal pure returns (MarginLogic.KnownMark memory) {
        return MarginLogic.KnownMark(marketIndex, batch.marketId, batch.mark);
    }

    /// @dev The mark basis of the current second (`MarginLogic.markBasis`); the first trade of a second fixes it
    /// at the stored basis before that trade (`batch.basis`), and brings the time-averaged basis up to that
    /// second. Sets `batch.minSize`, which shares the slot.
    function _markBasisForTrade(Market storage m, Batch memory batch) private returns (int256) {
        (uint256 minSize, int256 markBasis, uint256 markBasisTime) = SlotWordLib.loadMarkBasis(m);
        batch.minSize = minSize;
        if (markBasisTime == block.timestamp) return markBasis;
        int256 basis = batch.basis;
        // The average as of now (read before `markBasisTime` moves): each clamped, so it fits int64.
        m.averageBasis = int64(MarginLogic.averageBasis(m));
        m.markBasis = int64(basis);
        // Chain time fits 32 bits until 2106 (as the oracle's rounds assume).
        m.markBasisTime = uint32(block.timestamp);
        return basis;
    }

    /// @dev Checks and books one fill of a trade: the maker in storage, the taker in `batch`; returns whether the
    /// maker's risk grew.
    function batchFill(
        Layout storage s,
        uint256 scale,
        Market storage m,
        Batch memory batch,
        VenueFill memory fill,
        uint256 i
    ) internal returns (bool makerIncreased) {
        uint256 takerFee;
        uint256 makerFeeWad;
        // The basis parameters with the position limit, one word for the limit checks and the basis update.
        uint256 params;
        {
            // Read together, before the fill writes anything: each slot is loaded and unpacked once per fill.
            (uint256 tick, uint256 makerRate, uint256 takerRate, uint256 band) = SlotWordLib.loadTradeChecks(m);
            params = SlotWordLib.loadBasisParams(m);
            _checkBatchFill(s, m, batch, fill, i, tick, band);
            takerFee = _bookBatchTaker(
                s,
                scale,
                m,
                batch,
                fill.takerSizeDelta,
                takerRate,
                SlotWordLib.maxPositionOf(params)
            );
            makerFeeWad = batch.notional.wMulUp(makerRate);
        }
        (bool increased, uint256 makerFee) = _bookSide(
            s,
            scale,
            m,
            batch,
            fill.maker,
            -fill.takerSizeDelta,
            makerFeeWad,
            SlotWordLib.maxPositionOf(params)
        );
        if (increased) {
            makerIncreased = true;
            batch.anyIncrease = true;
        }
        batch.fees += takerFee + makerFee;
        _advanceBatchBasis(m, params, batch, fill, makerFee, takerFee);
    }

    /// @dev Moves the batch's running basis by one fill (`params`: the market's basis parameters) and emits its
    /// `Traded`.
    function _advanceBatchBasis(
        Market storage m,
        uint256 params,
        Batch memory batch,
        VenueFill memory fill,
        uint256 makerFee,
        uint256 takerFee
    ) private {
        uint256 price = fill.price;
        batch.basis = MarginLogic.nextBasis(
            m,
            params,
            batch.basis,
            batch.anchor,
            price,
            batch.index,
            batch.expiry,
            WadMath.abs(fill.takerSizeDelta)
        );
        emit IClearinghouse.Traded(
            batch.marketId,
            fill.maker,
            batch.taker,
            fill.takerSizeDelta,
            price,
            makerFee,
            takerFee,
            batch.basis,
            fill.makerOrderHash,
            batch.takerOrderHash
        );
    }

    /// @dev The per-fill checks of `trade` (self-trade, size, direction, price, the market's `tick`, minimum size,
    /// its price `band` around the trade's mark); sets the fill's per-contract value and notional (wad) in `batch`.
    function _checkBatchFill(
        Layout storage s,
        Market storage m,
        Batch memory batch,
        VenueFill memory fill,
        uint256 i,
        uint256 tick,
        uint256 band
    ) private view {
        int256 delta = fill.takerSizeDelta;
        uint256 price = fill.price;
        if (fill.maker == batch.taker) revert IClearinghouse.SelfTrade(batch.taker);
        if (delta == 0) revert IClearinghouse.ZeroSize();
        if ((delta > 0) != batch.takerBuys) revert IClearinghouse.MixedTakerDirection(i, delta);
        if (price == 0) revert IClearinghouse.ZeroPrice();
        if (price % tick != 0) revert IClearinghouse.PriceNotOnTick(price, tick);
        uint256 absDelta = WadMath.abs(delta);
        if (absDelta < batch.minSize) revert IClearinghouse.SizeBelowMinimum(absDelta, batch.minSize);
        // Positions are int128, so no fill can be larger; the bound also keeps `absDelta * v` in range.
        if (absDelta > type(uint128).max) revert IClearinghouse.SizeTooLarge(absDelta, type(uint128).max);
        // The index is read once, at the first fill (after its tick and size checks, as `trade` did), from the
        // Clearinghouse's copy of the oracle's latest value (`MarginLogic.liveIndex`).
        if (batch.index == 0) {
            batch.index = MarginLogic.liveIndex(s, m, batch.indexNumber);
            // The mark every fill's band and the margin checks use: the second's basis, fixed for the trade.
            batch.mark = PositionMath.liveMarkDown(batch.index, batch.anchor, batch.expiry, block.timestamp);
        }
        _checkBand(price, batch.mark, band);
        batch.v = PositionMath.unitValueDown(price, batch.contractSize);
        batch.notional = absDelta * batch.v;
    }

    /// @dev Books one fill on the taker's in-memory position and balance change (realised PnL and fee
    /// rounded per fill, as a sequence of `trade` calls would) and checks its position limit and open-market
    /// lanes at this fill, before the maker's (the order `trade` always checked them in); returns the taker
    /// fee (collateral units). `takerRate` and `maxPosition` are the market's taker fee and position limit.
    function _bookBatchTaker(
        Layout storage s,
        uint256 scale,
        Market storage m,
        Batch memory batch,
        int256 delta,
        uint256 takerRate,
        uint256 maxPosition
    ) private returns (uint256 takerFee) {
        int256 before = batch.takerSize;
        int256 realised;
        (batch.takerSize, batch.takerNotional, realised) = PositionMath.applyDelta(before, batch.takerNotional, delta, batch.v);
        if (PositionMath.increasesRisk(before, batch.takerSize)) {
            uint256 absNew = WadMath.abs(batch.takerSize);
            if (absNew > maxPosition) revert IClearinghouse.PositionSizeExceeded(batch.taker, absNew, maxPosition);
            // Opening the market from an empty slot: it must fit a free lane (checked here, stored at close).
            if (before == 0 && PositionMath.isEmptySlot(batch.takerOldSize, batch.takerOldNotional)) {
                MarginLogic.addMarket(s.accounts[batch.taker].markets, m.index, batch.taker);
            }
        }
        takerFee = batch.notional.wMulUp(takerRate).toTokenUp(scale);
        int256 realisedTokens = PositionMath.pnlToTokens(realised, scale);
        MarginLogic.addRealised(m, realisedTokens);
        batch.takerFees += takerFee;
        batch.takerBalanceDelta += realisedTokens - takerFee.toInt256();
    }

    /// @dev Stores the taker's position and balance once, with its open-market list and the market's
    /// open-position count, as the sequence of fills would have left them.
    function _closeBatchTaker(Layout storage s, Market storage m, address taker, Batch memory batch, Position storage p) private {
        int256 oldSize = batch.takerOldSize;
        int256 newSize = batch.takerSize;
        SlotWordLib.storePosition(p, newSize, batch.takerNotional);
        Account storage a = s.accounts[taker];
        (int256 balanceBefore, uint128 markets) = SlotWordLib.loadAccount(a);
        bool wasEmpty = PositionMath.isEmptySlot(oldSize, batch.takerOldNotional);
        bool nowEmpty = PositionMath.isEmptySlot(newSize, batch.takerNotional);
        if (wasEmpty && !nowEmpty) {
            markets = MarginLogic.addMarket(markets, m.index, taker);
            ++m.openPositions;
        } else if (!wasEmpty && nowEmpty) {
            markets = MarginLogic.removeMarket(markets, m.index);
            --m.openPositions;
        }
        batch.oiDelta += PositionMath.longDelta(oldSize, newSize);
        _storeTakerAccount(s, m, taker, a, balanceBefore, markets, batch);
        // The taker's position limit was checked at each fill. Its risk grew over the batch exactly when it
        // grew at some fill (every fill moves it the same way); remember it for the pause and margin checks.
        batch.takerIncreased = PositionMath.increasesRisk(oldSize, newSize);
        if (batch.takerIncreased) batch.anyIncrease = true;
    }

    /// @dev Stores the taker's open-market list and balance (one slot), the balance stored as `before`. A balance
    /// that was or becomes negative goes through `LiquidationLogic.chargeTrade` (an overdraft or a debt to the
    /// fund); the taker's fees are then charged only as far as the account or the fund pays them.
    function _storeTakerAccount(
        Layout storage s,
        Market storage m,
        address taker,
        Account storage a,
        int256 before,
        uint128 markets,
        Batch memory batch
    ) private {
        int256 balance = before + batch.takerBalanceDelta;
        if (before >= 0 && balance >= 0) {
            // one slot, written once
            SlotWordLib.storeAccount(a, balance, markets);
            return;
        }
        a.markets = markets;
        uint256 charged = LiquidationLogic.chargeTrade(s, m, taker, before, batch.takerBalanceDelta, batch.takerFees);
        batch.fees -= batch.takerFees - charged;
    }

    function _checkBand(uint256 price, uint256 mark, uint256 band) private pure {
        uint256 distance = price > mark ? price - mark : mark - price;
        if (mark == 0 || distance > mark.wMulDown(band)) revert IClearinghouse.PriceOutsideBand(price, mark, band);
    }

    /// @dev Books one side of the fill in `batch` (its market id and per-contract value): position, position
    /// limit (`maxPosition`), realised PnL, fee and its change of the market's long open interest (added to
    /// `batch.oiDelta`); returns whether its risk grew and the fee charged (collateral units, rounded up, cut to
    /// what the account or the fund pays).
    function _bookSide(
        Layout storage s,
        uint256 scale,
        Market storage m,
        Batch memory batch,
        address account,
        int256 delta,
        uint256 feeWad,
        uint256 maxPosition
    ) private returns (bool increased, uint256 fee) {
        (int256 oldSize, int256 newSize, int256 realised) = MarginLogic.updatePosition(
            s,
            m,
            batch.marketId,
            account,
            delta,
            batch.v
        );
        increased = PositionMath.increasesRisk(oldSize, newSize);
        if (increased) {
            uint256 absNew = WadMath.abs(newSize);
            if (absNew > maxPosition) revert IClearinghouse.PositionSizeExceeded(account, absNew, maxPosition);
        }
        batch.oiDelta += PositionMath.longDelta(oldSize, newSize);
        fee = feeWad.toTokenUp(scale);
        int256 realisedTokens = PositionMath.pnlToTokens(realised, scale);
        MarginLogic.addRealised(m, realisedTokens);
        fee = _chargeSide(s, m, account, realisedTokens - fee.toInt256(), fee);
    }

    /// @dev Adds a maker's balance change `delta` (realised PnL minus `fee`); returns the fee charged. A balance that
    /// was or becomes negative goes through `LiquidationLogic.chargeTrade` (an overdraft or a debt to the fund).
    function _chargeSide(
        Layout storage s,
        Market storage m,
        address account,
        int256 delta,
        uint256 fee
    ) private returns (uint256) {
        Account storage a = s.accounts[account];
        (int256 before, uint128 markets) = SlotWordLib.loadAccount(a);
        int256 balance = before + delta;
        if (before >= 0 && balance >= 0) {
            SlotWordLib.storeAccount(a, balance, markets);
            return fee;
        }
        return LiquidationLogic.chargeTrade(s, m, account, before, delta, fee);
    }

    /// @dev Adds the trade's fees to `pendingFees`, in the slot the trade read for the venue check (`settings`, its
    /// current content), to be split between the insurance fund and the treasury later
    /// (`MarginLogic.sweepFees`); a sum that would not fit the field is split now.
    function _accrueFees(Layout storage s, uint256 settings, uint256 fees) private {
        if (fees == 0) return;
        uint256 pending = SlotWordLib.pendingFees(settings) + fees;
        if (pending <= type(uint88).max) {
            SlotWordLib.storePendingFees(s, settings, pending);
            return;
        }
        s.pendingFees = 0;
        MarginLogic.splitFees(s, pending);
    }
}
