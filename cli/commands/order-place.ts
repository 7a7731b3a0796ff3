/**
 * `atf order place`: sign an order and post it to the relay, or append it to the orders file, or
 * (`--fill`) take crossing resting orders from that file at once. What can never fill is refused
 * before anything is signed (`cli/preflight.ts`).
 */
import type { Command } from "commander";
import type { Address } from "viem";

import { exchangeAbi } from "../../sdk/abi/index.js";
import {
  exchangeDomain,
  hashOrder,
  OrderFlags,
  randomSalt,
  type Order,
} from "../../sdk/core/eip712/orders.js";
import type { MarketId } from "../../sdk/core/ids.js";
import { fetchAccount, fetchMarket, fillOrder, readFilled, signOrder } from "../../sdk/viem/index.js";
import type { SignedOrder } from "../../keepers/matcher/orders.js";
import { walletOf, type CliContext } from "../context.js";
import { CommandFailedError, InputError } from "../errors.js";
import { confirm, marketIdFrom, symbolOf, WAD_DECIMALS, type CliHelpers, type CliIo } from "../helpers.js";
import { readOrdersFile, writeOrdersFile } from "../orders-file.js";
import { refuseUnfillable } from "../preflight.js";
import { placeOnRelay, relayUrlOf } from "../relay.js";
import { reserveNonce } from "../state.js";
import { checkDecimal, formatUsd, parseInteger, parsePositiveAmount } from "../units.js";

/** A relative duration (`90s`, `30m`, `12h`, `7d`) or an absolute unix time in seconds. */
function parseOrderExpiry(text: string, now: bigint): bigint {
  const m = /^([1-9][0-9]*)([smhd])$/.exec(text.trim());
  if (m !== null)
    return now + BigInt(m[1]) * { s: 1n, m: 60n, h: 3600n, d: 86_400n }[m[2] as "s" | "m" | "h" | "d"];
  const at = parseInteger(text, "--expiry");
  if (at <= now) throw new InputError(`--expiry: ${text} is in the past`);
  return at;
}

function flagsOf(o: { reduceOnly?: boolean; postOnly?: boolean; ioc?: boolean; fok?: boolean }): number {
  if (o.postOnly && (o.ioc || o.fok))
    throw new InputError("--post-only cannot be combined with --ioc or --fok");
  if (o.ioc && o.fok) throw new InputError("--ioc and --fok are exclusive");
  return (
    (o.reduceOnly ? OrderFlags.ReduceOnly : 0) |
    (o.postOnly ? OrderFlags.PostOnly : 0) |
    (o.ioc ? OrderFlags.ImmediateOrCancel : 0) |
    (o.fok ? OrderFlags.FillOrKill : 0)
  );
}

interface PlaceOptions {
  market: string;
  side: string;
  size: string;
  price: string;
  expiry?: string;
  nonce?: string;
  reduceOnly?: boolean;
  postOnly?: boolean;
  ioc?: boolean;
  fok?: boolean;
  fill?: boolean;
}

export function registerOrderPlace(order: Command, h: CliHelpers): void {
  const { io, ctxOf } = h;
  order
    .command("place")
    .description(
      "Sign an order and post it to the order relay (--relay-url), which checks it, rests it and matches\n" +
        "it on chain; with --orders-file, append it to that file for the file matcher instead. With\n" +
        "--orders-file, --fill takes resting orders of other traders from that file at once (fillOrder,\n" +
        "you are the taker) instead of resting: --fok sends nothing unless the whole size is available\n" +
        "and --reduce-only caps the size at the position it reduces; the remainder is never placed (as\n" +
        "--ioc). On the relay a crossing order is matched by the relay (--ioc / --fok: it never rests).",
    )
    .requiredOption("--market <symbol|id>", "market symbol (e.g. GPU-H100-20270326) or id")
    .requiredOption("--side <buy|sell>", "buy (long) or sell (short)")
    .requiredOption("--size <contracts>", "whole contracts")
    .requiredOption("--price <dollars>", "limit price in dollars per index unit, a multiple of the tick")
    .option("--expiry <when>", "order expiry: a duration (90s, 30m, 12h, 7d) or unix seconds", "1d")
    .option("--nonce <n>", "explicit nonce (default: the next one from the state file)")
    .option("--reduce-only", "only reduce an existing position")
    .option("--post-only", "never take liquidity")
    .option("--ioc", "immediate or cancel")
    .option("--fok", "fill or kill")
    .option("--fill", "fill crossing resting orders now instead of resting")
    .action(async (o: PlaceOptions, cmd: Command) => {
      if (o.side !== "buy" && o.side !== "sell")
        throw new InputError(`--side: "${o.side}" is neither buy nor sell`);
      const size = parseInteger(o.size, "--size", 1n);
      checkDecimal(o.price, "--price");
      const flags = flagsOf(o);
      if (o.fill && o.postOnly) throw new InputError("--fill takes liquidity: it cannot be --post-only");
      const ctx = await ctxOf(cmd);
      const marketId = marketIdFrom(ctx, o.market);
      const { market, context, mark } = await fetchMarket(ctx.publicClient, {
        address: ctx.book.clearinghouse,
        marketId,
      });
      const price = parsePositiveAmount(o.price, WAD_DECIMALS, "--price");
      if (price % market.params.tickSize !== 0n) {
        throw new InputError(
          `--price: ${o.price} is not a multiple of the tick ${formatUsd(market.params.tickSize)}`,
        );
      }
      const isBuy = o.side === "buy";
      const wallet = walletOf(ctx);
      const me = wallet.account.address;
      const now = context.timestamp;
      const restingExpiry = o.fill ? undefined : parseOrderExpiry(o.expiry ?? "1d", now);
      const mine = await fetchAccount(ctx.publicClient, { address: ctx.book.clearinghouse, account: me });
      // what can never fill is refused here, before anything is signed (exit 2)
      refuseUnfillable({
        market,
        mark,
        account: mine.account,
        marks: mine.marks,
        isBuy,
        size,
        price,
        expiry: restingExpiry,
        decimals: ctx.decimals,
        symbol: ctx.collateralSymbol,
      });
      const domain = exchangeDomain(ctx.chainId, ctx.book.exchange);
      const relayUrl = relayUrlOf(cmd);
      if (o.fill && relayUrl !== undefined) {
        // the relay publishes no signatures to fill against: it matches a crossing order itself
        throw new InputError(
          "--fill takes orders from an orders file (give --orders-file); on the relay, place a crossing order and the relay matches it (add --ioc or --fok so that it never rests)",
        );
      }
      const book = relayUrl === undefined ? readOrdersFile(ctx.options.ordersFile) : [];
      if (o.fill) {
        let fillSize = size;
        if (o.reduceOnly) {
          // reduce-only: never more than the position it reduces, in the opposite direction
          const { account } = await fetchAccount(ctx.publicClient, {
            address: ctx.book.clearinghouse,
            account: me,
          });
          const held = account.positionIn(marketId).size;
          const reducible = isBuy ? (held < 0n ? -held : 0n) : held > 0n ? held : 0n;
          if (reducible === 0n)
            throw new InputError(`--reduce-only: no ${isBuy ? "short" : "long"} position to reduce`);
          if (reducible < fillSize) fillSize = reducible;
        }
        await fillAgainst(ctx, io, {
          wallet,
          me,
          marketId,
          isBuy,
          size: fillSize,
          price,
          book,
          domain,
          now: context.timestamp,
          fillOrKill: o.fok === true,
        });
        return;
      }
      const expiry = restingExpiry ?? parseOrderExpiry(o.expiry ?? "1d", now);
      const minNonce = await ctx.publicClient.readContract({
        address: ctx.book.exchange,
        abi: exchangeAbi,
        functionName: "minNonce",
        args: [me],
      });
      let nonce: bigint;
      if (o.nonce !== undefined) {
        nonce = parseInteger(o.nonce, "--nonce");
        if (nonce < minNonce)
          throw new InputError(`--nonce: ${nonce} is below the Exchange's minNonce ${minNonce}`);
      } else {
        let floor = minNonce;
        for (const s of book) {
          if (s.order.trader.toLowerCase() === me.toLowerCase() && s.order.nonce >= floor)
            floor = s.order.nonce + 1n;
        }
        nonce = reserveNonce(
          ctx.options.stateFile,
          { chainId: ctx.chainId, exchange: ctx.book.exchange, trader: me },
          floor,
        );
      }
      const built: Order = {
        trader: me,
        marketId,
        isBuy,
        size,
        limitPrice: price,
        expiry,
        nonce,
        salt: randomSalt(),
        flags,
      };
      const signed = await signOrder(wallet, { address: ctx.book.exchange, order: built });
      if (relayUrl !== undefined) {
        const label = `placed ${o.side} ${size} ${symbolOf(ctx, marketId, market.params.indexId, market.params.expiry)} @ ${formatUsd(price)}`;
        await placeOnRelay(relayUrl, { order: built, signature: signed.signature }, io.out, label);
        return;
      }
      writeOrdersFile(ctx.options.ordersFile, [
        ...readOrdersFile(ctx.options.ordersFile),
        { order: built, signature: signed.signature },
      ]);
      io.out(
        `placed ${o.side} ${size} ${symbolOf(ctx, marketId, market.params.indexId, market.params.expiry)} @ ${formatUsd(price)} nonce ${nonce}`,
      );
      io.out(`order ${signed.orderHash} appended to ${ctx.options.ordersFile}`);
    });
}

/** Takes crossing resting orders of other traders, best price first, until `size` is filled. */
async function fillAgainst(
  ctx: CliContext,
  io: CliIo,
  a: {
    wallet: ReturnType<typeof walletOf>;
    me: Address;
    marketId: MarketId;
    isBuy: boolean;
    size: bigint;
    price: bigint;
    book: SignedOrder[];
    domain: ReturnType<typeof exchangeDomain>;
    now: bigint;
    /** Send nothing unless the whole size is available. */
    fillOrKill: boolean;
  },
): Promise<void> {
  const candidates = a.book
    .map((s, arrival) => ({ ...s, arrival, hash: hashOrder(a.domain, s.order) }))
    .filter(
      (s) =>
        s.order.marketId.toLowerCase() === a.marketId.toLowerCase() &&
        s.order.isBuy !== a.isBuy &&
        s.order.trader.toLowerCase() !== a.me.toLowerCase() &&
        s.order.expiry > a.now &&
        (a.isBuy ? s.order.limitPrice <= a.price : s.order.limitPrice >= a.price),
    );
  const states = await readFilled(ctx.publicClient, {
    address: ctx.book.exchange,
    orders: candidates.map((c) => c.order),
  });
  const open = candidates
    .map((c, i) => ({ ...c, left: states[i].remaining }))
    .filter((c) => c.left > 0n)
    .sort((x, y) =>
      x.order.limitPrice === y.order.limitPrice
        ? x.arrival - y.arrival
        : x.order.limitPrice < y.order.limitPrice === a.isBuy
          ? -1
          : 1,
    );
  const available = open.reduce((sum, c) => sum + c.left, 0n);
  if (a.fillOrKill && available < a.size) {
    throw new CommandFailedError(
      `--fok: only ${available} of ${a.size} available at ${formatUsd(a.price)} or better; nothing sent`,
    );
  }
  let left = a.size;
  for (const maker of open) {
    if (left === 0n) break;
    const fillSize = maker.left < left ? maker.left : left;
    const { hash } = await fillOrder(a.wallet, {
      address: ctx.book.exchange,
      order: maker.order,
      signature: maker.signature,
      fillSize,
    });
    await confirm(ctx, hash, "fillOrder");
    left -= fillSize;
    io.out(`filled ${fillSize} @ ${formatUsd(maker.order.limitPrice)} against ${maker.hash} (tx ${hash})`);
  }
  if (left === a.size) {
    throw new CommandFailedError(
      `no resting order of another trader crosses ${a.isBuy ? "buy" : "sell"} @ ${formatUsd(a.price)} in ${ctx.options.ordersFile}`,
    );
  }
  io.out(
    left === 0n
      ? `filled ${a.size} in total`
      : `filled ${a.size - left} of ${a.size}; the rest was not placed`,
  );
}
