// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IClearinghouse, MarketParams, RiskParams, SettlementTerms} from "../interfaces/IClearinghouse.sol";
import {IIndexOracleReader} from "../interfaces/IIndexOracle.sol";
import {Layout, Market} from "./ClearinghouseStorage.sol";
import {MarginLogic} from "./MarginLogic.sol";
import {MarketParamsLib} from "./MarketParamsLib.sol";
import {WAD} from "./WadMath.sol";

/// @title MarketAdminLogic
/// @notice Market creation and risk-parameter updates with the hard bounds no role can exceed, and the copy of
/// each index's latest oracle value that the marks read (`IndexCache`). Run by the
/// Clearinghouse with `delegatecall` on its own storage (EIP-170 split: these paths are rare, so the call's
/// overhead does not matter).
library MarketAdminLogic {
    using SafeCast for uint256;

    /// @notice Largest initial margin rate (100 %).
    uint256 internal constant MAX_IMR = 1e18;
    /// @notice Largest maker or taker fee (1 %).
    uint256 internal constant MAX_FEE = 0.01e18;
    /// @notice Largest price band around mark (50 %).
    uint256 internal constant MAX_PRICE_BAND = 0.5e18;
    /// @notice Largest basis EMA weight (100 %: the last trade's basis).
    uint256 internal constant MAX_BASIS_WEIGHT = 1e18;
    /// @notice Largest annualised basis clamp (90 %/year); with `MAX_TIME_TO_EXPIRY` the mark stays > 0.
    uint256 internal constant MAX_BASIS_RATE = 0.9e18;
    /// @notice Largest basis depth (contracts): it is stored in the 56 free bits of the market's trade slot.
    uint256 internal constant MAX_BASIS_DEPTH = type(uint56).max;
    /// @notice Longest time from creation to expiry.
    uint256 internal constant MAX_TIME_TO_EXPIRY = 366 days;
    /// @notice Largest contract size (one million index units).
    uint256 internal constant MAX_CONTRACT_SIZE = 1e24;
    /// @notice Largest tick size (one million dollars per index unit, as `MAX_CONTRACT_SIZE`): it is stored in 80
    /// bits of the trade checks slot.
    uint256 internal constant MAX_TICK_SIZE = 1e24;
    /// @notice Largest minimum fill size (contracts): it is stored in 32 bits of the market's basis slot.
    uint256 internal constant MAX_MIN_SIZE = type(uint32).max;
    /// @notice Settlement TWAP window bounds.
    uint256 internal constant MIN_SETTLEMENT_WINDOW = 5 minutes;
    uint256 internal constant MAX_SETTLEMENT_WINDOW = 7 days;
    /// @notice Dispute window bounds.
    uint256 internal constant MIN_DISPUTE_WINDOW = 1 hours;
    uint256 internal constant MAX_DISPUTE_WINDOW = 7 days;
    /// @notice The fallback deadline is at least one day after the dispute window, at most 90 days.
    uint256 internal constant MIN_FALLBACK_MARGIN = 1 days;
    uint256 internal constant MAX_FALLBACK_DELAY = 90 days;
    /// @notice On a market with open interest, the most one risk update may raise the maintenance margin rate
    /// (one percentage point) and the liquidation penalty (half a point), and how long after such a raise the
    /// next raise may land. Lowering is never limited. With the penalty capped at the account's equity
    /// (`LiquidationLogic`), no single key can turn healthy accounts into liquidation rewards.
    uint256 internal constant MAX_MMR_RAISE = 0.01e18;
    uint256 internal constant MAX_PENALTY_RAISE = 0.005e18;
    uint256 internal constant RISK_RAISE_INTERVAL = 1 days;
    /// @notice Largest share of a liquidation penalty the liquidator receives (the rest goes to the fund).
    uint256 internal constant MAX_LIQUIDATOR_SHARE = 0.5e18;
    /// @notice Most one `setFeeShares` may raise the liquidator share once markets exist.
    uint256 internal constant MAX_LIQUIDATOR_SHARE_RAISE = 0.1e18;
    /// @notice Most markets a Clearinghouse can ever create: an account's open-market lanes hold 16-bit
    /// market indexes (0 = empty lane).
    uint256 internal constant MAX_MARKETS = type(uint16).max;

    /// @notice See `IClearinghouse.createMarket`.
    function createMarket(
        Layout storage s,
        IIndexOracleReader oracle,
        MarketParams calldata params,
        RiskParams calldata risk,
        SettlementTerms calldata terms
    ) external returns (bytes32 id) {
        id = MarketParamsLib.id(params);
        Market storage m = s.markets[id];
        if (m.contractSize != 0) revert IClearinghouse.MarketAlreadyExists(id);
        _checkParams(params, terms);
        _checkCoverage(oracle, params);
        _checkRisk(risk);
        uint256 index = uint256(s.marketCount) + 1;
        if (index > MAX_MARKETS) revert IClearinghouse.TooManyMarkets(index);
        s.marketCount = uint16(index);
        s.marketIds[uint32(index)] = id;
        m.indexId = params.indexId;
        // The index's number keys the copy every mark reads; `IndexOracle` numbers from 1 to 255.
        (uint256 value, uint256 updatedAt, uint256 maxAge, uint256 number) = oracle.latestUnchecked(params.indexId);
        if (number == 0) revert IClearinghouse.IndexNotNumbered(params.indexId);
        m.indexNumber = number.toUint8();
        s.indexNumbers[params.indexId] = number;
        m.methodologyHash = params.methodologyHash;
        m.expiry = uint40(params.expiry);
        m.contractSize = uint80(params.contractSize);
        // Fit: `_checkParams` bounds them by `MAX_TICK_SIZE` (< 2^80) and `MAX_MIN_SIZE` (2^32 - 1).
        m.tickSize = uint80(params.tickSize);
        m.minSize = uint32(params.minSize);
        m.settlementWindow = params.settlementWindow;
        m.disputeWindow = terms.disputeWindow;
        m.fallbackDelay = terms.fallbackDelay;
        m.index = uint32(index);
        // Stored plus one, so the first realisation does not pay for a fresh slot.
        m.realisedNet = 1;
        _writeRisk(m, risk);
        emit IClearinghouse.MarketCreated(id, uint32(index), params, risk, terms);
        // A market on an index that already has rounds trades at once, whether or not the oracle has pushed.
        if (updatedAt != 0) MarginLogic.cacheIndex(s, params.indexId, number, value, updatedAt, maxAge);
    }

    /// @notice See `IClearinghouse.setFeeShares`.
    function setFeeShares(Layout storage s, uint64 insuranceFeeShare, uint64 liquidatorShare) external {
        if (insuranceFeeShare > WAD) revert IClearinghouse.ShareOutOfBounds(insuranceFeeShare, WAD);
        if (liquidatorShare > MAX_LIQUIDATOR_SHARE) revert IClearinghouse.ShareOutOfBounds(liquidatorShare, MAX_LIQUIDATOR_SHARE);
        uint256 oldShare = s.liquidatorShare;
        if (liquidatorShare > oldShare && s.marketCount != 0) {
            // Raises are bounded and spaced once markets exist, as `mmr` and penalty raises are per market.
            if (liquidatorShare > oldShare + MAX_LIQUIDATOR_SHARE_RAISE) {
                revert IClearinghouse.ShareRaiseTooLarge(oldShare, liquidatorShare, MAX_LIQUIDATOR_SHARE_RAISE);
            }
            uint256 readyAt = uint256(s.liquidatorShareRaisedAt) + RISK_RAISE_INTERVAL;
            if (s.liquidatorShareRaisedAt != 0 && block.timestamp < readyAt) revert IClearinghouse.ShareRaiseTooSoon(readyAt);
            s.liquidatorShareRaisedAt = uint40(block.timestamp);
        }
        // The fees waiting to be split are split at the share they accrued under.
        MarginLogic.sweepFees(s);
        s.insuranceFeeShare = insuranceFeeShare;
        s.liquidatorShare = liquidatorShare;
        emit IClearinghouse.FeeSharesSet(insuranceFeeShare, liquidatorShare);
    }

    // ------------------------------------------------------------------ index copy

    /// @notice See `IClearinghouse.syncIndex`.
    function syncIndex(Layout storage s, IIndexOracleReader oracle, bytes32 indexId) external {
        (uint256 value, uint256 updatedAt, uint256 maxAge, uint256 number) = oracle.latestUnchecked(indexId);
        if (updatedAt == 0) revert IClearinghouse.IndexNotCached(indexId);
        s.indexNumbers[indexId] = number;
        MarginLogic.cacheIndex(s, indexId, number, value, updatedAt, maxAge);
    }

    /// @notice See `IClearinghouse.setRiskParams`.
    function setRiskParams(Layout storage s, bytes32 id, RiskParams calldata risk) external {
        Market storage m = MarginLogic.market(s, id);
        _checkRisk(risk);
        if (m.openInterest != 0) _checkLiveRaise(m, id, risk);
        _writeRisk(m, risk);
        emit IClearinghouse.RiskParamsSet(id, risk);
    }

    /// @dev On a live market (open interest), raises of `mmr` and the penalty are bounded per update and spaced
    /// by `RISK_RAISE_INTERVAL`.
    function _checkLiveRaise(Market storage m, bytes32 id, RiskParams calldata r) private {
        uint256 oldMmr = m.mmr;
        uint256 oldPenalty = m.liquidationPenalty;
        bool raises = r.mmr > oldMmr || r.liquidationPenalty > oldPenalty;
        if (!raises) return;
        if (r.mmr > oldMmr + MAX_MMR_RAISE) {
            revert IClearinghouse.RiskRaiseTooLarge(id, oldMmr, r.mmr, MAX_MMR_RAISE);
        }
        if (r.liquidationPenalty > oldPenalty + MAX_PENALTY_RAISE) {
            revert IClearinghouse.RiskRaiseTooLarge(id, oldPenalty, r.liquidationPenalty, MAX_PENALTY_RAISE);
        }
        uint256 readyAt = uint256(m.riskRaisedAt) + RISK_RAISE_INTERVAL;
        if (m.riskRaisedAt != 0 && block.timestamp < readyAt) revert IClearinghouse.RiskRaiseTooSoon(id, readyAt);
        m.riskRaisedAt = uint40(block.timestamp);
    }

    /// @dev The settlement window must fit the oracle's bound on the rounds one window can hold (`maxWindow`,
    /// which also reverts for an index the oracle does not know), so `twap` and `range` stay bounded in gas.
    /// The fallback TWAP answers whenever the index has had a round, and a market whose index never had one
    /// cannot have traded, so no market holds collateral it cannot release.
    function _checkCoverage(IIndexOracleReader oracle, MarketParams calldata p) private view {
        uint256 maxWindow = oracle.maxWindow(p.indexId);
        if (p.settlementWindow > maxWindow) {
            revert IClearinghouse.SettlementWindowNotCoverable(p.indexId, p.settlementWindow, maxWindow);
        }
    }

    function _checkParams(MarketParams calldata p, SettlementTerms calldata t) private view {
        uint256 latest = block.timestamp + MAX_TIME_TO_EXPIRY;
        if (p.expiry <= block.timestamp || p.expiry > latest) {
            revert IClearinghouse.ExpiryOutOfBounds(p.expiry, block.timestamp + 1, latest);
        }
        if (p.contractSize == 0 || p.contractSize > MAX_CONTRACT_SIZE) {
            revert IClearinghouse.ContractSizeOutOfBounds(p.contractSize, MAX_CONTRACT_SIZE);
        }
        if (p.tickSize == 0 || p.tickSize > MAX_TICK_SIZE) {
            revert IClearinghouse.TickSizeOutOfBounds(p.tickSize, MAX_TICK_SIZE);
        }
        if (p.minSize == 0 || p.minSize > MAX_MIN_SIZE) revert IClearinghouse.MinSizeOutOfBounds(p.minSize, MAX_MIN_SIZE);
        if (p.settlementWindow < MIN_SETTLEMENT_WINDOW || p.settlementWindow > MAX_SETTLEMENT_WINDOW) {
            revert IClearinghouse.SettlementWindowOutOfBounds(
                p.settlementWindow,
                MIN_SETTLEMENT_WINDOW,
                MAX_SETTLEMENT_WINDOW
            );
        }
        if (t.disputeWindow < MIN_DISPUTE_WINDOW || t.disputeWindow > MAX_DISPUTE_WINDOW) {
            revert IClearinghouse.DisputeWindowOutOfBounds(t.disputeWindow, MIN_DISPUTE_WINDOW, MAX_DISPUTE_WINDOW);
        }
        uint256 minFallback = uint256(t.disputeWindow) + MIN_FALLBACK_MARGIN;
        if (t.fallbackDelay < minFallback || t.fallbackDelay > MAX_FALLBACK_DELAY) {
            revert IClearinghouse.FallbackDelayOutOfBounds(t.fallbackDelay, minFallback, MAX_FALLBACK_DELAY);
        }
    }

    function _checkRisk(RiskParams calldata r) private pure {
        if (r.imr == 0 || r.imr > MAX_IMR) revert IClearinghouse.ImrOutOfBounds(r.imr, MAX_IMR);
        if (r.mmr == 0 || r.mmr >= r.imr) revert IClearinghouse.MmrOutOfBounds(r.mmr, r.imr);
        if (r.liquidationPenalty >= r.mmr) {
            revert IClearinghouse.LiquidationPenaltyOutOfBounds(r.liquidationPenalty, r.mmr);
        }
        if (r.maxPositionSize == 0) revert IClearinghouse.MaxPositionSizeOutOfBounds(r.maxPositionSize);
        if (r.maxOpenInterest == 0) revert IClearinghouse.MaxOpenInterestOutOfBounds(r.maxOpenInterest);
        if (r.priceBand == 0 || r.priceBand > MAX_PRICE_BAND) {
            revert IClearinghouse.PriceBandOutOfBounds(r.priceBand, MAX_PRICE_BAND);
        }
        if (r.makerFee > MAX_FEE) revert IClearinghouse.MakerFeeOutOfBounds(r.makerFee, MAX_FEE);
        if (r.takerFee > MAX_FEE) revert IClearinghouse.TakerFeeOutOfBounds(r.takerFee, MAX_FEE);
        if (r.basisWeight == 0 || r.basisWeight > MAX_BASIS_WEIGHT) {
            revert IClearinghouse.BasisWeightOutOfBounds(r.basisWeight, MAX_BASIS_WEIGHT);
        }
        if (r.maxBasisRate > MAX_BASIS_RATE) {
            revert IClearinghouse.MaxBasisRateOutOfBounds(r.maxBasisRate, MAX_BASIS_RATE);
        }
        if (r.maxBasisStep == 0 || r.maxBasisStep > r.maxBasisRate) {
            revert IClearinghouse.MaxBasisStepOutOfBounds(r.maxBasisStep, r.maxBasisRate);
        }
        if (r.basisDepth == 0 || r.basisDepth > MAX_BASIS_DEPTH) {
            revert IClearinghouse.BasisDepthOutOfBounds(r.basisDepth, MAX_BASIS_DEPTH);
        }
    }

    function _writeRisk(Market storage m, RiskParams calldata r) private {
        m.imr = r.imr;
        m.mmr = r.mmr;
        m.liquidationPenalty = r.liquidationPenalty;
        m.maxPositionSize = r.maxPositionSize;
        m.maxOpenInterest = r.maxOpenInterest;
        m.priceBand = r.priceBand;
        // Fit: `_checkRisk` bounds both fees by `MAX_FEE` (< 2^56).
        m.makerFee = uint56(r.makerFee);
        m.takerFee = uint56(r.takerFee);
        m.basisWeight = r.basisWeight;
        m.maxBasisRate = r.maxBasisRate;
        m.maxBasisStep = r.maxBasisStep;
        // Fits: `_checkRisk` bounds it by `MAX_BASIS_DEPTH` = type(uint56).max.
        m.basisDepth = uint56(r.basisDepth);
        // A lowered clamp applies at once to the stored rate too.
        int256 clamp = int256(uint256(r.maxBasisRate));
        int256 basis = m.basisRate;
        if (basis > clamp) m.basisRate = int64(clamp);
        else if (basis < -clamp) m.basisRate = int64(-clamp);
        // The second's mark basis too, so the mark obeys the new clamp at once.
        int256 markBasis = m.markBasis;
        if (markBasis > clamp) m.markBasis = int64(clamp);
        else if (markBasis < -clamp) m.markBasis = int64(-clamp);
        // And the time-averaged basis liquidation is judged by.
        int256 average = m.averageBasis;
        if (average > clamp) m.averageBasis = int64(clamp);
        else if (average < -clamp) m.averageBasis = int64(-clamp);
    }
}
