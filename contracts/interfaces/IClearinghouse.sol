// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IClearinghouseVenue} from "./IClearinghouseVenue.sol";
import {IIndexOracleListener} from "./IIndexOracle.sol";

/// @notice The fixed description of a dated series. The market id is `keccak256(abi.encode(params))`.
/// @param indexId The oracle index the series settles on.
/// @param methodologyHash The hash of the index rules the series settles on, fixed for its whole life.
/// @param expiry Unix time at which trading stops and settlement may start.
/// @param contractSize Index units per contract, 18-decimal (`1000e18` = one contract is 1000 index units).
/// @param tickSize Price increment, 18-decimal dollars per index unit.
/// @param minSize Smallest trade, in contracts.
/// @param settlementWindow Seconds before expiry that the settlement TWAP averages over.
struct MarketParams {
    bytes32 indexId;
    bytes32 methodologyHash;
    uint64 expiry;
    uint128 contractSize;
    uint128 tickSize;
    uint64 minSize;
    uint32 settlementWindow;
}

/// @notice The risk parameters of a market, changed by the risk role inside the hard bounds.
/// @dev All rates are 18-decimal fractions (`1e18` = 100 %); sizes are whole contracts.
/// @param imr Initial margin rate.
/// @param mmr Maintenance margin rate (`0 < mmr < imr <= 100 %`).
/// @param liquidationPenalty Penalty on liquidated notional (`< mmr`).
/// @param maxPositionSize Largest absolute position one account may grow to.
/// @param maxOpenInterest Largest open interest (sum of long sizes) the market may grow to.
/// @param priceBand Largest relative distance of a trade price from mark.
/// @param makerFee Maker fee on notional (`<= 1 %`).
/// @param takerFee Taker fee on notional (`<= 1 %`).
/// @param basisWeight Weight of one trade's implied basis in the basis EMA.
/// @param maxBasisRate Clamp of the annualised basis rate, both signs.
/// @param maxBasisStep Largest change of the basis rate one trade can cause.
/// @param basisDepth Fill size (contracts) that moves the basis EMA by the full `basisWeight`; a smaller fill
/// moves it by `basisWeight × |size| / basisDepth`, rounded down (toward not moving the basis), and its step is
/// truncated toward zero (`0 < basisDepth <= type(uint56).max`; 1 = every fill counts in full).
struct RiskParams {
    uint64 imr;
    uint64 mmr;
    uint64 liquidationPenalty;
    uint64 maxPositionSize;
    uint64 maxOpenInterest;
    uint64 priceBand;
    uint64 makerFee;
    uint64 takerFee;
    uint64 basisWeight;
    uint64 maxBasisRate;
    uint64 maxBasisStep;
    uint64 basisDepth;
}

/// @notice How a market's settlement price is fixed, set at creation and never changed.
/// @param disputeWindow Seconds after a proposal during which the guardian may dispute it.
/// @param fallbackDelay Seconds after expiry after which anyone may finalize at the on-chain TWAP.
struct SettlementTerms {
    uint32 disputeWindow;
    uint32 fallbackDelay;
}

/// @notice Where a market is in its life.
enum MarketStatus {
    Trading,
    Expired,
    Settling,
    Settled
}

/// @title IClearinghouse
/// @notice Holds the collateral of every account, books trades from authorised venues, marks positions,
/// liquidates unhealthy accounts and settles dated markets at expiry against the oracle's TWAP.
/// @dev Units: collateral balances are in the token's smallest unit; prices are 18-decimal dollars per
/// index unit; sizes are signed whole contracts; margin, equity and PnL values returned by views are
/// 18-decimal dollars ("wad"). Every conversion from wad to token units rounds against the account.
interface IClearinghouse is IClearinghouseVenue, IIndexOracleListener {
    // ------------------------------------------------------------------ errors: configuration
    /// @notice Thrown when the collateral token has more than 18 decimals.
    error CollateralDecimalsTooHigh(uint8 decimals);
    /// @notice Thrown when a required address (collateral, oracle, treasury) is zero.
    error ZeroAddress();
    /// @notice Thrown when a market with the same parameters already exists.
    error MarketAlreadyExists(bytes32 marketId);
    /// @notice Thrown when no market has this id.
    error UnknownMarket(bytes32 marketId);
    /// @notice Thrown when the market cap of sequential indexes is exhausted.
    error TooManyMarkets(uint256 count);
    /// @notice Thrown when a new market's expiry is not in `(now, now + MAX_TIME_TO_EXPIRY]`.
    error ExpiryOutOfBounds(uint256 expiry, uint256 earliest, uint256 latest);
    /// @notice Thrown when the contract size is zero or above the maximum.
    error ContractSizeOutOfBounds(uint256 contractSize, uint256 max);
    /// @notice Thrown when the tick size is zero or above the maximum.
    error TickSizeOutOfBounds(uint256 tickSize, uint256 max);
    /// @notice Thrown when the minimum trade size is zero or above the maximum.
    error MinSizeOutOfBounds(uint256 minSize, uint256 max);
    /// @notice Thrown when the settlement TWAP window is outside its bounds.
    error SettlementWindowOutOfBounds(uint256 window, uint256 min, uint256 max);
    /// @notice Thrown when the dispute window is outside its bounds.
    error DisputeWindowOutOfBounds(uint256 window, uint256 min, uint256 max);
    /// @notice Thrown when the fallback delay is outside its bounds.
    error FallbackDelayOutOfBounds(uint256 delay, uint256 min, uint256 max);
    /// @notice Thrown when the initial margin rate is zero or above 100 %.
    error ImrOutOfBounds(uint256 imr, uint256 max);
    /// @notice Thrown when the maintenance margin rate is zero or not below the initial margin rate.
    error MmrOutOfBounds(uint256 mmr, uint256 imr);
    /// @notice Thrown when the liquidation penalty is not below the maintenance margin rate.
    error LiquidationPenaltyOutOfBounds(uint256 penalty, uint256 mmr);
    /// @notice Thrown when the maximum position size is zero.
    error MaxPositionSizeOutOfBounds(uint256 maxPositionSize);
    /// @notice Thrown when the maximum open interest is zero.
    error MaxOpenInterestOutOfBounds(uint256 maxOpenInterest);
    /// @notice Thrown when the price band is zero or above the maximum.
    error PriceBandOutOfBounds(uint256 band, uint256 max);
    /// @notice Thrown when the maker fee is above the maximum.
    error MakerFeeOutOfBounds(uint256 fee, uint256 max);
    /// @notice Thrown when the taker fee is above the maximum.
    error TakerFeeOutOfBounds(uint256 fee, uint256 max);
    /// @notice Thrown when the basis EMA weight is zero or above the maximum.
    error BasisWeightOutOfBounds(uint256 weight, uint256 max);
    /// @notice Thrown when the basis clamp is above the maximum.
    error MaxBasisRateOutOfBounds(uint256 rate, uint256 max);
    /// @notice Thrown when the per-trade basis step cap is zero or above the basis clamp.
    error MaxBasisStepOutOfBounds(uint256 step, uint256 maxBasisRate);
    /// @notice Thrown when the basis depth is zero or above `max` (`type(uint56).max`).
    error BasisDepthOutOfBounds(uint256 depth, uint256 max);
    /// @notice Thrown when a fee or penalty share is above 100 %.
    error ShareOutOfBounds(uint256 share, uint256 max);
    /// @notice Thrown when a market's settlement window is longer than the oracle can average in bounded gas.
    error SettlementWindowNotCoverable(bytes32 indexId, uint256 window, uint256 maxWindow);
    /// @notice Thrown when a risk update on a market with open interest raises `mmr` or the liquidation
    /// penalty from `from` to `to`, more than `maxRaise` in one update.
    error RiskRaiseTooLarge(bytes32 marketId, uint256 from, uint256 to, uint256 maxRaise);
    /// @notice Thrown when a risk update on a market with open interest raises `mmr` or the penalty again
    /// before `readyAt`.
    error RiskRaiseTooSoon(bytes32 marketId, uint256 readyAt);
    /// @notice Thrown when `setFeeShares` raises the liquidator share by more than `maxRaise` at once.
    error ShareRaiseTooLarge(uint256 from, uint256 to, uint256 maxRaise);
    /// @notice Thrown when `setFeeShares` raises the liquidator share again before `readyAt`.
    error ShareRaiseTooSoon(uint256 readyAt);

    // ------------------------------------------------------------------ errors: collateral
    /// @notice Thrown when an amount is zero.
    error ZeroAmount();
    /// @notice Thrown when a token transfer into the Clearinghouse moved nothing.
    error NothingReceived(uint256 requested);
    /// @notice Thrown by `depositWithPermit` when the permit was not accepted (or the token has none) and the
    /// allowance the caller has left for the Clearinghouse does not cover the deposit.
    error PermitFailed(address owner, uint256 allowance, uint256 amount);
    /// @notice Thrown when a withdrawal exceeds the account's realised balance.
    error InsufficientBalance(address account, int256 balance, uint256 amount);
    /// @notice Thrown when an account would end below its initial margin.
    error InsufficientMargin(address account, int256 equity, uint256 initialMargin);
    /// @notice Thrown when an account would hold positions in more markets than allowed.
    error TooManyOpenMarkets(address account, uint256 max);
    /// @notice Thrown when the treasury has nothing accrued to withdraw.
    error NothingToWithdraw();

    // ------------------------------------------------------------------ errors: trading
    /// @notice Thrown when `trade` is called by an address that is not an authorised venue.
    error UnauthorizedVenue(address caller);
    /// @notice Thrown when maker and taker are the same account.
    error SelfTrade(address trader);
    /// @notice Thrown when a size is zero.
    error ZeroSize();
    /// @notice Thrown when `tradeBatch` is given no fills.
    error EmptyBatch();
    /// @notice Thrown when a `tradeBatch` fill moves the taker the other way than the batch's first fill.
    error MixedTakerDirection(uint256 fillIndex, int256 takerSizeDelta);
    /// @notice Thrown when a trade price is zero.
    error ZeroPrice();
    /// @notice Thrown when trading or liquidating a market at or after its expiry.
    error MarketExpired(bytes32 marketId, uint256 expiry);
    /// @notice Thrown when a risk-increasing action hits a paused market (or the global pause).
    error MarketIsPaused(bytes32 marketId);
    /// @notice Thrown when a trade price is not a multiple of the tick size.
    error PriceNotOnTick(uint256 price, uint256 tickSize);
    /// @notice Thrown when a trade is smaller than the market's minimum size.
    error SizeBelowMinimum(uint256 size, uint256 minSize);
    /// @notice Thrown when a fill's size is larger than any position can hold (`type(uint128).max` contracts).
    error SizeTooLarge(uint256 size, uint256 max);
    /// @notice Thrown when a trade price is further from mark than the price band allows.
    error PriceOutsideBand(uint256 price, uint256 mark, uint256 band);
    /// @notice Thrown when an account's position would grow past the maximum position size.
    error PositionSizeExceeded(address account, uint256 size, uint256 max);
    /// @notice Thrown when the market's open interest would grow past its maximum.
    error OpenInterestExceeded(uint256 openInterest, uint256 max);

    // ------------------------------------------------------------------ errors: liquidation
    /// @notice Thrown when an account tries to liquidate or deleverage against itself.
    error SelfLiquidation(address account);
    /// @notice Thrown when the account holds no position in the market.
    error NoPosition(address account, bytes32 marketId);
    /// @notice Thrown when liquidating an account whose equity is at or above maintenance margin, at the marks,
    /// at the liquidation marks (the time-averaged basis, `liquidationMarkPrice`) or at the index values (no
    /// basis); the figures are those of the valuation that found it healthy.
    error AccountHealthy(address account, int256 equity, uint256 maintenanceMargin);
    /// @notice Thrown when a liquidation is larger than the position or than needed.
    error LiquidationSizeTooLarge(uint256 size, uint256 max);
    /// @notice Thrown when the mark is worse for the liquidator than its price limit.
    error PriceLimitExceeded(uint256 mark, uint256 limit);
    /// @notice Thrown when closing the account would leave bad debt the insurance fund cannot cover.
    error BadDebtExceedsInsurance(address account, uint256 debt, uint256 insurance);
    /// @notice Thrown when deleveraging an account whose equity is not negative, at the marks, at the
    /// liquidation marks or at the index values (the figure is that of the valuation that found it solvent).
    error NotBankrupt(address account, int256 equity);
    /// @notice Thrown when deleveraging while the insurance fund could still cover the shortfall.
    error InsuranceCanCover(uint256 shortfall, uint256 insurance);
    /// @notice Thrown when no counterparties are given to deleverage against.
    error NoCounterparties();
    /// @notice Thrown when a deleveraging counterparty is not on the opposite side.
    error CounterpartyNotOpposite(address counterparty, int256 size);
    /// @notice Thrown when a deleveraging counterparty is not in profit at the bankruptcy price.
    error CounterpartyNotProfitable(address counterparty, int256 pnl);

    // ------------------------------------------------------------------ errors: settlement
    /// @notice Thrown when a settlement step needs the market to be expired and it is not.
    error MarketNotExpired(bytes32 marketId, uint256 expiry);
    /// @notice Thrown when a settlement price has already been proposed.
    error SettlementAlreadyProposed(bytes32 marketId);
    /// @notice Thrown when disputing a market with no proposal.
    error SettlementNotProposed(bytes32 marketId);
    /// @notice Thrown when disputing a proposal that is already disputed.
    error SettlementAlreadyDisputed(bytes32 marketId);
    /// @notice Thrown when disputing after the dispute window closed.
    error DisputeWindowClosed(bytes32 marketId, uint256 closedAt);
    /// @notice Thrown when resolving a market whose proposal is not disputed.
    error SettlementNotDisputed(bytes32 marketId);
    /// @notice Thrown when the market already has a final settlement price.
    error MarketAlreadySettled(bytes32 marketId);
    /// @notice Thrown when a resolved price lies outside the index range of the settlement window.
    error SettlementPriceOutOfRange(uint256 price, uint256 min, uint256 max);
    /// @notice Thrown when finalizing before the dispute window or the fallback deadline has passed.
    error SettlementNotReady(bytes32 marketId, uint256 readyAt);
    /// @notice Thrown when a settlement price would be zero.
    error ZeroSettlementPrice(bytes32 marketId);
    /// @notice Thrown when settling positions of a market without a final price.
    error MarketNotSettled(bytes32 marketId);
    /// @notice Thrown when the account has neither a position nor a claim in the settled market.
    error NothingToSettle(address account, bytes32 marketId);
    /// @notice Thrown when paying a claim before every position of the market is settled.
    error ClaimNotYetPayable(address account, bytes32 marketId, uint256 openPositions);

    // ------------------------------------------------------------------ errors: index
    /// @notice Thrown when `onIndexValue` is called by `caller`, not the oracle.
    error NotOracle(address caller);
    /// @notice Thrown when the live index of `indexId` is needed but its latest value, accepted at `updatedAt`,
    /// is older than `maxAge` (the oracle's `StaleIndex`, with the same arguments).
    error StaleIndex(bytes32 indexId, uint256 updatedAt, uint256 maxAge);
    /// @notice Thrown when the live index of `indexId` is needed but no value was ever pushed or synced.
    error IndexNotCached(bytes32 indexId);
    /// @notice Thrown by `createMarket` when the oracle gives `indexId` no number (`latestUnchecked`'s fourth
    /// value, which keys the Clearinghouse's copy of the index): an oracle that numbers no index is not one
    /// this Clearinghouse can use.
    error IndexNotNumbered(bytes32 indexId);

    // ------------------------------------------------------------------ events
    // Amounts and prices stay in the data part so the logs carry them without extra topics.
    // solhint-disable gas-indexed-events
    /// @notice Emitted when `amount` collateral units are credited to `account`, paid by `from`.
    event Deposited(address indexed account, address indexed from, uint256 amount);
    /// @notice Emitted when `account` withdraws `amount` collateral units.
    event Withdrawn(address indexed account, uint256 amount);
    /// @notice Emitted when `from` adds `amount` to the insurance fund.
    event InsuranceDeposited(address indexed from, uint256 amount);
    /// @notice Emitted when the trade fees waiting since earlier trades are split: `toInsurance` to the insurance
    /// fund, `toTreasury` to the treasury's accrued fees (collateral units). Each trade's fees are in its `Traded`.
    event FeesSwept(uint256 toInsurance, uint256 toTreasury);
    /// @notice Emitted when the accrued treasury fees are sent to the treasury.
    event TreasuryWithdrawn(address indexed treasury, uint256 amount);
    /// @notice Emitted when a market is created.
    event MarketCreated(
        bytes32 indexed marketId,
        uint32 indexed index,
        MarketParams params,
        RiskParams risk,
        SettlementTerms terms
    );
    /// @notice Emitted when a market's risk parameters change.
    event RiskParamsSet(bytes32 indexed marketId, RiskParams risk);
    /// @notice Emitted when a venue is authorised or de-authorised.
    event VenueSet(address indexed venue, bool allowed);
    /// @notice Emitted when a market is paused or unpaused.
    event MarketPausedSet(bytes32 indexed marketId, bool paused);
    /// @notice Emitted when the global pause is switched.
    event GlobalPausedSet(bool paused);
    /// @notice Emitted when the treasury address changes.
    event TreasurySet(address indexed treasury);
    /// @notice Emitted when the insurance share of fees or the liquidator share of penalties change.
    event FeeSharesSet(uint64 insuranceFeeShare, uint64 liquidatorShare);
    /// @notice Emitted for every fill: `takerSizeDelta` contracts (positive: the taker bought) at `price`
    /// between `maker` and `taker`; `makerFee`/`takerFee` are collateral units, `basisRate` the new EMA.
    /// The fill's only event: a venue with orders names them here (the Exchange: `makerOrderHash` is the
    /// resting order filled, `takerOrderHash` the taker's order in `matchOrders`, zero for `fillOrder`,
    /// whose taker is the caller); a venue without orders passes zero.
    event Traded(
        bytes32 indexed marketId,
        address indexed maker,
        address indexed taker,
        int256 takerSizeDelta,
        uint256 price,
        uint256 makerFee,
        uint256 takerFee,
        int256 basisRate,
        bytes32 makerOrderHash,
        bytes32 takerOrderHash
    );
    /// @notice Emitted when `liquidator` takes over `size` contracts (signed, as the account held them).
    event Liquidated(
        bytes32 indexed marketId,
        address indexed account,
        address indexed liquidator,
        int256 size,
        uint256 mark,
        uint256 penalty,
        uint256 liquidatorReward
    );
    /// @notice Emitted when the insurance fund pays `amount` of an account's bad debt.
    event BadDebtCovered(address indexed account, uint256 amount, uint256 insuranceLeft);
    /// @notice Emitted when a debit takes `account`'s balance below zero (an overdraft): the insurance fund lent
    /// `lent` of it (the negative balance is owed to the fund) and `writtenOff` could not be lent, so the
    /// market's pot does not count it (its winners bear it) or a fee or penalty was cut by it.
    event OverdraftLent(address indexed account, uint256 lent, uint256 writtenOff);
    /// @notice Emitted when a credit to a negative balance repays `amount` of it to the insurance fund.
    event DebtRepaid(address indexed account, uint256 amount);
    /// @notice Emitted when a bankrupt account's position is closed against a counterparty.
    event Deleveraged(
        bytes32 indexed marketId,
        address indexed account,
        address indexed counterparty,
        int256 size,
        uint256 bankruptcyPrice
    );
    /// @notice Emitted when a settlement price is proposed.
    event SettlementProposed(bytes32 indexed marketId, uint256 price);
    /// @notice Emitted when the guardian disputes a proposal.
    event SettlementDisputed(bytes32 indexed marketId);
    /// @notice Emitted when the final settlement price is fixed; `fallback` when by the TWAP fallback.
    event SettlementFinalized(bytes32 indexed marketId, uint256 price, bool resolved, bool fallbackUsed);
    /// @notice Emitted when a position is closed at the final price: loss debited or gain recorded as claim.
    event PositionSettled(bytes32 indexed marketId, address indexed account, int256 size, int256 pnl);
    /// @notice Emitted when a settlement claim is paid to an account's balance.
    event ClaimPaid(bytes32 indexed marketId, address indexed account, uint256 amount);
    /// @notice Emitted when the last position of a market settles: what settlement losers paid, what winners
    /// claim, the net profit and loss realised into balances before settlement (collateral units) and the
    /// surplus of `collected - realisedNet` over `claimed` that goes to insurance.
    event SettlementCompleted(
        bytes32 indexed marketId,
        uint256 collected,
        uint256 claimed,
        int256 realisedNet,
        uint256 surplus
    );

    /// @notice Emitted when the Clearinghouse's copy of an index's latest value changes (`onIndexValue`,
    /// `syncIndex`, `createMarket`).
    event IndexValueCached(bytes32 indexed indexId, uint256 value, uint256 updatedAt, uint256 maxAge);

    // solhint-enable gas-indexed-events

    // ------------------------------------------------------------------ collateral
    /// @notice Deposits `amount` collateral units for the caller. Credits the measured balance change.
    function deposit(uint256 amount) external;

    /// @notice Deposits `amount` collateral units, paid by the caller, into `account`.
    function depositFor(address account, uint256 amount) external;

    /// @notice Deposits `amount` collateral units for the caller, approving them in the same transaction with
    /// the caller's EIP-2612 `permit` signature (`spender` = this contract, `value` = `amount`).
    /// @dev A permit that fails (already used, for example submitted first by someone who saw it, or a token
    /// without `permit`) does not stop the deposit when the caller's allowance covers it; otherwise reverts
    /// with `PermitFailed`. Credits the measured balance change, like `deposit`.
    /// @param amount Collateral units to deposit.
    /// @param deadline The permit's deadline.
    /// @param v The permit signature's recovery id.
    /// @param r The permit signature's `r`.
    /// @param s The permit signature's `s`.
    function depositWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external;

    /// @notice Withdraws `amount` collateral units to the caller.
    /// @dev Needs `amount <= balance` and `equity - amount >= initialMargin`. Never blocked by a pause;
    /// an account with no positions never reads the oracle, so a stale index does not block it.
    function withdraw(uint256 amount) external;

    /// @notice Adds `amount` collateral units to the insurance fund.
    function depositInsurance(uint256 amount) external;

    /// @notice Sends all accrued treasury fees to the treasury address, the treasury's share of the trade fees
    /// still pending included (split first, `FeesSwept`). Callable by anyone.
    function withdrawTreasury() external;

    // ------------------------------------------------------------------ administration (restricted)
    /// @notice Creates a market. Restricted (market admin).
    /// @return marketId `keccak256(abi.encode(params))`.
    function createMarket(
        MarketParams calldata params,
        RiskParams calldata risk,
        SettlementTerms calldata terms
    ) external returns (bytes32 marketId);

    /// @notice Replaces a market's risk parameters, inside the hard bounds. Restricted (risk admin).
    function setRiskParams(bytes32 marketId, RiskParams calldata risk) external;

    /// @notice Authorises or de-authorises a venue that may call `trade`. Restricted.
    function setVenue(address venue, bool allowed) external;

    /// @notice Pauses or unpauses one market. Restricted (guardian).
    /// @dev A pause stops risk-increasing trades and liquidations; never deposits, withdrawals of free
    /// collateral, reduce-only trades or settlement.
    function setMarketPaused(bytes32 marketId, bool paused) external;

    /// @notice Pauses or unpauses every market at once. Restricted (guardian).
    function setGlobalPaused(bool paused) external;

    /// @notice Sets the address the treasury fees are sent to. Restricted.
    function setTreasury(address treasury) external;

    /// @notice Sets the insurance fund's share of trading fees and the liquidator's share of penalties.
    /// The trade fees still pending are split at the old share first (`FeesSwept`). Restricted (risk admin).
    function setFeeShares(uint64 insuranceFeeShare, uint64 liquidatorShare) external;

    // ------------------------------------------------------------------ liquidation
    /// @notice Liquidates `size` contracts of `account`'s position in `marketId`: the caller takes them
    /// over at mark and receives its share of the penalty.
    /// @dev Needs `equity < maintenanceMargin` (cross margin) at the marks, at the liquidation marks
    /// (`liquidationMarkPrice`: the basis averaged over 30 minutes) and at the index values (no basis; from
    /// expiry on the settlement value), so a walk of the basis alone liquidates nobody the index has not put
    /// below maintenance; and a live unpaused market and a fresh index.
    /// `size` is at most what restores maintenance margin, unless the position is small (notional at
    /// mark at most `SMALL_POSITION_NOTIONAL`, or the rest would be under `minSize`). `priceLimit` is
    /// the highest mark the caller accepts when taking over a long, the lowest when taking a short.
    /// The caller must meet initial margin afterwards. When the account ends with no positions and a
    /// negative balance the insurance fund pays it (the penalty is waived first if that is needed);
    /// if the fund cannot, it reverts with `BadDebtExceedsInsurance` and `deleverage` applies.
    function liquidate(address account, bytes32 marketId, uint256 size, uint256 priceLimit) external;

    /// @notice Auto-deleveraging: closes a bankrupt `account`'s position in `marketId` against the
    /// opposite positions of `counterparties`, in the given order, at the bankruptcy price.
    /// @dev Warning: the ranking of counterparties is the caller's. On-chain only checks that each is on
    /// the opposite side and in profit at the bankruptcy price; a keeper is expected to pass the most
    /// profitable first. Needs `equity < 0` at the marks, at the liquidation marks and at the index values (as
    /// `liquidate`), and an insurance fund smaller than the shortfall.
    function deleverage(address account, bytes32 marketId, address[] calldata counterparties) external;

    // ------------------------------------------------------------------ settlement
    /// @notice After expiry, proposes the TWAP over `[expiry - settlementWindow, expiry]`. Anyone.
    function proposeSettlement(bytes32 marketId) external;

    /// @notice Disputes the proposal inside its dispute window. Restricted (guardian).
    function disputeSettlement(bytes32 marketId) external;

    /// @notice Fixes the final price of a disputed market, inside the index's range over the
    /// settlement window. Restricted (settlement admin, behind its delay).
    function resolveSettlement(bytes32 marketId, uint256 price) external;

    /// @notice Finalizes an undisputed proposal after its dispute window, or, after the market's
    /// fallback deadline (`expiry + fallbackDelay`), finalizes at the on-chain TWAP. Anyone.
    function finalizeSettlement(bytes32 marketId) external;

    /// @notice Closes `account`'s position in a settled market at the final price (O(1)), and pays its
    /// claim once every position of the market is closed. Anyone.
    function settle(address account, bytes32 marketId) external;

    /// @notice `settle` for a batch; accounts with nothing to settle are skipped. Anyone.
    function settleMany(bytes32 marketId, address[] calldata accounts) external;

    // ------------------------------------------------------------------ index
    /// @notice Copies the oracle's latest value of `indexId`, the time its round was accepted and the index's
    /// `maxAge` into the Clearinghouse's copy, which every trade, margin check and valuation reads. Anyone.
    /// @dev The oracle pushes every change itself (`onIndexValue`); this is for a deployment whose listener was
    /// wired after rounds existed, or to recover one. It can only ever write the oracle's own current value
    /// (read without a staleness check: the copy keeps the time, so a stale value stays stale), so leaving it
    /// open to anyone is safe. Emits `IndexValueCached`. Reverts with the oracle's `UnknownIndex`, and with
    /// `IndexNotCached` before the index's first round (nothing to copy).
    function syncIndex(bytes32 indexId) external;

    // ------------------------------------------------------------------ views
    /// @notice The collateral token.
    function collateral() external view returns (address);

    /// @notice The index oracle.
    function oracle() external view returns (address);

    /// @notice `10 ** (18 - decimals)`: wad per collateral unit.
    function collateralScale() external view returns (uint256);

    /// @notice The id a market with these parameters has (whether or not it exists).
    function marketId(MarketParams calldata params) external pure returns (bytes32);

    /// @notice The id of the market with sequential index `index` (from 1).
    function marketIdAt(uint32 index) external view returns (bytes32);

    /// @notice The number of markets created.
    function marketCount() external view returns (uint32);

    /// @notice The fixed parameters of a market.
    function marketParams(bytes32 marketId) external view returns (MarketParams memory);

    /// @notice The current risk parameters of a market.
    function riskParams(bytes32 marketId) external view returns (RiskParams memory);

    /// @notice The settlement terms of a market.
    function settlementTerms(bytes32 marketId) external view returns (SettlementTerms memory);

    /// @notice The lifecycle status of a market.
    function marketStatus(bytes32 marketId) external view returns (MarketStatus);

    /// @notice The live state of a market.
    function marketState(
        bytes32 marketId
    )
        external
        view
        returns (int256 basisRate, uint256 openInterest, uint256 openPositions, bool paused, uint32 index);

    /// @notice The settlement state of a market (prices 18-decimal; `collected`/`claimed` token units). Once
    /// the last position settled, `collected` is what is available for claims (at most `claimed`).
    /// `realisedNet` is the net profit and loss realised into balances before settlement (token units).
    function settlementState(
        bytes32 marketId
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
        );

    /// @notice The Clearinghouse's copy of the latest value of `indexId`: the value, the time its round was
    /// accepted and the `maxAge` it is fresh for (all zero before the first push or sync). The copy is keyed
    /// by the index's number in the oracle, which the Clearinghouse learns when a market is created on the
    /// index or the index is synced: all zero also for an index neither happened to (the oracle's pushes of
    /// it are kept all the same, and show here from then on). The live index
    /// every mark uses is this value, which reverts `IndexNotCached` while `updatedAt == 0` and `StaleIndex`
    /// once `block.timestamp − updatedAt > maxAge` (the oracle's `latest` rule).
    function indexValue(bytes32 indexId) external view returns (uint256 value, uint256 updatedAt, uint256 maxAge);

    /// @notice The mark price: `index * (1 + basisRate * tau)` before expiry, the index after expiry,
    /// the final price once settled. Reverts when the index is stale (and needed).
    function markPrice(bytes32 marketId) external view returns (uint256);

    /// @notice The mark liquidation is also judged by: before expiry the index times one plus the
    /// time-averaged basis rate times the time to expiry; from expiry on the same value as `markPrice`.
    /// @dev The average moves toward the basis the mark uses by the time elapsed over 30 minutes; it is fixed
    /// within a second in which the market traded. Reverts as `markPrice` does on a stale index.
    function liquidationMarkPrice(bytes32 marketId) external view returns (uint256);

    /// @notice The basis rates (annualised, wad) the mark and the liquidation mark use now: `markBasis` is
    /// the one `markPrice` uses (fixed within a second in which the market traded), `averageBasis` the
    /// time-averaged one `liquidationMarkPrice` uses, `runningBasis` the basis after the latest trade (what
    /// the mark uses from the next second on).
    function markBases(
        bytes32 marketId
    ) external view returns (int256 markBasis, int256 averageBasis, int256 runningBasis);

    /// @notice An account's realised balance (collateral units) and the markets it holds positions in.
    function accountOf(address account) external view returns (int256 balance, bytes32[] memory openMarkets);

    /// @notice A position: signed size and signed cost basis (wad). In a settled market a closed
    /// winning position's `openNotional` holds its unpaid claim in collateral units.
    function position(address account, bytes32 marketId) external view returns (int256 size, int256 openNotional);

    /// @notice Equity, initial margin and maintenance margin of an account, all wad, at current marks.
    function health(
        address account
    ) external view returns (int256 equity, uint256 initialMargin, uint256 maintenanceMargin);

    /// @notice What `account` could withdraw now, in collateral units (rounded down).
    function freeCollateral(address account) external view returns (uint256);

    /// @notice Whether `liquidate` accepts the account: `equity < maintenanceMargin` at the marks, at the
    /// liquidation marks (`liquidationMarkPrice`) and at the index values (no basis).
    function isLiquidatable(address account) external view returns (bool);

    /// @notice Cross-margin equity (wad, as `health`) and the sum of the open positions' unrealised losses (wad,
    /// at the same marks): what a settlement's overdraft is shared against. Reverts when an open market cannot
    /// be valued (a stale index), as `health` does.
    function equityAndOpenLosses(address account) external view returns (int256 equity, uint256 openLosses);

    /// @notice The mark at which `account` becomes liquidatable, moving only its position in `marketId`
    /// (other positions held at their marks). For a long, 0 means no positive mark liquidates it; for a
    /// short, 0 means it is liquidatable at any mark. 0 when there is no position. An index move that takes
    /// the mark there makes the account liquidatable once it is below maintenance at the index values too; a
    /// move of the basis alone never does while the account is above maintenance at the index.
    function liquidationPrice(address account, bytes32 marketId) external view returns (uint256);

    /// @notice The insurance fund, collateral units, with its share of the trade fees not yet split (rounded
    /// down, as the split will).
    function insuranceFund() external view returns (uint256);

    /// @notice Treasury fees accrued and not yet withdrawn, collateral units, with the treasury's share of the
    /// trade fees not yet split.
    function treasuryAccrued() external view returns (uint256);

    /// @notice The treasury address.
    function treasury() external view returns (address);

    /// @notice Whether `venue` may call `trade`.
    function isVenue(address venue) external view returns (bool);

    /// @notice Whether the global pause is on.
    function globalPaused() external view returns (bool);

    /// @notice The insurance fund's share of trading fees and the liquidator's share of penalties.
    function feeShares() external view returns (uint64 insuranceFeeShare, uint64 liquidatorShare);
}
