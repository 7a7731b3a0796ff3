/**
 * Everything the chain would refuse, checked before an order rests: signature (EOA, delegate, EIP-1271
 * through `eth_call`), market known and trading, flags, size and tick, expiry at chain time, nonce not
 * used or cancelled, price inside the band around the mark, post-only not crossing, reduce-only against
 * the live position, the position limit, and the trader's margin for its open orders plus this one (the
 * SDK's math mirror: every resting order of one side filled at its limit, aggregated per market at the
 * size-weighted price, taker fee, then `equity >= initialMargin`).
 * Each refusal carries the contract's error name and readable arguments.
 */
import { getAddress, type Address, type Hex } from "viem";

import { Account, type MarkedMarket } from "../../sdk/core/entities/Account.js";
import type { Market, MarketStatusName } from "../../sdk/core/entities/Market.js";
import { OrderFlags, type ExchangeDomain, type Order } from "../../sdk/core/eip712/orders.js";
import type { MarketId } from "../../sdk/core/ids.js";
import { withinPriceBand } from "../../sdk/core/math/market.js";
import { validFlags } from "../../keepers/matcher/decide.js";
import type { Books } from "../core/book.js";
import { remaining, type RelayOrder } from "../core/order.js";
import { refuse, Refusal } from "./refusal.js";
import type { SignedOrderInput } from "./schema.js";
import { recoverSigner } from "./signature.js";

/** One market as validation needs it, read at the latest block. */
export interface MarketSnapshot {
  market: Market;
  /** The mark at the block's timestamp; undefined when the index is unavailable. */
  mark: bigint | undefined;
  /** The index value and when it was observed; undefined when the oracle has no fresh value. */
  index?: { value: bigint; updatedAt: bigint };
  status: MarketStatusName;
  /** The market or the whole Clearinghouse is paused. */
  paused: boolean;
}

/** What validation reads from the chain (cached per block by the shell). */
export interface ValidationChain {
  /** The latest block's timestamp (the `now` every expiry is judged at); refreshes a stale head. */
  now(): Promise<bigint>;
  market(marketId: Hex): Promise<MarketSnapshot | undefined>;
  nonce(trader: Address, nonce: bigint): Promise<{ used: boolean; minNonce: bigint }>;
  isDelegate(trader: Address, signer: Address): Promise<boolean>;
  hasCode(address: Address): Promise<boolean>;
  /** EIP-1271 `isValidSignature(hash, signature)` returns the magic value. */
  isValidContractSignature(trader: Address, hash: Hex, signature: Hex): Promise<boolean>;
  /** The trader's account (balance, positions) with marks for its open markets. */
  account(trader: Address): Promise<{ account: Account; marks: ReadonlyMap<MarketId, MarkedMarket> }>;
}

export interface ValidationConfig {
  /** Orders expiring within this many seconds of chain time are refused (they could not be matched). */
  expiryMarginSeconds: bigint;
  /** Most live orders one trader may have resting. */
  maxOpenOrders: number;
}

/** What a trader's live orders on one side of one market would trade if all filled: contracts, Σ size × price. */
export interface SideExposure {
  size: bigint;
  notional: bigint;
}

/** A trader's live orders in one market, per side. */
export interface MarketExposure {
  marketId: Hex;
  buy: SideExposure;
  sell: SideExposure;
}

export interface ValidationContext {
  domain: ExchangeDomain;
  /** The order digest (`hashOrder` for `domain`). */
  hashOrder(order: Order): Hex;
  chain: ValidationChain;
  books: Books;
  /** How many live orders the trader has (every market, and those being stored). */
  openCount(trader: Address): number;
  /** The trader's live orders aggregated per market and side (kept up to date by the service). */
  openExposure(trader: Address): Iterable<MarketExposure>;
  /** Whether the relay already holds this order hash. */
  known(hash: Hex): boolean;
  config: ValidationConfig;
}

/** `exposure` with what is left of `o` added (`sign` 1n) or taken away (`sign` -1n). */
export function addExposure(exposure: MarketExposure, o: RelayOrder, sign: 1n | -1n): void {
  const left = remaining(o) * sign;
  const side = o.order.isBuy ? exposure.buy : exposure.sell;
  side.size += left;
  side.notional += left * o.order.limitPrice;
}

/** Signature checks in the Exchange's order: EOA or delegate, then EIP-1271 when the trader has code. */
export async function checkSignature(
  chain: ValidationChain,
  order: Order,
  hash: Hex,
  signature: Hex,
): Promise<void> {
  const recovered = recoverSigner(hash, signature);
  // the common case first: the trader signed (lower-case comparison, no checksum computed)
  if (recovered.ok && recovered.signer === order.trader.toLowerCase()) return;
  const signer = recovered.ok ? getAddress(recovered.signer) : undefined;
  if (signer !== undefined && (await chain.isDelegate(order.trader, signer))) return;
  if (await chain.hasCode(order.trader)) {
    if (await chain.isValidContractSignature(order.trader, hash, signature)) return;
    throw refuse("InvalidContractSignature", { orderHash: hash, trader: order.trader });
  }
  if (recovered.ok) {
    throw refuse("UnauthorisedSigner", { orderHash: hash, trader: order.trader, signer: signer as Address });
  }
  if (recovered.error === "InvalidSignatureLength") {
    throw refuse("InvalidSignatureLength", { orderHash: hash, length: recovered.length });
  }
  if (recovered.error === "MalleableSignature") {
    throw refuse("MalleableSignature", { orderHash: hash, s: recovered.s });
  }
  throw refuse("InvalidSignature", { orderHash: hash });
}

/** The new relay order for `input` (state `open`), or a `Refusal`. `seq` is its arrival number. */
export async function validateOrder(
  input: SignedOrderInput,
  ctx: ValidationContext,
  seq: number,
): Promise<RelayOrder> {
  const { order, signature } = input;
  const hash = ctx.hashOrder(order);
  if (ctx.known(hash)) {
    throw new Refusal(409, "DuplicateOrder", { orderHash: hash }, `order ${hash} was already submitted`);
  }
  if (!validFlags(order.flags)) throw refuse("InvalidFlags", { orderHash: hash, flags: order.flags });
  if (order.size === 0n) throw refuse("ZeroOrderSize", { orderHash: hash });
  const open = ctx.openCount(order.trader);
  if (open >= ctx.config.maxOpenOrders) {
    throw new Refusal(429, "TooManyOpenOrders", {
      trader: order.trader,
      open: String(open),
      max: String(ctx.config.maxOpenOrders),
    });
  }

  // chain time first: it also moves the head every later read refers to
  const now = await ctx.chain.now();
  const snapshot = await ctx.chain.market(order.marketId);
  if (snapshot === undefined) throw refuse("UnknownMarket", { marketId: order.marketId });
  const { market } = snapshot;
  if (snapshot.status !== "Trading" || now >= market.params.expiry) {
    throw refuse("MarketExpired", { marketId: order.marketId, expiry: market.params.expiry });
  }
  if (snapshot.paused) throw refuse("MarketIsPaused", { marketId: order.marketId });
  if (order.limitPrice === 0n) throw refuse("ZeroPrice", {});
  if (order.limitPrice % market.params.tickSize !== 0n) {
    throw refuse("PriceNotOnTick", { price: order.limitPrice, tickSize: market.params.tickSize });
  }
  if (order.size < market.params.minSize) {
    throw refuse("SizeBelowMinimum", { size: order.size, minSize: market.params.minSize });
  }
  if (order.expiry <= now + ctx.config.expiryMarginSeconds) {
    throw refuse("OrderExpired", { orderHash: hash, expiry: order.expiry, timestamp: now });
  }
  if (snapshot.mark === undefined) {
    throw refuse("IndexUnavailable", { marketId: order.marketId }, "the market's index has no fresh value");
  }
  if (!withinPriceBand(order.limitPrice, snapshot.mark, market.risk.priceBand)) {
    throw refuse("PriceOutsideBand", {
      price: order.limitPrice,
      mark: snapshot.mark,
      band: market.risk.priceBand,
    });
  }

  await checkSignature(ctx.chain, order, hash, signature);

  const nonce = await ctx.chain.nonce(order.trader, order.nonce);
  if (order.nonce < nonce.minNonce) {
    throw refuse("OrderNonceBelowMinimum", { orderHash: hash, nonce: order.nonce, minNonce: nonce.minNonce });
  }
  if (nonce.used)
    throw refuse("OrderNonceUsed", { orderHash: hash, trader: order.trader, nonce: order.nonce });

  const candidate: RelayOrder = { hash, order, signature, seq, state: "open", filled: 0n };
  const bookRefusal = ctx.books.market(order.marketId).admissionRefusal(candidate);
  if (bookRefusal !== undefined) throw refuse(bookRefusal.error, bookRefusal.args);

  const { account, marks } = await ctx.chain.account(order.trader);
  // the Clearinghouse's position limit, judged on the position this order alone would leave
  const held = account.positionIn(market.id).size;
  const after = held + (order.isBuy ? order.size : -order.size);
  const abs = (x: bigint) => (x < 0n ? -x : x);
  if (abs(after) > abs(held) && abs(after) > market.risk.maxPositionSize) {
    throw refuse("PositionSizeExceeded", {
      account: order.trader,
      size: abs(after),
      max: market.risk.maxPositionSize,
    });
  }
  if ((order.flags & OrderFlags.ReduceOnly) !== 0) {
    const position = account.positionIn(market.id).size;
    const delta = order.isBuy ? order.size : -order.size;
    const reduces =
      position !== 0n &&
      position > 0n !== delta > 0n &&
      (delta < 0n ? -delta : delta) <= (position < 0n ? -position : position);
    if (!reduces) {
      throw refuse("ReduceOnlyWouldIncrease", { orderHash: hash, position, sizeDelta: delta });
    }
  }
  const exposure = [...ctx.openExposure(order.trader)].map((e) => ({
    marketId: e.marketId,
    buy: { ...e.buy },
    sell: { ...e.sell },
  }));
  let mine = exposure.find((e) => e.marketId.toLowerCase() === order.marketId.toLowerCase());
  if (mine === undefined) {
    mine = { marketId: order.marketId, buy: { size: 0n, notional: 0n }, sell: { size: 0n, notional: 0n } };
    exposure.push(mine);
  }
  addExposure(mine, candidate, 1n);
  await checkMargin(ctx, account, marks, exposure);
  return candidate;
}

/**
 * The trader's margin if every resting order of one side (then of the other) filled at its limit price
 * as a taker: `equity >= initialMargin` both ways, or `InsufficientMargin`. Each market's orders of a
 * side fill as one trade at their size-weighted limit price (rounded against the trader): the same
 * margin as filling each order, without walking every order.
 */
async function checkMargin(
  ctx: ValidationContext,
  account: Account,
  accountMarks: ReadonlyMap<MarketId, MarkedMarket>,
  exposure: readonly MarketExposure[],
): Promise<void> {
  const marks = new Map(accountMarks);
  const markets: { market: Market; buy: SideExposure; sell: SideExposure }[] = [];
  for (const e of exposure) {
    if (e.buy.size === 0n && e.sell.size === 0n) continue;
    const snapshot = await ctx.chain.market(e.marketId);
    if (snapshot === undefined || snapshot.mark === undefined) continue;
    markets.push({ market: snapshot.market, buy: e.buy, sell: e.sell });
    marks.set(snapshot.market.id, { market: snapshot.market, mark: snapshot.mark });
  }
  for (const buys of [true, false]) {
    let next = account;
    for (const m of markets) {
      const t = buys ? m.buy : m.sell;
      if (t.size === 0n) continue;
      const price = buys ? (t.notional + t.size - 1n) / t.size : t.notional / t.size;
      try {
        next = next.withTrade(m.market, buys ? t.size : -t.size, price, "taker").account;
      } catch {
        throw refuse("TooManyOpenMarkets", { account: account.address, max: 8 });
      }
    }
    const h = next.health(marks);
    if (h.equity < h.initialMargin) {
      throw refuse("InsufficientMargin", {
        account: account.address,
        equity: h.equity,
        initialMargin: h.initialMargin,
      });
    }
  }
}
