/**
 * The app's pure parts: number formatting and parsing, refusals in words, the ticket's pre-sign checks
 * against the relay's rules, and the hedge planner. Markets and accounts are the SDK's entities.
 */
import { describe, expect, it } from "vitest";

import { Account } from "../../sdk/core/entities/Account.js";
import { Market } from "../../sdk/core/entities/Market.js";
import { OrderFlags } from "../../sdk/core/eip712/orders.js";
import type { RelayOrder } from "../../sdk/relay/client.js";
import { injectedWallet } from "@rainbow-me/rainbowkit/wallets";

import { takeEarlyBook, type EarlyBook } from "../src/lib/bookFeed.js";
import { browserWalletConnectors } from "../src/wagmi.js";
import { collateralUsd, countdown, formatFixed, parseFixed, usdAmount, usdPrice } from "../src/lib/format.js";
import { describeEvent } from "../src/lib/history.js";
import { furthest, isLive, placedOrderWords } from "../src/lib/orders.js";
import { planHedge } from "../src/lib/hedge.js";
import { describeError, describeErrorInWords, reasonInWords } from "../src/lib/reasons.js";
import { checkTicket, type TicketMarket } from "../src/lib/ticket.js";

const WAD = 10n ** 18n;
const SCALE = 10n ** 12n; // 6-decimal collateral
const TRADER = "0x00000000000000000000000000000000000000aa" as const;

function market(expiry = 2_000_000_000n): Market {
  return Market.from({
    params: {
      indexId: `0x${"11".repeat(32)}`,
      methodologyHash: `0x${"22".repeat(32)}`,
      expiry,
      contractSize: 1000n * WAD,
      tickSize: WAD / 1000n,
      minSize: 1n,
      settlementWindow: 3600,
    },
    risk: {
      imr: WAD / 10n,
      mmr: WAD / 20n,
      liquidationPenalty: WAD / 50n,
      maxPositionSize: 1_000_000n,
      maxOpenInterest: 10_000_000n,
      priceBand: WAD / 10n,
      makerFee: 2n * 10n ** 14n,
      takerFee: 5n * 10n ** 14n,
      basisWeight: WAD / 10n,
      maxBasisRate: WAD / 2n,
      maxBasisStep: WAD / 20n,
      basisDepth: 300n,
    },
    terms: { disputeWindow: 3600, fallbackDelay: 172_800 },
  });
}

const MARK = 10n * WAD;
const view = (m: Market, over: Partial<TicketMarket> = {}): TicketMarket => ({
  market: m,
  mark: MARK,
  status: "Trading",
  paused: false,
  bestBid: null,
  bestAsk: null,
  ...over,
});
const who = (balance: bigint) => ({
  account: Account.from({ address: TRADER, balance, scale: SCALE }),
  marks: new Map(),
  openOrders: [],
  markets: new Map(),
});

describe("format", () => {
  it("formats and parses fixed point exactly", () => {
    expect(formatFixed(1_234_567n, 6, 2)).toBe("1.23");
    expect(formatFixed(-1_235_000n, 6, 2)).toBe("−1.24");
    expect(usdPrice(10_275_800_000_000_000_000n)).toBe("$10.2758");
    expect(collateralUsd(10_000_000_000n, 6)).toBe("$10,000.00");
    expect(collateralUsd(-1_235_000n, 6)).toBe("−$1.24");
    expect(collateralUsd(undefined, 6)).toBe("—");
    expect(parseFixed("12.5", 18)).toBe(12_500_000_000_000_000_000n);
    expect(parseFixed("1,000", 6)).toBe(1_000_000_000n);
    expect(parseFixed("1.0000001", 6)).toBeUndefined();
    expect(parseFixed("abc", 6)).toBeUndefined();
  });
  it("shows every amount of collateral in dollars, like equity and margin (one unit per screen)", () => {
    // 10,000 tokens of a 6-decimal collateral and the same value as an 18-decimal amount read the same
    expect(collateralUsd(10_000_000_000n, 6)).toBe(usdAmount(10_000n * WAD));
    expect(collateralUsd(1n, 6, true)).toBe("+$0.00");
    expect(describeEvent("claim", { amount: "164400000" }, 6)).toBe("claim paid $164.40");
    expect(describeEvent("settlement", { size: "2", pnl: "164400000" }, 6)).toBe(
      "closed 2 contracts at the final price; gain recorded as a claim $164.40",
    );
    expect(describeEvent("settlement", { size: "1", pnl: "-5000000" }, 6)).toBe(
      "closed 1 contract at the final price; loss debited $5.00",
    );
    expect(
      describeEvent("liquidation", { size: "1", mark: (9n * WAD).toString(), penalty: "205500000" }, 6),
    ).toBe("liquidated: 1 contract taken over at the mark $9.00, penalty $205.50");
    // an event it cannot word is listed field by field, not dropped
    expect(describeEvent("claim", { other: "7" }, 6)).toBe("other 7");
    for (const text of [
      describeEvent("claim", { amount: "1" }, 6),
      describeEvent("settlement", { pnl: "1" }, 6),
      describeEvent("liquidation", { size: "1", mark: "1", penalty: "1" }, 6),
    ])
      expect(text).not.toMatch(/[A-Za-z]*USDC/);
  });
  it("counts down and up", () => {
    expect(countdown(1000 + 86_400 + 3_600, 1000)).toBe("in 1 d 1 h");
    expect(countdown(1000, 1000 + 120)).toBe("2 min 0 s ago");
  });
});

describe("reasons", () => {
  it("phrases the band refusal in dollars", () => {
    const words = reasonInWords("PriceOutsideBand", {
      price: String(15n * WAD),
      mark: String(MARK),
      band: String(WAD / 10n),
    });
    expect(words).toContain("$15.00 is outside the band of ±10 % around the mark $10.00");
    expect(words).toContain("$9.00 to $11.00");
  });
  it("falls back to the contract's NatSpec notice, loaded with the first error to word", async () => {
    expect(reasonInWords("RoundTooSoon")).toBe("RoundTooSoon");
    const { name, words } = await describeErrorInWords({ data: { errorName: "RoundTooSoon", args: {} } });
    expect(name).toBe("RoundTooSoon");
    expect(words).toMatch(/^[A-Z].+ \(RoundTooSoon\)$/);
    expect(reasonInWords("RoundTooSoon")).toBe(words);
    expect(reasonInWords("NotAnError")).toBe("NotAnError");
  });
  it("reads relay errors and wallet rejections", () => {
    expect(
      describeError({
        name: "RelayError",
        data: { error: "PriceNotOnTick", args: { price: "1", tickSize: "1000" } },
      }).name,
    ).toBe("PriceNotOnTick");
    expect(describeError({ code: 4001, message: "User rejected the request." }).name).toBe(
      "UserRejectedRequestError",
    );
  });
});

describe("ticket", () => {
  const m = market();
  it("accepts a well-formed order and previews margin, leverage and liquidation price", () => {
    const { refusals, preview } = checkTicket(
      { isBuy: true, size: 2n, price: MARK, flags: 0 },
      view(m),
      who(10_000n * 10n ** 6n),
    );
    expect(refusals).toEqual([]);
    expect(preview!.notional).toBe(20_000n * WAD);
    expect(preview!.marginUsed).toBe(2_000n * WAD); // 10 % of $20,000
    expect(preview!.fee).toBe(10_000_000n); // 0.05 % of $20,000 in 6-decimal units
    expect(preview!.positionAfter).toBe(2n);
    expect(preview!.leverageAfter! > 2n * WAD && preview!.leverageAfter! < (21n * WAD) / 10n).toBe(true);
    // the SDK's liquidation price: equity 9,990 + 2,000 × (p − 10) = 5 % × 2,000 × p → p ≈ 5.268
    expect(preview!.liquidationPriceAfter / 10n ** 15n).toBe(5268n);
  });
  it("refuses off-tick, below-minimum, outside-band and unfunded orders with reasons", () => {
    const r = checkTicket(
      { isBuy: true, size: 1n, price: 12n * WAD + 1n, flags: 0 },
      view(m),
      who(0n),
    ).refusals.map((x) => x.error);
    expect(r).toEqual(["PriceNotOnTick", "PriceOutsideBand", "InsufficientMargin"]);
  });
  it("refuses post-only crossing, reduce-only growing, a stale index and an expired market", () => {
    const crossing = checkTicket(
      { isBuy: true, size: 1n, price: MARK, flags: OrderFlags.PostOnly },
      view(m, { bestAsk: MARK }),
      who(10n ** 12n),
    );
    expect(crossing.refusals.map((x) => x.error)).toEqual(["PostOnlyCannotTake"]);
    const reduce = checkTicket(
      { isBuy: true, size: 1n, price: MARK, flags: OrderFlags.ReduceOnly },
      view(m),
      who(10n ** 12n),
    );
    expect(reduce.refusals.map((x) => x.error)).toEqual(["ReduceOnlyWouldIncrease"]);
    const stale = checkTicket(
      { isBuy: true, size: 1n, price: MARK, flags: 0 },
      view(m, { mark: undefined }),
      who(10n ** 12n),
    );
    expect(stale.refusals.map((x) => x.error)).toEqual(["IndexUnavailable"]);
    const expired = checkTicket(
      { isBuy: true, size: 1n, price: MARK, flags: 0 },
      view(m, { status: "Expired" }),
      who(10n ** 12n),
    );
    expect(expired.refusals.map((x) => x.error)).toEqual(["MarketExpired"]);
  });
  it("counts the trader's resting orders of the same side in the margin, as the relay does", () => {
    const resting = {
      hash: `0x${"33".repeat(32)}`,
      order: {
        trader: TRADER,
        marketId: m.id,
        isBuy: true,
        size: 9n,
        limitPrice: MARK,
        expiry: 0n,
        nonce: 0n,
        salt: 0n,
        flags: 0,
      },
      state: "open",
      filled: 0n,
      remaining: 9n,
      reason: null,
      seq: 1,
    } as const;
    const funds = { ...who(10_000n * 10n ** 6n), openOrders: [resting] };
    const r = checkTicket({ isBuy: true, size: 1n, price: MARK, flags: 0 }, view(m), funds);
    expect(r.refusals.map((x) => x.error)).toEqual(["InsufficientMargin"]);
    // a sell is checked against the sells only
    const sell = checkTicket({ isBuy: false, size: 1n, price: MARK + WAD / 1000n, flags: 0 }, view(m), funds);
    expect(sell.refusals).toEqual([]);
  });
});

describe("hedge", () => {
  it("buys a strip across the expiries, with margin and symmetric payoffs", () => {
    const now = 1_900_000_000n;
    const near = market(now + 40n * 86_400n);
    const far = market(now + 130n * 86_400n);
    const plan = planHedge({
      unitsPerMonth: 2_000n * WAD, // 2,000 × 1M tokens a month
      months: 4,
      now,
      markets: [
        { market: far, mark: MARK, bestAsk: null },
        { market: near, mark: MARK, bestAsk: MARK + WAD / 100n },
      ],
      scale: SCALE,
    });
    expect(plan.legs.map((l) => [l.market.params.expiry, l.months])).toEqual(
      [
        [far.params.expiry, [3, 4]],
        [near.params.expiry, [1, 2]],
      ].sort((a, b) => Number((a[0] as bigint) - (b[0] as bigint))) as never,
    );
    expect(plan.legs.map((l) => l.size)).toEqual([4n, 4n]); // 4,000 units over contracts of 1,000
    expect(plan.legs[0].price).toBe(MARK + WAD / 100n); // the best ask inside the band
    expect(plan.margin).toBe(8_000_000_000n); // 10 % of 8 contracts × $10,000 at the mark
    const up = plan.scenarios.find((s) => s.move === WAD / 2n)!;
    const down = plan.scenarios.find((s) => s.move === -WAD / 2n)!;
    expect(up.hedgePnl > 0n && down.hedgePnl < 0n).toBe(true);
    expect(up.hedgePnl - up.extraSpend).toBe(down.hedgePnl - down.extraSpend); // the net is locked
  });
});

describe("placed order", () => {
  const order = (state: RelayOrder["state"], filled: bigint): RelayOrder =>
    ({
      hash: `0x${"ab".repeat(32)}`,
      order: { size: 2n } as RelayOrder["order"],
      state,
      filled,
      remaining: 2n - filled,
      reason: null,
      seq: 1,
    }) as RelayOrder;
  it("follows the order forward, never back to a stale answer", () => {
    const open = order("open", 0n);
    const partial = order("partially_filled", 1n);
    const filled = order("filled", 2n);
    expect(furthest(open, filled)).toBe(filled);
    expect(furthest(filled, open)).toBe(filled);
    expect(furthest(partial, order("partially_filled", 0n))).toBe(partial);
    expect(furthest(open, { ...filled, hash: `0x${"cd".repeat(32)}` })).toBe(open);
    expect(isLive(open) && isLive(partial) && !isLive(filled)).toBe(true);
  });
  it("says where the order is now", () => {
    expect(placedOrderWords(order("open", 0n))).toBe("open in the book: 2 contracts, none filled yet");
    expect(placedOrderWords(order("partially_filled", 1n))).toBe(
      "partially filled: 1 contract of 2, the rest open in the book",
    );
    expect(placedOrderWords(order("filled", 2n))).toBe("filled: 2 contracts of 2");
    expect(placedOrderWords({ ...order("rejected", 0n), reason: "MarginInsufficient()" })).toBe(
      "rejected by the chain (MarginInsufficient())",
    );
  });
});

describe("early book socket", () => {
  const MARKET = `0x${"ab".repeat(32)}` as const;
  const early = (readyState: number, marketId: string = MARKET) => {
    const closed = { count: 0 };
    const ws = { readyState, close: () => void closed.count++ } as unknown as WebSocket;
    const book: EarlyBook = {
      marketId,
      ws,
      subscribed: true,
      received: ['{"type":"snapshot"}'],
      claimed: false,
    };
    return { holder: { __atfEarlyBook: book }, book, closed };
  };

  it("hands the page's socket and its kept messages to the market's feed once, and stops the keeping", () => {
    const { holder, book, closed } = early(WebSocket.OPEN);
    const socket = takeEarlyBook(MARKET.toUpperCase().replace("0X", "0x") as `0x${string}`, holder);
    expect(socket).toEqual({ ws: book.ws, subscribed: true, received: ['{"type":"snapshot"}'] });
    expect(book.claimed).toBe(true);
    expect(holder.__atfEarlyBook).toBeUndefined();
    expect(closed.count).toBe(0);
    expect(takeEarlyBook(MARKET, holder)).toBeUndefined();
  });

  it("closes a socket opened for another market or already closing, and opens none", () => {
    const other = early(WebSocket.CONNECTING, `0x${"cd".repeat(32)}`);
    expect(takeEarlyBook(MARKET, other.holder)).toBeUndefined();
    expect(other.closed.count).toBe(1);
    const closing = early(WebSocket.CLOSING);
    expect(takeEarlyBook(MARKET, closing.holder)).toBeUndefined();
    expect(closing.book.claimed).toBe(true);
  });
});

describe("wallet connectors", () => {
  /** A connector's RainbowKit details, functions replaced by their kind (each wallet call makes new ones). */
  const details = (create: (config: never) => unknown) => {
    const connector = create({ chains: [], emitter: { emit: () => undefined }, storage: null } as never) as {
      rkDetails: Record<string, unknown>;
    };
    return JSON.parse(
      JSON.stringify(connector.rkDetails, (_k, v: unknown) => (typeof v === "function" ? "function" : v)),
    ) as Record<string, unknown>;
  };

  it("makes the browser wallet's connector with the details RainbowKit's connectorsForWallets gives it", async () => {
    const { connectorsForWallets } = await import("@rainbow-me/rainbowkit");
    const groups = [{ groupName: "Browser", wallets: [injectedWallet] }];
    const ours = browserWalletConnectors(groups);
    const theirs = connectorsForWallets(groups, { appName: "AI Token Futures", projectId: "unset" });
    expect(ours).toHaveLength(1);
    expect(theirs).toHaveLength(1);
    expect(details(ours[0])).toEqual(details(theirs[0]));
    expect(details(ours[0])).toMatchObject({
      id: "injected",
      groupName: "Browser",
      isRainbowKitConnector: true,
    });
  });
});
