/**
 * Market-level math, as `MarketParamsLib` and `MarginLogic` compute it: the market id, the value of one
 * contract, the mark price (index × (1 + basis × τ), τ in years of 365 days) and the basis EMA update.
 */
import { encodeAbiParameters, keccak256, type Hex } from "viem";

import type { MarketId } from "../ids.js";
import { WAD } from "../oracle/checkpoints.js";
import { mulDiv, YEAR } from "./wad.js";

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
 * Value of one contract at `price`, wad dollars, rounded down (`MarginLogic.unitValue`): the contract
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
 * The live mark before expiry (`MarginLogic.liveMark`): `factor = 1e18 + basisRate × τ / 1e18`
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
}

/**
 * The mark (`Clearinghouse.markPrice`): the live mark before expiry, the final price once set, the
 * index otherwise (after expiry, before finalization).
 * @example markPriceDown({ expiry, basisRate, finalPrice: 0n }, index, now)
 */
export function markPriceDown(market: MarkInputs, index: bigint, now: bigint): bigint {
  if (now < market.expiry) return liveMarkDown(index, market.basisRate, market.expiry, now);
  if (market.finalPrice !== 0n) return market.finalPrice;
  return index;
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
 * basisDepth)` of the gap (truncated toward zero), at most `maxBasisStep`. Needs `now < expiry`; `size`
 * is the fill's size in contracts (its sign is ignored).
 * @example nextBasisRate(risk, basisRate, price, index, expiry, now, 10n)
 */
export function nextBasisRate(
  risk: Pick<RiskParams, "basisWeight" | "maxBasisRate" | "maxBasisStep" | "basisDepth">,
  basis: bigint,
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
  return clamp(basis + step, risk.maxBasisRate);
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
