/**
 * `atf markets`: every market on the Clearinghouse with its status, index value and mark.
 */
import type { Command } from "commander";

import { fetchMarket, type FetchMarketReturnType } from "../../sdk/viem/index.js";
import { allMarketIds, symbolOf, WAD_DECIMALS, type CliHelpers } from "../helpers.js";
import { formatUnitsExact, formatUsd } from "../units.js";

export function registerMarkets(program: Command, h: CliHelpers): void {
  const { io, ctxOf, json, printJson } = h;
  program
    .command("markets")
    .description("List every market on the Clearinghouse: symbol, id, expiry, status, index value and mark.")
    .action(async (_o, cmd: Command) => {
      const ctx = await ctxOf(cmd);
      const ids = await allMarketIds(ctx);
      const rows: Record<string, unknown>[] = [];
      if (ids.length === 0 && !json(cmd)) io.out("no markets");
      for (const id of ids) {
        const { market, index, mark, context }: FetchMarketReturnType = await fetchMarket(ctx.publicClient, {
          address: ctx.book.clearinghouse,
          marketId: id,
        });
        const p = market.params;
        if (json(cmd)) {
          rows.push({
            symbol: symbolOf(ctx, id, p.indexId, p.expiry),
            id,
            status: market.statusAt(context.timestamp),
            expiry: new Date(Number(p.expiry) * 1000).toISOString(),
            expiryUnix: p.expiry,
            index: index === undefined ? null : formatUnitsExact(index.value, WAD_DECIMALS),
            mark: mark === undefined ? null : formatUnitsExact(mark, WAD_DECIMALS),
            contractSize: formatUnitsExact(p.contractSize, WAD_DECIMALS),
            tickSize: formatUnitsExact(p.tickSize, WAD_DECIMALS),
          });
          continue;
        }
        io.out(
          [
            symbolOf(ctx, id, p.indexId, p.expiry).padEnd(24),
            market.statusAt(context.timestamp).padEnd(8),
            `expiry ${new Date(Number(p.expiry) * 1000).toISOString()}`,
            `index ${index === undefined ? "n/a (no fresh round)" : formatUsd(index.value)}`,
            `mark ${mark === undefined ? "n/a" : formatUsd(mark)}`,
            `contract ${formatUnitsExact(p.contractSize, WAD_DECIMALS)} units`,
            `tick ${formatUsd(p.tickSize)}`,
            `id ${id}`,
          ].join("  "),
        );
      }
      if (json(cmd)) printJson(rows);
    });
}
