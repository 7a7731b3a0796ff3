import type { Address } from "viem";

import { Account, type MarkedMarket, type Marks } from "../../core/entities/Account.js";
import type { Market } from "../../core/entities/Market.js";
import { asMarketId, type MarketId } from "../../core/ids.js";
import type { ReadClient, ActionErrorType } from "../internal/send.js";
import { callLens, toContext, toMarket, type ClearinghouseContext, type IndexPrice } from "./internal.js";

/** Parameters of `fetchAccount`. */
export interface FetchAccountParameters {
  /** The Clearinghouse. */
  address: Address;
  account: Address;
  blockNumber?: bigint;
}

/** An account with everything its valuation needs, read at one block. */
export interface FetchAccountReturnType {
  account: Account;
  /** The markets of its open positions, by id. */
  markets: ReadonlyMap<MarketId, Market>;
  /** Their index prices (`undefined` where the oracle's `latest` reverts). */
  indexPrices: ReadonlyMap<MarketId, IndexPrice | undefined>;
  /**
   * The contract's marks at the block (`markPrice` and `liquidationMarkPrice`, read by the lens, and the index
   * value liquidation also judges by), for
   * `account.health(marks)`, `account.isLiquidatable(marks)` and the
   * rest; a market whose mark reverts (a missing index) is left out (valuing a position there then throws,
   * as the contract reverts; an escrowed gain needs no mark).
   */
  marks: Marks;
  context: ClearinghouseContext;
}

/**
 * What `fetchAccount` throws: the lens reads every market it values inside `try`, so only `ActionErrorType`
 * (a wrong address reverts as `UnknownContractError`).
 */
export type FetchAccountErrorType = ActionErrorType;

/**
 * Loads an account (balance, open markets, positions), the markets' params / risk / terms / state /
 * settlement, their index prices and the context (collateral scale, fee shares, insurance fund, block
 * timestamp) in ONE JSON-RPC request: an `eth_call` running the read-only `ClearinghouseLens`
 * deployless. A plain multicall cannot do this in one round trip, since which markets and which
 * indexes to read depends on the account's state.
 * @example
 * const { account, marks } = await fetchAccount(publicClient, { address: book.clearinghouse, account: me });
 * const { equity, maintenanceMargin } = account.health(marks);
 */
export async function fetchAccount(
  client: ReadClient,
  params: FetchAccountParameters,
): Promise<FetchAccountReturnType> {
  const [view, c] = await callLens(
    client,
    "loadAccount",
    [params.address, params.account],
    params.blockNumber,
  );
  const context = toContext(c);
  const markets = new Map<MarketId, Market>();
  const indexPrices = new Map<MarketId, IndexPrice | undefined>();
  const marks = new Map<MarketId, MarkedMarket>();
  for (const lensMarket of view.markets) {
    const { market, index, mark, liquidationMark, indexMark } = toMarket(lensMarket, context.timestamp);
    markets.set(market.id, market);
    indexPrices.set(market.id, index);
    if (mark !== undefined) marks.set(market.id, { market, mark, liquidationMark, indexMark });
  }
  const account = Account.from({
    address: params.account,
    balance: view.balance,
    scale: context.collateralScale,
    positions: view.positions.map((p) => [
      asMarketId(p.marketId),
      { size: p.size, openNotional: p.openNotional },
    ]),
  });
  return { account, markets, indexPrices, marks, context };
}
