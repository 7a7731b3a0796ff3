/**
 * `atf create-market`: the operator command. Creates a dated market through the AccessManager
 * (`cli/operator.ts`: directly, or scheduled then executed for a delayed role), copying sizes, risk
 * and terms from an existing market of the index, and records it in the address book.
 */
import type { Command } from "commander";

import { INDEX_SPECS, methodologyHash } from "../../index/index.js";
import { indexIdOf } from "../../index/ids.js";
import type { MarketId } from "../../sdk/core/ids.js";
import { fetchMarket } from "../../sdk/viem/index.js";
import { marketSymbol } from "../../sdk/core/addressBook.js";
import { walletOf } from "../context.js";
import { InputError } from "../errors.js";
import {
  addMarketToBook,
  allMarketIds,
  confirm,
  marketIdFrom,
  WAD_DECIMALS,
  type CliHelpers,
} from "../helpers.js";
import { createMarketAsOperator, type OperatorMode } from "../operator.js";
import { parseInteger, parsePositiveAmount } from "../units.js";

/** A market expiry: `YYYY-MM-DD` (08:00 UTC), `YYYY-MM-DDTHH:MM` (UTC) or unix seconds. */
function parseMarketExpiry(text: string): bigint {
  const date = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}))?$/.exec(text.trim());
  if (date !== null) {
    const ms = Date.parse(`${date[1]}T${date[2] ?? "08:00"}:00Z`);
    if (Number.isNaN(ms)) throw new InputError(`--expiry: "${text}" is not a valid date`);
    return BigInt(ms / 1000);
  }
  return parseInteger(text, "--expiry", 1n);
}

export function registerCreateMarket(program: Command, h: CliHelpers): void {
  const { io, ctxOf } = h;
  program
    .command("create-market")
    .description(
      "Operator: create a dated market through the AccessManager (MARKET_ADMIN). Sizes, risk and terms are\n" +
        "copied from an existing market of the same index (--like), with optional overrides. When the\n" +
        "caller's role has an execution delay, run with --schedule, then again with --execute after it.\n" +
        "The new market is added to the address book.",
    )
    .requiredOption("--index <name>", `index name (${Object.keys(INDEX_SPECS).join(", ")})`)
    .requiredOption("--expiry <when>", "YYYY-MM-DD (08:00 UTC), YYYY-MM-DDTHH:MM (UTC) or unix seconds")
    .option(
      "--like <symbol|id>",
      "market to copy sizes, risk and terms from (default: the first of the index)",
    )
    .option("--contract-size <units>", "index units per contract (decimal)")
    .option("--tick-size <dollars>", "price tick in dollars (decimal)")
    .option("--min-size <contracts>", "smallest order size")
    .option("--schedule", "schedule the call (role with an execution delay)")
    .option("--execute", "execute the scheduled call")
    .action(
      async (
        o: {
          index: string;
          expiry: string;
          like?: string;
          contractSize?: string;
          tickSize?: string;
          minSize?: string;
          schedule?: boolean;
          execute?: boolean;
        },
        cmd: Command,
      ) => {
        const spec = INDEX_SPECS[o.index];
        if (spec === undefined) {
          throw new InputError(
            `--index: unknown index "${o.index}" (known: ${Object.keys(INDEX_SPECS).join(", ")})`,
          );
        }
        if (o.schedule && o.execute) throw new InputError("--schedule and --execute are exclusive");
        const expiry = parseMarketExpiry(o.expiry);
        const ctx = await ctxOf(cmd);
        const indexId = indexIdOf(o.index);
        let templateId: MarketId | undefined = o.like === undefined ? undefined : marketIdFrom(ctx, o.like);
        if (templateId === undefined) {
          for (const id of await allMarketIds(ctx)) {
            const { market } = await fetchMarket(ctx.publicClient, {
              address: ctx.book.clearinghouse,
              marketId: id,
            });
            if (market.params.indexId.toLowerCase() === indexId.toLowerCase()) {
              templateId = id;
              break;
            }
          }
        }
        if (templateId === undefined)
          throw new InputError(`no market on ${o.index} to copy from: pass --like <market>`);
        const { market: like } = await fetchMarket(ctx.publicClient, {
          address: ctx.book.clearinghouse,
          marketId: templateId,
        });
        const params = {
          indexId,
          methodologyHash: methodologyHash(spec),
          expiry,
          contractSize:
            o.contractSize === undefined
              ? like.params.contractSize
              : parsePositiveAmount(o.contractSize, WAD_DECIMALS, "--contract-size"),
          tickSize:
            o.tickSize === undefined
              ? like.params.tickSize
              : parsePositiveAmount(o.tickSize, WAD_DECIMALS, "--tick-size"),
          minSize: o.minSize === undefined ? like.params.minSize : parseInteger(o.minSize, "--min-size", 1n),
          settlementWindow: like.params.settlementWindow,
        };
        const mode: OperatorMode = o.schedule ? "schedule" : o.execute ? "execute" : "direct";
        const outcome = await createMarketAsOperator(ctx.publicClient, walletOf(ctx), {
          accessManager: ctx.book.accessManager,
          clearinghouse: ctx.book.clearinghouse,
          market: {
            params: params as never,
            risk: { ...like.risk } as never,
            terms: { ...like.terms } as never,
          },
          mode,
        });
        await confirm(ctx, outcome.hash, "createMarket");
        const symbol = marketSymbol(o.index, expiry);
        if (outcome.kind === "scheduled") {
          io.out(
            `scheduled createMarket ${symbol} (operation ${outcome.operationId}); executable from ${new Date(Number(outcome.readyAt) * 1000).toISOString()}: rerun with --execute`,
          );
          return;
        }
        addMarketToBook(ctx.bookFile, symbol, { id: outcome.id, indexId, expiry: Number(expiry) });
        io.out(`created market ${symbol} id ${outcome.id} (tx ${outcome.hash}); added to ${ctx.bookFile}`);
      },
    );
}
