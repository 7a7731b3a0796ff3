/**
 * `atf order list`: a trader's orders with their state, from the relay or (with `--orders-file`)
 * from that file with their state read from the Exchange.
 */
import type { Command } from "commander";
import type { Hex } from "viem";

import type { MarketId } from "../../sdk/core/ids.js";
import { fetchMarket, readFilled } from "../../sdk/viem/index.js";
import { accountOf } from "../context.js";
import { symbolOf, type CliHelpers } from "../helpers.js";
import { readOrdersFile } from "../orders-file.js";
import { listFromRelay, orderListRow, relayUrlOf } from "../relay.js";

export function registerOrderList(order: Command, h: CliHelpers): void {
  const { io, ctxOf, json, printJson } = h;
  order
    .command("list")
    .description(
      "List your orders on the relay with their market, state (open, partially_filled, filled,\n" +
        "cancelled, expired, rejected, voided), fills and the reason they left the book; with\n" +
        "--orders-file, your orders in that file (every trader's when there is no key and no --account)\n" +
        "with their state on the Exchange (open, partially_filled, expired, voided, or done once the\n" +
        "nonce is used: filled or cancelled). --json prints one JSON array.",
    )
    .option("--account <address>", "this trader's orders (default: the ATF_PRIVATE_KEY account)")
    .action(async (o: { account?: string }, cmd: Command) => {
      const ctx = await ctxOf(cmd);
      const relayUrl = relayUrlOf(cmd);
      const symbols = new Map<Hex, Promise<string>>();
      const symbol = (id: Hex) => {
        let known = symbols.get(id);
        if (known === undefined) {
          known = fetchMarket(ctx.publicClient, {
            address: ctx.book.clearinghouse,
            marketId: id as MarketId,
          }).then(({ market }) => symbolOf(ctx, id, market.params.indexId, market.params.expiry));
          symbols.set(id, known);
        }
        return known;
      };
      if (relayUrl !== undefined) {
        await listFromRelay(relayUrl, accountOf(ctx, o.account), symbol, io.out, json(cmd));
        return;
      }
      const hasKey = ctx.env.ATF_PRIVATE_KEY !== undefined && ctx.env.ATF_PRIVATE_KEY !== "";
      const who = o.account !== undefined || hasKey ? accountOf(ctx, o.account) : undefined;
      const book = readOrdersFile(ctx.options.ordersFile).filter(
        (s) => who === undefined || s.order.trader.toLowerCase() === who.toLowerCase(),
      );
      const states = await readFilled(ctx.publicClient, {
        address: ctx.book.exchange,
        orders: book.map((s) => s.order),
      });
      const now = book.length === 0 ? 0n : (await ctx.publicClient.getBlock()).timestamp;
      const rows = [];
      for (const [i, s] of book.entries()) {
        const st = states[i];
        const state = st.nonceUsed
          ? "done"
          : st.remaining === 0n
            ? "voided"
            : s.order.expiry <= now
              ? "expired"
              : st.filled > 0n
                ? "partially_filled"
                : "open";
        rows.push(
          orderListRow(st.orderHash, s.order, await symbol(s.order.marketId), {
            state,
            filled: st.nonceUsed ? null : st.filled,
            reason: null,
          }),
        );
      }
      if (json(cmd)) {
        printJson(rows);
        return;
      }
      if (rows.length === 0) io.out("no orders");
      for (const r of rows) {
        io.out(
          `${r.hash}  ${r.market}  ${r.trader}  ${r.side === "buy" ? "buy " : "sell"} ${r.size} @ $${r.limitPrice}  ${r.state}${r.filled === null ? "" : `  filled ${r.filled}/${r.size}`}  nonce ${r.nonce}`,
        );
      }
    });
}
