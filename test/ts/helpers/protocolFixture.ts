/**
 * The whole trading stack, as deployed: an AccessManager, the IndexOracle with three fixed-key
 * reporters (or `MockIndexOracle` when a test must force staleness), the linked Clearinghouse, the
 * Exchange registered as its venue, a 6-decimal collateral token, one market and funded traders.
 *
 * Shared by `test/ts/exchangeClearinghouse.test.ts`, the gas benchmark (`bench/gas/exchange.ts`) and
 * the gas snapshot test. With `fixedClock` the chain's clock is moved to a fixed instant first, so
 * every timestamp (order expiries, market expiry, oracle rounds) and therefore every calldata byte and
 * gas figure is reproducible.
 */
import { Wallet, type Signer } from "ethers";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";

import type {
  AccessManager,
  Clearinghouse,
  Exchange,
  IndexOracle,
  MockERC20,
  MockIndexOracle,
} from "../../../typechain-types/index.js";
import {
  buildOrder,
  exchangeDomain,
  signOrderEthers,
  type ExchangeDomain,
  type Order,
} from "../../../sdk/core/eip712/orders.js";
import { oracleDomain, signReportWithEthers, type OracleReport } from "../../../sdk/core/eip712/reports.js";
import {
  INDEX_ID,
  METHODOLOGY,
  WAD,
  DAY,
  defaultRisk,
  defaultTerms,
  deployClearinghouseLibraries,
  type MarketParamsStruct,
} from "./clearinghouseFixture.js";

export { INDEX_ID, WAD, DAY, defaultRisk };

type Hex = `0x${string}`;

/** The instant `fixedClock` deployments start at (2033-05-18T03:33:20Z). */
export const FIXED_CLOCK = 2_000_000_000n;
/** Collateral decimals of the stack (a USDC-like token). */
export const DECIMALS = 6;
/** Index value the market starts at (18-decimal). */
export const START_INDEX = 10n * WAD;

export interface ProtocolOptions {
  /** Use `MockIndexOracle` (settable, can be forced stale) instead of the real IndexOracle. */
  mockOracle?: boolean;
  /** Move the clock to `FIXED_CLOCK` before deploying (for reproducible gas). */
  fixedClock?: boolean;
}

export interface Protocol {
  ethers: HardhatEthers;
  helpers: NetworkHelpers;
  admin: HardhatEthersSigner;
  treasury: HardhatEthersSigner;
  /** Funded traders (1,000,000 dollars each). */
  traders: HardhatEthersSigner[];
  manager: AccessManager;
  token: MockERC20;
  /** The real oracle, or undefined with `mockOracle`. */
  oracle?: IndexOracle;
  /** The mock oracle, or undefined without `mockOracle`. */
  mockOracle?: MockIndexOracle;
  ch: Clearinghouse;
  /** The Clearinghouse's linked libraries' addresses, by name. */
  libraries: Record<string, string>;
  exchange: Exchange;
  domain: ExchangeDomain;
  params: MarketParamsStruct;
  marketId: Hex;
  /** Collateral units from a dollar amount given as a decimal string. */
  usd: (dollars: string) => bigint;
  /** Mints `dollars` to `who`, approves and deposits it. */
  fund: (who: HardhatEthersSigner, dollars: string) => Promise<void>;
  /** Posts a new index value (a signed oracle round, or the mock's setter), one minute later. */
  setIndex: (value: bigint) => Promise<void>;
  /** The chain's latest block timestamp. */
  now: () => Promise<bigint>;
  /** Builds an order of `signer`'s account (or `fields.trader`) with a fresh salt and signs it with ethers. */
  signOrder: (
    signer: Signer,
    fields: Partial<Order> & Pick<Order, "isBuy" | "size" | "limitPrice">,
  ) => Promise<{ order: Order; signature: Hex }>;
}

/** Deploys the trading stack on `ethers`. */
export async function deployProtocol(
  ethers: HardhatEthers,
  helpers: NetworkHelpers,
  options: ProtocolOptions = {},
): Promise<Protocol> {
  if (options.fixedClock) {
    if (BigInt(await helpers.time.latest()) >= FIXED_CLOCK)
      throw new Error("protocol fixture: fixed clock is in the past");
    await helpers.time.setNextBlockTimestamp(FIXED_CLOCK);
  }
  const [admin, treasury, ...traders] = await ethers.getSigners();
  const manager = await ethers.deployContract("AccessManager", [admin.address]);
  const token = await ethers.deployContract("MockERC20", ["USD Coin", "USDC", DECIMALS]);

  let oracle: IndexOracle | undefined;
  let mockOracle: MockIndexOracle | undefined;
  let setIndex: (value: bigint) => Promise<void>;
  if (options.mockOracle) {
    mockOracle = await ethers.deployContract("MockIndexOracle");
    const mock = mockOracle;
    setIndex = async (value) => {
      await (await mock.setValue(INDEX_ID, value)).wait();
    };
  } else {
    const real = await ethers.deployContract("IndexOracle", [await manager.getAddress()]);
    oracle = real;
    // Fixed reporter keys: signatures, and so calldata and gas, are the same on every run.
    const reporters = [1n, 2n, 3n].map((i) => new Wallet(ethers.toBeHex(0xfeed00n + i, 32)));
    await (
      await real.createIndex(
        INDEX_ID,
        { quorum: 2, maxAge: 7 * DAY, minInterval: 60, maxDeviation: 10n * WAD, faultBound: 0 },
        reporters.map((w) => w.address),
      )
    ).wait();
    const domain = oracleDomain((await ethers.provider.getNetwork()).chainId, await real.getAddress());
    let round = 0n;
    setIndex = async (value) => {
      const at = BigInt(await helpers.time.latest()) + 60n;
      round += 1n;
      const signed = await Promise.all(
        reporters.slice(0, 2).map((w, i) => {
          const report: OracleReport = {
            indexId: INDEX_ID as Hex,
            value,
            observedAt: at - 1n,
            inputsHash: ethers.keccak256(ethers.toUtf8Bytes(`inputs-${round}-${i}`)) as Hex,
          };
          return signReportWithEthers(w, domain, report);
        }),
      );
      await helpers.time.setNextBlockTimestamp(at);
      await (await real.submit(INDEX_ID, signed)).wait();
    };
  }
  await setIndex(START_INDEX);

  const oracleAddress = options.mockOracle ? await mockOracle!.getAddress() : await oracle!.getAddress();
  const libraries = await deployClearinghouseLibraries(ethers);
  const ch = await ethers.deployContract(
    "Clearinghouse",
    [await manager.getAddress(), await token.getAddress(), oracleAddress, treasury.address],
    { libraries },
  );
  // The oracle pushes every accepted value to the Clearinghouse, which marks from its copy.
  const listening = options.mockOracle
    ? await mockOracle!.setListener(await ch.getAddress())
    : await oracle!.setListener(await ch.getAddress());
  await listening.wait();
  const exchange = await ethers.deployContract("Exchange", [
    await ch.getAddress(),
    await manager.getAddress(),
  ]);
  await (await ch.setVenue(await exchange.getAddress(), true)).wait();
  await (await ch.setFeeShares(WAD / 2n, WAD / 2n)).wait();

  const now = async () => BigInt(await helpers.time.latest());
  const params: MarketParamsStruct = {
    indexId: INDEX_ID,
    methodologyHash: METHODOLOGY,
    expiry: (await now()) + 90n * BigInt(DAY),
    contractSize: 1_000n * WAD,
    tickSize: WAD / 1_000n,
    minSize: 1n,
    settlementWindow: 3_600n,
  };
  await (await ch.createMarket(params, defaultRisk(), defaultTerms())).wait();
  const marketId = (await ch.marketId(params)) as Hex;

  const usd = (dollars: string) => ethers.parseUnits(dollars, DECIMALS);
  const chAddress = await ch.getAddress();
  const fund = async (who: HardhatEthersSigner, dollars: string) => {
    const amount = usd(dollars);
    await (await token.mint(who.address, amount)).wait();
    await (await token.connect(who).approve(chAddress, ethers.MaxUint256)).wait();
    await (await ch.connect(who).deposit(amount)).wait();
  };
  const funded = traders.slice(0, 8);
  for (const who of funded) await fund(who, "1000000");

  const { chainId } = await ethers.provider.getNetwork();
  const domain = exchangeDomain(chainId, (await exchange.getAddress()) as Hex);
  // Salts and nonces count up from one, expiries are a day after deployment: deterministic orders, each
  // with its own nonce (a nonce names one order).
  let salt = 0n;
  let nonce = 0n;
  const orderBase = await now();
  const signOrder: Protocol["signOrder"] = async (signer, fields) => {
    const order = buildOrder({ trader: (await signer.getAddress()) as Hex, marketId, ...fields }, orderBase);
    if (fields.salt === undefined) order.salt = ++salt;
    if (fields.nonce === undefined) order.nonce = ++nonce;
    return { order, signature: await signOrderEthers(signer, domain, order) };
  };

  return {
    ethers,
    helpers,
    admin,
    treasury,
    traders: funded,
    manager,
    token,
    oracle,
    mockOracle,
    ch,
    libraries,
    exchange,
    domain,
    params,
    marketId,
    usd,
    fund,
    setIndex,
    now,
    signOrder,
  };
}
