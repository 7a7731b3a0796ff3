/**
 * The liquidator's decision, pure: from tracked accounts, their markets' marks, the protocol context
 * and the keeper's own account, which accounts to liquidate (how many contracts, at what price limit)
 * or, when a bankrupt account's shortfall exceeds the insurance fund, to deleverage against which
 * counterparties. Every valuation goes through the SDK's Clearinghouse mirror (`Account.health`,
 * `maxLiquidationSizeUp`, `liquidationPenaltySplit`, `bankruptcyPrice`, `unrealizedPnl`); nothing here
 * re-derives the contract's arithmetic.
 */
import type { Address } from "viem";

import {
  indexMarks,
  liquidationMarks,
  type Account,
  type MarkedMarket,
  type Marks,
} from "../../sdk/core/entities/Account.js";
import type { MarketId } from "../../sdk/core/ids.js";
import { liquidationPenaltySplit } from "../../sdk/core/math/fees.js";
import { bankruptcyPrice, maxLiquidationSizeUp } from "../../sdk/core/math/margin.js";
import { increasesRisk, notional, unrealizedPnl } from "../../sdk/core/math/position.js";
import { abs, mulDiv, toToken, WAD, wMul } from "../../sdk/core/math/wad.js";

/** Protocol-wide values the decision needs (from `fetchAccount`'s context). */
export interface LiquidatorContext {
  /** `10 ** (18 − decimals)`. */
  collateralScale: bigint;
  /** Liquidator's share of a penalty, wad. */
  liquidatorShare: bigint;
  /** Collateral units. */
  insuranceFund: bigint;
  globalPaused: boolean;
}

export interface LiquidatorState {
  /** Block the state was read at: part of every job key. */
  blockNumber: bigint;
  context: LiquidatorContext;
  /** Marks of every market a tracked account (or the keeper) holds; a market with a stale index is absent. */
  marks: Marks;
  /** Tracked accounts (with positions). */
  accounts: readonly Account[];
  /** The keeper's own account: the one that takes positions over. */
  keeper: Account;
  /** Current gas price, wei per gas. */
  gasPrice: bigint;
  /** Accounts with a liquidation or deleveraging already in flight (any case). */
  busy: ReadonlySet<string>;
}

export interface LiquidatorConfig {
  /** Smallest acceptable `reward − gas cost`, collateral units (may be negative to liquidate at a loss). */
  minProfit: bigint;
  /** Gas one liquidation is assumed to use, for the cost estimate. */
  gasUnits: bigint;
  /** Dollars per native token (ETH), wad: turns the gas cost into collateral. */
  nativePrice: bigint;
  /** Price limit slack beyond the mark, wad fraction (`1e16` = 1 %). */
  slippage: bigint;
  /** Markets expiring within this many seconds are left alone (the transaction could land after expiry). */
  expiryMarginSeconds: bigint;
  /** The keeper keeps `equity ≥ initialMargin × (1 + marginBuffer)` after taking a position over, wad. */
  marginBuffer: bigint;
  /** Most counterparties passed to one `deleverage`. */
  maxCounterparties: number;
}

export type LiquidatorAction =
  | {
      type: "liquidate";
      account: Address;
      marketId: MarketId;
      /** Contracts to take over (≤ the contract's cap at the state read). */
      size: bigint;
      /** The contract's cap at the state read. */
      cap: bigint;
      priceLimit: bigint;
      mark: bigint;
      /** Liquidator's share of the penalty, collateral units. */
      reward: bigint;
      gasCost: bigint;
      blockNumber: bigint;
    }
  | {
      type: "deleverage";
      account: Address;
      marketId: MarketId;
      /** Opposite positions in profit at the bankruptcy value, most profitable first. */
      counterparties: Address[];
      bankruptcyPrice: bigint;
      blockNumber: bigint;
    }
  | { type: "skip"; account: Address; marketId?: MarketId; reason: string };

/** Why an account whose markets cannot all be marked (a stale index) is left alone. */
export const STALE_INDEX = "an index of its markets is stale";

/**
 * Why an account below maintenance at the marks but not at the liquidation marks is left alone: the basis
 * move that took it there has not held long enough (`Clearinghouse.liquidationMarkPrice`).
 */
export const BASIS_NOT_HELD =
  "below maintenance at the mark only: the basis move has not held (liquidation mark)";

/**
 * Why an account below maintenance at the marks and the liquidation marks but not at the index values is left
 * alone: a move of the basis alone liquidates nobody the index has not put below maintenance.
 */
export const ABOVE_AT_INDEX =
  "below maintenance at the mark only: above it at the index (a basis move alone liquidates nobody)";

/** The estimated gas cost of one liquidation, collateral units, rounded up. */
export function gasCostOf(gasPrice: bigint, config: LiquidatorConfig, scale: bigint): bigint {
  return toToken(mulDiv(config.gasUnits * gasPrice, config.nativePrice, WAD, "Up"), scale, "Up");
}

/**
 * The mark the keeper accepts at worst: above the mark when taking over a long (it buys), below when
 * taking over a short (it sells).
 */
export function priceLimitOf(mark: bigint, accountIsLong: boolean, slippage: bigint): bigint {
  return accountIsLong ? mark + wMul(mark, slippage, "Down") : mark - wMul(mark, slippage, "Up");
}

/** The keeper's account after taking over `size` contracts at `mark` (no fee) plus `reward`. */
function keeperAfter(keeper: Account, m: MarkedMarket, accountIsLong: boolean, size: bigint, reward: bigint) {
  const delta = accountIsLong ? size : -size;
  const booked = keeper.withTrade(m.market, delta, m.mark, "maker");
  // a liquidation charges no trading fee: give the booked fee back, add the penalty share
  return booked.account.withDeposit(booked.fee + reward);
}

/**
 * Whether the keeper may take `size` over: its position limit, and initial margin (plus the buffer)
 * when its risk grows, as `liquidate` checks it; `undefined` when it may not.
 */
function keeperCanTake(
  state: LiquidatorState,
  keeper: Account,
  m: MarkedMarket,
  accountIsLong: boolean,
  size: bigint,
  reward: bigint,
  config: LiquidatorConfig,
): Account | undefined {
  let after: Account;
  try {
    after = keeperAfter(keeper, m, accountIsLong, size, reward);
  } catch {
    return undefined; // a fifth open market
  }
  const before = keeper.positionIn(m.market.id).size;
  const now = after.positionIn(m.market.id).size;
  if (!increasesRisk(before, now)) return after;
  if (abs(now) > m.market.risk.maxPositionSize) return undefined;
  const marks = new Map(state.marks);
  marks.set(m.market.id, m);
  let h;
  try {
    h = after.health(marks);
  } catch {
    return undefined; // one of the keeper's markets has no mark: the contract would revert
  }
  const needed = h.initialMargin + wMul(h.initialMargin, config.marginBuffer, "Up");
  return h.equity >= needed ? after : undefined;
}

/** The largest size in `[1, cap]` the keeper can take (binary search), or 0. */
function largestTakeable(
  state: LiquidatorState,
  keeper: Account,
  m: MarkedMarket,
  accountIsLong: boolean,
  cap: bigint,
  rewardOf: (size: bigint) => bigint,
  config: LiquidatorConfig,
): bigint {
  const ok = (s: bigint) =>
    keeperCanTake(state, keeper, m, accountIsLong, s, rewardOf(s), config) !== undefined;
  if (ok(cap)) return cap;
  let lo = 0n;
  let hi = cap;
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * The liquidator's reward for `size` contracts: the penalty (capped at the account's equity before the
 * liquidation) times the liquidator's share; 0 when the contract waives the penalty: the account ends with
 * no open slot and a debt larger than the fund plus the fund's share of the penalty. A liquidation never
 * reverts for bad debt: what the fund cannot pay is written off against the market's settlement pot.
 */
function rewardFor(
  state: LiquidatorState,
  account: Account,
  m: MarkedMarket,
  size: bigint,
  v: bigint,
  equity: bigint,
): bigint {
  const { context } = state;
  const split = liquidationPenaltySplit(
    size,
    v,
    m.market.risk.liquidationPenalty,
    context.liquidatorShare,
    context.collateralScale,
    equity,
  );
  const position = account.positionIn(m.market.id);
  const delta = position.size > 0n ? -size : size;
  const booked = account.withTrade(m.market, delta, m.mark, "maker");
  if (booked.account.positions.size !== 0) return split.liquidatorReward;
  const balance = booked.account.balance + booked.fee - split.penalty;
  const fund = context.insuranceFund + split.insurance;
  if (balance >= 0n || -balance <= fund || split.penalty === 0n) return split.liquidatorReward;
  // waived: the penalty goes back to the account and the fund keeps no share of it
  return 0n;
}

/** Counterparties for deleveraging `account` in `m`, ranked by unrealised PnL at the bankruptcy value. */
export function rankCounterparties(
  candidates: readonly Account[],
  account: Address,
  marketId: MarketId,
  accountIsLong: boolean,
  bankruptcyValue: bigint,
  max: number,
  needed: bigint,
): Address[] {
  const ranked = candidates
    .filter((c) => c.address.toLowerCase() !== account.toLowerCase())
    .map((c) => ({ c, p: c.positionIn(marketId) }))
    .filter(({ p }) => p.size !== 0n && p.size > 0n !== accountIsLong)
    .map(({ c, p }) => ({ address: c.address, size: abs(p.size), pnl: unrealizedPnl(p, bankruptcyValue) }))
    .filter((x) => x.pnl > 0n)
    .sort((a, b) =>
      a.pnl === b.pnl ? (a.address.toLowerCase() < b.address.toLowerCase() ? -1 : 1) : a.pnl > b.pnl ? -1 : 1,
    );
  const out: Address[] = [];
  let covered = 0n;
  for (const x of ranked) {
    if (out.length >= max || covered >= needed) break;
    out.push(x.address);
    covered += x.size;
  }
  return out;
}

/** Decides at `now` (unix seconds). Healthy accounts get no action at all. */
export function decideLiquidator(
  state: LiquidatorState,
  now: bigint,
  config: LiquidatorConfig,
): LiquidatorAction[] {
  const { context, marks } = state;
  const scale = context.collateralScale;
  const gasCost = gasCostOf(state.gasPrice, config, scale);
  const busy = new Set([...state.busy].map((a) => a.toLowerCase()));
  const counterpartyPool = [state.keeper, ...state.accounts];
  let keeper = state.keeper;
  const actions: LiquidatorAction[] = [];

  for (const account of state.accounts) {
    if (account.positions.size === 0) continue;
    if (account.address.toLowerCase() === keeper.address.toLowerCase()) continue;
    if (account.openMarkets.some((id) => !marks.has(id))) {
      // the contract cannot value it either (stale index): it reverts rather than liquidate
      if (busy.has(account.address.toLowerCase())) continue;
      actions.push({ type: "skip", account: account.address, reason: STALE_INDEX });
      continue;
    }
    const h = account.health(marks);
    if (h.equity >= h.maintenanceMargin) continue;
    // the contract also needs it below maintenance at the liquidation marks (the time-averaged basis) and at
    // the index values (no basis)
    const atAverage = account.health(liquidationMarks(marks));
    if (atAverage.equity >= atAverage.maintenanceMargin) {
      actions.push({ type: "skip", account: account.address, reason: BASIS_NOT_HELD });
      continue;
    }
    const atIndex = account.health(indexMarks(marks));
    if (atIndex.equity >= atIndex.maintenanceMargin) {
      actions.push({ type: "skip", account: account.address, reason: ABOVE_AT_INDEX });
      continue;
    }
    if (busy.has(account.address.toLowerCase())) {
      actions.push({ type: "skip", account: account.address, reason: "a job for this account is in flight" });
      continue;
    }
    // markets by notional at mark, largest first: the most relief per transaction
    const open = account.openMarkets
      .map((id) => {
        const m = marks.get(id) as MarkedMarket;
        const p = account.positionIn(id);
        return { id, m, p, v: m.market.unitValueAt(m.mark) };
      })
      // an escrowed gain (a closed winning position) has no contracts to take over
      .filter((x) => x.p.size !== 0n)
      .filter((x) => now + config.expiryMarginSeconds < x.m.market.params.expiry)
      .sort((a, b) => (notional(a.p.size, a.v) > notional(b.p.size, b.v) ? -1 : 1));
    if (open.length === 0) {
      actions.push({ type: "skip", account: account.address, reason: "every market is at or near expiry" });
      continue;
    }

    const shortfall = h.equity < 0n ? toToken(-h.equity, scale, "Up") : 0n;
    // deleveraging needs it bankrupt at the liquidation marks and the index values too (else `liquidate` applies)
    if (h.equity < 0n && atAverage.equity < 0n && atIndex.equity < 0n && shortfall > context.insuranceFund) {
      const { id, m, p, v } = open[0];
      if (m.market.state.paused || context.globalPaused) {
        // deleveraging reverts under a pause, as liquidation does
        actions.push({ type: "skip", account: account.address, marketId: id, reason: "market paused" });
        continue;
      }
      // the whole fund pays first; counterparties absorb the rest at the bankruptcy price
      const b = bankruptcyPrice(
        p.size,
        v,
        h.equity,
        scale,
        m.market.params.contractSize,
        context.insuranceFund,
      );
      const counterparties = rankCounterparties(
        counterpartyPool,
        account.address,
        id,
        p.size > 0n,
        b.unitValue,
        config.maxCounterparties,
        abs(p.size),
      );
      if (counterparties.length === 0) {
        actions.push({
          type: "skip",
          account: account.address,
          marketId: id,
          reason: "bankrupt, no profitable counterparty",
        });
        continue;
      }
      actions.push({
        type: "deleverage",
        account: account.address,
        marketId: id,
        counterparties,
        bankruptcyPrice: b.price,
        blockNumber: state.blockNumber,
      });
      continue;
    }

    let chosen: LiquidatorAction | undefined;
    let lastReason = "";
    for (const { id, m, p, v } of open) {
      if (m.market.state.paused || context.globalPaused) {
        lastReason = "market paused";
        continue;
      }
      const isLong = p.size > 0n;
      const cap = maxLiquidationSizeUp(
        {
          mmr: m.market.risk.mmr,
          liquidationPenalty: m.market.risk.liquidationPenalty,
          minSize: m.market.params.minSize,
        },
        abs(p.size),
        v,
        h.equity,
        h.maintenanceMargin,
      );
      const size = largestTakeable(
        state,
        keeper,
        m,
        isLong,
        cap,
        (s) => rewardFor(state, account, m, s, v, h.equity),
        config,
      );
      if (size === 0n) {
        lastReason = "the keeper's margin cannot take any of it";
        continue;
      }
      const reward = rewardFor(state, account, m, size, v, h.equity);
      if (reward - gasCost < config.minProfit) {
        lastReason = `profit ${reward - gasCost} below minimum ${config.minProfit}`;
        continue;
      }
      keeper = keeperCanTake(state, keeper, m, isLong, size, reward, config) as Account;
      chosen = {
        type: "liquidate",
        account: account.address,
        marketId: id,
        size,
        cap,
        priceLimit: priceLimitOf(m.mark, isLong, config.slippage),
        mark: m.mark,
        reward,
        gasCost,
        blockNumber: state.blockNumber,
      };
      break;
    }
    actions.push(chosen ?? { type: "skip", account: account.address, reason: lastReason });
  }
  return actions;
}
