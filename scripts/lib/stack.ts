/**
 * The local stack: an in-process Hardhat JSON-RPC server on loopback, the protocol deployed with
 * Ignition (expiries relative to today), extra markets created by the market admin so that both
 * kinds of index carry at least two expiries, funded traders, and the keepers running in this
 * process (reporters, relayers, matcher, liquidator, settler), each with its own metrics port.
 * `stopStack` stops the keepers first, then the server.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import { HardhatArtifactResolver } from "@nomicfoundation/hardhat-ignition/helpers";
import { deploy, DeploymentResultType } from "@nomicfoundation/ignition-core";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import {
  createPublicClient,
  createWalletClient,
  http,
  parseAbi,
  type Chain,
  type Hex,
  type PublicClient,
} from "viem";
import { writeContract } from "viem/actions";
import { privateKeyToAccount } from "viem/accounts";

import { GENAI_SNAPSHOTS, historyPriceCsv, historyPriceRows } from "../../index/history.js";
import {
  ATPI_FRONTIER_SPEC,
  ATPI_SMALL_SPEC,
  computeRound,
  INDEX_SPECS,
  IndexError,
  methodologyHash,
} from "../../index/index.js";
import { indexIdOf } from "../../index/ids.js";
import { MARKETS } from "../../ignition/layout.js";
import LocalProtocol from "../../ignition/modules/LocalProtocol.js";
import { runLiquidator, runMatcher, runRelayer, runReporter, runSettler } from "../../keepers/app.js";
import {
  liquidatorConfigSchema,
  matcherConfigSchema,
  relayerConfigSchema,
  reporterConfigSchema,
  settlerConfigSchema,
} from "../../keepers/configs.js";
import type { WriteClient } from "../../sdk/viem/index.js";
import { createMarketAsOperator, type NewMarket } from "../../cli/operator.js";
import { addMarketToBook } from "../../cli/helpers.js";
import { exportAddresses } from "../export-addresses.js";
import { marketSymbol, type PlainAddressBook } from "./addressBook.js";
import { testAccount, TRADER_INDICES, type TestAccount } from "./testAccounts.js";

/** The liquidator keeper's test account. */
export const LIQUIDATOR_INDEX = 12;
/** Collateral deposited for the liquidator keeper, whole tokens. */
export const LIQUIDATOR_MARGIN_TOKENS = 1_000_000n;

export interface StackOptions {
  /** Loopback host of the JSON-RPC server. */
  host: string;
  /** JSON-RPC port (0: any free port). */
  port: number;
  /** First keeper metrics port, the others follow (0: any free port for each). */
  metricsPortBase: number;
  /** Working directory: Ignition journal, parameters, dated price files, reports, orders. */
  stateDir: string;
  /** Where the address book `localhost.json` is written. */
  outDir: string;
  /** Keepers' log level (pino). */
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Reporter observation period, seconds. */
  periodSeconds: number;
  /** Block interval of the chain once deployed, ms (transactions are still mined at once). */
  blockIntervalMs: number;
  /**
   * Seconds after a market's expiry during which the settler keeper leaves positions and claims to
   * their traders (it proposes and finalizes at once); 0: it settles them as soon as the price is final.
   */
  settlerGraceSeconds?: number;
  /** Collateral minted to each trader account, whole tokens. */
  traderFunding: bigint;
  /** Line sink for progress. */
  log: (line: string) => void;
}

export interface StackMarket {
  symbol: string;
  id: Hex;
  index: string;
  expiry: number;
}

export interface RunningStack {
  rpcUrl: string;
  chainId: number;
  book: PlainAddressBook;
  bookFile: string;
  markets: StackMarket[];
  keepers: { name: string; url: string }[];
  /**
   * The price file each index's reporters read: `real` when it is the committed CSV combined with the
   * genai-prices snapshots as is (`latest`: the newest snapshot), else a fixture copy moved
   * `shiftDays` forward so its `latest` date is today.
   */
  priceFiles: { index: string; file: string; shiftDays: number; latest: string; real: boolean }[];
  ordersFile: string;
  traders: TestAccount[];
  /** Resolves when every keeper has stopped (after `stop`, or if one fails). */
  done: Promise<void>;
  stop(): Promise<void>;
}

const DAY = 86_400;

/** Last Friday of the month (`month` 0-based), 08:00 UTC, unix seconds. */
function lastFriday(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0, 8));
  const back = (last.getUTCDay() - 5 + 7) % 7;
  return last.getTime() / 1000 - back * DAY;
}

/** The next `count` quarterly expiries (last Friday of Mar/Jun/Sep/Dec, 08:00 UTC) at least `leadDays` away. */
export function quarterlyExpiries(nowSeconds: number, count: number, leadDays = 7): number[] {
  const out: number[] = [];
  const start = new Date(nowSeconds * 1000);
  for (let q = 0; out.length < count && q < 12; q++) {
    const monthIndex = start.getUTCMonth() + q;
    const year = start.getUTCFullYear() + Math.floor(monthIndex / 12);
    const month = monthIndex % 12;
    if (month % 3 !== 2) continue;
    const expiry = lastFriday(year, month);
    if (expiry >= nowSeconds + leadDays * DAY) out.push(expiry);
  }
  return out;
}

/**
 * Re-dates a fixture CSV (first column a `YYYY-MM-DD` date) so that its latest date is `today`:
 * every date moves forward by the same number of days, so the methodology sees the same history,
 * ending today.
 */
export function redateCsv(text: string, today: string): { text: string; shiftDays: number; latest: string } {
  const lines = text.split(/\r?\n/);
  const dates = lines
    .slice(1)
    .filter((l) => l.trim() !== "")
    .map((l) => l.slice(0, 10));
  const latest = dates.reduce((a, b) => (a > b ? a : b));
  const shiftDays = Math.round(
    (Date.parse(`${today}T00:00:00Z`) - Date.parse(`${latest}T00:00:00Z`)) / (DAY * 1000),
  );
  const shift = (d: string) =>
    new Date(Date.parse(`${d}T00:00:00Z`) + shiftDays * DAY * 1000).toISOString().slice(0, 10);
  const out = lines.map((l, i) => (i === 0 || l.trim() === "" ? l : shift(l.slice(0, 10)) + l.slice(10)));
  return { text: out.join("\n"), shiftDays, latest };
}

/**
 * The combined list-price table (`index/history.ts`) when both ATPI 1.0.0 indices have a value on
 * `today` from it without moving any date, else undefined.
 */
export function realPriceFile(today: string): { text: string; latest: string } | undefined {
  const rows = historyPriceRows();
  try {
    computeRound(ATPI_FRONTIER_SPEC, rows, today);
    computeRound(ATPI_SMALL_SPEC, rows, today);
  } catch (e) {
    if (e instanceof IndexError) return undefined;
    throw e;
  }
  return { text: historyPriceCsv(), latest: GENAI_SNAPSHOTS[GENAI_SNAPSHOTS.length - 1].publishedOn };
}

/** The fixture file each index reads. */
const PRICE_FIXTURES: Record<string, string> = {
  "ATPI-FRONTIER": "ai-token-list-prices.csv",
  "ATPI-SMALL": "ai-token-list-prices.csv",
  "GPU-H100": "h100-quotes.csv",
};

/**
 * Markets the market admin creates after the deployment (the layout's slots cover the rest), with the
 * risk of `like` and, when given, their own `basisDepth`: the same notional (about 3 million dollars)
 * as the frontier markets' 300 contracts, at ATPI-SMALL's lower index (about 0.42 dollars per million
 * tokens, so a contract is about 424 dollars). See docs/clearinghouse.md, "Choosing the basis depth".
 */
const EXTRA_MARKETS: { index: string; tenor: 0 | 1; like: string; basisDepth?: bigint }[] = [
  { index: "ATPI-SMALL", tenor: 0, like: "Market_ATPI_FRONTIER_NEAR", basisDepth: 7_000n },
  { index: "ATPI-SMALL", tenor: 1, like: "Market_ATPI_FRONTIER_NEAR", basisDepth: 7_000n },
  { index: "GPU-H100", tenor: 1, like: "Market_GPU_H100_NEAR" },
];

type RawParameters = Record<string, Record<string, unknown>>;

/** Ignition's `"…n"` big integer strings → bigint, recursively. */
function bigints(value: unknown): unknown {
  if (typeof value === "string" && /^[0-9]+n$/.test(value)) return BigInt(value.slice(0, -1));
  if (Array.isArray(value)) return value.map(bigints);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bigints(v)]));
  }
  return value;
}

function chainOf(chainId: number, rpcUrl: string): Chain {
  return {
    id: chainId,
    name: "localhost",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  };
}

export async function startStack(
  hre: HardhatRuntimeEnvironment,
  options: StackOptions,
): Promise<RunningStack> {
  const { log } = options;
  const stateDir = path.resolve(options.stateDir);
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });

  // 1. The node.
  const server = await hre.network.createServer("default", options.host, options.port);
  const { address, port } = await server.listen();
  const rpcUrl = `http://${address}:${port}`;
  const controller = new AbortController();
  const cleanups: (() => Promise<void>)[] = [() => server.close()];
  const closeAll = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    const publicClient = createPublicClient({ transport: http(rpcUrl) }) as PublicClient;
    const chainId = await publicClient.getChainId();
    const block = await publicClient.getBlock();
    const now = Number(block.timestamp);
    log(`node listening on ${rpcUrl} (chain ${chainId})`);

    // 2. Parameters with expiries relative to now.
    const parameters = JSON.parse(
      readFileSync(path.join("ignition", "parameters", "local.json"), "utf8"),
    ) as RawParameters;
    const expiries = quarterlyExpiries(now, 2);
    for (const slot of MARKETS) {
      parameters[slot.moduleId].expiry = slot.key.endsWith("_NEXT") ? expiries[1] : expiries[0];
    }
    const parametersFile = path.join(stateDir, "parameters.json");
    writeFileSync(parametersFile, JSON.stringify(parameters, null, 2) + "\n");

    // 3. Deploy.
    log("deploying the protocol with Ignition (AccessManager, oracle, Clearinghouse, Exchange, markets)…");
    const connection = await hre.network.create({ network: "localhost", override: { url: rpcUrl } });
    cleanups.push(() => connection.close());
    const deploymentDir = path.join(stateDir, "ignition", `chain-${chainId}`);
    const accounts = (await connection.provider.request({ method: "eth_accounts" })) as string[];
    const result = await deploy({
      config: { requiredConfirmations: 1, blockPollingInterval: 50 },
      provider: connection.provider,
      deploymentDir,
      artifactResolver: new HardhatArtifactResolver(hre.artifacts),
      ignitionModule: LocalProtocol,
      deploymentParameters: bigints(parameters) as never,
      accounts,
    });
    if (result.type !== DeploymentResultType.SUCCESSFUL_DEPLOYMENT) {
      throw new Error(
        `deployment failed: ${JSON.stringify(result, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`,
      );
    }
    const { file: bookFile } = await exportAddresses({
      deploymentDir,
      parametersFile,
      outDir: options.outDir,
    });
    log(`deployed LocalProtocol; address book ${bookFile}`);

    // 4. More markets, created by the market admin (#3) as an operator would.
    log(`creating ${EXTRA_MARKETS.length} more markets as the market admin…`);
    const book = JSON.parse(readFileSync(bookFile, "utf8")) as PlainAddressBook;
    const chain = chainOf(chainId, rpcUrl);
    const walletOf = (a: TestAccount) =>
      createWalletClient({
        account: privateKeyToAccount(a.privateKey),
        chain,
        transport: http(rpcUrl),
      }) as WriteClient;
    const admin = walletOf(testAccount(3));
    for (const extra of EXTRA_MARKETS) {
      const like = bigints(parameters[extra.like]) as Record<string, unknown>;
      const market: NewMarket = {
        params: {
          indexId: indexIdOf(extra.index),
          methodologyHash: methodologyHash(INDEX_SPECS[extra.index]),
          expiry: BigInt(expiries[extra.tenor]),
          contractSize: like.contractSize as bigint,
          tickSize: like.tickSize as bigint,
          minSize: BigInt(like.minSize as number),
          settlementWindow: Number(like.settlementWindow),
        },
        risk: {
          ...(like.risk as NewMarket["risk"]),
          ...(extra.basisDepth === undefined ? {} : { basisDepth: extra.basisDepth }),
        },
        terms: like.terms as NewMarket["terms"],
      };
      const outcome = await createMarketAsOperator(publicClient, admin, {
        accessManager: book.accessManager,
        clearinghouse: book.clearinghouse,
        market,
      });
      await publicClient.waitForTransactionReceipt({ hash: outcome.hash });
      addMarketToBook(bookFile, marketSymbol(extra.index, BigInt(expiries[extra.tenor])), {
        id: outcome.id,
        indexId: market.params.indexId,
        expiry: expiries[extra.tenor],
      });
    }
    const finalBook = JSON.parse(readFileSync(bookFile, "utf8")) as PlainAddressBook;
    const indexNames = new Map(Object.keys(INDEX_SPECS).map((n) => [indexIdOf(n).toLowerCase(), n]));
    const markets: StackMarket[] = Object.entries(finalBook.markets).map(([symbol, m]) => ({
      symbol,
      id: m.id,
      index: indexNames.get(m.indexId.toLowerCase()) ?? m.indexId,
      expiry: m.expiry,
    }));

    // 5. Fund the traders with collateral.
    log("funding the test traders with collateral…");
    const deployer = walletOf(testAccount(0));
    const decimals = await publicClient.readContract({
      address: finalBook.collateral,
      abi: parseAbi(["function decimals() view returns (uint8)"]),
      functionName: "decimals",
    });
    const traders = TRADER_INDICES.map(testAccount);
    for (const t of traders) {
      const hash = await writeContract(deployer, {
        address: finalBook.collateral,
        abi: parseAbi(["function mint(address to, uint256 amount)"]),
        functionName: "mint",
        args: [t.address, options.traderFunding * 10n ** BigInt(decimals)],
        chain,
      });
      await publicClient.waitForTransactionReceipt({ hash });
    }

    // 5b. Margin for the liquidator keeper (#12): it takes positions over, so it needs collateral deposited.
    const liquidatorMargin = LIQUIDATOR_MARGIN_TOKENS * 10n ** BigInt(decimals);
    for (const [functionName, args] of [
      ["mint", [deployer.account.address, liquidatorMargin]],
      ["approve", [finalBook.clearinghouse, liquidatorMargin]],
    ] as const) {
      const hash = await writeContract(deployer, {
        address: finalBook.collateral,
        abi: parseAbi([
          "function mint(address to, uint256 amount)",
          "function approve(address spender, uint256 amount) returns (bool)",
        ]),
        functionName,
        args,
        chain,
      });
      await publicClient.waitForTransactionReceipt({ hash });
    }
    const deposited = await writeContract(deployer, {
      address: finalBook.clearinghouse,
      abi: parseAbi(["function depositFor(address account, uint256 amount)"]),
      functionName: "depositFor",
      args: [testAccount(LIQUIDATOR_INDEX).address, liquidatorMargin],
      chain,
    });
    await publicClient.waitForTransactionReceipt({ hash: deposited });

    // 6. Price files for today: the real data (the committed CSV combined with the genai-prices
    //    snapshots, `index/history.ts`) where it gives today a value, else fixture copies re-dated.
    const today = new Date(now * 1000).toISOString().slice(0, 10);
    const pricesDir = path.join(stateDir, "prices");
    mkdirSync(pricesDir, { recursive: true });
    const priceFiles: RunningStack["priceFiles"] = [];
    const written = new Map<string, RunningStack["priceFiles"][number]>();
    for (const [index, fixture] of Object.entries(PRICE_FIXTURES)) {
      let entry = written.get(fixture);
      if (entry === undefined) {
        const real = fixture === "ai-token-list-prices.csv" ? realPriceFile(today) : undefined;
        const file = path.join(pricesDir, real === undefined ? fixture : "ai-token-list-history.csv");
        if (real !== undefined) {
          writeFileSync(file, real.text);
          entry = { index, file, shiftDays: 0, latest: real.latest, real: true };
        } else {
          const dated = redateCsv(readFileSync(path.join("index", "fixtures", fixture), "utf8"), today);
          writeFileSync(file, dated.text);
          entry = { index, file, shiftDays: dated.shiftDays, latest: dated.latest, real: false };
        }
        written.set(fixture, entry);
      }
      priceFiles.push({ ...entry, index });
    }

    // 7. Keepers, in this process, stopped through one signal.
    log("starting the keepers (reporters, relayers, matcher, liquidator, settler)…");
    if (options.blockIntervalMs > 0) {
      await connection.provider.request({
        method: "evm_setIntervalMining",
        params: [options.blockIntervalMs],
      });
    }
    const ordersFile = path.join(stateDir, "orders.json");
    writeFileSync(ordersFile, "[]\n");
    const reportDir = path.join(stateDir, "reports");
    const keepers: { name: string; url: string }[] = [];
    const running: Promise<void>[] = [];
    let nextPort = options.metricsPortBase;
    const common = () => ({
      rpcUrl,
      httpHost: "127.0.0.1",
      httpPort: options.metricsPortBase === 0 ? 0 : nextPort++,
      pollIntervalMs: 1000,
      logLevel: options.logLevel,
      jobStorePath: undefined,
    });
    const start = <C>(name: string, runner: (c: C, o: object) => Promise<void>, config: C) =>
      new Promise<void>((resolve, reject) => {
        const finished = runner(config, {
          signal: controller.signal,
          onListening: (p: number) => {
            keepers.push({ name, url: `http://127.0.0.1:${p}/metrics` });
            resolve();
          },
        });
        running.push(finished);
        finished.catch(reject);
      });
    const key = (i: number) => testAccount(i).privateKey;
    const relayerKeys: Record<string, number> = { "ATPI-FRONTIER": 8, "ATPI-SMALL": 9, "GPU-H100": 10 };
    for (const { index, file } of priceFiles) {
      // Quorum 3 of 4 (f = 1): three reporters run, the fourth (#20) is authorised and idle.
      for (const reporter of [5, 6, 7]) {
        await start(
          `reporter ${index} #${reporter}`,
          runReporter as never,
          reporterConfigSchema.parse({
            ...common(),
            indexName: index,
            source: file,
            oracleAddress: finalBook.indexOracle,
            chainId,
            privateKey: key(reporter),
            periodSeconds: options.periodSeconds,
            reportDir,
          }),
        );
      }
      await start(
        `relayer ${index}`,
        runRelayer as never,
        relayerConfigSchema.parse({
          ...common(),
          indexName: index,
          oracleAddress: finalBook.indexOracle,
          privateKey: key(relayerKeys[index]),
          reportDir,
          heartbeatSeconds: 600,
        }),
      );
    }
    await start(
      "matcher",
      runMatcher as never,
      matcherConfigSchema.parse({
        ...common(),
        exchangeAddress: finalBook.exchange,
        ordersFile,
        privateKey: key(11),
      }),
    );
    await start(
      "liquidator",
      runLiquidator as never,
      liquidatorConfigSchema.parse({
        ...common(),
        clearinghouseAddress: finalBook.clearinghouse,
        privateKey: key(LIQUIDATOR_INDEX),
      }),
    );
    await start(
      "settler",
      runSettler as never,
      settlerConfigSchema.parse({
        ...common(),
        clearinghouseAddress: finalBook.clearinghouse,
        privateKey: key(13),
        traderGraceSeconds: options.settlerGraceSeconds ?? 0,
      }),
    );
    const done = Promise.allSettled(running).then(() => undefined);
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        controller.abort();
        await done;
        await closeAll();
      })());
    return {
      rpcUrl,
      chainId,
      book: finalBook,
      bookFile,
      markets,
      keepers,
      priceFiles,
      ordersFile,
      traders,
      done,
      stop,
    };
  } catch (err) {
    controller.abort();
    await closeAll();
    throw err;
  }
}
