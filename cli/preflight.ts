/**
 * Refusals of `order place` before anything is signed: an order that can never fill (a price outside
 * the band around the mark, a size beyond the position limit, an expiry after the market's, not
 * enough margin for the position it would open) is bad input (exit 2), with the numbers in the
 * market's units and dates. Pure: it takes what the command read from the chain.
 */
import { withinPriceBand } from "../sdk/core/math/market.js";
import type { Account, Marks } from "../sdk/core/entities/Account.js";
import type { Market } from "../sdk/core/entities/Market.js";
import { InputError } from "./errors.js";
import { formatUnitsExact, formatUsd } from "./units.js";

/** An order about to be signed, with the chain state it is judged against. */
export interface OrderPreflight {
  market: Market;
  /** The market's mark now (undefined: no fresh index round; the band and margin are not judged). */
  mark: bigint | undefined;
  /** The trader's account and the marks of its open markets (with this market's). */
  account: Account;
  marks: Marks;
  isBuy: boolean;
  /** Contracts. */
  size: bigint;
  /** Limit price, wad dollars per index unit. */
  price: bigint;
  /** The order's expiry, unix seconds (undefined for an immediate fill). */
  expiry?: bigint;
  /** Collateral decimals and symbol, for the messages. */
  decimals: number;
  symbol: string;
}

/** A unix time as an ISO date (UTC). */
export const isoDate = (seconds: bigint): string => new Date(Number(seconds) * 1000).toISOString();

const WAD = 10n ** 18n;
const abs = (x: bigint) => (x < 0n ? -x : x);

/** Every reason the order can never fill; empty when it can. */
export function orderRefusals(o: OrderPreflight): string[] {
  const { market } = o;
  const { risk, params } = market;
  const out: string[] = [];
  if (o.expiry !== undefined && o.expiry > params.expiry) {
    out.push(
      `--expiry: the order would expire ${isoDate(o.expiry)}, after the market's expiry ${isoDate(params.expiry)}; use an expiry before it`,
    );
  }
  if (o.mark !== undefined && !withinPriceBand(o.price, o.mark, risk.priceBand)) {
    const width = (o.mark * risk.priceBand) / WAD;
    out.push(
      `--price: ${formatUsd(o.price)} is outside the price band: mark ${formatUsd(o.mark)} ± ${formatUnitsExact(risk.priceBand * 100n, 18)} % → ${formatUsd(o.mark - width)} to ${formatUsd(o.mark + width)}`,
    );
  }
  const held = o.account.positionIn(market.id).size;
  const delta = o.isBuy ? o.size : -o.size;
  const after = held + delta;
  if (abs(after) > abs(held) && abs(after) > risk.maxPositionSize) {
    out.push(
      `--size: ${o.size} would make the position ${after > 0n ? "+" : ""}${after} contracts, beyond the market's limit of ${risk.maxPositionSize}`,
    );
  }
  if (o.mark !== undefined && abs(after) > abs(held)) {
    const marks = new Map(o.marks);
    marks.set(market.id, { market, mark: o.mark });
    try {
      const next = o.account.withTrade(market, delta, o.price, "taker").account;
      const h = next.health(marks);
      if (h.equity < h.initialMargin) {
        const missing = (h.initialMargin - h.equity + next.scale - 1n) / next.scale;
        out.push(
          `margin: after this order the equity ${formatUsd(h.equity)} would be below the initial margin ${formatUsd(h.initialMargin)}; deposit at least ${formatUnitsExact(missing, o.decimals)} ${o.symbol} more`,
        );
      }
    } catch {
      // a market without a mark among the account's: the contract judges the margin itself
    }
  }
  return out;
}

/** Throws an `InputError` (exit 2) naming every reason the order can never fill. */
export function refuseUnfillable(o: OrderPreflight): void {
  const reasons = orderRefusals(o);
  if (reasons.length > 0) throw new InputError(`order refused before signing: ${reasons.join("; ")}`);
}
