/**
 * `atf settle` and `atf claim`: after a market's settlement is final, close a position at the final
 * price, or collect a recorded claim (both are `Clearinghouse.settle`; the checks before it differ).
 */
import type { Command } from "commander";
import { parseEventLogs } from "viem";

import { clearinghouseAbi } from "../../sdk/abi/index.js";
import { fetchMarket, settle } from "../../sdk/viem/index.js";
import { accountOf, walletOf } from "../context.js";
import { CommandFailedError } from "../errors.js";
import { marketIdFrom, symbolOf, type CliHelpers } from "../helpers.js";
import { formatUsd } from "../units.js";

export function registerSettle(program: Command, h: CliHelpers): void {
  const { io, ctxOf, money } = h;
  const settleCommand = (name: "settle" | "claim") =>
    program
      .command(name)
      .description(
        name === "settle"
          ? "After a market's settlement is final: close your position at the final price (Clearinghouse.settle);\n" +
              "a gain the market cannot pay yet is recorded as a claim (see claim)."
          : "After a market's settlement is final and your position is closed: collect a recorded claim\n" +
              "(Clearinghouse.settle again, paid once the market's losers have settled).",
      )
      .requiredOption("--market <symbol|id>", "market symbol or id")
      .option("--account <address>", "settle another account (default: the ATF_PRIVATE_KEY account)")
      .action(async (o: { market: string; account?: string }, cmd: Command) => {
        const ctx = await ctxOf(cmd);
        const marketId = marketIdFrom(ctx, o.market);
        const wallet = walletOf(ctx);
        const who = o.account === undefined ? wallet.account.address : accountOf(ctx, o.account);
        const { market, context } = await fetchMarket(ctx.publicClient, {
          address: ctx.book.clearinghouse,
          marketId,
        });
        const label = symbolOf(ctx, marketId, market.params.indexId, market.params.expiry);
        if (market.settlement.finalPrice === 0n) {
          const expiry = new Date(Number(market.params.expiry) * 1000).toISOString();
          throw new CommandFailedError(
            context.timestamp < market.params.expiry
              ? `${label} trades until ${expiry}: nothing to ${name} before expiry and a final price`
              : `${label} expired ${expiry} but its settlement price is not final yet (the settler proposes and finalizes it)`,
          );
        }
        const [size, openNotional] = await ctx.publicClient.readContract({
          address: ctx.book.clearinghouse,
          abi: clearinghouseAbi,
          functionName: "position",
          args: [who, marketId],
        });
        if (name === "settle" && size === 0n && openNotional === 0n)
          throw new CommandFailedError(`${who} holds nothing in ${label} to settle`);
        if (name === "claim" && size !== 0n)
          throw new CommandFailedError(`${who} still holds ${size} in ${label}: run settle first`);
        if (name === "claim" && openNotional === 0n)
          throw new CommandFailedError(`${who} has no unpaid claim in ${label}`);
        const { hash } = await settle(wallet, { address: ctx.book.clearinghouse, account: who, marketId });
        const receipt = await ctx.publicClient.waitForTransactionReceipt({ hash });
        if (receipt.status !== "success")
          throw new CommandFailedError(`${name}: transaction ${hash} reverted`);
        const logs = parseEventLogs({ abi: clearinghouseAbi, logs: receipt.logs });
        let said = false;
        for (const l of logs) {
          if (l.eventName === "PositionSettled") {
            io.out(
              `settled ${l.args.size} ${label} at the final price ${formatUsd(market.settlement.finalPrice)}: PnL ${l.args.pnl < 0n ? "-" : ""}${money(ctx, l.args.pnl < 0n ? -l.args.pnl : l.args.pnl)}`,
            );
            said = true;
          }
          if (l.eventName === "ClaimPaid") {
            io.out(`claim paid ${money(ctx, l.args.amount)}`);
            said = true;
          }
        }
        if (!said)
          io.out(`${name}: nothing paid yet (the claim stays recorded; try again after more settlements)`);
        io.out(`tx ${hash}`);
      });
  settleCommand("settle");
  settleCommand("claim");
}
