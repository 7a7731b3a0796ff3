// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {
    IClearinghouse,
    MarketParams,
    MarketStatus,
    RiskParams,
    SettlementTerms
} from "./interfaces/IClearinghouse.sol";
import {IClearinghouseVenue, VenueFill} from "./interfaces/IClearinghouseVenue.sol";
import {IIndexOracleListener, IIndexOracleReader} from "./interfaces/IIndexOracle.sol";
import {Account, IndexCache, Layout, Market, Position} from "./libraries/ClearinghouseStorage.sol";
import {LiquidationLogic} from "./libraries/LiquidationLogic.sol";
import {MarginLogic} from "./libraries/MarginLogic.sol";
import {MarketAdminLogic} from "./libraries/MarketAdminLogic.sol";
import {MarketParamsLib} from "./libraries/MarketParamsLib.sol";
import {SettlementLogic} from "./libraries/SettlementLogic.sol";
import {TradeLogic} from "./libraries/TradeLogic.sol";
import {WadMath} from "./libraries/WadMath.sol";

/// @title Clearinghouse
/// @notice Collateral, markets, positions, margin and mark price of the futures protocol. Market
/// administration, liquidation and settlement run in the linked external libraries `MarketAdminLogic`,
/// `LiquidationLogic` and `SettlementLogic` on this contract's storage (EIP-170 split).
/// @dev Parameters the interface calls `marketId` are `id` here, and `treasury` is `treasury_`: an
/// implemented function's parameter named like the `marketId(MarketParams)` or `treasury()` view shadows
/// it (a compiler warning on every such function); the ABI's input names differ, the order and types do not.
contract Clearinghouse is IClearinghouse, AccessManaged, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using SafeCast for int256;
    using WadMath for uint256;

    /// @notice Largest share of a liquidation penalty the liquidator receives (the rest goes to the fund).
    uint256 public constant MAX_LIQUIDATOR_SHARE = MarketAdminLogic.MAX_LIQUIDATOR_SHARE;
    /// @notice Most one `setFeeShares` may raise the liquidator share once markets exist.
    uint256 public constant MAX_LIQUIDATOR_SHARE_RAISE = MarketAdminLogic.MAX_LIQUIDATOR_SHARE_RAISE;

    IERC20 private immutable COLLATERAL;
    IIndexOracleReader private immutable ORACLE;
    uint256 private immutable SCALE;

    Layout internal _s;

    modifier onlyVenue() {
        // The primary venue shares a slot with the pause flag and the pending fees that the trade reads anyway.
        if (msg.sender != _s.primaryVenue && !_s.venues[msg.sender]) revert UnauthorizedVenue(msg.sender);
        _;
    }

    /// @param authority_ The AccessManager holding the roles.
    /// @param collateral_ The collateral token (at most 18 decimals).
    /// @param oracle_ The index oracle.
    /// @param treasury_ Where treasury fees go.
    constructor(
        address authority_,
        IERC20Metadata collateral_,
        IIndexOracleReader oracle_,
        address treasury_
    ) AccessManaged(authority_) {
        if (address(collateral_) == address(0) || address(oracle_) == address(0) || treasury_ == address(0)) {
            revert ZeroAddress();
        }
        uint8 decimals = collateral_.decimals();
        if (decimals > 18) revert CollateralDecimalsTooHigh(decimals);
        COLLATERAL = IERC20(address(collateral_));
        ORACLE = oracle_;
        SCALE = 10 ** (18 - uint256(decimals));
        _s.treasury = treasury_;
        emit TreasurySet(treasury_);
    }

    // ------------------------------------------------------------------ collateral

    /// @inheritdoc IClearinghouse
    function deposit(uint256 amount) external nonReentrant {
        _deposit(msg.sender, amount);
    }

    /// @inheritdoc IClearinghouse
    function depositFor(address account, uint256 amount) external nonReentrant {
        if (account == address(0)) revert ZeroAddress();
        _deposit(account, amount);
    }

    /// @inheritdoc IClearinghouse
    function depositWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external nonReentrant {
        // A failed permit is not fatal: it may have been used already (front-run from the mempool), and the
        // allowance check below decides either way, so neither branch has anything to do.
        // solhint-disable-next-line no-empty-blocks
        try IERC20Permit(address(COLLATERAL)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        uint256 allowance = COLLATERAL.allowance(msg.sender, address(this));
        if (allowance < amount) revert PermitFailed(msg.sender, allowance, amount);
        _deposit(msg.sender, amount);
    }

    /// @inheritdoc IClearinghouse
    function withdraw(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        Account storage a = _s.accounts[msg.sender];
        int256 balance = a.balance;
        if (balance < 0 || uint256(balance) < amount) revert InsufficientBalance(msg.sender, balance, amount);
        // amount <= balance <= type(int128).max, so the difference fits.
        a.balance = int128(balance - int256(amount));
        if (a.markets != 0) MarginLogic.requireInitialMargin(_s, ORACLE, SCALE, msg.sender);
        COLLATERAL.safeTransfer(msg.sender, amount);
        emit Withdrawn(msg.sender, amount);
    }

    /// @inheritdoc IClearinghouse
    function depositInsurance(uint256 amount) external nonReentrant {
        uint256 received = _pull(amount);
        _s.insuranceFund = (_s.insuranceFund + received).toUint128();
        emit InsuranceDeposited(msg.sender, received);
    }

    /// @inheritdoc IClearinghouse
    function withdrawTreasury() external nonReentrant {
        MarginLogic.sweepFees(_s);
        uint256 amount = _s.treasuryAccrued;
        if (amount == 0) revert NothingToWithdraw();
        _s.treasuryAccrued = 0;
        address to = _s.treasury;
        COLLATERAL.safeTransfer(to, amount);
        emit TreasuryWithdrawn(to, amount);
    }

    function _deposit(address account, uint256 amount) private {
        uint256 received = _pull(amount);
        Account storage a = _s.accounts[account];
        int256 before = a.balance;
        // A deposit into a negative balance repays the insurance fund first (`MarginLogic.changeBalance`).
        if (before >= 0) a.balance = (before + received.toInt256()).toInt128();
        else LiquidationLogic.credit(_s, account, before, received);
        emit Deposited(account, msg.sender, received);
    }

    /// @dev Pulls `amount` from the caller and returns the measured balance change (fee-on-transfer safe).
    function _pull(uint256 amount) private returns (uint256 received) {
        if (amount == 0) revert ZeroAmount();
        uint256 before = COLLATERAL.balanceOf(address(this));
        COLLATERAL.safeTransferFrom(msg.sender, address(this), amount);
        received = COLLATERAL.balanceOf(address(this)) - before;
        if (received == 0) revert NothingReceived(amount);
    }

    // ------------------------------------------------------------------ administration

    /// @inheritdoc IClearinghouse
    function createMarket(
        MarketParams calldata params,
        RiskParams calldata risk,
        SettlementTerms calldata terms
    ) external restricted returns (bytes32) {
        return MarketAdminLogic.createMarket(_s, ORACLE, params, risk, terms);
    }

    /// @inheritdoc IClearinghouse
    function setRiskParams(bytes32 id, RiskParams calldata risk) external restricted {
        MarketAdminLogic.setRiskParams(_s, id, risk);
    }

    /// @inheritdoc IClearinghouse
    function setVenue(address venue, bool allowed) external restricted {
        if (venue == address(0)) revert ZeroAddress();
        _s.venues[venue] = allowed;
        // The first venue allowed while none is primary becomes the primary (checked without a mapping
        // read); `venues` stays the full list, so `primaryVenue` is always one of its members.
        address primary = _s.primaryVenue;
        if (allowed && primary == address(0)) _s.primaryVenue = venue;
        else if (!allowed && primary == venue) _s.primaryVenue = address(0);
        emit VenueSet(venue, allowed);
    }

    /// @inheritdoc IClearinghouse
    function setMarketPaused(bytes32 id, bool paused) external restricted {
        MarginLogic.market(_s, id).paused = paused;
        emit MarketPausedSet(id, paused);
    }

    /// @inheritdoc IClearinghouse
    function setGlobalPaused(bool paused) external restricted {
        _s.globalPaused = paused;
        emit GlobalPausedSet(paused);
    }

    /// @inheritdoc IClearinghouse
    function setTreasury(address treasury_) external restricted {
        if (treasury_ == address(0)) revert ZeroAddress();
        _s.treasury = treasury_;
        emit TreasurySet(treasury_);
    }

    /// @inheritdoc IClearinghouse
    function setFeeShares(uint64 insuranceFeeShare, uint64 liquidatorShare) external restricted {
        MarketAdminLogic.setFeeShares(_s, insuranceFeeShare, liquidatorShare);
    }

    // ------------------------------------------------------------------ trading

    /// @inheritdoc IClearinghouseVenue
    /// @dev The single-fill path: the batch's checks, booking and event for one fill, without the batch's
    /// arrays.
    function trade(
        bytes32 id,
        address maker,
        address taker,
        int256 takerSizeDelta,
        uint256 price,
        bytes32 makerOrderHash
    ) external onlyVenue {
        VenueFill memory fill = VenueFill(maker, takerSizeDelta, price, makerOrderHash);
        (Market storage m, Position storage p, TradeLogic.Batch memory batch) = TradeLogic.openBatch(
            _s,
            id,
            taker,
            bytes32(0),
            fill
        );
        bool makerIncreased = TradeLogic.batchFill(_s, SCALE, m, batch, fill, 0);
        uint32 marketIndex = TradeLogic.closeBatch(_s, m, p, batch);
        if (!batch.anyIncrease) return;
        MarginLogic.KnownMark memory known = TradeLogic.knownMark(marketIndex, batch);
        if (batch.takerIncreased) MarginLogic.requireInitialMargin(_s, ORACLE, SCALE, taker, known);
        if (makerIncreased) MarginLogic.requireInitialMargin(_s, ORACLE, SCALE, maker, known);
    }

    /// @inheritdoc IClearinghouseVenue
    function tradeBatch(
        bytes32 id,
        address taker,
        bytes32 takerOrderHash,
        VenueFill[] calldata fills
    ) external onlyVenue {
        uint256 count = fills.length;
        if (count == 0) revert EmptyBatch();
        (Market storage m, Position storage p, TradeLogic.Batch memory batch) = TradeLogic.openBatch(
            _s,
            id,
            taker,
            takerOrderHash,
            fills[0]
        );
        bool[] memory makerIncreased = new bool[](count);
        // One memory copy, refilled from calldata for each fill (a fresh copy per fill grows memory for nothing).
        VenueFill memory fill;
        for (uint256 i = 0; i < count; ++i) {
            VenueFill calldata next = fills[i];
            (fill.maker, fill.takerSizeDelta, fill.price, fill.makerOrderHash) = (
                next.maker,
                next.takerSizeDelta,
                next.price,
                next.makerOrderHash
            );
            makerIncreased[i] = TradeLogic.batchFill(_s, SCALE, m, batch, fill, i);
        }
        uint32 marketIndex = TradeLogic.closeBatch(_s, m, p, batch);
        if (!batch.anyIncrease) return;
        MarginLogic.KnownMark memory known = TradeLogic.knownMark(marketIndex, batch);
        if (batch.takerIncreased) MarginLogic.requireInitialMargin(_s, ORACLE, SCALE, taker, known);
        for (uint256 i = 0; i < count; ++i) {
            if (makerIncreased[i]) MarginLogic.requireInitialMargin(_s, ORACLE, SCALE, fills[i].maker, known);
        }
    }

    // ------------------------------------------------------------------ liquidation (external library)

    /// @inheritdoc IClearinghouse
    function liquidate(address account, bytes32 id, uint256 size, uint256 priceLimit) external {
        LiquidationLogic.liquidate(_s, ORACLE, SCALE, account, id, size, priceLimit);
    }

    /// @inheritdoc IClearinghouse
    function deleverage(address account, bytes32 id, address[] calldata counterparties) external {
        LiquidationLogic.deleverage(_s, ORACLE, SCALE, account, id, counterparties);
    }

    // ------------------------------------------------------------------ settlement (external library)

    /// @inheritdoc IClearinghouse
    function proposeSettlement(bytes32 id) external {
        SettlementLogic.propose(_s, ORACLE, id);
    }

    /// @inheritdoc IClearinghouse
    function disputeSettlement(bytes32 id) external restricted {
        SettlementLogic.dispute(_s, id);
    }

    /// @inheritdoc IClearinghouse
    function resolveSettlement(bytes32 id, uint256 price) external restricted {
        SettlementLogic.resolve(_s, ORACLE, id, price);
    }

    /// @inheritdoc IClearinghouse
    function finalizeSettlement(bytes32 id) external {
        SettlementLogic.finalize(_s, ORACLE, id);
    }

    /// @inheritdoc IClearinghouse
    function settle(address account, bytes32 id) external {
        SettlementLogic.settle(_s, SCALE, account, id);
    }

    /// @inheritdoc IClearinghouse
    function settleMany(bytes32 id, address[] calldata accounts) external {
        SettlementLogic.settleMany(_s, SCALE, id, accounts);
    }

    // ------------------------------------------------------------------ index copy

    /// @inheritdoc IIndexOracleListener
    /// @dev Only the oracle (`NotOracle`); stores the copy every mark reads (`IndexValueCached`). Never reverts
    /// otherwise (a revert would stop the oracle's rounds). In the Clearinghouse itself, not a library, so a
    /// round costs its reporter no delegatecall.
    function onIndexValue(bytes32 indexId, uint256 value, uint256 updatedAt, uint256 maxAge, uint256 number) external {
        if (msg.sender != address(ORACLE)) revert NotOracle(msg.sender);
        MarginLogic.cacheIndex(_s, indexId, number, value, updatedAt, maxAge);
    }

    /// @inheritdoc IClearinghouse
    function syncIndex(bytes32 indexId) external {
        MarketAdminLogic.syncIndex(_s, ORACLE, indexId);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IClearinghouse
    function collateral() external view returns (address) {
        return address(COLLATERAL);
    }

    /// @inheritdoc IClearinghouse
    function oracle() external view returns (address) {
        return address(ORACLE);
    }

    /// @inheritdoc IClearinghouse
    function collateralScale() external view returns (uint256) {
        return SCALE;
    }

    /// @inheritdoc IClearinghouse
    function marketId(MarketParams calldata params) external pure returns (bytes32) {
        return MarketParamsLib.id(params);
    }

    /// @inheritdoc IClearinghouse
    function marketIdAt(uint32 index) external view returns (bytes32) {
        return _s.marketIds[index];
    }

    /// @inheritdoc IClearinghouse
    function marketCount() external view returns (uint32) {
        return _s.marketCount;
    }

    /// @inheritdoc IClearinghouse
    function marketParams(bytes32 id) external view returns (MarketParams memory p) {
        Market storage m = MarginLogic.market(_s, id);
        p = MarketParams({
            indexId: m.indexId,
            methodologyHash: m.methodologyHash,
            expiry: m.expiry,
            contractSize: m.contractSize,
            tickSize: m.tickSize,
            minSize: m.minSize,
            // stored in 64 bits (market slot 6), set from a uint32 and bounded by `MAX_SETTLEMENT_WINDOW`
            settlementWindow: uint32(m.settlementWindow)
        });
    }

    /// @inheritdoc IClearinghouse
    function riskParams(bytes32 id) external view returns (RiskParams memory r) {
        Market storage m = MarginLogic.market(_s, id);
        r = RiskParams({
            imr: m.imr,
            mmr: m.mmr,
            liquidationPenalty: m.liquidationPenalty,
            maxPositionSize: m.maxPositionSize,
            maxOpenInterest: m.maxOpenInterest,
            priceBand: m.priceBand,
            makerFee: m.makerFee,
            takerFee: m.takerFee,
            basisWeight: m.basisWeight,
            maxBasisRate: m.maxBasisRate,
            maxBasisStep: m.maxBasisStep,
            basisDepth: m.basisDepth
        });
    }

    /// @inheritdoc IClearinghouse
    function settlementTerms(bytes32 id) external view returns (SettlementTerms memory) {
        Market storage m = MarginLogic.market(_s, id);
        // Stored in 64 bits (market slot 6) and set from these uint32 fields.
        return SettlementTerms({disputeWindow: uint32(m.disputeWindow), fallbackDelay: uint32(m.fallbackDelay)});
    }

    /// @inheritdoc IClearinghouse
    function marketStatus(bytes32 id) external view returns (MarketStatus) {
        Market storage m = MarginLogic.market(_s, id);
        if (m.finalPrice != 0) return MarketStatus.Settled;
        if (m.proposedAt != 0) return MarketStatus.Settling;
        if (block.timestamp >= m.expiry) return MarketStatus.Expired;
        return MarketStatus.Trading;
    }

    /// @inheritdoc IClearinghouse
    function marketState(
        bytes32 id
    )
        external
        view
        returns (int256 basisRate, uint256 openInterest, uint256 openPositions, bool paused, uint32 index)
    {
        Market storage m = MarginLogic.market(_s, id);
        return (m.basisRate, m.openInterest, m.openPositions, m.paused, m.index);
    }

    /// @inheritdoc IClearinghouse
    function settlementState(
        bytes32 id
    )
        external
        view
        returns (
            uint256 proposedPrice,
            uint256 proposedAt,
            bool disputed,
            uint256 finalPrice,
            uint256 collected,
            uint256 claimed,
            int256 realisedNet
        )
    {
        Market storage m = MarginLogic.market(_s, id);
        // The accumulators are stored plus one from finalization on (a gas saving for the first settle) and
        // zero before.
        uint256 one = m.finalPrice != 0 ? 1 : 0;
        return (
            m.proposedPrice,
            m.proposedAt,
            m.disputed,
            m.finalPrice,
            m.collected - one,
            m.claimed - one,
            m.realisedNet - 1
        );
    }

    /// @inheritdoc IClearinghouse
    function indexValue(bytes32 indexId) external view returns (uint256 value, uint256 updatedAt, uint256 maxAge) {
        IndexCache storage c = _s.indexes[_s.indexNumbers[indexId]];
        return (c.value, c.updatedAt, c.maxAge);
    }

    /// @inheritdoc IClearinghouse
    function markPrice(bytes32 id) external view returns (uint256) {
        return MarginLogic.markPriceDown(_s, MarginLogic.market(_s, id), ORACLE);
    }

    /// @inheritdoc IClearinghouse
    function liquidationMarkPrice(bytes32 id) external view returns (uint256) {
        return MarginLogic.liquidationMarkDown(_s, MarginLogic.market(_s, id), ORACLE);
    }

    /// @inheritdoc IClearinghouse
    function markBases(
        bytes32 id
    ) external view returns (int256 markBasis, int256 averageBasis, int256 runningBasis) {
        Market storage m = MarginLogic.market(_s, id);
        return (MarginLogic.markBasis(m), MarginLogic.averageBasis(m), m.basisRate);
    }

    /// @inheritdoc IClearinghouse
    function accountOf(address account) external view returns (int256 balance, bytes32[] memory openMarkets) {
        Account storage a = _s.accounts[account];
        balance = a.balance;
        uint256 list = a.markets;
        openMarkets = new bytes32[](MarginLogic.MAX_OPEN_MARKETS);
        uint256 n;
        for (; list != 0; list >>= MarginLogic.LANE_BITS) {
            uint32 index = uint16(list);
            if (index != 0) {
                openMarkets[n] = _s.marketIds[index];
                ++n;
            }
        }
        // Shrink the array to the filled length; n <= MAX_OPEN_MARKETS.
        assembly ("memory-safe") {
            mstore(openMarkets, n)
        }
    }

    /// @inheritdoc IClearinghouseVenue
    function positionSize(address account, bytes32 id) external view returns (int256) {
        return _s.positions[account][id].size;
    }

    /// @inheritdoc IClearinghouse
    function position(address account, bytes32 id) external view returns (int256 size, int256 openNotional) {
        Position storage p = _s.positions[account][id];
        return (p.size, p.openNotional);
    }

    /// @inheritdoc IClearinghouse
    function health(
        address account
    ) external view returns (int256 equity, uint256 initialMargin, uint256 maintenanceMargin) {
        return MarginLogic.health(_s, ORACLE, SCALE, account);
    }

    /// @inheritdoc IClearinghouse
    function freeCollateral(address account) external view returns (uint256) {
        Account storage a = _s.accounts[account];
        int256 balance = a.balance;
        if (balance <= 0) return 0;
        if (a.markets == 0) return uint256(balance);
        (int256 equity, uint256 im, ) = MarginLogic.health(_s, ORACLE, SCALE, account);
        if (equity <= int256(im)) return 0;
        uint256 free = uint256(equity - int256(im)).toTokenDown(SCALE);
        return free < uint256(balance) ? free : uint256(balance);
    }

    /// @inheritdoc IClearinghouse
    function equityAndOpenLosses(address account) external view returns (int256 equity, uint256 openLosses) {
        return MarginLogic.equityAndOpenLosses(_s, ORACLE, SCALE, account);
    }

    /// @inheritdoc IClearinghouse
    function isLiquidatable(address account) external view returns (bool) {
        if (_s.accounts[account].markets == 0) return false;
        MarginLogic.LiquidationHealth memory h = MarginLogic.liquidationHealth(_s, ORACLE, SCALE, account);
        return
            h.equity < int256(h.mm) && h.averagedEquity < int256(h.averagedMm) && h.indexEquity < int256(h.indexMm);
    }

    /// @inheritdoc IClearinghouse
    function liquidationPrice(address account, bytes32 id) external view returns (uint256) {
        return LiquidationLogic.liquidationPriceDown(_s, ORACLE, SCALE, account, id);
    }

    /// @inheritdoc IClearinghouse
    function insuranceFund() external view returns (uint256) {
        (uint256 toInsurance, ) = MarginLogic.feeSplit(_s, _s.pendingFees);
        return _s.insuranceFund + toInsurance;
    }

    /// @inheritdoc IClearinghouse
    function treasuryAccrued() external view returns (uint256) {
        (, uint256 toTreasury) = MarginLogic.feeSplit(_s, _s.pendingFees);
        return _s.treasuryAccrued + toTreasury;
    }

    /// @inheritdoc IClearinghouse
    function treasury() external view returns (address) {
        return _s.treasury;
    }

    /// @inheritdoc IClearinghouse
    function isVenue(address venue) external view returns (bool) {
        return (venue != address(0) && venue == _s.primaryVenue) || _s.venues[venue];
    }

    /// @inheritdoc IClearinghouse
    function globalPaused() external view returns (bool) {
        return _s.globalPaused;
    }

    /// @inheritdoc IClearinghouse
    function feeShares() external view returns (uint64 insuranceFeeShare, uint64 liquidatorShare) {
        return (_s.insuranceFeeShare, _s.liquidatorShare);
    }
}
