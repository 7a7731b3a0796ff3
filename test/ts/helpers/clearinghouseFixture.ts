/**
 * Shared deployment for the Clearinghouse tests and gas benchmark: an AccessManager, a collateral
 * token with the given decimals, the mock oracle, the linked logic libraries, the Clearinghouse, a
 * test venue and one market on an AI token index.
 */
import { id } from "ethers";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";

import type {
  AccessManager,
  Clearinghouse,
  MockERC20,
  MockIndexOracle,
  TestVenue,
} from "../../../typechain-types/index.js";

export const WAD = 10n ** 18n;
export const DAY = 86_400;
export const INDEX_ID = id("ATPI-FRONTIER");
export const METHODOLOGY = "0x" + "ab".repeat(32);

export interface MarketParamsStruct {
  indexId: string;
  methodologyHash: string;
  expiry: bigint;
  contractSize: bigint;
  tickSize: bigint;
  minSize: bigint;
  settlementWindow: bigint;
}

export interface RiskParamsStruct {
  imr: bigint;
  mmr: bigint;
  liquidationPenalty: bigint;
  maxPositionSize: bigint;
  maxOpenInterest: bigint;
  priceBand: bigint;
  makerFee: bigint;
  takerFee: bigint;
  basisWeight: bigint;
  maxBasisRate: bigint;
  maxBasisStep: bigint;
  basisDepth: bigint;
}

export const defaultRisk = (): RiskParamsStruct => ({
  imr: WAD / 10n, // 10 %
  mmr: WAD / 20n, // 5 %
  liquidationPenalty: WAD / 50n, // 2 %
  maxPositionSize: 1_000_000n,
  maxOpenInterest: 10_000_000n,
  priceBand: WAD / 10n, // 10 %
  makerFee: (WAD * 2n) / 10_000n, // 2 bp
  takerFee: (WAD * 5n) / 10_000n, // 5 bp
  basisWeight: WAD / 10n,
  maxBasisRate: WAD / 2n,
  maxBasisStep: WAD / 20n,
  basisDepth: 1n, // every fill moves the basis in full: the EMA expectations of the tests predate the depth
});

export const defaultTerms = () => ({ disputeWindow: 3_600n, fallbackDelay: 3n * BigInt(DAY) });

export interface Fixture {
  ethers: HardhatEthers;
  helpers: NetworkHelpers;
  decimals: number;
  scale: bigint;
  admin: HardhatEthersSigner;
  treasury: HardhatEthersSigner;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  liquidator: HardhatEthersSigner;
  others: HardhatEthersSigner[];
  manager: AccessManager;
  token: MockERC20;
  oracle: MockIndexOracle;
  ch: Clearinghouse;
  /** The Clearinghouse's linked libraries' addresses, by name. */
  libraries: Record<string, string>;
  venue: TestVenue;
  params: MarketParamsStruct;
  marketId: string;
  /** Collateral units from a dollar amount given as a decimal string. */
  usd: (dollars: string) => bigint;
  /** Mints `dollars` to `who`, approves and deposits it. */
  fund: (who: HardhatEthersSigner, dollars: string) => Promise<void>;
  /** Creates another market on the same index with a different expiry offset (days). */
  createMarket: (expiryDays: number, indexId?: string) => Promise<string>;
}

/** The Clearinghouse's external libraries, by name. */
export const CLEARINGHOUSE_LIBRARIES = ["MarketAdminLogic", "LiquidationLogic", "SettlementLogic"] as const;

/** Deploys the Clearinghouse's external libraries and returns the `libraries` link map for its factory. */
export async function deployClearinghouseLibraries(ethers: HardhatEthers): Promise<Record<string, string>> {
  const libraries: Record<string, string> = {};
  for (const name of CLEARINGHOUSE_LIBRARIES) {
    libraries[name] = await (await ethers.deployContract(name)).getAddress();
  }
  return libraries;
}

/**
 * Deploys a bare Clearinghouse (no markets, no venue) on the collateral at `token`, with a mock oracle and an
 * AccessManager administered by the first signer; the second signer is the treasury.
 */
export async function deployBareClearinghouse(ethers: HardhatEthers, token: string) {
  const [admin, treasury] = await ethers.getSigners();
  const oracle = await ethers.deployContract("MockIndexOracle");
  const manager = await ethers.deployContract("AccessManager", [admin.address]);
  const libraries = await deployClearinghouseLibraries(ethers);
  const ch = await ethers.deployContract(
    "Clearinghouse",
    [await manager.getAddress(), token, await oracle.getAddress(), treasury.address],
    { libraries },
  );
  // The oracle pushes every value change to the Clearinghouse, which marks from its copy.
  await (await oracle.setListener(await ch.getAddress())).wait();
  return { ch, oracle, manager, libraries };
}

/** Deploys the whole Clearinghouse stack on `ethers` with a collateral of `decimals` decimals. */
export async function deployClearinghouse(
  ethers: HardhatEthers,
  helpers: NetworkHelpers,
  decimals: number,
): Promise<Fixture> {
  const signers = await ethers.getSigners();
  const [admin, treasury, alice, bob, carol, liquidator, ...others] = signers;
  const token = await ethers.deployContract("MockERC20", ["USD Coin", "USDC", decimals]);
  const { ch, oracle, manager, libraries } = await deployBareClearinghouse(ethers, await token.getAddress());
  const venue = await ethers.deployContract("TestVenue", [await ch.getAddress()]);
  await ch.setVenue(await venue.getAddress(), true);
  await ch.setFeeShares(WAD / 2n, WAD / 2n);
  await oracle.setValue(INDEX_ID, 10n * WAD);
  await oracle.setValue(INDEX_ID, 10n * WAD);

  const scale = 10n ** BigInt(18 - decimals);
  const usd = (dollars: string) => ethers.parseUnits(dollars, decimals);

  const now = BigInt(await helpers.time.latest());
  const mkParams = (expiry: bigint, indexId = INDEX_ID): MarketParamsStruct => ({
    indexId,
    methodologyHash: METHODOLOGY,
    expiry,
    contractSize: 1_000n * WAD,
    tickSize: WAD / 1_000n,
    minSize: 1n,
    settlementWindow: 3_600n,
  });
  const params = mkParams(now + 90n * BigInt(DAY));
  await ch.createMarket(params, defaultRisk(), defaultTerms());
  const marketId = await ch.marketId(params);

  const fund = async (who: HardhatEthersSigner, dollars: string) => {
    const amount = usd(dollars);
    await token.mint(who.address, amount);
    await token.connect(who).approve(await ch.getAddress(), ethers.MaxUint256);
    await ch.connect(who).deposit(amount);
  };
  const createMarket = async (expiryDays: number, indexId = INDEX_ID) => {
    const t = BigInt(await helpers.time.latest());
    const p = mkParams(t + BigInt(expiryDays * DAY), indexId);
    await ch.createMarket(p, defaultRisk(), defaultTerms());
    return ch.marketId(p);
  };

  return {
    ethers,
    helpers,
    decimals,
    scale,
    admin,
    treasury,
    alice,
    bob,
    carol,
    liquidator,
    others,
    manager,
    token,
    oracle,
    ch,
    libraries,
    venue,
    params,
    marketId,
    usd,
    fund,
    createMarket,
  };
}
