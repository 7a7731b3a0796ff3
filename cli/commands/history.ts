/**
 * `atf history`: an account's history from the Clearinghouse's events (`cli/history.ts`), one line
 * or one JSON entry each, with market symbols and human units.
 */
import type { Command } from "commander";
import type { Hex } from "viem";

import type { MarketId } from "../../sdk/core/ids.js";
import { fetchMarket } from "../../sdk/viem/index.js";
import { accountOf } from "../context.js";
import { symbolOf, WAD_DECIMALS, type CliHelpers } from "../helpers.js";
import { readHistory, type HistoryEntry } from "../history.js";
import { formatUnitsExact, parseInteger } from "../units.js";

export function registerHistory(program: Command, h: CliHelpers): void {
  const { io, ctxOf, json, printJson } = h;
  program
    .command("history")
    .description(
      "An account's fills (with fees), liquidations, deleveragings, settlements, claims, deposits and\n" +
        "withdrawals, oldest first, with dates.",
    )
    .option("--account <address>", "account to show (default: the ATF_PRIVATE_KEY account)")
    .option("--from-block <n>", "first block to read (default 0)", "0")
    .action(async (o: { account?: string; fromBlock: string }, cmd: Command) => {
      const fromBlock = parseInteger(o.fromBlock, "--from-block");
      const ctx = await ctxOf(cmd);
      const who = accountOf(ctx, o.account);
      const entries = await readHistory(ctx.publicClient, ctx.book.clearinghouse, who, fromBlock);
      const symbols = new Map<string, string>();
      const symbol = async (id: Hex | undefined) => {
        if (id === undefined) return undefined;
        const known = symbols.get(id);
        if (known !== undefined) return known;
        const { market } = await fetchMarket(ctx.publicClient, {
          address: ctx.book.clearinghouse,
          marketId: id as MarketId,
        });
        const name = symbolOf(ctx, id, market.params.indexId, market.params.expiry);
        symbols.set(id, name);
        return name;
      };
      const rows = [];
      for (const e of entries) {
        rows.push({
          date: new Date(Number(e.timestamp) * 1000).toISOString(),
          block: e.block,
          tx: e.tx,
          kind: e.kind,
          market: await symbol(e.marketId),
          size: e.size,
          price: e.price === undefined ? undefined : formatUnitsExact(e.price, WAD_DECIMALS),
          amount: e.amount === undefined ? undefined : formatUnitsExact(e.amount, ctx.decimals),
          pnl: e.pnl === undefined ? undefined : formatUnitsExact(e.pnl, ctx.decimals),
          role: e.role,
          counterparty: e.counterparty,
          orderHash: e.orderHash,
        });
      }
      if (json(cmd)) {
        printJson({ account: who, collateralSymbol: ctx.collateralSymbol, entries: rows });
        return;
      }
      if (rows.length === 0) {
        io.out(`no history for ${who}`);
        return;
      }
      for (const [i, r] of rows.entries()) {
        const e = entries[i];
        const what: Record<HistoryEntry["kind"], string> = {
          fill: `fill ${r.role} ${e.size !== undefined && e.size > 0n ? "buy" : "sell"} ${e.size !== undefined && e.size < 0n ? -e.size : e.size} @ $${r.price} fee ${r.amount} ${ctx.collateralSymbol}${r.orderHash === undefined ? "" : ` order ${r.orderHash}`}`,
          liquidated: `liquidated ${e.size} @ mark $${r.price} penalty ${r.amount} ${ctx.collateralSymbol} by ${r.counterparty}`,
          liquidator: `liquidated ${r.counterparty}: took ${e.size} @ mark $${r.price} reward ${r.amount} ${ctx.collateralSymbol}`,
          deleveraged: `deleveraged ${e.size} @ bankruptcy price $${r.price} with ${r.counterparty}`,
          settled: `settled ${e.size} contracts, PnL ${r.pnl} ${ctx.collateralSymbol}`,
          claim: `claim paid ${r.amount} ${ctx.collateralSymbol}`,
          deposit: `deposit ${r.amount} ${ctx.collateralSymbol}`,
          withdrawal: `withdrawal ${r.amount} ${ctx.collateralSymbol}`,
        };
        io.out([r.date, `block ${r.block}`, (r.market ?? "").padEnd(24), what[e.kind]].join("  "));
      }
    });
}
