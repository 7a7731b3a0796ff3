/**
 * `atf`: the command-line interface for traders and operators, on top of the SDK. `run(argv, io)`
 * parses and runs one command and returns its exit code (0 ok, 1 failed or reverted, 2 bad input).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

import { Command, CommanderError, Option } from "commander";
import { parseAbi, parseEventLogs, type Address, type Hash, type Hex } from "viem";
import { writeContract } from "viem/actions";

import { INDEX_SPECS, methodologyHash } from "../index/index.js";
import { indexIdOf } from "../index/ids.js";
import { clearinghouseAbi, exchangeAbi } from "../sdk/abi/index.js";
import { exchangeDomain, hashOrder, OrderFlags, randomSalt, type Order } from "../sdk/core/eip712/orders.js";
import type { MarketId } from "../sdk/core/ids.js";
import {
  cancelOrders,
  cancelUpTo,
  deposit,
  fetchAccount,
  fetchMarket,
  fillOrder,
  readFilled,
  settle,
  signOrder,
  withdraw,
  type FetchMarketReturnType,
} from "../sdk/viem/index.js";
import { encodeOrders, signedOrderSchema, type SignedOrder } from "../keepers/matcher/orders.js";
import { marketSymbol } from "../scripts/lib/addressBook.js";
import { accountOf, loadContext, walletOf, type CliContext, type GlobalOptions } from "./context.js";
import {
  CommandFailedError,
  describeError,
  EXIT_BAD_INPUT,
  EXIT_OK,
  InputError,
  type ErrorUnits,
} from "./errors.js";
import { addIndexCommands } from "./index-verify.js";
import { readHistory, type HistoryEntry } from "./history.js";
import { createMarketAsOperator, type OperatorMode } from "./operator.js";
import { refuseUnfillable } from "./preflight.js";
import {
  DEFAULT_RELAY_URL,
  listFromRelay,
  orderFromRelay,
  orderListRow,
  placeOnRelay,
  relayUrlOf,
} from "./relay.js";
import { reserveNonce } from "./state.js";
import { checkDecimal, formatUnitsExact, formatUsd, parseInteger, parsePositiveAmount } from "./units.js";

/** Where the CLI writes its lines (stdout, stderr); injectable for tests. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

const WAD_DECIMALS = 18;

/** `atf relay …` starts the order relay's process (handled by cli/main.ts, listed in the help here). */
export const RELAY_COMMAND = "relay";
const mockTokenAbi = parseAbi(["function mint(address to, uint256 amount)"]);

/** Index name by oracle id, for the indices this repository specifies. */
const INDEX_NAMES = new Map<string, string>(
  Object.keys(INDEX_SPECS).map((n) => [indexIdOf(n).toLowerCase(), n]),
);

function symbolOf(ctx: CliContext, id: Hex, indexId: Hex, expiry: bigint): string {
  for (const [symbol, entry] of Object.entries(ctx.book.markets ?? {})) {
    if (entry.id.toLowerCase() === id.toLowerCase()) return symbol;
  }
  const name = INDEX_NAMES.get(indexId.toLowerCase());
  return name === undefined
    ? `${indexId.slice(0, 10)}…-${marketSymbol("", expiry).slice(1)}`
    : marketSymbol(name, expiry);
}

/** A market given by symbol (`GPU-H100-20270326`) or id (0x + 64 hex). */
function marketIdFrom(ctx: CliContext, text: string): MarketId {
  if (/^0x[0-9a-fA-F]{64}$/.test(text)) return text as MarketId;
  const entry = ctx.book.markets?.[text];
  if (entry === undefined) {
    const known = Object.keys(ctx.book.markets ?? {}).join(", ");
    throw new InputError(
      `--market: unknown market "${text}" (known: ${known || "none"}; or pass a market id)`,
    );
  }
  return entry.id as MarketId;
}

async function allMarketIds(ctx: CliContext): Promise<MarketId[]> {
  const count = await ctx.publicClient.readContract({
    address: ctx.book.clearinghouse,
    abi: clearinghouseAbi,
    functionName: "marketCount",
  });
  const ids: MarketId[] = [];
  for (let i = 1; i <= count; i++) {
    ids.push(
      (await ctx.publicClient.readContract({
        address: ctx.book.clearinghouse,
        abi: clearinghouseAbi,
        functionName: "marketIdAt",
        args: [i],
      })) as MarketId,
    );
  }
  return ids;
}

async function confirm(ctx: CliContext, hash: Hash, what: string): Promise<void> {
  const receipt = await ctx.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new CommandFailedError(`${what}: transaction ${hash} reverted`);
}

/** A relative duration (`90s`, `30m`, `12h`, `7d`) or an absolute unix time in seconds. */
function parseOrderExpiry(text: string, now: bigint): bigint {
  const m = /^([1-9][0-9]*)([smhd])$/.exec(text.trim());
  if (m !== null)
    return now + BigInt(m[1]) * { s: 1n, m: 60n, h: 3600n, d: 86_400n }[m[2] as "s" | "m" | "h" | "d"];
  const at = parseInteger(text, "--expiry");
  if (at <= now) throw new InputError(`--expiry: ${text} is in the past`);
  return at;
}

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

function readOrdersFile(file: string): SignedOrder[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const parsed = signedOrderSchema.array().safeParse(JSON.parse(text === "" ? "[]" : text));
  if (!parsed.success)
    throw new InputError(`orders file ${file} is malformed: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

function writeOrdersFile(file: string, orders: readonly SignedOrder[]): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, encodeOrders(orders) + "\n");
  renameSync(tmp, file); // atomic: the matcher never reads half a file
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

/** Builds the program; `ctxOf` loads the context lazily (help and input errors need no node). */
function buildProgram(io: CliIo, units: ErrorUnits): Command {
  const program = new Command("atf");
  const globals = (cmd: Command): GlobalOptions => cmd.optsWithGlobals() as GlobalOptions;
  const ctxOf = async (cmd: Command) => {
    const ctx = await loadContext(globals(cmd), io.env);
    units.decimals = ctx.decimals;
    units.symbol = ctx.collateralSymbol;
    return ctx;
  };
  const json = (cmd: Command) => (cmd.optsWithGlobals() as { json?: boolean }).json === true;
  const printJson = (value: unknown) =>
    io.out(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2));
  const money = (ctx: CliContext, units: bigint) =>
    `${formatUnitsExact(units, ctx.decimals)} ${ctx.collateralSymbol}`;

  program
    .description(
      "AI token futures: trade and operate the protocol from the command line.\n" +
        "Signing commands read the key from ATF_PRIVATE_KEY (never a flag). Amounts are human units:\n" +
        "collateral in tokens (100.5), prices in dollars per index unit (2.35), sizes in contracts.\n" +
        "Exit codes: 0 ok, 1 failed or reverted (the contract's error is printed), 2 bad input.",
    )
    .addOption(
      new Option("--deployment <file>", "address book written by the deployment")
        .default("deployments/localhost.json")
        .env("ATF_DEPLOYMENT"),
    )
    .addOption(
      new Option("--rpc-url <url>", "JSON-RPC endpoint (default http://127.0.0.1:8545)").env("ATF_RPC_URL"),
    )
    .addOption(
      new Option("--orders-file <file>", "use the file matcher's orders file (JSON) instead of the relay")
        .default(".stack/orders.json")
        .env("ATF_ORDERS_FILE"),
    )
    .addOption(
      new Option("--relay-url <url>", "the order relay for order place/list/cancel")
        .default(DEFAULT_RELAY_URL)
        .env("ATF_RELAY_URL"),
    )
    .addOption(
      new Option("--state-file <file>", "the CLI's nonce counters")
        .default(".atf/state.json")
        .env("ATF_STATE_FILE"),
    )
    .option("--json", "read commands print one JSON document instead of lines")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, "")),
      writeErr: (s) => io.err(s.replace(/\n$/, "")),
    });

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

  program
    .command("deposit")
    .description("Deposit collateral into the Clearinghouse (approves the exact amount first when needed).")
    .argument("<amount>", "collateral in tokens, e.g. 100.5")
    .action(async (amountText: string, _o, cmd: Command) => {
      checkDecimal(amountText, "amount");
      const ctx = await ctxOf(cmd);
      const amount = parsePositiveAmount(amountText, ctx.decimals, "amount");
      const wallet = walletOf(ctx);
      const { hash, approveHash } = await deposit(wallet, {
        address: ctx.book.clearinghouse,
        collateral: ctx.book.collateral,
        amount,
      });
      await confirm(ctx, hash, "deposit");
      if (approveHash !== undefined) io.out(`approved ${money(ctx, amount)} (tx ${approveHash})`);
      io.out(`deposited ${money(ctx, amount)} (tx ${hash})`);
    });

  program
    .command("withdraw")
    .description("Withdraw free collateral from the Clearinghouse to the key's address.")
    .argument("<amount>", "collateral in tokens, e.g. 50")
    .action(async (amountText: string, _o, cmd: Command) => {
      checkDecimal(amountText, "amount");
      const ctx = await ctxOf(cmd);
      const amount = parsePositiveAmount(amountText, ctx.decimals, "amount");
      const { hash } = await withdraw(walletOf(ctx), { address: ctx.book.clearinghouse, amount });
      await confirm(ctx, hash, "withdraw");
      io.out(`withdrew ${money(ctx, amount)} (tx ${hash})`);
    });

  program
    .command("faucet")
    .description("Mint mock collateral to the key's address (local and test deployments only: MockERC20).")
    .argument("<amount>", "tokens to mint")
    .action(async (amountText: string, _o, cmd: Command) => {
      checkDecimal(amountText, "amount");
      const ctx = await ctxOf(cmd);
      const amount = parsePositiveAmount(amountText, ctx.decimals, "amount");
      const wallet = walletOf(ctx);
      const { request } = await ctx.publicClient.simulateContract({
        account: wallet.account,
        address: ctx.book.collateral,
        abi: mockTokenAbi,
        functionName: "mint",
        args: [wallet.account.address, amount],
      });
      const hash = await writeContract(wallet, request as never);
      await confirm(ctx, hash, "mint");
      io.out(`minted ${money(ctx, amount)} to ${wallet.account.address} (tx ${hash})`);
    });

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
          fill: `fill ${r.role} ${e.size !== undefined && e.size > 0n ? "buy" : "sell"} ${e.size !== undefined && e.size < 0n ? -e.size : e.size} @ $${r.price} fee ${r.amount} ${ctx.collateralSymbol}`,
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

  program
    .command(RELAY_COMMAND)
    .description(
      "Start the order relay (docs/relay.md), as npm run relay does, with the relay's own options\n" +
        "(atf relay --help lists them; atf's global options do not apply): runs until SIGINT or SIGTERM.",
    )
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      // cli/main.ts hands `atf relay …` to relay/cli.ts before this program parses anything; only
      // options given before `relay` reach here
      throw new InputError(
        "atf relay takes only the relay's own options, after the word relay: atf relay --port 8600 …",
      );
    });

  const order = program.command("order").description("Place, list and cancel signed orders.");

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

  order
    .command("cancel")
    .description(
      "Cancel one of your orders on chain by hash (cancelOrders; the order is looked up on the relay, or\n" +
        "in the orders file with --orders-file), or every order with a nonce below n (raises your minNonce\n" +
        "on the Exchange). The relay sees the cancel on chain and takes the order off its book.",
    )
    .argument("[hash]", "order hash (0x + 64 hex)")
    .option("--all-below-nonce <n>", "void all your orders with nonce < n")
    .action(async (hash: string | undefined, o: { allBelowNonce?: string }, cmd: Command) => {
      if ((hash === undefined) === (o.allBelowNonce === undefined)) {
        throw new InputError("give either an order hash or --all-below-nonce <n>");
      }
      if (hash !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(hash)) {
        throw new InputError(`"${hash}" is not an order hash (0x + 64 hex digits)`);
      }
      const below =
        o.allBelowNonce === undefined ? undefined : parseInteger(o.allBelowNonce, "--all-below-nonce", 1n);
      const ctx = await ctxOf(cmd);
      const wallet = walletOf(ctx);
      if (below !== undefined) {
        const { hash: tx } = await cancelUpTo(wallet, { address: ctx.book.exchange, newMinNonce: below });
        await confirm(ctx, tx, "cancelUpTo");
        io.out(`cancelled every order with nonce < ${below} (tx ${tx})`);
        return;
      }
      const domain = exchangeDomain(ctx.chainId, ctx.book.exchange);
      const relayUrl = relayUrlOf(cmd);
      const found =
        relayUrl !== undefined
          ? await orderFromRelay(relayUrl, hash as Hex)
          : readOrdersFile(ctx.options.ordersFile).find(
              (s) => hashOrder(domain, s.order).toLowerCase() === hash!.toLowerCase(),
            );
      if (found === undefined) throw new InputError(`order ${hash} is not in ${ctx.options.ordersFile}`);
      if (found.order.trader.toLowerCase() !== wallet.account.address.toLowerCase()) {
        throw new InputError(
          `order ${hash} belongs to ${found.order.trader}, not to the ATF_PRIVATE_KEY account`,
        );
      }
      const { hash: tx } = await cancelOrders(wallet, { address: ctx.book.exchange, orders: [found.order] });
      await confirm(ctx, tx, "cancelOrders");
      io.out(`cancelled ${hash} (tx ${tx})`);
    });

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

  addIndexCommands(program, io);
  return program;
}

/** Records a market in the address book file (`markets[symbol]`). */
export function addMarketToBook(
  file: string,
  symbol: string,
  entry: { id: Hex; indexId: Hex; expiry: number },
): void {
  const book = JSON.parse(readFileSync(file, "utf8")) as { markets?: Record<string, unknown> };
  book.markets = { ...(book.markets ?? {}), [symbol]: entry };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(book, null, 2) + "\n");
  renameSync(tmp, file);
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

/** Runs one command line (without `node atf`), returns the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const units: ErrorUnits = {};
  const program = buildProgram(io, units);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; every parse error is bad input
      return err.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
    }
    const { code, lines } = describeError(err, units);
    for (const line of lines) io.err(line);
    return code;
  }
}
