/**
 * The typed reverts of each protocol function the SDK calls, as unions of the generated error classes,
 * read off the contracts' revert paths (`contracts/IndexOracle.sol`, `contracts/Clearinghouse.sol` and its
 * libraries, `contracts/Exchange.sol` with `exchange/OrderBook.sol` and `exchange/OrderSignatures.sol`).
 * A revert bubbles up unchanged through the contracts, so a Clearinghouse call that reads the oracle (a
 * settlement-window TWAP) can throw the oracle's errors, and an Exchange fill can throw the Clearinghouse's.
 *
 * Left out: `ReentrancyGuardReentrantCall` (only a collateral token calling back into the Clearinghouse
 * can raise it) and the errors of the restricted admin functions, which the SDK does not call. A revert
 * no protocol ABI describes (a token's own error, a panic) decodes to `UnknownContractError`.
 *
 * The viem actions combine these into their `…ErrorType` (e.g. `WithdrawErrorType`).
 */
import type * as E from "./generated.js";

/** SafeCast bounds on stored balances, sizes and prices; only reachable with values near `2^127`. */
export type SafeCastRevert =
  | E.SafeCastOverflowedUintToIntError
  | E.SafeCastOverflowedIntDowncastError
  | E.SafeCastOverflowedUintDowncastError;

// ---- IndexOracle

/** `IndexOracle.latest`: unknown index, no round yet, or the latest round older than `maxAge`. */
export type IndexOracleLatestRevert = E.UnknownIndexError | E.NoRoundsError | E.StaleIndexError;

/** The window rules `twap` and `range` share (`_windowRounds`). */
export type IndexOracleWindowRevert =
  | E.UnknownIndexError
  | E.InvalidWindowError
  | E.WindowInFutureError
  | E.TimestampOutOfRangeError
  | E.NoRoundsError
  | E.WindowNotCoveredError
  | E.TooManyRoundsInWindowError;

/** `IndexOracle.twap`: the window rules, or fresh rounds covering too little of the window. */
export type IndexOracleTwapRevert = IndexOracleWindowRevert | E.InsufficientCoverageError;

/** `IndexOracle.range`. */
export type IndexOracleRangeRevert = IndexOracleWindowRevert;

/** `IndexOracle.fallbackTwap`: the window rules without the round limit (no loop). */
export type IndexOracleFallbackTwapRevert =
  | E.UnknownIndexError
  | E.InvalidWindowError
  | E.WindowInFutureError
  | E.TimestampOutOfRangeError
  | E.NoRoundsError
  | E.WindowNotCoveredError;

/** `IndexOracle.submit`: the round checks, then each report's fields and signature. */
export type IndexOracleSubmitRevert =
  | E.UnknownIndexError
  | E.TooManyReportsError
  | E.QuorumNotMetError
  | E.TimestampOutOfRangeError
  | E.RoundTooSoonError
  | E.IndexMismatchError
  | E.ValueOutOfRangeError
  | E.FutureReportError
  | E.StaleReportError
  | E.ReplayedReportError
  | E.OutOfOrderReportError
  | E.InvalidSignatureSError
  | E.IndexOracleInvalidSignatureError
  | E.UnknownSignerError
  | E.DuplicateSignerError
  | E.DeviationNeedsAgreementError;

/** `IndexOracle.indexState`, `reporters`, `indexParams`, `checkpointCount`: an unknown index. */
export type IndexOracleExistingRevert = E.UnknownIndexError;

/** `IndexOracle.latestCheckpoint`. */
export type IndexOracleLatestCheckpointRevert = E.UnknownIndexError | E.NoRoundsError;

/** `IndexOracle.checkpoint`: an unknown index or a round id outside `1..checkpointCount`. */
export type IndexOracleCheckpointRevert = E.UnknownIndexError | E.IndexOracleUnknownRoundError;

// ---- Clearinghouse

/**
 * The live index a mark reads before expiry: the Clearinghouse's copy of the oracle's latest value
 * (`MarginLogic.liveIndex`), empty before the first push or sync, stale past its `maxAge`.
 */
export type ClearinghouseLiveIndexRevert = E.IndexNotCachedError | E.StaleIndexError;

/**
 * What valuing an account's positions at their marks can revert with: the live index for a market before
 * expiry, the settlement-window `twap` for an expired market with neither a final nor a proposed price.
 */
export type ClearinghouseMarkRevert = ClearinghouseLiveIndexRevert | IndexOracleTwapRevert;

/**
 * `Clearinghouse.syncIndex`: an index the oracle does not know, or one with no round yet (nothing to copy).
 * The casts into the one-slot copy cannot fail for values the oracle stores.
 */
export type ClearinghouseSyncIndexRevert = E.UnknownIndexError | E.IndexNotCachedError;

/** `Clearinghouse.markPrice` / `liquidationMarkPrice`. */
export type ClearinghouseMarkPriceRevert = E.UnknownMarketError | ClearinghouseMarkRevert;

/** `Clearinghouse.health`, `freeCollateral`, `isLiquidatable`: the marks of the account's markets. */
export type ClearinghouseHealthRevert = ClearinghouseMarkRevert;

/** `Clearinghouse.marketParams`, `riskParams`, `settlementTerms`, `marketState`, `settlementState`. */
export type ClearinghouseMarketViewRevert = E.UnknownMarketError;

/**
 * `Clearinghouse.deposit`, `depositFor` and `depositWithPermit`: a zero amount or account, a permit that
 * left the allowance short, a token that moved nothing (`NothingReceived`) or returned `false`.
 */
export type ClearinghouseDepositRevert =
  | E.ZeroAmountError
  | E.ZeroAddressError
  | E.PermitFailedError
  | E.NothingReceivedError
  | E.SafeERC20FailedOperationError
  | SafeCastRevert;

/** `Clearinghouse.withdraw`: more than the balance, or initial margin short afterwards. */
export type ClearinghouseWithdrawRevert =
  | E.ZeroAmountError
  | E.InsufficientBalanceError
  | E.InsufficientMarginError
  | E.SafeERC20FailedOperationError
  | ClearinghouseMarkRevert;

/** `Clearinghouse.liquidate`. */
export type ClearinghouseLiquidateRevert =
  | E.SelfLiquidationError
  | E.ZeroSizeError
  | E.UnknownMarketError
  | E.MarketExpiredError
  | E.MarketIsPausedError
  | E.NoPositionError
  | E.AccountHealthyError
  | E.PriceLimitExceededError
  | E.LiquidationSizeTooLargeError
  | E.PositionSizeExceededError
  | E.TooManyOpenMarketsError
  | E.InsufficientMarginError
  | ClearinghouseMarkRevert
  | SafeCastRevert;

/** `Clearinghouse.deleverage`. */
export type ClearinghouseDeleverageRevert =
  | E.NoCounterpartiesError
  | E.UnknownMarketError
  | E.MarketExpiredError
  | E.MarketIsPausedError
  | E.NoPositionError
  | E.NotBankruptError
  | E.InsuranceCanCoverError
  | E.SelfLiquidationError
  | E.CounterpartyNotOppositeError
  | E.CounterpartyNotProfitableError
  | ClearinghouseMarkRevert
  | SafeCastRevert;

/** `Clearinghouse.proposeSettlement`: proposes the settlement-window TWAP. */
export type ClearinghouseProposeSettlementRevert =
  | E.UnknownMarketError
  | E.MarketNotExpiredError
  | E.MarketAlreadySettledError
  | E.SettlementAlreadyProposedError
  | E.ZeroSettlementPriceError
  | IndexOracleTwapRevert
  | SafeCastRevert;

/** `Clearinghouse.finalizeSettlement`: the proposal after its dispute window, else the fallback TWAP. */
export type ClearinghouseFinalizeSettlementRevert =
  | E.UnknownMarketError
  | E.MarketAlreadySettledError
  | E.MarketNotExpiredError
  | E.SettlementNotReadyError
  | E.ZeroSettlementPriceError
  | IndexOracleFallbackTwapRevert
  | SafeCastRevert;

/** `Clearinghouse.settle`. */
export type ClearinghouseSettleRevert =
  | E.UnknownMarketError
  | E.MarketNotSettledError
  | E.ClaimNotYetPayableError
  | E.NothingToSettleError
  | SafeCastRevert;

/** `Clearinghouse.settleMany`: as `settle`, but an account with nothing to settle is skipped. */
export type ClearinghouseSettleManyRevert = E.UnknownMarketError | E.MarketNotSettledError | SafeCastRevert;

/**
 * `Clearinghouse.trade(marketId, maker, taker, takerSizeDelta, price, makerOrderHash)`, called by the
 * Exchange's `fillOrder` as a venue (the single-fill path): the fill's checks, the position and
 * open-interest limits, the pause, and initial margin of each side whose risk grew.
 */
export type ClearinghouseTradeRevert =
  | E.UnauthorizedVenueError
  | E.SelfTradeError
  | E.UnknownMarketError
  | E.ZeroSizeError
  | E.ZeroPriceError
  | E.MarketExpiredError
  | E.PriceNotOnTickError
  | E.SizeBelowMinimumError
  | E.SizeTooLargeError
  | E.PriceOutsideBandError
  | E.PositionSizeExceededError
  | E.TooManyOpenMarketsError
  | E.MarketIsPausedError
  | E.OpenInterestExceededError
  | E.InsufficientMarginError
  | ClearinghouseMarkRevert
  | SafeCastRevert;

/**
 * `Clearinghouse.tradeBatch(marketId, taker, takerOrderHash, fills)`, called by the Exchange's
 * `matchOrders`: every fill's `trade` checks, plus an empty batch and a fill moving the taker the other way
 * than the first.
 */
export type ClearinghouseTradeBatchRevert =
  ClearinghouseTradeRevert | E.EmptyBatchError | E.MixedTakerDirectionError;

// ---- Exchange

/** The checks every order passes before it fills (`OrderBook._validate`, `OrderSignatures._checkSignature`). */
export type ExchangeOrderRevert =
  | E.InvalidFlagsError
  | E.ZeroOrderSizeError
  | E.OrderExpiredError
  | E.OrderNonceBelowMinimumError
  | E.OrderNonceUsedError
  | E.InvalidContractSignatureError
  | E.InvalidSignatureLengthError
  | E.MalleableSignatureError
  | E.ExchangeInvalidSignatureError
  | E.UnauthorisedSignerError;

/** `Exchange.fillOrder`: the maker order's checks, then the Clearinghouse's `trade`. */
export type ExchangeFillOrderRevert =
  | E.SelfTradeError
  | ExchangeOrderRevert
  | E.ImmediateOrderCannotRestError
  | E.ZeroFillSizeError
  | E.FillExceedsRemainingError
  | E.ReduceOnlyWouldIncreaseError
  | ClearinghouseTradeRevert;

/** `Exchange.matchOrders`: the taker's and each maker's checks, the pairing rules, then `tradeBatch`. */
export type ExchangeMatchOrdersRevert =
  | E.NoMakerOrdersError
  | E.LengthMismatchError
  | ExchangeOrderRevert
  | E.PostOnlyCannotTakeError
  | E.MarketMismatchError
  | E.SameSideError
  | E.SelfTradeError
  | E.PriceNotCrossingError
  | E.ImmediateOrderCannotRestError
  | E.ZeroFillSizeError
  | E.FillExceedsRemainingError
  | E.ReduceOnlyWouldIncreaseError
  | E.FillOrKillNotFilledError
  | E.NothingFilledError
  | ClearinghouseTradeBatchRevert;

/** `Exchange.cancelOrders`. */
export type ExchangeCancelOrdersRevert =
  E.NoOrdersToCancelError | E.NotTraderOrDelegateError | E.OrderNonceUsedError;

/** `Exchange.cancelUpTo`. */
export type ExchangeCancelUpToRevert = E.NonceNotIncreasingError;

/** `Exchange.setDelegate`: the zero address or the caller itself. */
export type ExchangeSetDelegateRevert = E.InvalidDelegateError;
