/**
 * Market-level math, as `MarketParamsLib` and `MarginLogic` compute it: the market id, the value of one
 * contract, the mark price (index × (1 + basis × τ), τ in years of 365 days) and the basis EMA update.
 */
import { encodeAbiParameters, keccak256, type Hex } from "viem";

import { InvalidArgumentError } from "../errors/SdkError.js";
import type { MarketId } from "../ids.js";
import { mulDiv, WAD, YEAR } from "./wad.js";

/** A market's fixed parameters, field for field as the `MarketParams` struct (viem's decoding). */
export interface MarketParams {
  indexId: Hex;
  methodologyHash: Hex;
  /** Unix seconds. */
  expiry: bigint;
  /** Index units per contract, 18-decimal. */
  contractSize: bigint;
  /** 18-decimal dollars per index unit. */
  tickSize: bigint;
  /** Whole contracts. */
  minSize: bigint;
  /** Seconds (`uint32`, decoded as a number). */
  settlementWindow: number;
}

/** A market's risk parameters (`RiskParams`); rates 18-decimal (`1e18` = 100 %), sizes whole contracts. */
export interface RiskParams {
  imr: bigint;
  mmr: bigint;
  liquidationPenalty: bigint;
  maxPositionSize: bigint;
  maxOpenInterest: bigint;
  priceBand: bigint;
  makerFee: bigint;
  takerFee: bigint;
  basisWeight: bigint;
  maxBasisRate: bigint;
  maxBasisStep: bigint;
  /** Fill size (contracts) that moves the basis EMA by the full `basisWeight` (`1` = every fill in full). */
  basisDepth: bigint;
}

/** Settlement terms (`SettlementTerms`), seconds. */
export interface SettlementTerms {
  disputeWindow: number;
  fallbackDelay: number;
}

/** The ABI type of `MarketParams`, for `abi.encode`. */
export const MARKET_PARAMS_ABI = [
  {
    type: "tuple",
    components: [
      { name: "indexId", type: "bytes32" },
      { name: "methodologyHash", type: "bytes32" },
      { name: "expiry", type: "uint64" },
      { name: "contractSize", type: "uint128" },
      { name: "tickSize", type: "uint128" },
      { name: "minSize", type: "uint64" },
      { name: "settlementWindow", type: "uint32" },
    ],
  },
] as const;

/**
 * A market's id: `keccak256(abi.encode(params))` (`MarketParamsLib.id`, `Clearinghouse.marketId`).
 * @example const id = marketIdOf({ indexId, methodologyHash, expiry, contractSize: 1000n * WAD, tickSize, minSize: 1n, settlementWindow: 3600 });
 */
export function marketIdOf(params: MarketParams): MarketId {
  return keccak256(encodeAbiParameters(MARKET_PARAMS_ABI, [params])) as MarketId;
}

/**
 * Value of one contract at `price`, wad dollars, rounded down (`PositionMath.unitValueDown`): the contract
 * uses this one value for every account of the market.
 * @example unitValueDown(10n * WAD, 1000n * WAD) // 10_000e18
 */
export function unitValueDown(price: bigint, contractSize: bigint): bigint {
  return mulDiv(price, contractSize, WAD, "Down");
}

/**
 * Time to expiry in years, wad, rounded down: `(expiry − now) × 1e18 / 365 days`.
 * @example tauDown(now + 365n * 86_400n, now) // 1e18
 */
export function tauDown(expiry: bigint, now: bigint): bigint {
  return ((expiry - now) * WAD) / YEAR;
}

/**
 * The live mark before expiry (`PositionMath.liveMarkDown`): `factor = 1e18 + basisRate × τ / 1e18`
 * (signed, truncated toward zero), then `index × factor / 1e18` rounded down. Needs `now < expiry`.
 * @example liveMarkDown(10n * WAD, WAD / 10n, expiry, now)
 */
export function liveMarkDown(index: bigint, basisRate: bigint, expiry: bigint, now: bigint): bigint {
  const factor = WAD + (basisRate * tauDown(expiry, now)) / WAD;
  return mulDiv(index, factor, WAD, "Down");
}

/** What the mark of a market depends on. */
export interface MarkInputs {
  expiry: bigint;
  basisRate: bigint;
  /** The final settlement price, 0 while unset. */
  finalPrice: bigint;
  /** The proposed settlement price, 0 while none (absent: 0). */
  proposedPrice?: bigint;
  /**
   * The oracle TWAP over the settlement window `[expiry − settlementWindow, expiry]`, what an expired market
   * without a proposal is valued at (absent: unknown).
   */
  settlementTwap?: bigint | undefined;
  /**
   * The mark basis of second `markBasisTime`: the basis before that second's first trade (absent: no trade
   * known in the second valued at, so the stored `basisRate` applies).
   */
  markBasis?: bigint;
  markBasisTime?: bigint;
  /**
   * The time-averaged basis as of second `markBasisTime` (`MarginLogic.averageBasis`, stored by that second's
   * first trade; absent: 0).
   */
  averageBasis?: bigint;
}

/** Seconds over which a move of the basis comes to count for liquidation (`MarginLogic.LIQUIDATION_BASIS_WINDOW`). */
export const LIQUIDATION_BASIS_WINDOW = 1_800n;

/**
 * The time-averaged basis at `now` (`MarginLogic.averageBasis`): the stored average moved toward `basisRate`
 * by the seconds since `markBasisTime` over `LIQUIDATION_BASIS_WINDOW`, equal to `basisRate` once a whole
 * window has passed (rounded toward zero, as Solidity's signed division).
 * @example averageBasisAt({ expiry, basisRate: WAD / 10n, finalPrice: 0n, averageBasis: 0n, markBasisTime: now }, now + 900n) // WAD / 20n
 */
export function averageBasisAt(market: MarkInputs, now: bigint): bigint {
  const elapsed = now - (market.markBasisTime ?? 0n);
  if (elapsed >= LIQUIDATION_BASIS_WINDOW) return market.basisRate;
  const average = market.averageBasis ?? 0n;
  return average + ((market.basisRate - average) * elapsed) / LIQUIDATION_BASIS_WINDOW;
}

/**
 * The liquidation mark (`Clearinghouse.liquidationMarkPrice`): before expiry the live mark at the
 * time-averaged basis (`averageBasisAt`); from expiry on the same settlement value as `markPriceDown`.
 * @example liquidationMarkDown({ expiry, basisRate, finalPrice: 0n }, index, now)
 */
export function liquidationMarkDown(market: MarkInputs, index: bigint, now: bigint): bigint {
  if (now < market.expiry) return liveMarkDown(index, averageBasisAt(market, now), market.expiry, now);
  return expiredMarkOf(market);
}

/**
 * What a position is worth with no basis (`MarginLogic.marks`' third value): the index before expiry, from
 * expiry on the same settlement value as `markPriceDown`. Liquidation also needs the account below maintenance
 * margin at these values, so a move of the basis alone never liquidates an account the index has not.
 * @example indexMarkDown({ expiry, basisRate, finalPrice: 0n }, index, now) // index, before expiry
 */
export function indexMarkDown(market: MarkInputs, index: bigint, now: bigint): bigint {
  if (now < market.expiry) return index;
  return expiredMarkOf(market);
}

/**
 * The basis rate the mark uses at `now` (`MarginLogic.markBasis`): within a second in which the market
 * traded, the basis as it stood before that second's first trade; otherwise the stored EMA.
 * @example markBasisAt({ expiry, basisRate, finalPrice: 0n, markBasis: 0n, markBasisTime: now }, now) // 0n
 */
export function markBasisAt(market: MarkInputs, now: bigint): bigint {
  if (market.markBasisTime !== undefined && market.markBasisTime === now && market.markBasis !== undefined) {
    return market.markBasis;
  }
  return market.basisRate;
}

/**
 * The mark of an expired market (`MarginLogic.expiredMark`): the final price once set, else the proposed
 * price, else the settlement-window TWAP, never the live index. Throws `InvalidArgumentError` when it
 * needs the TWAP and `settlementTwap` is missing.
 * @example expiredMarkOf({ expiry, basisRate: 0n, finalPrice: 0n, proposedPrice: 0n, settlementTwap })
 */
export function expiredMarkOf(market: MarkInputs): bigint {
  if (market.finalPrice !== 0n) return market.finalPrice;
  if (market.proposedPrice !== undefined && market.proposedPrice !== 0n) return market.proposedPrice;
  if (market.settlementTwap === undefined) {
    throw new InvalidArgumentError(
      "settlementTwap",
      undefined,
      "the settlement-window TWAP of an expired market without a final or proposed price",
    );
  }
  return market.settlementTwap;
}

/**
 * The mark (`Clearinghouse.markPrice`): the live mark before expiry (at the basis `markBasisAt` gives);
 * from expiry on the settlement value (`expiredMarkOf`: final price, else proposed price, else the
 * settlement-window TWAP), whatever the index.
 * @example markPriceDown({ expiry, basisRate, finalPrice: 0n }, index, now)
 */
export function markPriceDown(market: MarkInputs, index: bigint, now: bigint): bigint {
  if (now < market.expiry) return liveMarkDown(index, markBasisAt(market, now), market.expiry, now);
  return expiredMarkOf(market);
}

function clamp(x: bigint, bound: bigint): bigint {
  if (x > bound) return bound;
  if (x < -bound) return -bound;
  return x;
}

/**
 * The EMA weight of a fill of `size` contracts (`MarginLogic.basisWeightDown`): the full `basisWeight`
 * from `basisDepth` contracts up, `basisWeight × size / basisDepth` below it, rounded down (toward not
 * moving the basis). `size` is the fill's absolute size; a negative one is taken by its magnitude.
 * @example basisWeightDown(WAD / 10n, 5n, 50n) // 1e16: a tenth of the depth, a tenth of the weight
 */
export function basisWeightDown(basisWeight: bigint, size: bigint, basisDepth: bigint): bigint {
  const abs = size < 0n ? -size : size;
  if (abs >= basisDepth) return basisWeight;
  return (basisWeight * abs) / basisDepth;
}

/**
 * The basis EMA after a fill of `size` contracts at `price` with index `index`
 * (`MarginLogic.nextBasis`): the fill's annualised basis `(price × 1e18 / index (down) − 1e18) × 1e18 / τ`
 * (truncated), clamped to `maxBasisRate`, moves the rate by `basisWeightDown(basisWeight, size,
 * basisDepth)` of the gap (truncated toward zero), at most `maxBasisStep`, and the result stays within
 * `maxBasisStep` of `anchor` (the second's mark basis: the basis before the second's first trade, which
 * is the stored basis when simulating a trade in a new second). Needs `now < expiry`; `size` is the fill's
 * size in contracts (its sign is ignored).
 * @example nextBasisRate(risk, basisRate, basisRate, price, index, expiry, now, 10n)
 */
export function nextBasisRate(
  risk: Pick<RiskParams, "basisWeight" | "maxBasisRate" | "maxBasisStep" | "basisDepth">,
  basis: bigint,
  anchor: bigint,
  price: bigint,
  index: bigint,
  expiry: bigint,
  now: bigint,
  size: bigint,
): bigint {
  const tau = tauDown(expiry, now);
  const premium = mulDiv(price, WAD, index, "Down") - WAD;
  const implied = clamp((premium * WAD) / tau, risk.maxBasisRate);
  const weight = basisWeightDown(risk.basisWeight, size, risk.basisDepth);
  const step = clamp(((implied - basis) * weight) / WAD, risk.maxBasisStep);
  return clamp(anchor + clamp(basis + step - anchor, risk.maxBasisStep), risk.maxBasisRate);
}

/**
 * Whether `price` is inside the band around `mark` the contract accepts (`_checkBand`):
 * `mark != 0` and `|price − mark| <= mark × band / 1e18` (rounded down).
 * @example withinPriceBand(price, mark, WAD / 10n)
 */
export function withinPriceBand(price: bigint, mark: bigint, band: bigint): boolean {
  const distance = price > mark ? price - mark : mark - price;
  return mark !== 0n && distance <= mulDiv(mark, band, WAD, "Down");
}
