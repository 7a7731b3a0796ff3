/**
 * The main job: the whole life of a quarterly ATPI-FRONTIER market on the in-process chain.
 *
 * Deploy the protocol with the Ignition module `LocalProtocol` (parameters built here, so the market
 * expires one quarter after the chain's start date); five reporter keepers sign the index from the
 * public list-price CSV and the relayer keeper submits each round; a hedger buys, a provider sells and
 * two market makers quote through signed orders crossed by the matcher keeper; the index moves; the
 * liquidator keeper liquidates the under-margined market maker, which then trades its way flat; the
 * market expires and the settler keeper proposes, finalizes and settles every account; everybody
 * withdraws. Every keeper is the real one (`keepers/`), ticked by hand on a manual clock that follows
 * the chain: nothing sleeps.
 *
 * The result is a report (`DemoReport`) whose accounts conserve value exactly:
 * `Σ pnl + feesToTreasury + insuranceFundDelta = 0`, in collateral units.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { NetworkConnection } from "hardhat/types/network";
import {
  createPublicClient,
  erc20Abi,
  getContract,
  type Address,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { keccak256, stringToHex } from "viem";

import LocalProtocol from "../../ignition/modules/LocalProtocol.js";
import {
  ATPI_FRONTIER_SPEC,
  GPU_H100_SPEC,
  addDays,
  dateOfTimestamp,
  methodologyHash,
  startOfDay,
  type IsoDate,
} from "../../index/index.js";
import { indexIdOf } from "../../index/ids.js";
import { LiquidatorKeeper } from "../../keepers/liquidator/keeper.js";
import { MatcherKeeper } from "../../keepers/matcher/keeper.js";
import { InMemoryOrderSource } from "../../keepers/matcher/orders.js";
import { RelayerKeeper, type ReportSource } from "../../keepers/relayer/keeper.js";
import { priceSourceOf, ReporterKeeper } from "../../keepers/reporter/keeper.js";
import { encodePublishedReport } from "../../keepers/reporter/wire.js";
import { SettlerKeeper } from "../../keepers/settler/keeper.js";
import { ManualClock, type Clock } from "../../keepers/shell/clock.js";
import { JobStore } from "../../keepers/shell/jobs.js";
import { createLogger } from "../../keepers/shell/log.js";
import { KeeperMetrics } from "../../keepers/shell/metrics.js";
import type { ExecuteResult } from "../../keepers/shell/sender.js";
import { TxSender } from "../../keepers/shell/sender.js";
import { resilientTransport } from "../../keepers/shell/transport.js";
import { clearinghouseAbi } from "../../sdk/abi/generated/clearinghouse.js";
import { indexOracleAbi } from "../../sdk/abi/generated/indexOracle.js";
import { exchangeDomain, OrderFlags, signOrderViem, type Order } from "../../sdk/core/eip712/orders.js";
import { oracleDomain } from "../../sdk/core/eip712/reports.js";
import { asMarketId } from "../../sdk/core/ids.js";
import { marketIdOf } from "./addressBook.js";
import { demoReporters, formatUsd } from "./oracle-demo.js";

const E18 = 10n ** 18n;
const DAY = 86_400n;
const HOUR = 3_600n;
const DECIMALS = 6;
const UNIT = 10n ** BigInt(DECIMALS);
const TICK = E18 / 1000n;
const here = path.dirname(fileURLToPath(import.meta.url));
export const PRICE_CSV = path.join(here, "..", "..", "index", "fixtures", "ai-token-list-prices.csv");

/** The demo's quarter: the CSV's Q3 2025, when the frontier index jumped 16 % in a day (2025-08-05). */
export const DEMO_QUARTER = { from: "2025-07-01", to: "2025-09-30" } as const;

/** Market terms (one contract = 1000 index units, i.e. a billion tokens' worth of list price). */
const MARKET = {
  contractSize: 1000n * E18,
  tickSize: TICK,
  minSize: 1n,
  settlementWindow: DAY,
  terms: { disputeWindow: Number(HOUR), fallbackDelay: Number(2n * DAY) },
  risk: {
    imr: E18 / 10n,
    mmr: E18 / 20n,
    liquidationPenalty: E18 / 50n,
    maxPositionSize: 1_000_000n,
    maxOpenInterest: 10_000_000n,
    priceBand: E18 / 10n,
    makerFee: (2n * E18) / 10_000n,
    takerFee: (5n * E18) / 10_000n,
    basisWeight: E18 / 10n,
    maxBasisRate: E18 / 2n,
    maxBasisStep: E18 / 20n,
    // As the deployed frontier markets (ignition/parameters): about 3 million dollars of notional moves the
    // basis EMA by the full weight, so the demo's 5 to 40 contract fills move it by 2 to 13 % of it.
    basisDepth: 300n,
  },
};

/** Collateral each trader deposits, whole dollars. */
const DEPOSITS = {
  hedger: 300_000n,
  provider: 300_000n,
  marketMakerA: 500_000n,
  marketMakerB: 40_000n,
  liquidator: 100_000n,
} as const;

export type Role = keyof typeof DEPOSITS;

export interface DemoOptions {
  /** Fewer rounds (weekly plus the days around the jump and expiry), same phases. */
  readonly short: boolean;
  readonly log: (line: string) => void;
}

export interface AccountReport {
  address: Address;
  role: Role;
  /** Collateral units (6 decimals), decimal strings. */
  deposited: string;
  withdrawn: string;
  finalBalance: string;
  pnl: string;
}

export interface PricePoint {
  /** Unix seconds. */
  t: number;
  index: string;
  mark: string;
}

export interface TradePoint {
  t: number;
  price: string;
  /** Contracts. */
  size: number;
  /** The taker's side. */
  side: "buy" | "sell";
  maker: Address;
  taker: Address;
}

export interface DemoReport {
  market: { id: Hex; symbol: string; expiry: number; from: IsoDate; to: IsoDate };
  collateralDecimals: number;
  /** 18-decimal dollars per index unit. */
  settlementPrice: string;
  liquidations: number;
  /** Collateral units, decimal strings. */
  feesToTreasury: string;
  insuranceFundDelta: string;
  /** Median whole-transaction gasUsed per operation. */
  gas: Record<string, number>;
  accounts: AccountReport[];
  /**
   * `total = Σ pnl + feesToTreasury + insuranceFundDelta` (`holds` when 0). `lockedInClearinghouse` is
   * collateral left in the Clearinghouse that no account, the treasury or the fund can claim;
   * `ledgerCloses` when `total + lockedInClearinghouse = 0` (every token accounted for).
   */
  conservation: {
    sumPnl: string;
    total: string;
    holds: boolean;
    lockedInClearinghouse: string;
    ledgerCloses: boolean;
  };
  /**
   * The market's settlement tally when its last position settled: what it had for claims (losses collected
   * at settlement net of the PnL realised before expiry), the gains claimed (gains realised before expiry
   * are escrowed and claimed here too), and the gap paid pro rata.
   */
  settlementTally: { collected: string; claimed: string; shortfall: string };
  liquidated: { account: Address; role: Role; size: number; mark: string; reward: string; t: number }[];
  /** Open positions of the market after settlement, and claims still unpaid. */
  openPositions: number;
  unpaidClaims: number;
  rounds: number;
  trades: number;
  series: { prices: PricePoint[]; trades: TradePoint[]; liquidations: number[]; expiry: number };
  timeline: string[];
}

/** Demo keys, derived from public strings: never use them on a real chain. */
function demoKey(name: string): Hex {
  return keccak256(stringToHex(`atf-demo-${name}`));
}

/** The chain's start date for the demo: the day before the quarter. */
export function marketDemoGenesis(from: IsoDate = DEMO_QUARTER.from): string {
  return new Date(Number(startOfDay(from) - DAY) * 1000).toISOString();
}

/** A timer whose sleeps never end: in-process calls need no timeout. */
const NO_TIMEOUT: Clock = { nowMs: () => 0, sleep: () => new Promise<void>(() => undefined) };

function usd(dollars: bigint): bigint {
  return dollars * UNIT;
}

/** `1234567` (6 decimals) → `"1.234567"`, signed. */
export function formatUnits6(value: bigint): string {
  const sign = value < 0n ? "-" : "";
  const v = value < 0n ? -value : value;
  const whole = (v / UNIT).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${whole}.${(v % UNIT).toString().padStart(DECIMALS, "0")}`;
}

/** `price × (1 + bps / 10 000)`, rounded down to the tick. */
function quote(price: bigint, bps: bigint): bigint {
  const p = (price * (10_000n + bps)) / 10_000n;
  return p - (p % TICK);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : Math.round((s[mid - 1] + s[mid]) / 2);
}

const isoTime = (t: bigint | number) =>
  new Date(Number(t) * 1000).toISOString().slice(0, 16).replace("T", " ");

/** Runs the demo on `connection` (an in-process chain started with `marketDemoGenesis()`). */
export async function runMarketDemo(
  connection: NetworkConnection,
  options: DemoOptions,
): Promise<DemoReport> {
  const { viem, networkHelpers, ignition } = connection;
  const { time } = networkHelpers;
  const { log } = options;
  const timeline: string[] = [];
  const event = (t: bigint | number, text: string) => {
    const line = `${isoTime(t)}  ${text}`;
    timeline.push(line);
    log(line);
  };
  const gas = new Map<string, number[]>();
  const countGas = (kind: string, receipt: TransactionReceipt) => {
    gas.set(kind, [...(gas.get(kind) ?? []), Number(receipt.gasUsed)]);
  };
  const countResult = (kind: string, result: ExecuteResult | undefined) => {
    if (result?.status === "confirmed") countGas(kind, result.receipt);
    else if (result !== undefined) throw new Error(`${kind}: ${JSON.stringify(result, bigintJson)}`);
  };

  // ---- deploy ---------------------------------------------------------------------------------------
  const from: IsoDate = DEMO_QUARTER.from;
  const expiry = startOfDay(DEMO_QUARTER.to) + 8n * HOUR;
  const nextExpiry = startOfDay(addDays(DEMO_QUARTER.to, 91)) + 8n * HOUR;
  const days = scheduleDays(options.short);
  const maxGap = days.reduce((m, d, i) => (i === 0 ? m : Math.max(m, dayDiff(days[i - 1], d))), 1);
  const wallets = await viem.getWalletClients();
  const [, admin, guardian, roleAdmin, treasury, hedgerW, providerW, mmAW, mmBW] = wallets;
  const reporters = demoReporters();
  const indexParams = {
    quorum: 3,
    maxAge: Number(BigInt(Math.min(maxGap + 1, 7)) * DAY), // the oracle caps maxAge at 7 days
    minInterval: Number(HOUR),
    maxDeviation: E18 / 10n,
    faultBound: 1,
    reporters: reporters.map((r) => r.address),
  };
  const marketParams = (spec: typeof ATPI_FRONTIER_SPEC | typeof GPU_H100_SPEC, exp: bigint) => ({
    methodologyHash: methodologyHash(spec),
    expiry: Number(exp),
    contractSize: MARKET.contractSize,
    tickSize: MARKET.tickSize,
    minSize: Number(MARKET.minSize),
    settlementWindow: Number(MARKET.settlementWindow),
    risk: {
      ...MARKET.risk,
      maxPositionSize: Number(MARKET.risk.maxPositionSize),
      maxOpenInterest: Number(MARKET.risk.maxOpenInterest),
    },
    terms: MARKET.terms,
  });
  const a = (w: { account: { address: Address } }) => w.account.address;
  const parameters = {
    Index_ATPI_FRONTIER: { ...indexParams, description: "ATPI-FRONTIER / USD per 1M tokens" },
    Index_ATPI_SMALL: { ...indexParams, description: "ATPI-SMALL / USD per 1M tokens" },
    Index_GPU_H100: { ...indexParams, description: "GPU-H100 / USD per GPU-hour" },
    MockCollateral: { name: "Mock USD Coin", symbol: "mUSDC", decimals: DECIMALS },
    Clearinghouse: { treasury: a(treasury), insuranceFeeShare: E18 / 2n, liquidatorShare: E18 / 2n },
    Market_ATPI_FRONTIER_NEAR: marketParams(ATPI_FRONTIER_SPEC, expiry),
    Market_ATPI_FRONTIER_NEXT: marketParams(ATPI_FRONTIER_SPEC, nextExpiry),
    Market_GPU_H100_NEAR: marketParams(GPU_H100_SPEC, expiry),
    LocalProtocol: {
      admin: a(admin),
      adminDelay: 0,
      guardian: a(guardian),
      guardianDelay: 0,
      ...Object.fromEntries(
        ["marketAdmin", "riskAdmin", "settlementAdmin", "oracleAdmin", "venueAdmin", "treasuryAdmin"].flatMap(
          (role) => [
            [role, a(roleAdmin)],
            [`${role}Delay`, role === "marketAdmin" || role === "oracleAdmin" ? 0 : 60],
          ],
        ),
      ),
    },
  };
  const deployed = (await ignition.deploy(LocalProtocol, {
    parameters: parameters as never,
  })) as unknown as Record<string, { getAddress(): Promise<string> }>;
  const addressOf = async (name: string) => (await deployed[name].getAddress()) as Address;
  const chAddress = await addressOf("clearinghouse");
  const exchangeAddress = await addressOf("exchange");
  const oracleAddress = await addressOf("indexOracle");
  const tokenAddress = await addressOf("collateral");
  const publicClient = await viem.getPublicClient();
  const chainId = await publicClient.getChainId();
  const ch = getContract({ address: chAddress, abi: clearinghouseAbi, client: publicClient });
  const oracle = getContract({ address: oracleAddress, abi: indexOracleAbi, client: publicClient });
  const token = getContract({ address: tokenAddress, abi: erc20Abi, client: publicClient });
  const indexId = indexIdOf(ATPI_FRONTIER_SPEC.index);
  const marketId = marketIdOf({
    indexId,
    methodologyHash: methodologyHash(ATPI_FRONTIER_SPEC),
    expiry,
    contractSize: MARKET.contractSize,
    tickSize: MARKET.tickSize,
    minSize: MARKET.minSize,
    settlementWindow: Number(MARKET.settlementWindow),
  });
  const symbol = `${ATPI_FRONTIER_SPEC.index}-${dateOfTimestamp(expiry).replace(/-/g, "")}`;
  const deployedAt = BigInt(await time.latest());
  event(
    deployedAt,
    `deploy: Ignition LocalProtocol — Clearinghouse ${chAddress}, Exchange ${exchangeAddress}, ` +
      `IndexOracle ${oracleAddress}; market ${symbol} expires ${isoTime(expiry)} UTC`,
  );

  // ---- keepers ----------------------------------------------------------------------------------------
  const clock = new ManualClock(Number(deployedAt) * 1000);
  const shell = (name: string) => {
    const metrics = new KeeperMetrics(name);
    const transport = resilientTransport(connection.provider, {
      clock,
      timer: NO_TIMEOUT,
      timeoutMs: 60_000,
      attempts: 1,
      baseMs: 1,
      maxMs: 1,
      metrics,
    });
    const client = createPublicClient({ transport, pollingInterval: 1 }) as PublicClient;
    const account = privateKeyToAccount(demoKey(`keeper-${name}`));
    const jobs = new JobStore();
    const log = createLogger(name, "silent");
    const sender = new TxSender({
      client,
      account,
      chainId,
      jobs,
      clock,
      log,
      metrics,
      options: {
        dryRun: false,
        stuckAfterMs: 600_000,
        feeBumpPercent: 20,
        maxFeeBumps: 2,
        receiptPollMs: 1_000,
      },
    });
    return { client, account, jobs, log, metrics, sender };
  };
  const oDomain = oracleDomain(BigInt(chainId), oracleAddress);
  const reporterKeepers = reporters.map(
    (account, i) =>
      new ReporterKeeper({
        spec: ATPI_FRONTIER_SPEC,
        periodSeconds: Number(DAY),
        source: priceSourceOf(PRICE_CSV),
        account,
        domain: oDomain,
        dryRun: false,
        jobs: new JobStore(),
        clock,
        log: createLogger(`reporter-${i + 1}`, "silent"),
        metrics: new KeeperMetrics(`reporter-${i + 1}`),
      }),
  );
  // the relayer pulls every reporter's latest published report, as JSON, as it would over HTTP
  const reportSource: ReportSource = {
    location: "in-process reporters",
    fetch: async () =>
      reporterKeepers.flatMap((r) => {
        const latest = r.latest();
        return latest === undefined ? [] : [JSON.parse(encodePublishedReport(latest)) as unknown];
      }),
  };
  const relayerShell = shell("relayer");
  const relayer = new RelayerKeeper({
    indexName: ATPI_FRONTIER_SPEC.index,
    oracle: oracleAddress,
    domain: oDomain,
    sources: [reportSource],
    decide: {
      heartbeatSeconds: HOUR,
      deviationThreshold: E18 / 200n,
      agreementTolerance: E18 / 1000n,
      freshnessMarginSeconds: 30n,
    },
    client: relayerShell.client,
    sender: relayerShell.sender,
    clock,
    log: relayerShell.log,
    metrics: relayerShell.metrics,
  });
  const orders = new InMemoryOrderSource();
  const eDomain = exchangeDomain(chainId, exchangeAddress);
  const matcherShell = shell("matcher");
  const matcher = new MatcherKeeper({
    exchange: exchangeAddress,
    domain: eDomain,
    source: orders,
    decide: { maxMakers: 8, expiryMarginSeconds: 10n },
    client: matcherShell.client,
    sender: matcherShell.sender,
    clock,
    log: matcherShell.log,
    metrics: matcherShell.metrics,
  });
  const liquidatorShell = shell("liquidator");
  const liquidator = new LiquidatorKeeper({
    clearinghouse: chAddress,
    fromBlock: 0n,
    chunkSize: 2_000n,
    decide: {
      minProfit: 0n,
      gasUnits: 250_000n,
      nativePrice: 3_000n * E18,
      slippage: E18 / 100n,
      expiryMarginSeconds: 60n,
      marginBuffer: E18 / 10n,
      maxCounterparties: 8,
    },
    client: liquidatorShell.client,
    sender: liquidatorShell.sender,
    jobs: liquidatorShell.jobs,
    clock,
    log: liquidatorShell.log,
    metrics: liquidatorShell.metrics,
  });
  const settlerShell = shell("settler");
  const settler = new SettlerKeeper({
    clearinghouse: chAddress,
    markets: [asMarketId(marketId)],
    fromBlock: 0n,
    chunkSize: 2_000n,
    decide: { batchSize: 50, maxBatchesPerTick: 4 },
    client: settlerShell.client,
    sender: settlerShell.sender,
    jobs: settlerShell.jobs,
    clock,
    log: settlerShell.log,
    metrics: settlerShell.metrics,
  });
  for (const s of [relayerShell, matcherShell, liquidatorShell, settlerShell]) {
    await networkHelpers.setBalance(s.account.address, 10n ** 21n);
  }

  // ---- traders ------------------------------------------------------------------------------------------
  await networkHelpers.impersonateAccount(liquidatorShell.account.address);
  const liquidatorWallet = await viem.getWalletClient(liquidatorShell.account.address);
  const traders = {
    hedger: hedgerW,
    provider: providerW,
    marketMakerA: mmAW,
    marketMakerB: mmBW,
    liquidator: liquidatorWallet,
  } as const;
  const roles = Object.keys(traders) as Role[];
  const addr = (role: Role) => traders[role].account.address;
  const roleOf = (who: Address): Role | undefined =>
    roles.find((r) => addr(r).toLowerCase() === who.toLowerCase());
  const deposited = new Map<Role, bigint>();
  const withdrawn = new Map<Role, bigint>();
  const nonces = new Map<Role, bigint>();

  const send = async (kind: string | undefined, hash: Hex) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${kind ?? "transaction"} reverted: ${hash}`);
    if (kind !== undefined) countGas(kind, receipt);
    return receipt;
  };
  for (const role of roles) {
    const wallet = traders[role];
    const amount = usd(DEPOSITS[role]);
    const asTrader = { client: { wallet } };
    const t = await viem.getContractAt("MockERC20", tokenAddress, asTrader);
    await send(undefined, await t.write.mint([wallet.account.address, amount]));
    await send(undefined, await t.write.approve([chAddress, amount]));
    const c = await viem.getContractAt("Clearinghouse", chAddress, asTrader);
    await send("deposit", await c.write.deposit([amount]));
    deposited.set(role, amount);
  }
  const insuranceStart = await ch.read.insuranceFund();
  const treasuryStart = await token.read.balanceOf([a(treasury)]);
  event(
    BigInt(await time.latest()),
    `deposits: ${roles.map((r) => `${r} $${DEPOSITS[r].toLocaleString("en-US")}`).join(", ")}`,
  );

  /** Signs an order for `role` with its own next nonce and adds it to the matcher's source. */
  const place = async (role: Role, isBuy: boolean, size: bigint, limitPrice: bigint, flags: number) => {
    const nonce = nonces.get(role) ?? 0n;
    nonces.set(role, nonce + 1n);
    const now = BigInt(await time.latest());
    const order: Order = {
      trader: addr(role),
      marketId,
      isBuy,
      size,
      limitPrice,
      expiry: now + 6n * HOUR,
      nonce,
      salt: nonce,
      flags,
    };
    const signature = await signOrderViem(traders[role] as never, eDomain, order, addr(role));
    orders.add({ order, signature });
  };
  const runMatcher = async () => {
    const before = matcher.results.length;
    await matcher.tick();
    for (const r of matcher.results.slice(before)) countResult("matchOrders", r);
    if (matcher.dropped.size > 0) {
      throw new Error(`matcher dropped orders: ${[...matcher.dropped.values()].join("; ")}`);
    }
  };
  const positionOf = async (role: Role) => (await ch.read.position([addr(role), marketId]))[0];

  // ---- the quarter ------------------------------------------------------------------------------------
  const prices: PricePoint[] = [];
  const liquidationTimes: number[] = [];
  const liquidated: DemoReport["liquidated"] = [];
  let rounds = 0;
  let lastIndex = 0n;
  const sample = async () => {
    const t = await time.latest();
    const [index] = await oracle.read.latest([indexId]);
    const mark = await ch.read.markPrice([marketId]);
    prices.push({ t, index: index.toString(), mark: mark.toString() });
    return { index, mark };
  };
  const moveTo = async (t: bigint) => {
    if (t > BigInt(await time.latest())) await time.increaseTo(t);
    clock.set((await time.latest()) * 1000);
  };

  for (const [i, date] of days.entries()) {
    const dayIndex = dayDiff(from, date);
    await moveTo(startOfDay(date) + HOUR);
    for (const r of reporterKeepers) await r.tick();
    relayer.lastResult = undefined;
    await relayer.tick();
    countResult("submit", relayer.lastResult);
    rounds += 1;
    const { index } = await sample();
    if (lastIndex === 0n || index !== lastIndex) {
      const move = lastIndex === 0n ? "" : ` (${pct(index, lastIndex)})`;
      event(BigInt(await time.latest()), `round ${date}: ATPI-FRONTIER = $${formatUsd(index)}${move}`);
    }
    lastIndex = index;

    // the liquidator watches every round
    const beforeLiq = liquidator.results.length;
    await liquidator.tick();
    for (const { action, result } of liquidator.results.slice(beforeLiq)) {
      countResult(action.type, result);
      if (action.type !== "liquidate") continue;
      const role = roleOf(action.account)!;
      const t = await time.latest();
      liquidationTimes.push(t);
      liquidated.push({
        account: action.account,
        role,
        size: Number(action.size),
        mark: action.mark.toString(),
        reward: action.reward.toString(),
        t,
      });
      event(
        t,
        `liquidation: ${role} under maintenance margin; the liquidator keeper took over ${action.size} ` +
          `contracts at mark $${formatUsd(action.mark)}, reward ${formatUnits6(action.reward)} mUSDC`,
      );
      // what is left of the position is closed with a reduce-only order against market maker A's quote
      const left = await positionOf(role);
      if (left !== 0n) {
        const size = left < 0n ? -left : left;
        const buy = left < 0n;
        await place("marketMakerA", !buy, size, quote(index, buy ? 30n : -30n), OrderFlags.PostOnly);
        await place(
          role,
          buy,
          size,
          quote(index, buy ? 60n : -60n),
          OrderFlags.ReduceOnly | OrderFlags.ImmediateOrCancel,
        );
        await runMatcher();
        event(await time.latest(), `${role} closes its remaining ${size} contracts (reduce-only, matched)`);
      }
    }

    // trading: the opening day, then once a week until expiry
    if (i === 0) {
      // market maker B quotes tight and short-biased with thin margin: the account that will be liquidated
      await place("marketMakerA", true, 25n, quote(index, -40n), OrderFlags.PostOnly);
      await place("marketMakerA", false, 15n, quote(index, 40n), OrderFlags.PostOnly);
      await place("marketMakerB", true, 5n, quote(index, -20n), OrderFlags.PostOnly);
      await place("marketMakerB", false, 25n, quote(index, 10n), OrderFlags.PostOnly);
      await place("hedger", true, 40n, quote(index, 50n), OrderFlags.ImmediateOrCancel);
      await place("provider", false, 30n, quote(index, -50n), OrderFlags.ImmediateOrCancel);
      await runMatcher();
      event(
        await time.latest(),
        "trading opens: hedger buys 40, provider sells 30; market maker B ends short 20 on $40,000 (≈5× leverage)",
      );
    } else if (dayIndex % 7 === 0) {
      const week = BigInt(dayIndex / 7);
      await place("marketMakerA", true, 6n, quote(index, -30n), OrderFlags.PostOnly);
      await place("marketMakerA", false, 6n, quote(index, 30n), OrderFlags.PostOnly);
      if (week % 2n === 1n)
        await place("hedger", true, 2n + (week % 4n), quote(index, 50n), OrderFlags.ImmediateOrCancel);
      else
        await place(
          "provider",
          false,
          2n + ((week + 1n) % 4n),
          quote(index, -50n),
          OrderFlags.ImmediateOrCancel,
        );
      await runMatcher();
    }
    await sample();
  }

  // ---- expiry and settlement ----------------------------------------------------------------------------
  await moveTo(expiry + 60n);
  event(expiry, `expiry: ${symbol} stops trading`);
  const settle = async (label: string) => {
    const before = settler.results.length;
    await settler.tick();
    for (const { action, result } of settler.results.slice(before)) {
      const kind =
        action.type === "propose"
          ? "proposeSettlement"
          : action.type === "finalize"
            ? "finalizeSettlement"
            : "settleMany";
      countResult(kind, result);
      const t = await time.latest();
      if (action.type === "propose") {
        const s = await ch.read.settlementState([marketId]);
        event(
          t,
          `settler: proposeSettlement at the 24-hour TWAP $${formatUsd(settlementOf(s).proposed)} (${label})`,
        );
      } else if (action.type === "finalize") event(t, `settler: finalizeSettlement after the dispute window`);
      else if (action.type === "settle")
        event(t, `settler: settleMany of ${action.accounts.length} accounts (${action.step})`);
    }
  };
  await settle("expiry + 1 min");
  await moveTo(BigInt(await time.latest()) + BigInt(MARKET.terms.disputeWindow) + 1n);
  for (let i = 0; i < 10 && !settler.done.has(asMarketId(marketId)); i++) {
    await settle("");
    await moveTo(BigInt(await time.latest()) + 1n);
  }
  if (!settler.done.has(asMarketId(marketId))) throw new Error("the settler never finished the market");
  const settlement = settlementOf(await ch.read.settlementState([marketId]));
  const [, , openPositions] = await ch.read.marketState([marketId]);
  let unpaidClaims = 0;
  for (const role of roles) {
    const [size, openNotional] = await ch.read.position([addr(role), marketId]);
    if (size !== 0n) throw new Error(`${role} still holds ${size} contracts after settlement`);
    if (openNotional !== 0n) unpaidClaims += 1;
  }

  // ---- withdrawals -------------------------------------------------------------------------------------
  for (const role of roles) {
    const wallet = traders[role];
    const c = await viem.getContractAt("Clearinghouse", chAddress, { client: { wallet } });
    const [balance] = await ch.read.accountOf([addr(role)]);
    const amount = balance > 0n ? balance : 0n;
    if (amount > 0n) await send("withdraw", await c.write.withdraw([amount]));
    withdrawn.set(role, amount);
  }
  const asTreasury = await viem.getContractAt("Clearinghouse", chAddress, { client: { wallet: treasury } });
  await send("withdrawTreasury", await asTreasury.write.withdrawTreasury());
  await networkHelpers.stopImpersonatingAccount(liquidatorShell.account.address);
  const feesToTreasury = (await token.read.balanceOf([a(treasury)])) - treasuryStart;
  const insuranceFundDelta = (await ch.read.insuranceFund()) - insuranceStart;
  event(
    await time.latest(),
    `withdrawals: every account takes its balance out; the treasury collects ${formatUnits6(feesToTreasury)} mUSDC of fees`,
  );

  const accounts: AccountReport[] = [];
  let sumPnl = 0n;
  for (const role of roles) {
    const [finalBalance] = await ch.read.accountOf([addr(role)]);
    const dep = deposited.get(role) ?? 0n;
    const wd = withdrawn.get(role) ?? 0n;
    const pnl = finalBalance + wd - dep;
    sumPnl += pnl;
    accounts.push({
      address: addr(role),
      role,
      deposited: dep.toString(),
      withdrawn: wd.toString(),
      finalBalance: finalBalance.toString(),
      pnl: pnl.toString(),
    });
  }
  const total = sumPnl + feesToTreasury + insuranceFundDelta;
  // What the Clearinghouse still holds beyond the insurance fund once every account and the treasury
  // are paid out: nothing, if settlement paid out everything it owed.
  // The tally as it stood when the last position settled: claims are paid from what is left of it, so the
  // live `settlementState` counts down to zero as they are paid.
  const [completed] = await publicClient.getContractEvents({
    address: chAddress,
    abi: clearinghouseAbi,
    eventName: "SettlementCompleted",
    args: { marketId },
    fromBlock: 0n,
  });
  if (completed === undefined) throw new Error("the market's settlement never completed");
  const tallyCollected = completed.args.collected! - completed.args.realisedNet!;
  const tallyClaimed = completed.args.claimed!;
  const lockedInClearinghouse =
    (await token.read.balanceOf([chAddress])) -
    (await ch.read.insuranceFund()) -
    (await ch.read.treasuryAccrued()) -
    accounts.reduce((sum, acc) => sum + BigInt(acc.finalBalance), 0n);
  const shortfall = tallyClaimed > tallyCollected ? tallyClaimed - tallyCollected : 0n;

  // ---- trades from the chain -------------------------------------------------------------------------
  const traded = await publicClient.getContractEvents({
    address: chAddress,
    abi: clearinghouseAbi,
    eventName: "Traded",
    fromBlock: 0n,
  });
  const blockTimes = new Map<bigint, number>();
  const trades: TradePoint[] = [];
  for (const e of traded) {
    const bn = e.blockNumber;
    if (!blockTimes.has(bn))
      blockTimes.set(bn, Number((await publicClient.getBlock({ blockNumber: bn })).timestamp));
    const delta = e.args.takerSizeDelta!;
    trades.push({
      t: blockTimes.get(bn)!,
      price: e.args.price!.toString(),
      size: Number(delta < 0n ? -delta : delta),
      side: delta > 0n ? "buy" : "sell",
      maker: e.args.maker!,
      taker: e.args.taker!,
    });
  }

  const gasMedians = Object.fromEntries([...gas.entries()].map(([k, v]) => [k, median(v)]));
  const report: DemoReport = {
    market: { id: marketId, symbol, expiry: Number(expiry), from, to: DEMO_QUARTER.to },
    collateralDecimals: DECIMALS,
    settlementPrice: settlement.final.toString(),
    liquidations: liquidated.length,
    feesToTreasury: feesToTreasury.toString(),
    insuranceFundDelta: insuranceFundDelta.toString(),
    gas: gasMedians,
    accounts,
    conservation: {
      sumPnl: sumPnl.toString(),
      total: total.toString(),
      holds: total === 0n,
      lockedInClearinghouse: lockedInClearinghouse.toString(),
      ledgerCloses: total + lockedInClearinghouse === 0n,
    },
    settlementTally: {
      collected: tallyCollected.toString(),
      claimed: tallyClaimed.toString(),
      shortfall: shortfall.toString(),
    },
    liquidated,
    openPositions: Number(openPositions),
    unpaidClaims,
    rounds,
    trades: trades.length,
    series: { prices, trades, liquidations: liquidationTimes, expiry: Number(expiry) },
    timeline,
  };
  printSummary(report, log);
  return report;
}

/** The final price (and the proposal) from `settlementState`. */
function settlementOf(state: readonly [bigint, bigint, boolean, bigint, bigint, bigint, bigint]): {
  proposed: bigint;
  final: bigint;
} {
  return { proposed: state[0], final: state[3] };
}

function printSummary(r: DemoReport, log: (line: string) => void): void {
  log("");
  log(`settlement price: $${formatUsd(BigInt(r.settlementPrice))} per index unit`);
  log(`index rounds: ${r.rounds}; trades: ${r.trades}; liquidations: ${r.liquidations}`);
  log("");
  log(
    "role           address                                     deposited         withdrawn     final          pnl",
  );
  for (const acc of r.accounts) {
    log(
      `${acc.role.padEnd(14)} ${acc.address}  ${formatUnits6(BigInt(acc.deposited)).padStart(15)}  ` +
        `${formatUnits6(BigInt(acc.withdrawn)).padStart(16)}  ${formatUnits6(BigInt(acc.finalBalance)).padStart(8)}  ` +
        `${formatUnits6(BigInt(acc.pnl)).padStart(14)}`,
    );
  }
  log("");
  log(`fees to the treasury: ${formatUnits6(BigInt(r.feesToTreasury))} mUSDC`);
  log(`insurance fund delta: ${formatUnits6(BigInt(r.insuranceFundDelta))} mUSDC`);
  log(
    `conservation: Σ pnl (${formatUnits6(BigInt(r.conservation.sumPnl))}) + fees to treasury + insurance fund delta = ` +
      `${formatUnits6(BigInt(r.conservation.total))} ${r.conservation.holds ? "✓ exact" : "✗ BROKEN"}`,
  );
  if (!r.conservation.holds) {
    log(
      `  ${formatUnits6(BigInt(r.conservation.lockedInClearinghouse))} mUSDC stays locked in the Clearinghouse ` +
        `(ledger ${r.conservation.ledgerCloses ? "closes with it" : "does NOT close"}): settlement had ` +
        `${formatUnits6(BigInt(r.settlementTally.collected))} for claims but owed ` +
        `${formatUnits6(BigInt(r.settlementTally.claimed))} of gains (gains realised before expiry are escrowed ` +
        `until settlement and claimed with the rest) and paid them pro rata; more than rounding dust here is ` +
        `a settlement defect.`,
    );
  }
  log("");
  log("median gas per operation:");
  for (const [k, v] of Object.entries(r.gas)) log(`  ${k.padEnd(20)} ${v.toLocaleString("en-US")}`);
}

/** `+16.12 %` */
function pct(value: bigint, previous: bigint): string {
  const bp = Number(((value - previous) * 10_000n) / previous) / 100;
  return `${bp >= 0 ? "+" : ""}${bp.toFixed(2)} %`;
}

function dayDiff(a: IsoDate, b: IsoDate): number {
  return Number((startOfDay(b) - startOfDay(a)) / DAY);
}

/**
 * The days with an index round: every day of the quarter, or (short) every seventh day plus the days
 * around the jump of 2025-08-05 and the last two days before expiry.
 */
export function scheduleDays(short: boolean): IsoDate[] {
  const all: IsoDate[] = [];
  for (let d: IsoDate = DEMO_QUARTER.from; d <= DEMO_QUARTER.to; d = addDays(d, 1)) all.push(d);
  if (!short) return all;
  const extra = new Set(["2025-08-04", "2025-08-05", "2025-08-06", "2025-08-07", "2025-09-29", "2025-09-30"]);
  return all.filter((d) => dayDiff(DEMO_QUARTER.from, d) % 7 === 0 || extra.has(d));
}

function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
