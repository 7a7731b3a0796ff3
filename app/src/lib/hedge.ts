/**
 * The hedge planner: a company that buys AI tokens (or GPU-hours) every month locks today's futures
 * prices by buying a strip of futures across the listed expiries. Each month of the horizon is assigned to
 * the listed expiry nearest to it; a leg buys the contracts that cover its months' usage. Margin, fees and
 * payoffs come from the SDK's entities (`Account.withTrade`, `health`, `unrealizedPnl`).
 */
import { Account, type MarkedMarket } from "../../../sdk/core/entities/Account.js";
import type { Market } from "../../../sdk/core/entities/Market.js";
import type { MarketId } from "../../../sdk/core/ids.js";
import { unitValueDown } from "../../../sdk/core/math/market.js";
import { unrealizedPnl } from "../../../sdk/core/math/position.js";
import { toToken } from "../../../sdk/core/math/wad.js";

const WAD = 10n ** 18n;
/** An average month, seconds (365.25 / 12 days). */
export const MONTH_SECONDS = 2_629_800n;

export interface HedgeMarket {
  market: Market;
  mark: bigint;
  /** The best ask on the relay, when there is one inside the band; else the mark is used. */
  bestAsk: bigint | null;
}

export interface HedgeInput {
  /** Usage per month in index units (1M tokens, GPU-hours), 18-decimal. */
  unitsPerMonth: bigint;
  months: number;
  now: bigint;
  markets: readonly HedgeMarket[];
  /** `10 ** (18 − decimals)` of the collateral. */
  scale: bigint;
}

export interface HedgeLeg {
  market: Market;
  /** Months of the horizon this leg covers (1-based). */
  months: number[];
  /** Usage covered, index units, 18-decimal. */
  units: bigint;
  /** Contracts bought (the usage over the contract size, to the nearest whole contract, at least the minimum). */
  size: bigint;
  /** Limit price: the best ask or the mark, rounded up to the tick. */
  price: bigint;
  mark: bigint;
}

export interface HedgeScenario {
  /** Relative index move, wad (−0.5e18 … +0.5e18). */
  move: bigint;
  /** What the same usage costs more (or less) at the moved index, wad dollars. */
  extraSpend: bigint;
  /** What the futures pay (or cost) at the moved mark, wad dollars. */
  hedgePnl: bigint;
}

export interface HedgePlan {
  legs: HedgeLeg[];
  /** Initial margin of the strip, collateral units (rounded up). */
  margin: bigint;
  /** Taker fees at the limits, collateral units. */
  fees: bigint;
  /** Locked cost of the hedged usage at the legs' prices, wad dollars. */
  lockedCost: bigint;
  scenarios: HedgeScenario[];
  /** Usage the whole contracts leave unhedged (+) or over-hedge (−), index units. */
  residualUnits: bigint;
}

const roundUpTo = (x: bigint, step: bigint) => ((x + step - 1n) / step) * step;

/**
 * Plans the strip.
 * @example planHedge({ unitsPerMonth: 5_000n * 10n ** 18n, months: 6, now, markets, scale: 10n ** 12n })
 */
export function planHedge(input: HedgeInput): HedgePlan {
  const markets = [...input.markets].sort((a, b) => Number(a.market.params.expiry - b.market.params.expiry));
  const byMarket = new Map<MarketId, { m: HedgeMarket; months: number[] }>();
  for (let k = 1; k <= input.months && markets.length > 0; k++) {
    const at = input.now + BigInt(k) * MONTH_SECONDS;
    let best = markets[0];
    for (const m of markets) {
      const d = (x: HedgeMarket) =>
        x.market.params.expiry > at ? x.market.params.expiry - at : at - x.market.params.expiry;
      if (d(m) < d(best)) best = m;
    }
    const entry = byMarket.get(best.market.id) ?? { m: best, months: [] };
    entry.months.push(k);
    byMarket.set(best.market.id, entry);
  }
  const legs: HedgeLeg[] = [];
  let residual = 0n;
  for (const { m, months } of byMarket.values()) {
    const { contractSize, minSize, tickSize } = m.market.params;
    const units = input.unitsPerMonth * BigInt(months.length);
    let size = (units + contractSize / 2n) / contractSize;
    if (size < minSize) size = minSize;
    residual += units - size * contractSize;
    const band = (m.mark * m.market.risk.priceBand) / WAD;
    const ask = m.bestAsk !== null && m.bestAsk <= m.mark + band ? m.bestAsk : m.mark;
    legs.push({ market: m.market, months, units, size, price: roundUpTo(ask, tickSize), mark: m.mark });
  }

  let account = Account.from({
    address: "0x0000000000000000000000000000000000000001",
    balance: 0n,
    scale: input.scale,
  });
  let fees = 0n;
  const marks = new Map<MarketId, MarkedMarket>();
  for (const leg of legs) {
    marks.set(leg.market.id, { market: leg.market, mark: leg.mark });
    const booked = account.withTrade(leg.market, leg.size, leg.price, "taker");
    account = booked.account;
    fees += booked.fee;
  }
  const { initialMargin } = account.health(marks);
  const lockedCost = legs.reduce(
    (s, l) => s + l.size * unitValueDown(l.price, l.market.params.contractSize),
    0n,
  );
  const scenarios = [-WAD / 2n, -WAD / 4n, 0n, WAD / 4n, WAD / 2n].map((move) => {
    let hedgePnl = 0n;
    let extraSpend = 0n;
    for (const leg of legs) {
      const moved = (leg.mark * (WAD + move)) / WAD;
      const position = account.positionIn(leg.market.id);
      hedgePnl += unrealizedPnl(position, unitValueDown(moved, leg.market.params.contractSize));
      extraSpend += (leg.units * (moved - leg.price)) / WAD;
    }
    return { move, extraSpend, hedgePnl };
  });
  return {
    legs,
    margin: toToken(initialMargin, input.scale, "Up"),
    fees,
    lockedCost,
    scenarios,
    residualUnits: residual,
  };
}
