/**
 * The viem layer: one action per file, client first, simulating before every write and throwing the
 * decoded typed error of a revert.
 *
 * Batched reads (`readIndex`, `readCheckpoints`, `readFilled`) use viem's multicall in its deployless
 * mode by default (one `eth_call` that carries Multicall3's creation code, so nothing has to be
 * deployed); pass `multicallAddress` to use a deployed Multicall3 instead.
 *
 * @module viem
 */
export type { ActionErrorType, ReadClient, WriteClient, WriteResult } from "./internal/send.js";
export {
  readLatest,
  type ReadLatestParameters,
  type ReadLatestReturnType,
  type ReadLatestErrorType,
} from "./oracle/readLatest.js";
export {
  readTwap,
  type ReadTwapParameters,
  type ReadTwapReturnType,
  type ReadTwapErrorType,
} from "./oracle/readTwap.js";
export {
  readIndex,
  type ReadIndexParameters,
  type ReadIndexReturnType,
  type ReadIndexErrorType,
} from "./oracle/readIndex.js";
export {
  readCheckpoints,
  type ReadCheckpointsParameters,
  type ReadCheckpointsReturnType,
  type ReadCheckpointsErrorType,
} from "./oracle/readCheckpoints.js";
export {
  submitReports,
  type SubmitReportsParameters,
  type SubmitReportsReturnType,
  type SubmitReportsErrorType,
} from "./oracle/submitReports.js";
export {
  signOrder,
  type SignOrderParameters,
  type SignOrderReturnType,
  type SignOrderErrorType,
} from "./exchange/signOrder.js";
export {
  fillOrder,
  type FillOrderParameters,
  type FillOrderReturnType,
  type FillOrderErrorType,
} from "./exchange/fillOrder.js";
export {
  matchOrders,
  type MatchMaker,
  type MatchOrdersParameters,
  type MatchOrdersReturnType,
  type MatchOrdersErrorType,
} from "./exchange/matchOrders.js";
export {
  cancelOrders,
  type CancelOrdersParameters,
  type CancelOrdersReturnType,
  type CancelOrdersErrorType,
} from "./exchange/cancelOrders.js";
export {
  cancelUpTo,
  type CancelUpToParameters,
  type CancelUpToReturnType,
  type CancelUpToErrorType,
} from "./exchange/cancelUpTo.js";
export {
  setDelegate,
  type SetDelegateParameters,
  type SetDelegateReturnType,
  type SetDelegateErrorType,
} from "./exchange/setDelegate.js";
export {
  readFilled,
  type ReadFilledParameters,
  type ReadFilledReturnType,
  type ReadFilledErrorType,
} from "./exchange/readFilled.js";
export {
  prepareSafeOrderApproval,
  type PrepareSafeOrderApprovalParameters,
  type PrepareSafeOrderApprovalReturnType,
} from "./safe/prepareSafeOrderApproval.js";
export {
  executeSafeTransaction,
  type ExecuteSafeTransactionParameters,
  type ExecuteSafeTransactionReturnType,
} from "./safe/executeSafeTransaction.js";
export { readSafeOrderApproval, type ReadSafeOrderApprovalParameters } from "./safe/readSafeOrderApproval.js";
export {
  backfillEvents,
  type BackfillEventsParameters,
  type BackfillEventsReturnType,
} from "./events/backfillEvents.js";
export { watchEvents, type WatchEventsParameters, type WatchEventsReturnType } from "./events/watchEvents.js";
export {
  listMarkets,
  type ListMarketsParameters,
  type ListMarketsReturnType,
  type ListMarketsErrorType,
  type ListedMarket,
} from "./clearinghouse/listMarkets.js";
export {
  deposit,
  type DepositParameters,
  type DepositReturnType,
  type DepositErrorType,
} from "./clearinghouse/deposit.js";
export { readPermitDomain } from "./clearinghouse/permitDomain.js";
export {
  withdraw,
  type WithdrawParameters,
  type WithdrawReturnType,
  type WithdrawErrorType,
} from "./clearinghouse/withdraw.js";
export {
  liquidate,
  type LiquidateParameters,
  type LiquidateReturnType,
  type LiquidateErrorType,
} from "./clearinghouse/liquidate.js";
export {
  deleverage,
  type DeleverageParameters,
  type DeleverageReturnType,
  type DeleverageErrorType,
} from "./clearinghouse/deleverage.js";
export {
  proposeSettlement,
  type ProposeSettlementParameters,
  type ProposeSettlementReturnType,
  type ProposeSettlementErrorType,
} from "./clearinghouse/proposeSettlement.js";
export {
  finalizeSettlement,
  type FinalizeSettlementParameters,
  type FinalizeSettlementReturnType,
  type FinalizeSettlementErrorType,
} from "./clearinghouse/finalizeSettlement.js";
export {
  settle,
  type SettleParameters,
  type SettleReturnType,
  type SettleErrorType,
} from "./clearinghouse/settle.js";
export {
  settleMany,
  type SettleManyParameters,
  type SettleManyReturnType,
  type SettleManyErrorType,
} from "./clearinghouse/settleMany.js";
export {
  fetchMarket,
  markOf,
  type FetchMarketParameters,
  type FetchMarketReturnType,
  type FetchMarketErrorType,
} from "./clearinghouse/fetchMarket.js";
export {
  fetchAccount,
  type FetchAccountParameters,
  type FetchAccountReturnType,
  type FetchAccountErrorType,
} from "./clearinghouse/fetchAccount.js";
export {
  fetchHealth,
  type FetchHealthParameters,
  type FetchHealthReturnType,
  type FetchHealthErrorType,
} from "./clearinghouse/fetchHealth.js";
export type { ClearinghouseContext, IndexPrice } from "./clearinghouse/internal.js";
export { clearinghouseLensAbi, clearinghouseLensBytecode } from "./clearinghouse/lens.generated.js";
