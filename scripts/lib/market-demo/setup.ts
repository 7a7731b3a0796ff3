/**
 * The demo's setup phases: deploy the protocol, start the keepers, fund the traders.
 */
import type { NetworkConnection } from "hardhat/types/network";
import { createPublicClient, keccak256, stringToHex, type Address, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import LocalProtocol from "../../../ignition/modules/LocalProtocol.js";
import {
  ATPI_FRONTIER_SPEC,
  GPU_H100_SPEC,
  addDays,
  dateOfTimestamp,
  methodologyHash,
  startOfDay,
} from "../../../index/index.js";
import { indexIdOf } from "../../../index/ids.js";
import { LiquidatorKeeper } from "../../../keepers/liquidator/keeper.js";
import { MatcherKeeper } from "../../../keepers/matcher/keeper.js";
import { InMemoryOrderSource } from "../../../keepers/matcher/orders.js";
import { RelayerKeeper, type ReportSource } from "../../../keepers/relayer/keeper.js";
import { priceSourceOf, ReporterKeeper } from "../../../keepers/reporter/keeper.js";
import { encodePublishedReport } from "../../../keepers/reporter/wire.js";
import { SettlerKeeper } from "../../../keepers/settler/keeper.js";
import { ManualClock, type Clock } from "../../../keepers/shell/clock.js";
import { JobStore } from "../../../keepers/shell/jobs.js";
import { createLogger } from "../../../keepers/shell/log.js";
import { KeeperMetrics } from "../../../keepers/shell/metrics.js";
import { TxSender } from "../../../keepers/shell/sender.js";
import { resilientTransport } from "../../../keepers/shell/transport.js";
import { exchangeDomain } from "../../../sdk/core/eip712/orders.js";
import { oracleDomain } from "../../../sdk/core/eip712/reports.js";
import { asMarketId } from "../../../sdk/core/ids.js";
import { marketIdOf } from "../addressBook.js";
import { demoReporters } from "../oracle-demo.js";
import {
  demoContracts,
  isoTime,
  send,
  walletAddress,
  type DemoContext,
  type Deployment,
  type Keepers,
  type Traders,
} from "./context.js";
import {
  DAY,
  DECIMALS,
  DEMO_QUARTER,
  DEPOSITS,
  E18,
  HOUR,
  MARKET,
  PRICE_CSV,
  dayDiff,
  scheduleDays,
  usd,
  type Role,
} from "./terms.js";

/** Demo keys, derived from public strings: never use them on a real chain. */
function demoKey(name: string): Hex {
  return keccak256(stringToHex(`atf-demo-${name}`));
}

/** A timer whose sleeps never end: in-process calls need no timeout. */
const NO_TIMEOUT: Clock = { nowMs: () => 0, sleep: () => new Promise<void>(() => undefined) };

/** Deploys `LocalProtocol` with the demo's parameters; the near ATPI-FRONTIER market is the one traded. */
export async function deploy(
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

/** Five reporters, the relayer, the matcher, the liquidator and the settler, each on its own shell. */
export async function startKeepers({
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

/** Mints, approves and deposits each role's collateral; the liquidator trades from its keeper's account. */
export async function fundTraders(
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
