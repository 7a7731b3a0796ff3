/**
 * `Account`: an immutable snapshot of one Clearinghouse account (balance in collateral units, positions
 * by market). Valuation methods take the marks of its markets; `with…` methods return new instances.
 */
import type { Address } from "viem";

import { InvalidArgumentError } from "../errors/SdkError.js";
import type { MarketId } from "../ids.js";
import {
  MAX_OPEN_MARKETS,
  freeCollateralDown,
  health,
  isLiquidatable,
  liquidationPriceDown,
  type Health,
  type MarkedPosition,
} from "../math/margin.js";
import { applyDelta, pnlToTokens, type PositionState } from "../math/position.js";
import type { Market, TradeRole } from "./Market.js";

/** A market with the mark its positions are valued at. */
export interface MarkedMarket {
  market: Market;
  mark: bigint;
}

/** Marks by market id, for the valuation methods. */
export type Marks = ReadonlyMap<MarketId, MarkedMarket>;

/** What `Account.withTrade` booked. */
export interface TradeBooking {
  account: Account;
  /** Realised PnL, wad. */
  realizedWad: bigint;
  /** Fee charged, collateral units. */
  fee: bigint;
}

/**
 * An immutable account snapshot.
 * @example
 * const account = Account.from({ address, balance, scale, positions: [[marketId, { size, openNotional }]] });
 * const { equity } = account.health(marks);
 */
export class Account {
  readonly address: Address;
  /** Realised balance, collateral units (may be negative after bad debt). */
  readonly balance: bigint;
  /** `10 ** (18 − decimals)`. */
  readonly scale: bigint;
  /** Open positions by market, in the order the contract lists them. */
  readonly positions: ReadonlyMap<MarketId, Readonly<PositionState>>;

  private constructor(
    address: Address,
    balance: bigint,
    scale: bigint,
    positions: ReadonlyMap<MarketId, PositionState>,
  ) {
    this.address = address;
    this.balance = balance;
    this.scale = scale;
    this.positions = positions;
    Object.freeze(this);
  }

  /**
   * An account from its balance and positions (zero-size entries are dropped).
   * @example Account.from({ address, balance: 1_000_000n, scale: 10n ** 12n })
   */
  static from(input: {
    address: Address;
    balance: bigint;
    scale: bigint;
    positions?: Iterable<readonly [MarketId, PositionState]>;
  }): Account {
    const positions = new Map<MarketId, PositionState>();
    for (const [id, p] of input.positions ?? []) {
      if (p.size !== 0n) positions.set(id, Object.freeze({ size: p.size, openNotional: p.openNotional }));
    }
    return new Account(input.address, input.balance, input.scale, positions);
  }

  /** Ids of the markets the account holds positions in. */
  get openMarkets(): MarketId[] {
    return [...this.positions.keys()];
  }

  /**
   * The position in `marketId` (zero when none).
   * @example account.positionIn(marketId).size
   */
  positionIn(marketId: MarketId): Readonly<PositionState> {
    return this.positions.get(marketId) ?? { size: 0n, openNotional: 0n };
  }

  /**
   * The account with `amount` collateral units more (a deposit).
   * @example account.withDeposit(1_000_000n)
   */
  withDeposit(amount: bigint): Account {
    return new Account(this.address, this.balance + amount, this.scale, this.positions);
  }

  /**
   * The account with `amount` collateral units less (a withdrawal; margin is not checked here).
   * @example account.withWithdrawal(500_000n)
   */
  withWithdrawal(amount: bigint): Account {
    return new Account(this.address, this.balance - amount, this.scale, this.positions);
  }

  /**
   * Books a trade of `delta` contracts (signed, from this account's side) at `price` in `market`, as
   * `Clearinghouse.trade` books one side: the position changes, realised PnL is credited (down) or
   * debited (up) and the role's fee is charged (up). Limits and margin are not checked here.
   * @example const { account: next, fee } = account.withTrade(market, 5n, price, "taker");
   */
  withTrade(market: Market, delta: bigint, price: bigint, role: TradeRole): TradeBooking {
    const current = this.positionIn(market.id);
    if (current.size === 0n && this.positions.size >= MAX_OPEN_MARKETS) {
      throw new InvalidArgumentError("market", market.id, `at most ${MAX_OPEN_MARKETS} open markets`);
    }
    const booked = applyDelta(current, delta, market.unitValueAt(price));
    const fee = market.feeFor(delta, price, role, this.scale);
    const positions = new Map(this.positions);
    if (booked.size === 0n) positions.delete(market.id);
    else positions.set(market.id, Object.freeze({ size: booked.size, openNotional: booked.openNotional }));
    const balance = this.balance + pnlToTokens(booked.realized, this.scale) - fee;
    return {
      account: new Account(this.address, balance, this.scale, positions),
      realizedWad: booked.realized,
      fee,
    };
  }

  /**
   * The positions with their market's mark and rates, for the math functions. Throws when a market
   * is missing from `marks`.
   * @example health(account.balance, account.scale, account.marked(marks))
   */
  marked(marks: Marks): MarkedPosition[] {
    const out: MarkedPosition[] = [];
    for (const [id, p] of this.positions) {
      const m = marks.get(id);
      if (m === undefined) throw new InvalidArgumentError("marks", id, "a mark for every open market");
      const { contractSize } = m.market.params;
      out.push({ ...p, mark: m.mark, contractSize, imr: m.market.risk.imr, mmr: m.market.risk.mmr });
    }
    return out;
  }

  /**
   * Equity, initial and maintenance margin, wad (`Clearinghouse.health`).
   * @example const { equity, maintenanceMargin } = account.health(marks);
   */
  health(marks: Marks): Health {
    return health(this.balance, this.scale, this.marked(marks));
  }

  /**
   * What could be withdrawn now, collateral units, rounded down (`Clearinghouse.freeCollateral`). Like
   * the contract, a balance `<= 0` is 0 and a flat account is its balance before any mark is read, so
   * those need no marks (the contract returns 0 there even when the oracle is stale).
   * @example account.freeCollateral(marks)
   */
  freeCollateral(marks: Marks): bigint {
    if (this.balance <= 0n) return 0n;
    if (this.positions.size === 0) return this.balance;
    return freeCollateralDown(this.balance, this.scale, this.marked(marks));
  }

  /**
   * Whether equity is below maintenance margin (`Clearinghouse.isLiquidatable`).
   * @example account.isLiquidatable(marks)
   */
  isLiquidatable(marks: Marks): boolean {
    return isLiquidatable(this.balance, this.scale, this.marked(marks));
  }

  /**
   * The mark of `marketId` at which the account becomes liquidatable, others held
   * (`Clearinghouse.liquidationPrice`); 0 without a position.
   * @example account.liquidationPrice(marketId, marks)
   */
  liquidationPrice(marketId: MarketId, marks: Marks): bigint {
    const at = [...this.positions.keys()].indexOf(marketId);
    if (at < 0) return 0n;
    return liquidationPriceDown(this.balance, this.scale, this.marked(marks), at);
  }
}

/**
 * Marks every market at `now` from its index value.
 * @example const marks = markAll([[market, index]], now);
 */
export function markAll(markets: Iterable<readonly [Market, bigint]>, now: bigint): Marks {
  const out = new Map<MarketId, MarkedMarket>();
  for (const [market, index] of markets) out.set(market.id, { market, mark: market.markAt(now, index) });
  return out;
}
