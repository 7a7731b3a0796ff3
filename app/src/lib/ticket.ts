/**
 * The order ticket's checks before signing: what the relay and the Exchange would refuse (state, pause,
 * stale index, tick, minimum and maximum size, band, post-only, self-trade, reduce-only, margin), each
 * with its reason in words, and what the order does to the account if it fills at its limit: margin used,
 * fee, leverage and liquidation price after. Every number comes from the SDK's math mirror; the margin
 * rule is the relay's (every resting order of one side filled at its limit as a taker, then
 * `equity >= initialMargin`), so the ticket refuses exactly what the relay would.
 */
import { Account, type MarkedMarket } from "../../../sdk/core/entities/Account.js";
import type { Market, MarketStatusName } from "../../../sdk/core/entities/Market.js";
import { OrderFlags } from "../../../sdk/core/eip712/orders.js";
import type { MarketId } from "../../../sdk/core/ids.js";
import { unitValueDown, withinPriceBand } from "../../../sdk/core/math/market.js";
import { abs } from "../../../sdk/core/math/wad.js";
import type { RelayOrder } from "../../../sdk/relay/client.js";
import { reasonInWords } from "./reasons.js";

export interface TicketOrder {
  isBuy: boolean;
  /** Contracts; `undefined` while the field does not parse. */
  size: bigint | undefined;
  /** 18-decimal dollars; `undefined` while the field does not parse. */
  price: bigint | undefined;
  flags: number;
}

export interface TicketMarket {
  market: Market;
  mark: bigint | undefined;
  status: MarketStatusName;
  paused: boolean;
  bestBid: bigint | null;
  bestAsk: bigint | null;
}

export interface TicketAccount {
  account: Account;
  /** Marks of the markets the account holds positions in. */
  marks: ReadonlyMap<MarketId, MarkedMarket>;
  /** The trader's live orders on the relay, every market. */
  openOrders: readonly RelayOrder[];
  /** Markets of those orders with their marks (for the margin check). */
  markets: ReadonlyMap<MarketId, MarkedMarket>;
}

export interface Refusal {
  error: string;
  words: string;
}

export interface TicketPreview {
  /** Size × price × contract size, wad dollars. */
  notional: bigint;
  /** Taker fee at the limit, collateral units (rounded up, as charged). */
  fee: bigint;
  /** Initial margin the fill adds, wad dollars (negative when it reduces risk). */
  marginUsed: bigint;
  equityAfter: bigint;
  /** Gross notional at mark over equity, wad (1e18 = 1×); `undefined` at zero or negative equity. */
  leverageAfter: bigint | undefined;
  /** Mark at which the account becomes liquidatable after the fill; 0 when none. */
  liquidationPriceAfter: bigint;
  positionAfter: bigint;
}

export interface TicketCheck {
  refusals: Refusal[];
  preview: TicketPreview | undefined;
}

const refusal = (error: string, args: Record<string, string | bigint | number> = {}): Refusal => ({
  error,
  words: reasonInWords(error, args),
});

const WAD = 10n ** 18n;

/**
 * Checks a ticket. Refusals come in the order the relay checks them; the preview is given whenever the
 * numbers can be computed (also next to a refusal, so the trader sees why).
 * @example const { refusals, preview } = checkTicket(order, market, account);
 */
export function checkTicket(
  order: TicketOrder,
  m: TicketMarket,
  who: TicketAccount | undefined,
): TicketCheck {
  const refusals: Refusal[] = [];
  const { market } = m;
  const { size, price } = order;
  if (m.status !== "Trading") {
    refusals.push(refusal("MarketExpired", { marketId: market.id }));
    return { refusals, preview: undefined };
  }
  if (m.paused) refusals.push(refusal("MarketIsPaused", { marketId: market.id }));
  if (size === undefined || size === 0n) refusals.push(refusal("ZeroOrderSize"));
  if (price === undefined || price === 0n) refusals.push(refusal("ZeroPrice"));
  if (price !== undefined && price !== 0n && price % market.params.tickSize !== 0n) {
    refusals.push(refusal("PriceNotOnTick", { price, tickSize: market.params.tickSize }));
  }
  if (size !== undefined && size !== 0n && size < market.params.minSize) {
    refusals.push(refusal("SizeBelowMinimum", { size, minSize: market.params.minSize }));
  }
  if (size !== undefined && size > market.risk.maxPositionSize) {
    refusals.push(refusal("SizeTooLarge", { size, max: market.risk.maxPositionSize }));
  }
  if (m.mark === undefined) {
    refusals.push(refusal("IndexUnavailable", { marketId: market.id }));
  } else if (price !== undefined && price !== 0n && !withinPriceBand(price, m.mark, market.risk.priceBand)) {
    refusals.push(refusal("PriceOutsideBand", { price, mark: m.mark, band: market.risk.priceBand }));
  }
  if (price !== undefined && price !== 0n) {
    const opposite = order.isBuy ? m.bestAsk : m.bestBid;
    const crosses = opposite !== null && (order.isBuy ? price >= opposite : price <= opposite);
    if ((order.flags & OrderFlags.PostOnly) !== 0 && crosses) refusals.push(refusal("PostOnlyCannotTake"));
    const own = who?.openOrders.find(
      (o) =>
        o.order.marketId.toLowerCase() === market.id &&
        o.order.isBuy !== order.isBuy &&
        (order.isBuy ? o.order.limitPrice <= price : o.order.limitPrice >= price),
    );
    if (own !== undefined) refusals.push(refusal("SelfTrade"));
  }
  if (who === undefined || size === undefined || size === 0n || price === undefined || price === 0n) {
    return { refusals, preview: undefined };
  }
  const position = who.account.positionIn(market.id).size;
  const delta = order.isBuy ? size : -size;
  if ((order.flags & OrderFlags.ReduceOnly) !== 0) {
    const reduces = position !== 0n && position > 0n !== delta > 0n && abs(delta) <= abs(position);
    if (!reduces) refusals.push(refusal("ReduceOnlyWouldIncrease", { position, sizeDelta: delta }));
  }
  if (m.mark === undefined) return { refusals, preview: undefined };

  const marks = new Map<MarketId, MarkedMarket>(who.marks);
  for (const [id, mm] of who.markets) marks.set(id, mm);
  marks.set(market.id, { market, mark: m.mark });
  let preview: TicketPreview;
  try {
    const before = who.account.health(marks);
    const after = who.account.withTrade(market, delta, price, "taker");
    const h = after.account.health(marks);
    let gross = 0n;
    for (const p of after.account.marked(marks)) gross += abs(p.size) * unitValueDown(p.mark, p.contractSize);
    preview = {
      notional: size * market.unitValueAt(price),
      fee: after.fee,
      marginUsed: h.initialMargin - before.initialMargin,
      equityAfter: h.equity,
      leverageAfter: h.equity > 0n ? (gross * WAD) / h.equity : undefined,
      liquidationPriceAfter: after.account.liquidationPrice(market.id, marks),
      positionAfter: after.account.positionIn(market.id).size,
    };
  } catch {
    refusals.push(refusal("TooManyOpenMarkets", { max: 8 }));
    return { refusals, preview: undefined };
  }

  // the relay's margin rule, both sides: every live order of the side (this one included) filled at its
  // limit as a taker, aggregated per market at the size-weighted price
  const candidate = { market, isBuy: order.isBuy, size, price };
  for (const buys of [true, false]) {
    const totals = new Map<MarketId, { size: bigint; notional: bigint; market: Market }>();
    const add = (mk: Market, left: bigint, limit: bigint) => {
      const t = totals.get(mk.id) ?? { size: 0n, notional: 0n, market: mk };
      t.size += left;
      t.notional += left * limit;
      totals.set(mk.id, t);
    };
    for (const o of who.openOrders) {
      if (o.order.isBuy !== buys) continue;
      const mk = marks.get(o.order.marketId.toLowerCase() as MarketId)?.market;
      if (mk !== undefined) add(mk, o.remaining, o.order.limitPrice);
    }
    if (candidate.isBuy === buys) add(candidate.market, candidate.size, candidate.price);
    let next = who.account;
    try {
      for (const t of totals.values()) {
        if (t.size === 0n) continue;
        const avg = buys ? (t.notional + t.size - 1n) / t.size : t.notional / t.size;
        next = next.withTrade(t.market, buys ? t.size : -t.size, avg, "taker").account;
      }
    } catch {
      refusals.push(refusal("TooManyOpenMarkets", { max: 8 }));
      break;
    }
    const h = next.health(marks);
    if (h.equity < h.initialMargin) {
      refusals.push(refusal("InsufficientMargin", { equity: h.equity, initialMargin: h.initialMargin }));
      break;
    }
  }
  return { refusals, preview };
}

/** The account's valuation for the ticket: `Account.from` for a trader without a Clearinghouse account. */
export function emptyAccount(address: `0x${string}`, scale: bigint): Account {
  return Account.from({ address, balance: 0n, scale });
}
