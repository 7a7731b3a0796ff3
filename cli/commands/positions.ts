/**
 * `atf positions`: an account's collateral, open positions, escrowed gains and health, from
 * `fetchAccount` (the SDK computes PnL, leverage and liquidation price).
 */
import type { Command } from "commander";

import { fetchAccount } from "../../sdk/viem/index.js";
import { accountOf } from "../context.js";
import { symbolOf, WAD_DECIMALS, type CliHelpers } from "../helpers.js";
import { formatUnitsExact, formatUsd } from "../units.js";

export function registerPositions(program: Command, h: CliHelpers): void {
  const { io, ctxOf, json, printJson, money } = h;
  program
    .command("positions")
    .description(
      "Show an account's collateral, open positions (size, entry, mark, unrealised PnL, notional, leverage,\n" +
        "liquidation price) and health.",
    )
    .option("--account <address>", "account to show (default: the ATF_PRIVATE_KEY account)")
    .action(async (o: { account?: string }, cmd: Command) => {
      const ctx = await ctxOf(cmd);
      const who = accountOf(ctx, o.account);
      const { account, markets, marks } = await fetchAccount(ctx.publicClient, {
        address: ctx.book.clearinghouse,
        account: who,
      });
      // A closed slot (size 0) holds a gain escrowed until the market settles; it needs no mark.
      const allMarked = account.openMarkets.every(
        (id) => marks.has(id) || account.positionIn(id).size === 0n,
      );
      const h = allMarked ? account.health(marks) : undefined;
      const escrows = account.openMarkets
        .filter((id) => account.positionIn(id).size === 0n)
        .map((id) => {
          const market = markets.get(id)!;
          return {
            market: symbolOf(ctx, id, market.params.indexId, market.params.expiry),
            id,
            gain: account.escrowIn(id),
          };
        });
      const rows = account.openMarkets
        .filter((id) => account.positionIn(id).size !== 0n)
        .map((id) => {
          const market = markets.get(id)!;
          const pos = account.positionIn(id);
          const size = pos.size;
          const entry =
            size === 0n ? 0n : (pos.openNotional * 10n ** 18n) / (size * market.params.contractSize);
          const marked = marks.get(id);
          const notional =
            marked === undefined ? undefined : (size < 0n ? -size : size) * market.unitValueAt(marked.mark);
          const pnl =
            marked === undefined ? undefined : size * market.unitValueAt(marked.mark) - pos.openNotional;
          const liq = h === undefined ? undefined : account.liquidationPrice(id, marks);
          return {
            market: symbolOf(ctx, id, market.params.indexId, market.params.expiry),
            id,
            size,
            entry,
            mark: marked?.mark,
            unrealisedPnl: pnl,
            notional,
            leverage:
              h === undefined || notional === undefined || h.equity <= 0n
                ? undefined
                : (notional * 100n) / h.equity,
            liquidationPrice: liq === 0n ? undefined : liq,
          };
        });
      if (json(cmd)) {
        const usd = (v: bigint | undefined) => (v === undefined ? null : formatUnitsExact(v, WAD_DECIMALS));
        printJson({
          account: who,
          collateral: formatUnitsExact(account.balance, ctx.decimals),
          collateralSymbol: ctx.collateralSymbol,
          positions: rows.map((r) => ({
            market: r.market,
            id: r.id,
            size: r.size,
            entry: usd(r.entry),
            mark: usd(r.mark),
            unrealisedPnl: usd(r.unrealisedPnl),
            notional: usd(r.notional),
            leverage: r.leverage === undefined ? null : formatUnitsExact(r.leverage, 2),
            liquidationPrice: usd(r.liquidationPrice),
          })),
          escrowedGains: escrows.map((e) => ({ market: e.market, id: e.id, gain: usd(e.gain) })),
          health:
            h === undefined
              ? null
              : {
                  equity: usd(h.equity),
                  initialMargin: usd(h.initialMargin),
                  maintenanceMargin: usd(h.maintenanceMargin),
                  freeCollateral: formatUnitsExact(account.freeCollateral(marks), ctx.decimals),
                  leverage:
                    h.equity <= 0n
                      ? null
                      : formatUnitsExact(
                          (rows.reduce((sum, r) => sum + (r.notional ?? 0n), 0n) * 100n) / h.equity,
                          2,
                        ),
                  liquidatable: account.isLiquidatable(marks),
                },
        });
        return;
      }
      io.out(`account ${who}`);
      io.out(`collateral ${money(ctx, account.balance)}`);
      if (account.openMarkets.length === 0) {
        io.out("no open positions");
        return;
      }
      for (const r of rows) {
        io.out(
          [
            r.market.padEnd(24),
            `size ${r.size > 0n ? "+" : ""}${r.size}`,
            `entry ${formatUsd(r.entry)}`,
            `mark ${r.mark === undefined ? "n/a" : formatUsd(r.mark)}`,
            `uPnL ${r.unrealisedPnl === undefined ? "n/a" : formatUsd(r.unrealisedPnl)}`,
            `notional ${r.notional === undefined ? "n/a" : formatUsd(r.notional)}`,
            `leverage ${r.leverage === undefined ? "n/a" : `${formatUnitsExact(r.leverage, 2)}x`}`,
            `liq. price ${r.liquidationPrice === undefined ? "n/a" : formatUsd(r.liquidationPrice)}`,
          ].join("  "),
        );
      }
      for (const e of escrows) {
        io.out(
          `${e.market.padEnd(24)}  escrowed gain ${formatUsd(e.gain)} (paid with the settlement claims)`,
        );
      }
      if (h !== undefined) {
        io.out(
          `equity ${formatUsd(h.equity)}  initial margin ${formatUsd(h.initialMargin)}  maintenance margin ${formatUsd(h.maintenanceMargin)}  free collateral ${money(ctx, account.freeCollateral(marks))}  leverage ${h.equity <= 0n ? "n/a" : `${formatUnitsExact((rows.reduce((sum, r) => sum + (r.notional ?? 0n), 0n) * 100n) / h.equity, 2)}x`}${account.isLiquidatable(marks) ? "  LIQUIDATABLE" : ""}`,
        );
      } else {
        io.out("health: n/a (a market has no fresh index round)");
      }
    });
}
