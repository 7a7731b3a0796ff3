/**
 * `Market`: an immutable snapshot of one market (fixed parameters, risk parameters, settlement terms,
 * live state incl. the basis rate, settlement progress). Methods compute with the math mirror and
 * return new instances; nothing is mutated.
 */
import type { MarketId } from "../ids.js";
import { tradeFeeUp } from "../math/fees.js";
import {
  averageBasisAt,
  indexMarkDown,
  liquidationMarkDown,
  markPriceDown,
  marketIdOf,
  nextBasisRate,
  unitValueDown,
  type MarkInputs,
  type MarketParams,
  type RiskParams,
  type SettlementTerms,
} from "../math/market.js";
import { InvalidArgumentError } from "../errors/SdkError.js";

/** Where a market is in its life (`MarketStatus`; the contract returns the index). */
export const MARKET_STATUSES = ["Trading", "Expired", "Settling", "Settled"] as const;
/** `MarketStatus` by name. */
export type MarketStatusName = (typeof MARKET_STATUSES)[number];

/** Live state (`marketState`). */
export interface MarketState {
  /** Annualised basis EMA, wad (signed). */
  basisRate: bigint;
  /** Sum of long sizes, contracts. */
  openInterest: bigint;
  openPositions: bigint;
  paused: boolean;
  /** Sequential index (from 1). */
  index: number;
  /**
   * The basis the mark uses during second `markBasisTime` (the basis before that second's first trade),
   * kept by `withTrade`; no contract view returns it, so a fetched market starts without one (0, 0) and
   * is marked at `basisRate`, which is exact for any second the market has not traded in.
   */
  markBasis: bigint;
  markBasisTime: bigint;
  /**
   * The time-averaged basis as of second `markBasisTime`, kept by `withTrade` (no contract view returns the
   * stored value: a fetched market takes its liquidation mark from the lens instead).
   */
  averageBasis: bigint;
}

/**
 * Settlement progress (`settlementState`): prices wad, `collected` / `claimed` / `realisedNet` collateral
 * units. `realisedNet` is the PnL moved into the market's pot before expiry (realised losses; gains are
 * escrowed). Before the last position settles `collected` / `claimed` are what settlement losers paid and
 * what winners claim; from then on what is left for claims and the claims not yet paid (both count down
 * as claims are paid: `payClaims`).
 */
export interface MarketSettlementState {
  proposedPrice: bigint;
  proposedAt: bigint;
  disputed: boolean;
  finalPrice: bigint;
  collected: bigint;
  claimed: bigint;
  /**
   * The oracle TWAP over `[expiry − settlementWindow, expiry]`, what the market is marked at after expiry
   * until a price is proposed; `undefined` while unknown (before expiry, or not read).
   */
  settlementTwap: bigint | undefined;
  realisedNet: bigint;
}

/** What `Market.from` takes; the id is derived from `params`. */
export interface MarketInput {
  params: MarketParams;
  risk: RiskParams;
  terms: SettlementTerms;
  state?: Partial<MarketState>;
  settlement?: Partial<MarketSettlementState>;
}

const EMPTY_STATE: MarketState = {
  basisRate: 0n,
  openInterest: 0n,
  openPositions: 0n,
  paused: false,
  index: 0,
  markBasis: 0n,
  markBasisTime: 0n,
  averageBasis: 0n,
};
const EMPTY_SETTLEMENT: MarketSettlementState = {
  proposedPrice: 0n,
  proposedAt: 0n,
  disputed: false,
  finalPrice: 0n,
  collected: 0n,
  claimed: 0n,
  settlementTwap: undefined,
  realisedNet: 0n,
};

/** Whether a trade side pays the maker or the taker fee. */
export type TradeRole = "maker" | "taker";

/**
 * An immutable market snapshot.
 * @example
 * const market = Market.from({ params, risk, terms, state: { basisRate } });
 * const mark = market.markAt(now, index);
 */
export class Market {
  readonly id: MarketId;
  readonly params: Readonly<MarketParams>;
  readonly risk: Readonly<RiskParams>;
  readonly terms: Readonly<SettlementTerms>;
  readonly state: Readonly<MarketState>;
  readonly settlement: Readonly<MarketSettlementState>;

  private constructor(
    id: MarketId,
    params: MarketParams,
    risk: RiskParams,
    terms: SettlementTerms,
    state: MarketState,
    settlement: MarketSettlementState,
  ) {
    this.id = id;
    this.params = Object.freeze({ ...params });
    this.risk = Object.freeze({ ...risk });
    this.terms = Object.freeze({ ...terms });
    this.state = Object.freeze({ ...state });
    this.settlement = Object.freeze({ ...settlement });
    Object.freeze(this);
  }

  /**
   * A market from its parts; the id is `keccak256(abi.encode(params))`.
   * @example Market.from({ params, risk, terms })
   */
  static from(input: MarketInput): Market {
    return new Market(
      marketIdOf(input.params),
      input.params,
      input.risk,
      input.terms,
      { ...EMPTY_STATE, ...input.state },
      { ...EMPTY_SETTLEMENT, ...input.settlement },
    );
  }

  private with(changes: {
    risk?: RiskParams;
    state?: MarketState;
    settlement?: MarketSettlementState;
  }): Market {
    return new Market(
      this.id,
      this.params,
      changes.risk ?? this.risk,
      this.terms,
      changes.state ?? this.state,
      changes.settlement ?? this.settlement,
    );
  }

  /** Everything the mark, the liquidation mark and the index value read, from the market's state. */
  private markInputs(): MarkInputs {
    return {
      expiry: this.params.expiry,
      basisRate: this.state.basisRate,
      finalPrice: this.settlement.finalPrice,
      proposedPrice: this.settlement.proposedPrice,
      settlementTwap: this.settlement.settlementTwap,
      markBasis: this.state.markBasis,
      markBasisTime: this.state.markBasisTime,
      averageBasis: this.state.averageBasis,
    };
  }

  /**
   * The mark at `now` given the index value (`markPrice`): the live mark before expiry (at the second's
   * mark basis when `withTrade` recorded a trade in second `now`, else at `basisRate`); from expiry on the
   * settlement value: the final price once set, else the proposed price, else `settlement.settlementTwap`
   * (never the index; throws `InvalidArgumentError` when that TWAP is needed and unknown).
   * @example market.markAt(now, 10n * WAD)
   */
  markAt(now: bigint, index: bigint): bigint {
    return markPriceDown(this.markInputs(), index, now);
  }

  /**
   * What a position is worth at `now` with no basis (`indexMarkDown`): the index value before expiry, the
   * settlement value from expiry on (throws `InvalidArgumentError` as `markAt` does when that is unknown).
   * @example market.indexMarkAt(now, 10n * WAD) // 10n * WAD before expiry
   */
  indexMarkAt(now: bigint, index: bigint): bigint {
    return indexMarkDown(this.markInputs(), index, now);
  }

  /**
   * The liquidation mark at `now` given the index value (`liquidationMarkPrice`): the live mark at the
   * time-averaged basis (`averageBasisAt`) before expiry, the settlement value from expiry on. Exact for a
   * market whose trades went through `withTrade`; a fetched market's comes from the lens (`fetchAccount`).
   * @example market.liquidationMarkAt(now, 10n * WAD)
   */
  liquidationMarkAt(now: bigint, index: bigint): bigint {
    return liquidationMarkDown(this.markInputs(), index, now);
  }

  /**
   * Value of one contract at `price`, wad, rounded down.
   * @example market.unitValueAt(mark)
   */
  unitValueAt(price: bigint): bigint {
    return unitValueDown(price, this.params.contractSize);
  }

  /**
   * The status at `now` (`marketStatus`).
   * @example market.statusAt(now) // "Trading"
   */
  statusAt(now: bigint): MarketStatusName {
    if (this.settlement.finalPrice !== 0n) return "Settled";
    if (this.settlement.proposedAt !== 0n) return "Settling";
    if (now >= this.params.expiry) return "Expired";
    return "Trading";
  }

  /**
   * The fee one side pays for `size` contracts at `price`, collateral units, rounded up.
   * @example market.feeFor(10n, price, "taker", scale)
   */
  feeFor(size: bigint, price: bigint, role: TradeRole, scale: bigint): bigint {
    const rate = role === "maker" ? this.risk.makerFee : this.risk.takerFee;
    return tradeFeeUp(size, price, this.params.contractSize, rate, scale);
  }

  /**
   * The market after a fill of `size` contracts (either sign) at `price` with index `index` at `now`:
   * the basis EMA moves as the contract moves it (weighted by the fill's size against `basisDepth`, and
   * within `maxBasisStep` of the second's mark basis); the first fill of a second fixes that mark basis
   * at the basis before it (`markBasis`, `markBasisTime`). `openInterestDelta` (the change of the sum of
   * longs) is added when given. A batch is one call per fill, in order.
   * @example const next = market.withTrade({ price, index, now, size: 5n });
   */
  withTrade(trade: {
    price: bigint;
    index: bigint;
    now: bigint;
    size: bigint;
    openInterestDelta?: bigint;
  }): Market {
    if (trade.now >= this.params.expiry) {
      throw new InvalidArgumentError("now", trade.now.toString(), `before expiry ${this.params.expiry}`);
    }
    if (trade.size === 0n) throw new InvalidArgumentError("size", "0", "a non-zero fill size");
    const sameSecond = this.state.markBasisTime === trade.now;
    const anchor = sameSecond ? this.state.markBasis : this.state.basisRate;
    const basisRate = nextBasisRate(
      this.risk,
      this.state.basisRate,
      anchor,
      trade.price,
      trade.index,
      this.params.expiry,
      trade.now,
      trade.size,
    );
    // the first fill of a second brings the time-averaged basis up to that second
    const averageBasis = sameSecond
      ? this.state.averageBasis
      : averageBasisAt({ ...this.state, expiry: this.params.expiry, finalPrice: 0n }, trade.now);
    return this.with({
      state: {
        ...this.state,
        basisRate,
        averageBasis,
        markBasis: anchor,
        markBasisTime: trade.now,
        openInterest: this.state.openInterest + (trade.openInterestDelta ?? 0n),
      },
    });
  }

  /**
   * The market with other risk parameters; a lowered `maxBasisRate` clamps the stored rate, the second's
   * mark basis and the time-averaged basis as `setRiskParams` does.
   * @example market.withRisk({ ...market.risk, imr: WAD / 5n })
   */
  withRisk(risk: RiskParams): Market {
    const bound = (x: bigint) =>
      x > risk.maxBasisRate ? risk.maxBasisRate : x < -risk.maxBasisRate ? -risk.maxBasisRate : x;
    const state = {
      ...this.state,
      basisRate: bound(this.state.basisRate),
      markBasis: bound(this.state.markBasis),
      averageBasis: bound(this.state.averageBasis),
    };
    return this.with({ risk, state });
  }

  /**
   * The market with some state fields replaced.
   * @example market.withState({ paused: true })
   */
  withState(state: Partial<MarketState>): Market {
    return this.with({ state: { ...this.state, ...state } });
  }

  /**
   * The market with some settlement fields replaced.
   * @example market.withSettlement({ finalPrice })
   */
  withSettlement(settlement: Partial<MarketSettlementState>): Market {
    return this.with({ settlement: { ...this.settlement, ...settlement } });
  }
}
