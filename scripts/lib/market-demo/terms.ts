/**
 * The demo's terms: the quarter, the market, the deposits, the report's shape, and the small helpers
 * every phase uses to format and schedule.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { Address, Hex } from "viem";

import { addDays, startOfDay, type IsoDate } from "../../../index/index.js";

export const E18 = 10n ** 18n;
export const DAY = 86_400n;
export const HOUR = 3_600n;
export const DECIMALS = 6;
export const UNIT = 10n ** BigInt(DECIMALS);
export const TICK = E18 / 1000n;
const here = path.dirname(fileURLToPath(import.meta.url));
export const PRICE_CSV = path.join(here, "..", "..", "..", "index", "fixtures", "ai-token-list-prices.csv");

/** The demo's quarter: the CSV's Q3 2025, when the frontier index jumped 16 % in a day (2025-08-05). */
export const DEMO_QUARTER = { from: "2025-07-01", to: "2025-09-30" } as const;

/** Market terms (one contract = 1000 index units, i.e. a billion tokens' worth of list price). */
export const MARKET = {
  contractSize: 1000n * E18,
  tickSize: TICK,
  minSize: 1n,
  settlementWindow: DAY,
  terms: { disputeWindow: Number(HOUR), fallbackDelay: Number(2n * DAY) },
  risk: {
    imr: E18 / 10n,
    mmr: E18 / 20n,
    liquidationPenalty: E18 / 50n,
    maxPositionSize: 1_000_000n,
    maxOpenInterest: 10_000_000n,
    priceBand: E18 / 10n,
    makerFee: (2n * E18) / 10_000n,
    takerFee: (5n * E18) / 10_000n,
    basisWeight: E18 / 10n,
    maxBasisRate: E18 / 2n,
    maxBasisStep: E18 / 20n,
    // As the deployed frontier markets (ignition/parameters): about 3 million dollars of notional moves the
    // basis EMA by the full weight, so the demo's 5 to 40 contract fills move it by 2 to 13 % of it.
    basisDepth: 300n,
  },
};

/** Collateral each trader deposits, whole dollars. */
export const DEPOSITS = {
  hedger: 300_000n,
  provider: 300_000n,
  marketMakerA: 500_000n,
  marketMakerB: 40_000n,
  liquidator: 100_000n,
} as const;

export type Role = keyof typeof DEPOSITS;

export interface DemoOptions {
  /** Fewer rounds (weekly plus the days around the jump and expiry), same phases. */
  readonly short: boolean;
  readonly log: (line: string) => void;
}

export interface AccountReport {
  address: Address;
  role: Role;
  /** Collateral units (6 decimals), decimal strings. */
  deposited: string;
  withdrawn: string;
  finalBalance: string;
  pnl: string;
}

export interface PricePoint {
  /** Unix seconds. */
  t: number;
  index: string;
  mark: string;
}

export interface TradePoint {
  t: number;
  price: string;
  /** Contracts. */
  size: number;
  /** The taker's side. */
  side: "buy" | "sell";
  maker: Address;
  taker: Address;
}

export interface DemoReport {
  market: { id: Hex; symbol: string; expiry: number; from: IsoDate; to: IsoDate };
  collateralDecimals: number;
  /** 18-decimal dollars per index unit. */
  settlementPrice: string;
  liquidations: number;
  /** Collateral units, decimal strings. */
  feesToTreasury: string;
  insuranceFundDelta: string;
  /** Median whole-transaction gasUsed per operation. */
  gas: Record<string, number>;
  accounts: AccountReport[];
  /**
   * `total = Σ pnl + feesToTreasury + insuranceFundDelta` (`holds` when 0). `lockedInClearinghouse` is
   * collateral left in the Clearinghouse that no account, the treasury or the fund can claim;
   * `ledgerCloses` when `total + lockedInClearinghouse = 0` (every token accounted for).
   */
  conservation: {
    sumPnl: string;
    total: string;
    holds: boolean;
    lockedInClearinghouse: string;
    ledgerCloses: boolean;
  };
  /**
   * The market's settlement tally when its last position settled: what it had for claims (losses collected
   * at settlement net of the PnL realised before expiry), the gains claimed (gains realised before expiry
   * are escrowed and claimed here too), and the gap paid pro rata.
   */
  settlementTally: { collected: string; claimed: string; shortfall: string };
  liquidated: { account: Address; role: Role; size: number; mark: string; reward: string; t: number }[];
  /** Open positions of the market after settlement, and claims still unpaid. */
  openPositions: number;
  unpaidClaims: number;
  rounds: number;
  trades: number;
  series: { prices: PricePoint[]; trades: TradePoint[]; liquidations: number[]; expiry: number };
  timeline: string[];
}

/** The chain's start date for the demo: the day before the quarter. */
export function marketDemoGenesis(from: IsoDate = DEMO_QUARTER.from): string {
  return new Date(Number(startOfDay(from) - DAY) * 1000).toISOString();
}

export function usd(dollars: bigint): bigint {
  return dollars * UNIT;
}

/** `1234567` (6 decimals) → `"1.234567"`, signed. */
export function formatUnits6(value: bigint): string {
  const sign = value < 0n ? "-" : "";
  const v = value < 0n ? -value : value;
  const whole = (v / UNIT).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${whole}.${(v % UNIT).toString().padStart(DECIMALS, "0")}`;
}

export function dayDiff(a: IsoDate, b: IsoDate): number {
  return Number((startOfDay(b) - startOfDay(a)) / DAY);
}

/**
 * The days with an index round: every day of the quarter, or (short) every seventh day plus the days
 * around the jump of 2025-08-05 and the last two days before expiry.
 */
export function scheduleDays(short: boolean): IsoDate[] {
  const all: IsoDate[] = [];
  for (let d: IsoDate = DEMO_QUARTER.from; d <= DEMO_QUARTER.to; d = addDays(d, 1)) all.push(d);
  if (!short) return all;
  const extra = new Set(["2025-08-04", "2025-08-05", "2025-08-06", "2025-08-07", "2025-09-29", "2025-09-30"]);
  return all.filter((d) => dayDiff(DEMO_QUARTER.from, d) % 7 === 0 || extra.has(d));
}
