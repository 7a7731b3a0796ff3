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
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
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

const walletAddress = (w: { account: { address: Address } }) => w.account.address;

type HardhatViem = NetworkConnection["viem"];
type Wallet = Awaited<ReturnType<HardhatViem["getWalletClient"]>>;
type ChainClient = Awaited<ReturnType<HardhatViem["getPublicClient"]>>;
type DemoContracts = ReturnType<typeof demoContracts>;

/** What the demo records as it goes: the timeline it prints and the gas each kind of transaction used. */
class DemoRecord {
  readonly timeline: string[] = [];
  private readonly gas = new Map<string, number[]>();

  constructor(private readonly log: (line: string) => void) {}

  /** A timeline line at chain time `t`, printed as it happens. */
  event(t: bigint | number, text: string): void {
    const line = `${isoTime(t)}  ${text}`;
    this.timeline.push(line);
    this.log(line);
  }

  countGas(kind: string, receipt: TransactionReceipt): void {
    this.gas.set(kind, [...(this.gas.get(kind) ?? []), Number(receipt.gasUsed)]);
  }

  /** Counts a keeper's confirmed transaction; anything else it sent fails the demo. */
  countResult(kind: string, result: ExecuteResult | undefined): void {
    if (result?.status === "confirmed") this.countGas(kind, result.receipt);
    else if (result !== undefined) throw new Error(`${kind}: ${JSON.stringify(result, bigintJson)}`);
  }

  gasMedians(): Record<string, number> {
    return Object.fromEntries([...this.gas.entries()].map(([k, v]) => [k, median(v)]));
  }
}

/** The protocol as deployed, and the one market the demo trades. */
interface Deployment {
  /** The days with an index round (`scheduleDays`). */
  readonly days: IsoDate[];
  readonly expiry: bigint;
  readonly symbol: string;
  readonly indexId: Hex;
  readonly marketId: Hex;
  readonly chainId: number;
  /** The oracle's reporter keys, one per reporter keeper. */
  readonly reporters: PrivateKeyAccount[];
  readonly deployedAt: bigint;
  readonly chAddress: Address;
  readonly exchangeAddress: Address;
  readonly oracleAddress: Address;
  readonly tokenAddress: Address;
  readonly publicClient: ChainClient;
  /** Read-only views of the Clearinghouse, the IndexOracle and the collateral token. */
  readonly contracts: DemoContracts;
  readonly treasury: Wallet;
  /** The Hardhat accounts that trade (the liquidator trades from its keeper's account). */
  readonly traderWallets: Record<Exclude<Role, "liquidator">, Wallet>;
}

/** The real keepers, ticked by hand on one manual clock. */
interface Keepers {
  readonly clock: ManualClock;
  readonly reporters: ReporterKeeper[];
  readonly relayer: RelayerKeeper;
  /** The matcher's order book: `place` adds signed orders to it. */
  readonly orders: InMemoryOrderSource;
  readonly exchangeDomain: ReturnType<typeof exchangeDomain>;
  readonly matcher: MatcherKeeper;
  readonly liquidator: LiquidatorKeeper;
  /** The liquidator keeper's account, which also trades its takeovers away as the `liquidator` role. */
  readonly liquidatorAccount: Address;
  readonly settler: SettlerKeeper;
}

/** The five trading accounts and what they put in. */
interface Traders {
  readonly wallets: Record<Role, Wallet>;
  readonly roles: Role[];
  readonly deposited: Map<Role, bigint>;
  /** Each role's next order nonce. */
  readonly nonces: Map<Role, bigint>;
  /** The insurance fund and the treasury's token balance after the deposits, before any trade. */
  readonly insuranceStart: bigint;
  readonly treasuryStart: bigint;
}

/** What every phase works on; setup phases take the part that exists by then. */
interface DemoContext {
  readonly connection: NetworkConnection;
  readonly record: DemoRecord;
  readonly chain: Deployment;
  readonly keepers: Keepers;
  readonly traders: Traders;
}

/** What the quarter of trading leaves for the report. */
interface Quarter {
  readonly prices: PricePoint[];
  readonly liquidationTimes: number[];
  readonly liquidated: DemoReport["liquidated"];
  rounds: number;
  lastIndex: bigint;
}

/** What the withdrawals paid out. */
interface Payout {
  readonly withdrawn: Map<Role, bigint>;
  readonly feesToTreasury: bigint;
  readonly insuranceFundDelta: bigint;
}

/** Runs the demo on `connection` (an in-process chain started with `marketDemoGenesis()`). */
export async function runMarketDemo(
  connection: NetworkConnection,
  options: DemoOptions,
): Promise<DemoReport> {
  const record = new DemoRecord(options.log);
  const chain = await deploy({ connection, record }, options.short);
  const keepers = await startKeepers({ connection, chain });
  const traders = await fundTraders({ connection, record, chain, keepers });
  const demo: DemoContext = { connection, record, chain, keepers, traders };

  const quarter = await tradeTheQuarter(demo);
  const settled = await expireAndSettle(demo);
  const payout = await withdrawAll(demo);
  const books = await closeTheBooks(demo, payout);
  const trades = await tradesFromChain(demo);

  const { expiry, marketId, symbol } = chain;
  const report: DemoReport = {
    market: { id: marketId, symbol, expiry: Number(expiry), from: DEMO_QUARTER.from, to: DEMO_QUARTER.to },
    collateralDecimals: DECIMALS,
    settlementPrice: settled.finalPrice.toString(),
    liquidations: quarter.liquidated.length,
    feesToTreasury: payout.feesToTreasury.toString(),
    insuranceFundDelta: payout.insuranceFundDelta.toString(),
    gas: record.gasMedians(),
    accounts: books.accounts,
    conservation: {
      sumPnl: books.sumPnl.toString(),
      total: books.total.toString(),
      holds: books.total === 0n,
      lockedInClearinghouse: books.lockedInClearinghouse.toString(),
      ledgerCloses: books.total + books.lockedInClearinghouse === 0n,
    },
    settlementTally: books.settlementTally,
    liquidated: quarter.liquidated,
    openPositions: settled.openPositions,
    unpaidClaims: settled.unpaidClaims,
    rounds: quarter.rounds,
    trades: trades.length,
    series: {
      prices: quarter.prices,
      trades,
      liquidations: quarter.liquidationTimes,
      expiry: Number(expiry),
    },
    timeline: record.timeline,
  };
  printSummary(report, options.log);
  return report;
}

// ---- deploy ---------------------------------------------------------------------------------------------

/** Deploys `LocalProtocol` with the demo's parameters; the near ATPI-FRONTIER market is the one traded. */
async function deploy(
  { connection, record }: Pick<DemoContext, "connection" | "record">,
  short: boolean,
): Promise<Deployment> {
  const { viem, ignition, networkHelpers } = connection;
  const expiry = startOfDay(DEMO_QUARTER.to) + 8n * HOUR;
  const nextExpiry = startOfDay(addDays(DEMO_QUARTER.to, 91)) + 8n * HOUR;
  const days = scheduleDays(short);
  const maxGap = days.reduce((m, d, i) => (i === 0 ? m : Math.max(m, dayDiff(days[i - 1], d))), 1);
  const wallets = await viem.getWalletClients();
  const [, admin, guardian, roleAdmin, treasury, hedger, provider, marketMakerA, marketMakerB] = wallets;
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
  const a = walletAddress;
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
  const contracts = demoContracts(publicClient, chAddress, oracleAddress, tokenAddress);
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
  const deployedAt = BigInt(await networkHelpers.time.latest());
  record.event(
    deployedAt,
    `deploy: Ignition LocalProtocol — Clearinghouse ${chAddress}, Exchange ${exchangeAddress}, ` +
      `IndexOracle ${oracleAddress}; market ${symbol} expires ${isoTime(expiry)} UTC`,
  );
  return {
    days,
    expiry,
    symbol,
    indexId,
    marketId,
    chainId,
    reporters,
    deployedAt,
    chAddress,
    exchangeAddress,
    oracleAddress,
    tokenAddress,
    publicClient,
    contracts,
    treasury,
    traderWallets: { hedger, provider, marketMakerA, marketMakerB },
  };
}

function demoContracts(
  client: ChainClient,
  chAddress: Address,
  oracleAddress: Address,
  tokenAddress: Address,
) {
  return {
    ch: getContract({ address: chAddress, abi: clearinghouseAbi, client }),
    oracle: getContract({ address: oracleAddress, abi: indexOracleAbi, client }),
    token: getContract({ address: tokenAddress, abi: erc20Abi, client }),
  };
}

// ---- keepers --------------------------------------------------------------------------------------------

/** Five reporters, the relayer, the matcher, the liquidator and the settler, each on its own shell. */
async function startKeepers({
  connection,
  chain,
}: Pick<DemoContext, "connection" | "chain">): Promise<Keepers> {
  const { chainId, oracleAddress, exchangeAddress, chAddress, marketId } = chain;
  const clock = new ManualClock(Number(chain.deployedAt) * 1000);
  const shell = (name: string) => keeperShell(connection, clock, chainId, name);
  const oDomain = oracleDomain(BigInt(chainId), oracleAddress);
  const reporters = chain.reporters.map(
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
      reporters.flatMap((r) => {
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
    await connection.networkHelpers.setBalance(s.account.address, 10n ** 21n);
  }
  return {
    clock,
    reporters,
    relayer,
    orders,
    exchangeDomain: eDomain,
    matcher,
    liquidator,
    liquidatorAccount: liquidatorShell.account.address,
    settler,
  };
}

/** One keeper's client, key, job store, logger, metrics and sender, on the demo's chain and clock. */
function keeperShell(connection: NetworkConnection, clock: ManualClock, chainId: number, name: string) {
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
}

// ---- traders --------------------------------------------------------------------------------------------

/** Mints, approves and deposits each role's collateral; the liquidator trades from its keeper's account. */
async function fundTraders(
  demo: Pick<DemoContext, "connection" | "record" | "chain" | "keepers">,
): Promise<Traders> {
  const { viem, networkHelpers } = demo.connection;
  const { chAddress, tokenAddress, treasury, traderWallets } = demo.chain;
  const { ch, token } = demo.chain.contracts;
  await networkHelpers.impersonateAccount(demo.keepers.liquidatorAccount);
  const liquidatorWallet = await viem.getWalletClient(demo.keepers.liquidatorAccount);
  const wallets = { ...traderWallets, liquidator: liquidatorWallet };
  const roles = Object.keys(wallets) as Role[];
  const deposited = new Map<Role, bigint>();
  for (const role of roles) {
    const wallet = wallets[role];
    const amount = usd(DEPOSITS[role]);
    const asTrader = { client: { wallet } };
    const t = await viem.getContractAt("MockERC20", tokenAddress, asTrader);
    await send(demo, undefined, await t.write.mint([wallet.account.address, amount]));
    await send(demo, undefined, await t.write.approve([chAddress, amount]));
    const c = await viem.getContractAt("Clearinghouse", chAddress, asTrader);
    await send(demo, "deposit", await c.write.deposit([amount]));
    deposited.set(role, amount);
  }
  const insuranceStart = await ch.read.insuranceFund();
  const treasuryStart = await token.read.balanceOf([walletAddress(treasury)]);
  demo.record.event(
    BigInt(await networkHelpers.time.latest()),
    `deposits: ${roles.map((r) => `${r} $${DEPOSITS[r].toLocaleString("en-US")}`).join(", ")}`,
  );
  return { wallets, roles, deposited, nonces: new Map(), insuranceStart, treasuryStart };
}

/** Waits for a transaction, fails on a revert, and counts its gas under `kind` (when given). */
async function send(
  { record, chain }: Pick<DemoContext, "record" | "chain">,
  kind: string | undefined,
  hash: Hex,
): Promise<TransactionReceipt> {
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${kind ?? "transaction"} reverted: ${hash}`);
  if (kind !== undefined) record.countGas(kind, receipt);
  return receipt;
}

function addressOfRole(demo: DemoContext, role: Role): Address {
  return demo.traders.wallets[role].account.address;
}

function roleOf(demo: DemoContext, who: Address): Role | undefined {
  return demo.traders.roles.find((r) => addressOfRole(demo, r).toLowerCase() === who.toLowerCase());
}

/** Signs an order for `role` with its own next nonce and adds it to the matcher's source. */
async function place(
  demo: DemoContext,
  role: Role,
  isBuy: boolean,
  size: bigint,
  limitPrice: bigint,
  flags: number,
): Promise<void> {
  const { nonces, wallets } = demo.traders;
  const nonce = nonces.get(role) ?? 0n;
  nonces.set(role, nonce + 1n);
  const now = BigInt(await demo.connection.networkHelpers.time.latest());
  const order: Order = {
    trader: addressOfRole(demo, role),
    marketId: demo.chain.marketId,
    isBuy,
    size,
    limitPrice,
    expiry: now + 6n * HOUR,
    nonce,
    salt: nonce,
    flags,
  };
  const signature = await signOrderViem(
    wallets[role] as never,
    demo.keepers.exchangeDomain,
    order,
    addressOfRole(demo, role),
  );
  demo.keepers.orders.add({ order, signature });
}

/** One matcher tick: every match must confirm and no order may be dropped. */
async function runMatcher(demo: DemoContext): Promise<void> {
  const { matcher } = demo.keepers;
  const before = matcher.results.length;
  await matcher.tick();
  for (const r of matcher.results.slice(before)) demo.record.countResult("matchOrders", r);
  if (matcher.dropped.size > 0) {
    throw new Error(`matcher dropped orders: ${[...matcher.dropped.values()].join("; ")}`);
  }
}

async function positionOf(demo: DemoContext, role: Role): Promise<bigint> {
  return (await demo.chain.contracts.ch.read.position([addressOfRole(demo, role), demo.chain.marketId]))[0];
}

/** Moves the chain forward to `t` (never back) and sets the keepers' clock to the chain's time. */
async function moveTo(demo: DemoContext, t: bigint): Promise<void> {
  const { time } = demo.connection.networkHelpers;
  if (t > BigInt(await time.latest())) await time.increaseTo(t);
  demo.keepers.clock.set((await time.latest()) * 1000);
}

// ---- the quarter ----------------------------------------------------------------------------------------

/** Each scheduled day: an index round, the liquidator's watch, then that day's trading. */
async function tradeTheQuarter(demo: DemoContext): Promise<Quarter> {
  const quarter: Quarter = { prices: [], liquidationTimes: [], liquidated: [], rounds: 0, lastIndex: 0n };
  for (const [i, date] of demo.chain.days.entries()) {
    const index = await indexRound(demo, quarter, date);
    await liquidateAndClose(demo, quarter, index);
    await tradeTheDay(demo, i, dayDiff(DEMO_QUARTER.from, date), index);
    await sample(demo, quarter);
  }
  return quarter;
}

/** The reporters sign `date`'s index and the relayer submits the round; returns the new index. */
async function indexRound(demo: DemoContext, quarter: Quarter, date: IsoDate): Promise<bigint> {
  const { reporters, relayer } = demo.keepers;
  await moveTo(demo, startOfDay(date) + HOUR);
  for (const r of reporters) await r.tick();
  relayer.lastResult = undefined;
  await relayer.tick();
  demo.record.countResult("submit", relayer.lastResult);
  quarter.rounds += 1;
  const { index } = await sample(demo, quarter);
  const { lastIndex } = quarter;
  if (lastIndex === 0n || index !== lastIndex) {
    const move = lastIndex === 0n ? "" : ` (${pct(index, lastIndex)})`;
    demo.record.event(
      BigInt(await demo.connection.networkHelpers.time.latest()),
      `round ${date}: ATPI-FRONTIER = $${formatUsd(index)}${move}`,
    );
  }
  quarter.lastIndex = index;
  return index;
}

/** Records the index and the mark now. */
async function sample(demo: DemoContext, quarter: Quarter): Promise<{ index: bigint; mark: bigint }> {
  const { oracle, ch } = demo.chain.contracts;
  const t = await demo.connection.networkHelpers.time.latest();
  const [index] = await oracle.read.latest([demo.chain.indexId]);
  const mark = await ch.read.markPrice([demo.chain.marketId]);
  quarter.prices.push({ t, index: index.toString(), mark: mark.toString() });
  return { index, mark };
}

/**
 * The liquidator watches every round; each account it liquidates then closes what is left of its position
 * with a reduce-only order against market maker A's quote.
 */
async function liquidateAndClose(demo: DemoContext, quarter: Quarter, index: bigint): Promise<void> {
  const { liquidator } = demo.keepers;
  const { time } = demo.connection.networkHelpers;
  const beforeLiq = liquidator.results.length;
  await liquidator.tick();
  for (const { action, result } of liquidator.results.slice(beforeLiq)) {
    demo.record.countResult(action.type, result);
    if (action.type !== "liquidate") continue;
    const role = roleOf(demo, action.account)!;
    const t = await time.latest();
    quarter.liquidationTimes.push(t);
    quarter.liquidated.push({
      account: action.account,
      role,
      size: Number(action.size),
      mark: action.mark.toString(),
      reward: action.reward.toString(),
      t,
    });
    demo.record.event(
      t,
      `liquidation: ${role} under maintenance margin; the liquidator keeper took over ${action.size} ` +
        `contracts at mark $${formatUsd(action.mark)}, reward ${formatUnits6(action.reward)} mUSDC`,
    );
    const left = await positionOf(demo, role);
    if (left !== 0n) {
      const size = left < 0n ? -left : left;
      const buy = left < 0n;
      await place(demo, "marketMakerA", !buy, size, quote(index, buy ? 30n : -30n), OrderFlags.PostOnly);
      await place(
        demo,
        role,
        buy,
        size,
        quote(index, buy ? 60n : -60n),
        OrderFlags.ReduceOnly | OrderFlags.ImmediateOrCancel,
      );
      await runMatcher(demo);
      demo.record.event(
        await time.latest(),
        `${role} closes its remaining ${size} contracts (reduce-only, matched)`,
      );
    }
  }
}

/** Trading: the opening day (`i` 0), then once a week until expiry. */
async function tradeTheDay(demo: DemoContext, i: number, dayIndex: number, index: bigint): Promise<void> {
  if (i === 0) {
    // market maker B quotes tight and short-biased with thin margin: the account that will be liquidated
    await place(demo, "marketMakerA", true, 25n, quote(index, -40n), OrderFlags.PostOnly);
    await place(demo, "marketMakerA", false, 15n, quote(index, 40n), OrderFlags.PostOnly);
    await place(demo, "marketMakerB", true, 5n, quote(index, -20n), OrderFlags.PostOnly);
    await place(demo, "marketMakerB", false, 25n, quote(index, 10n), OrderFlags.PostOnly);
    await place(demo, "hedger", true, 40n, quote(index, 50n), OrderFlags.ImmediateOrCancel);
    await place(demo, "provider", false, 30n, quote(index, -50n), OrderFlags.ImmediateOrCancel);
    await runMatcher(demo);
    demo.record.event(
      await demo.connection.networkHelpers.time.latest(),
      "trading opens: hedger buys 40, provider sells 30; market maker B ends short 20 on $40,000 (≈5× leverage)",
    );
  } else if (dayIndex % 7 === 0) {
    const week = BigInt(dayIndex / 7);
    await place(demo, "marketMakerA", true, 6n, quote(index, -30n), OrderFlags.PostOnly);
    await place(demo, "marketMakerA", false, 6n, quote(index, 30n), OrderFlags.PostOnly);
    if (week % 2n === 1n)
      await place(demo, "hedger", true, 2n + (week % 4n), quote(index, 50n), OrderFlags.ImmediateOrCancel);
    else
      await place(
        demo,
        "provider",
        false,
        2n + ((week + 1n) % 4n),
        quote(index, -50n),
        OrderFlags.ImmediateOrCancel,
      );
    await runMatcher(demo);
  }
}

// ---- expiry and settlement ------------------------------------------------------------------------------

/** Past expiry the settler proposes, finalizes after the dispute window, and settles every account. */
async function expireAndSettle(
  demo: DemoContext,
): Promise<{ finalPrice: bigint; openPositions: number; unpaidClaims: number }> {
  const { expiry, symbol, marketId } = demo.chain;
  const { ch } = demo.chain.contracts;
  const { settler } = demo.keepers;
  const { time } = demo.connection.networkHelpers;
  await moveTo(demo, expiry + 60n);
  demo.record.event(expiry, `expiry: ${symbol} stops trading`);
  await settlerTick(demo, "expiry + 1 min");
  await moveTo(demo, BigInt(await time.latest()) + BigInt(MARKET.terms.disputeWindow) + 1n);
  for (let i = 0; i < 10 && !settler.done.has(asMarketId(marketId)); i++) {
    await settlerTick(demo, "");
    await moveTo(demo, BigInt(await time.latest()) + 1n);
  }
  if (!settler.done.has(asMarketId(marketId))) throw new Error("the settler never finished the market");
  const settlement = settlementOf(await ch.read.settlementState([marketId]));
  const [, , openPositions] = await ch.read.marketState([marketId]);
  let unpaidClaims = 0;
  for (const role of demo.traders.roles) {
    const [size, openNotional] = await ch.read.position([addressOfRole(demo, role), marketId]);
    if (size !== 0n) throw new Error(`${role} still holds ${size} contracts after settlement`);
    if (openNotional !== 0n) unpaidClaims += 1;
  }
  return { finalPrice: settlement.final, openPositions: Number(openPositions), unpaidClaims };
}

/** One settler tick, each of its transactions counted and put on the timeline. */
async function settlerTick(demo: DemoContext, label: string): Promise<void> {
  const { settler } = demo.keepers;
  const before = settler.results.length;
  await settler.tick();
  for (const { action, result } of settler.results.slice(before)) {
    const kind =
      action.type === "propose"
        ? "proposeSettlement"
        : action.type === "finalize"
          ? "finalizeSettlement"
          : "settleMany";
    demo.record.countResult(kind, result);
    const t = await demo.connection.networkHelpers.time.latest();
    if (action.type === "propose") {
      const s = await demo.chain.contracts.ch.read.settlementState([demo.chain.marketId]);
      demo.record.event(
        t,
        `settler: proposeSettlement at the 24-hour TWAP $${formatUsd(settlementOf(s).proposed)} (${label})`,
      );
    } else if (action.type === "finalize")
      demo.record.event(t, `settler: finalizeSettlement after the dispute window`);
    else if (action.type === "settle")
      demo.record.event(t, `settler: settleMany of ${action.accounts.length} accounts (${action.step})`);
  }
}

// ---- withdrawals ----------------------------------------------------------------------------------------

/** Every account and the treasury take their balance out. */
async function withdrawAll(demo: DemoContext): Promise<Payout> {
  const { viem, networkHelpers } = demo.connection;
  const { chAddress, treasury } = demo.chain;
  const { ch, token } = demo.chain.contracts;
  const withdrawn = new Map<Role, bigint>();
  for (const role of demo.traders.roles) {
    const wallet = demo.traders.wallets[role];
    const c = await viem.getContractAt("Clearinghouse", chAddress, { client: { wallet } });
    const [balance] = await ch.read.accountOf([addressOfRole(demo, role)]);
    const amount = balance > 0n ? balance : 0n;
    if (amount > 0n) await send(demo, "withdraw", await c.write.withdraw([amount]));
    withdrawn.set(role, amount);
  }
  const asTreasury = await viem.getContractAt("Clearinghouse", chAddress, { client: { wallet: treasury } });
  await send(demo, "withdrawTreasury", await asTreasury.write.withdrawTreasury());
  await networkHelpers.stopImpersonatingAccount(demo.keepers.liquidatorAccount);
  const feesToTreasury = (await token.read.balanceOf([walletAddress(treasury)])) - demo.traders.treasuryStart;
  const insuranceFundDelta = (await ch.read.insuranceFund()) - demo.traders.insuranceStart;
  demo.record.event(
    await networkHelpers.time.latest(),
    `withdrawals: every account takes its balance out; the treasury collects ${formatUnits6(feesToTreasury)} mUSDC of fees`,
  );
  return { withdrawn, feesToTreasury, insuranceFundDelta };
}

/** Each account's PnL, and where every token of the Clearinghouse ended up. */
async function closeTheBooks(
  demo: DemoContext,
  payout: Payout,
): Promise<{
  accounts: AccountReport[];
  sumPnl: bigint;
  total: bigint;
  lockedInClearinghouse: bigint;
  settlementTally: DemoReport["settlementTally"];
}> {
  const { chAddress, marketId, publicClient } = demo.chain;
  const { ch, token } = demo.chain.contracts;
  const accounts: AccountReport[] = [];
  let sumPnl = 0n;
  for (const role of demo.traders.roles) {
    const [finalBalance] = await ch.read.accountOf([addressOfRole(demo, role)]);
    const dep = demo.traders.deposited.get(role) ?? 0n;
    const wd = payout.withdrawn.get(role) ?? 0n;
    const pnl = finalBalance + wd - dep;
    sumPnl += pnl;
    accounts.push({
      address: addressOfRole(demo, role),
      role,
      deposited: dep.toString(),
      withdrawn: wd.toString(),
      finalBalance: finalBalance.toString(),
      pnl: pnl.toString(),
    });
  }
  const total = sumPnl + payout.feesToTreasury + payout.insuranceFundDelta;
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
  // What the Clearinghouse still holds beyond the insurance fund once every account and the treasury
  // are paid out: nothing, if settlement paid out everything it owed.
  const lockedInClearinghouse =
    (await token.read.balanceOf([chAddress])) -
    (await ch.read.insuranceFund()) -
    (await ch.read.treasuryAccrued()) -
    accounts.reduce((sum, acc) => sum + BigInt(acc.finalBalance), 0n);
  const shortfall = tallyClaimed > tallyCollected ? tallyClaimed - tallyCollected : 0n;
  return {
    accounts,
    sumPnl,
    total,
    lockedInClearinghouse,
    settlementTally: {
      collected: tallyCollected.toString(),
      claimed: tallyClaimed.toString(),
      shortfall: shortfall.toString(),
    },
  };
}

// ---- trades from the chain ------------------------------------------------------------------------------

/** Every `Traded` event, with its block's time. */
async function tradesFromChain(demo: DemoContext): Promise<TradePoint[]> {
  const { publicClient, chAddress } = demo.chain;
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
  return trades;
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
