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
import { chargeOverdraft } from "../math/fees.js";
import { applyDelta, escrowedGain, isEmptySlot, pnlToTokens, type PositionState } from "../math/position.js";
import { unitValueDown } from "../math/market.js";
import type { Market, TradeRole } from "./Market.js";

/** A market with the mark its positions are valued at. */
export interface MarkedMarket {
  market: Market;
  mark: bigint;
  /**
   * The contract's liquidation mark (`liquidationMarkPrice`: the basis averaged over 30 minutes); liquidation
   * needs the account below maintenance at both. Absent: taken equal to `mark` (an index-only valuation).
   */
  liquidationMark?: bigint;
  /**
   * What the market's positions are worth with no basis (`Market.indexMarkAt`: the index before expiry, the
   * settlement value from expiry on); liquidation also needs the account below maintenance there, so a move of
   * the basis alone liquidates nobody the index has not put below the line. Absent: taken equal to `mark`.
   */
  indexMark?: bigint;
}

/** Marks by market id, for the valuation methods. */
export type Marks = ReadonlyMap<MarketId, MarkedMarket>;

/** What `Account.withTrade` booked. */
export interface TradeBooking {
  account: Account;
  /** Realised PnL, wad: a loss or 0 (a gain is escrowed in the position until settlement). */
  realizedWad: bigint;
  /**
   * Fee charged, collateral units: the role's fee, cut by what the insurance fund could not lend when the
   * trade overdraws the balance (only when `withTrade` was given the fund).
   */
  fee: bigint;
  /**
   * With the fund given: the overdraft the fund lent, what it could not lend beyond the fee (written off against
   * the market's pot: its winners bear it) and the fund afterwards (`LiquidationLogic.chargeTrade`).
   */
  overdraft?: { lent: bigint; writtenOff: bigint; insuranceFund: bigint };
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
  /**
   * Open slots by market, in the order the contract lists them: positions, and closed positions holding
   * an escrowed gain (`size == 0`, `openNotional = −gain`), which keep their lane until settlement.
   */
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
   * An account from its balance and positions (empty slots, no size and no cost basis, are dropped).
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
      if (!isEmptySlot(p)) positions.set(id, Object.freeze({ size: p.size, openNotional: p.openNotional }));
    }
    return new Account(input.address, input.balance, input.scale, positions);
  }

  /** Ids of the markets the account holds a lane in (positions and escrowed gains). */
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
   * `Clearinghouse.trade` books one side: the position changes, a realised loss is debited (up), a realised
   * gain stays escrowed in the cost basis (the balance does not move for it) and the role's fee is charged
   * (up). A slot left with an escrowed gain keeps its lane. Limits and margin are not checked here. The whole
   * debit stays on the balance (a negative balance is owed to the insurance fund); given `insuranceFund`, a
   * trade that overdraws (or credits a debt) is booked as the contract books it (`chargeOverdraft`): the fund
   * lends the overdraft as far as it holds tokens, what it cannot lend cuts the fee first, and `overdraft`
   * says what was lent and written off.
   * @example const { account: next, fee } = account.withTrade(market, 5n, price, "taker");
   */
  withTrade(
    market: Market,
    delta: bigint,
    price: bigint,
    role: TradeRole,
    insuranceFund?: bigint,
  ): TradeBooking {
    const current = this.positionIn(market.id);
    if (isEmptySlot(current) && this.positions.size >= MAX_OPEN_MARKETS) {
      throw new InvalidArgumentError("market", market.id, `at most ${MAX_OPEN_MARKETS} open markets`);
    }
    const booked = applyDelta(current, delta, market.unitValueAt(price));
    const fee = market.feeFor(delta, price, role, this.scale);
    const positions = new Map(this.positions);
    if (isEmptySlot(booked)) positions.delete(market.id);
    else positions.set(market.id, Object.freeze({ size: booked.size, openNotional: booked.openNotional }));
    const change = pnlToTokens(booked.realized, this.scale) - fee;
    const balance = this.balance + change;
    const account = new Account(this.address, balance, this.scale, positions);
    if (insuranceFund === undefined || (this.balance >= 0n && balance >= 0n)) {
      return { account, realizedWad: booked.realized, fee };
    }
    const c = chargeOverdraft(this.balance, change, fee, insuranceFund);
    return {
      account,
      realizedWad: booked.realized,
      fee: c.charged,
      overdraft: { lent: c.lent, writtenOff: c.writtenOff, insuranceFund: c.insuranceFund },
    };
  }

  /**
   * The positions with their market's mark and rates, for the math functions. Throws when a market of a
   * position is missing from `marks`; an escrow slot (`size == 0`) needs no mark (it is valued at its gain).
   * @example health(account.balance, account.scale, account.marked(marks))
   */
  marked(marks: Marks): MarkedPosition[] {
    const out: MarkedPosition[] = [];
    for (const [id, p] of this.positions) {
      const m = marks.get(id);
      if (m === undefined && p.size === 0n) {
        out.push({ ...p, mark: 0n, contractSize: 0n, imr: 0n, mmr: 0n });
        continue;
      }
      if (m === undefined) throw new InvalidArgumentError("marks", id, "a mark for every open market");
      const { contractSize } = m.market.params;
      out.push({ ...p, mark: m.mark, contractSize, imr: m.market.risk.imr, mmr: m.market.risk.mmr });
    }
    return out;
  }

  /**
   * The wad PnL of each open slot except `marketId`'s, as `MarginLogic.equityAndOpenLosses` values them
   * (escrowed gains at their gain): what `debitSettlementLoss` takes as `otherPnls` when `marketId` settles.
   * Expired markets must be marked at their settlement value (`Market.markAt` does).
   * @example debitSettlementLoss(account.balance, loss, account.otherPnls(marketId, marks), fund, scale)
   */
  otherPnls(marketId: MarketId, marks: Marks): bigint[] {
    const others = new Map(this.positions);
    others.delete(marketId);
    const rest = new Account(this.address, this.balance, this.scale, others);
    return rest
      .marked(marks)
      .map((p) =>
        p.size === 0n ? -p.openNotional : p.size * unitValueDown(p.mark, p.contractSize) - p.openNotional,
      );
  }

  /**
   * The escrowed gain held in `marketId`, wad dollars (0 unless the slot is a closed winning position).
   * @example account.escrowIn(marketId)
   */
  escrowIn(marketId: MarketId): bigint {
    return escrowedGain(this.positionIn(marketId));
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
   * Whether `liquidate` accepts the account (`Clearinghouse.isLiquidatable`): equity below maintenance margin
   * at the marks, at the liquidation marks (`liquidationMarks`) and at the index values (`indexMarks`).
   * @example account.isLiquidatable(marks)
   */
  isLiquidatable(marks: Marks): boolean {
    return (
      isLiquidatable(this.balance, this.scale, this.marked(marks)) &&
      isLiquidatable(this.balance, this.scale, this.marked(liquidationMarks(marks))) &&
      isLiquidatable(this.balance, this.scale, this.marked(indexMarks(marks)))
    );
  }

  /**
   * The mark of `marketId` at which the account becomes liquidatable, others held
   * (`Clearinghouse.liquidationPrice`); 0 without contracts in it.
   * @example account.liquidationPrice(marketId, marks)
   */
  liquidationPrice(marketId: MarketId, marks: Marks): bigint {
    const at = [...this.positions.keys()].indexOf(marketId);
    if (at < 0) return 0n;
    return liquidationPriceDown(this.balance, this.scale, this.marked(marks), at);
  }
}

/**
 * The same markets valued at their liquidation marks (`MarkedMarket.liquidationMark`, else the mark): what
 * `Clearinghouse.liquidate` also checks the account against.
 * @example account.health(liquidationMarks(marks))
 */
export function liquidationMarks(marks: Marks): Marks {
  const out = new Map<MarketId, MarkedMarket>();
  for (const [id, m] of marks) out.set(id, { market: m.market, mark: m.liquidationMark ?? m.mark });
  return out;
}

/**
 * The same markets valued at their index values (`MarkedMarket.indexMark`, else the mark): what
 * `Clearinghouse.liquidate` checks the account against as well.
 * @example account.health(indexMarks(marks))
 */
export function indexMarks(marks: Marks): Marks {
  const out = new Map<MarketId, MarkedMarket>();
  for (const [id, m] of marks) out.set(id, { market: m.market, mark: m.indexMark ?? m.mark });
  return out;
}

/**
 * Marks every market at `now` from its index value (the mark, the liquidation mark and the index value).
 * @example const marks = markAll([[market, index]], now);
 */
export function markAll(markets: Iterable<readonly [Market, bigint]>, now: bigint): Marks {
  const out = new Map<MarketId, MarkedMarket>();
  for (const [market, index] of markets) {
    out.set(market.id, {
      market,
      mark: market.markAt(now, index),
      liquidationMark: market.liquidationMarkAt(now, index),
      indexMark: market.indexMarkAt(now, index),
    });
  }
  return out;
}
