/**
 * Deploys `LocalProtocol` with `ignition/parameters/local.json` on the in-process chain and checks
 * the result: every restricted function's role and every holder's delay on the AccessManager, the
 * deployer left with nothing, the indices and reporters, the markets (ids recomputed from their
 * parameters), the Exchange as venue, the exported address book, and an end-to-end smoke (report,
 * deposit, signed order filled through the Exchange). Then the access rules themselves: a stranger is
 * refused, a delayed role must schedule, the guardian can cancel a scheduled change.
 */
import { readFile, readdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { keccak256, toHex, zeroHash, type Hex } from "viem";
import hre, { network } from "hardhat";
import { HardhatArtifactResolver, readDeploymentParameters } from "@nomicfoundation/hardhat-ignition/helpers";
import { deploy, DeploymentResultType } from "@nomicfoundation/ignition-core";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";

import { INDEX_SPECS, methodologyHash } from "../../../index/index.js";
import { indexIdOf } from "../../../index/ids.js";
import { INDICES, MARKETS } from "../../../ignition/layout.js";
import LocalProtocol from "../../../ignition/modules/LocalProtocol.js";
import {
  DEPLOYER_ROLES,
  GUARDED_ROLES,
  PROTOCOL_ROLES,
  RESTRICTED_FUNCTIONS,
  ROLE_PARAMETER,
  ROLES,
  selectorOf,
  type RoleName,
} from "../../../ignition/roles.js";
import { exportAddresses } from "../../../scripts/export-addresses.js";
import {
  buildAddressBook,
  marketIdOf,
  marketParamsOf,
  type DeploymentParameters,
} from "../../../scripts/lib/addressBook.js";
import { loadAddressBook } from "../../../sdk/core/addressBook.js";
import { buildOrder, exchangeDomain, hashOrder, signOrderEthers } from "../../../sdk/core/eip712/orders.js";
import { oracleDomain, signReportWithEthers } from "../../../sdk/core/eip712/reports.js";
import type {
  AccessManager,
  Clearinghouse,
  Exchange,
  IndexOracle,
  IndexOracleFeed,
  MockERC20,
} from "../../../typechain-types/index.js";

const LOCAL_PARAMETERS = "ignition/parameters/local.json";
/** The chain's clock starts here, so the fixed expiries in local.json are always in the future. */
const INITIAL_DATE = "2026-12-01T00:00:00Z";
const WAD = 10n ** 18n;

interface Deployed {
  ethers: HardhatEthers;
  helpers: NetworkHelpers;
  parameters: DeploymentParameters;
  top: Record<string, unknown>;
  futureAddresses: Record<string, string>;
  manager: AccessManager;
  oracle: IndexOracle;
  token: MockERC20;
  ch: Clearinghouse;
  exchange: Exchange;
  signers: HardhatEthersSigner[];
  chainId: number;
}

async function deployLocal(): Promise<Deployed> {
  const { ethers, ignition, networkHelpers } = await network.create({
    override: { initialDate: INITIAL_DATE },
  });
  const parameters = (await readDeploymentParameters(LOCAL_PARAMETERS)) as DeploymentParameters;
  const result = (await ignition.deploy(LocalProtocol, {
    parameters: parameters as never,
  })) as unknown as Record<string, { getAddress(): Promise<string> }>;
  // What Ignition writes to deployed_addresses.json: future id → address, for every returned contract.
  const futureAddresses: Record<string, string> = {};
  for (const [name, future] of Object.entries(LocalProtocol.results)) {
    futureAddresses[future.id] = await result[name].getAddress();
  }
  const at = async <T>(name: string, key: string) =>
    (await ethers.getContractAt(name, await result[key].getAddress())) as unknown as T;
  return {
    ethers,
    helpers: networkHelpers,
    parameters,
    top: parameters.LocalProtocol,
    futureAddresses,
    manager: await at<AccessManager>("AccessManager", "accessManager"),
    oracle: await at<IndexOracle>("IndexOracle", "indexOracle"),
    token: await at<MockERC20>("MockERC20", "collateral"),
    ch: await at<Clearinghouse>("Clearinghouse", "clearinghouse"),
    exchange: await at<Exchange>("Exchange", "exchange"),
    signers: await ethers.getSigners(),
    chainId: Number((await ethers.provider.getNetwork()).chainId),
  };
}

/** Names of the functions carrying the `restricted` modifier in a contract's source. */
async function restrictedInSource(file: string): Promise<string[]> {
  const source = await readFile(file, "utf8");
  const names: string[] = [];
  for (const match of source.matchAll(/function\s+(\w+)\s*\([^)]*\)([^{;]*)\{/g)) {
    if (/\brestricted\b/.test(match[2])) names.push(match[1]);
  }
  return names;
}

describe("deploy: Ignition LocalProtocol with local.json", function () {
  let d: Deployed;
  const holder = (role: RoleName) => d.top[ROLE_PARAMETER[role]] as string;
  const delayOf = (role: RoleName) => BigInt(d.top[`${ROLE_PARAMETER[role]}Delay`] as number);
  const signerOf = (address: string) => d.signers.find((s) => s.address === address)!;

  before(async function () {
    d = await deployLocal();
  });

  describe("roles", function () {
    it("test_roles_everyRestrictedFunctionInContractsIsMapped", async function () {
      const entries = (await readdir("contracts")).filter((f) => f.endsWith(".sol"));
      const inSource: string[] = [];
      for (const file of entries) {
        for (const name of await restrictedInSource(path.join("contracts", file))) {
          inSource.push(`${file.replace(/\.sol$/, "")}.${name}`);
        }
      }
      const mapped = RESTRICTED_FUNCTIONS.map((fn) => `${fn.contract}.${fn.name}`);
      expect(inSource.length).to.be.greaterThan(10);
      expect([...mapped].sort()).to.deep.equal([...inSource].sort());
    });

    it("test_roles_selectorsMatchTheAbiAndTargetRolesAreSet", async function () {
      const targets = { IndexOracle: d.oracle, Clearinghouse: d.ch, Exchange: d.exchange };
      for (const fn of RESTRICTED_FUNCTIONS) {
        const target = targets[fn.contract];
        const abi = target.interface as unknown as { getFunction(name: string): { selector: string } | null };
        const abiSelector = abi.getFunction(fn.name)!.selector;
        expect(selectorOf(fn), fn.signature).to.equal(abiSelector);
        expect(
          await d.manager.getTargetFunctionRole(await target.getAddress(), abiSelector),
          `${fn.contract}.${fn.name}`,
        ).to.equal(ROLES[fn.role]);
      }
    });

    it("test_roles_holdersHaveTheirRolesWithTheParameterDelays", async function () {
      for (const role of [...PROTOCOL_ROLES, "ADMIN" as const]) {
        const [isMember, delay] = await d.manager.hasRole(ROLES[role], holder(role));
        expect(isMember, role).to.equal(true);
        expect(delay, role).to.equal(delayOf(role));
      }
      // local.json: risk, settlement, venue and treasury changes wait 60 seconds.
      expect(delayOf("RISK_ADMIN")).to.equal(60n);
      expect(delayOf("SETTLEMENT_ADMIN")).to.equal(60n);
    });

    it("test_roles_deployerHoldsNothingAfterTheDeployment", async function () {
      const deployer = d.signers[0].address;
      for (const role of [...PROTOCOL_ROLES, "ADMIN" as const]) {
        expect(holder(role)).to.not.equal(deployer);
        const [isMember] = await d.manager.hasRole(ROLES[role], deployer);
        expect(isMember, role).to.equal(false);
      }
      expect(DEPLOYER_ROLES.length).to.be.greaterThan(0);
    });

    it("test_roles_guardianGuardsTheDelayedRoles", async function () {
      for (const role of GUARDED_ROLES) {
        expect(await d.manager.getRoleGuardian(ROLES[role]), role).to.equal(ROLES.GUARDIAN);
      }
    });
  });

  describe("oracle", function () {
    it("test_oracle_indicesExistWithTheirReportersAndParams", async function () {
      for (const slot of INDICES) {
        const p = d.parameters[slot.moduleId];
        const id = indexIdOf(slot.name);
        expect(await d.oracle.indexExists(id), slot.name).to.equal(true);
        const reporters = p.reporters as string[];
        expect(await d.oracle.reporters(id)).to.deep.equal(reporters);
        for (const r of reporters) expect(await d.oracle.isReporter(id, r)).to.equal(true);
        expect(await d.oracle.isReporter(id, d.signers[0].address)).to.equal(false);
        const params = await d.oracle.indexParams(id);
        expect(params.quorum).to.equal(BigInt(p.quorum as number));
        expect(params.maxAge).to.equal(BigInt(p.maxAge as number));
        expect(params.minInterval).to.equal(BigInt(p.minInterval as number));
        expect(params.maxDeviation).to.equal(p.maxDeviation);
        expect(params.faultBound).to.equal(BigInt(p.faultBound as number));
        // The fault bound's parameter rule: n >= 3f + 1 reporters, quorum >= 2f + 1.
        expect(reporters.length).to.be.at.least(3 * (p.faultBound as number) + 1);
        expect(p.quorum as number).to.be.at.least(2 * (p.faultBound as number) + 1);
      }
    });

    it("test_oracle_eachIndexHasAFeedOnTheOracle", async function () {
      for (const slot of INDICES) {
        const address = Object.entries(d.futureAddresses).find(([k]) => k.endsWith(`#${slot.feedId}`))![1];
        const feed = (await d.ethers.getContractAt("IndexOracleFeed", address)) as unknown as IndexOracleFeed;
        expect(await feed.oracle()).to.equal(await d.oracle.getAddress());
        expect(await feed.indexId()).to.equal(indexIdOf(slot.name));
        expect(await feed.description()).to.equal(d.parameters[slot.moduleId].description);
      }
    });
  });

  describe("index copy", function () {
    it("test_oracle_listenerIsTheClearinghouseAndNoOneElseCanMoveIt", async function () {
      expect(await d.oracle.listener()).to.equal(await d.ch.getAddress());
      // Only ORACLE_ADMIN may rewire it; the deployer renounced that role.
      await expect(
        d.oracle.connect(d.signers[0]).setListener(d.signers[0].address),
      ).to.be.revertedWithCustomError(d.oracle, "AccessManagedUnauthorized");
      // The copy is empty until the first round: nothing was accepted during the deployment.
      for (const slot of INDICES) {
        const [value, updatedAt] = await d.ch.indexValue(indexIdOf(slot.name));
        expect(value + updatedAt, slot.name).to.equal(0n);
      }
    });
  });

  describe("clearinghouse and exchange", function () {
    it("test_clearinghouse_wiredToOracleCollateralTreasuryAndFeeShares", async function () {
      expect(await d.ch.oracle()).to.equal(await d.oracle.getAddress());
      expect(await d.ch.collateral()).to.equal(await d.token.getAddress());
      expect(await d.ch.treasury()).to.equal(d.parameters.Clearinghouse.treasury);
      expect(await d.ch.feeShares()).to.deep.equal([
        d.parameters.Clearinghouse.insuranceFeeShare,
        d.parameters.Clearinghouse.liquidatorShare,
      ]);
      expect(await d.token.decimals()).to.equal(6n);
      expect(await d.ch.authority()).to.equal(await d.manager.getAddress());
      expect(await d.oracle.authority()).to.equal(await d.manager.getAddress());
      expect(await d.exchange.authority()).to.equal(await d.manager.getAddress());
    });

    it("test_exchange_isTheClearinghousesVenue", async function () {
      expect(await d.ch.isVenue(await d.exchange.getAddress())).to.equal(true);
      expect(await d.exchange.clearinghouse()).to.equal(await d.ch.getAddress());
    });

    it("test_markets_existWithIdsRecomputedFromTheirParameters", async function () {
      expect(await d.ch.marketCount()).to.equal(BigInt(MARKETS.length));
      for (const slot of MARKETS) {
        const p = d.parameters[slot.moduleId];
        const params = marketParamsOf(slot, d.parameters);
        const id = marketIdOf(params);
        expect(await d.ch.marketId(params)).to.equal(id);
        const stored = await d.ch.marketParams(id);
        expect(stored.indexId).to.equal(indexIdOf(slot.index));
        expect(stored.methodologyHash).to.equal(methodologyHash(INDEX_SPECS[slot.index]));
        expect(stored.expiry).to.equal(params.expiry);
        expect(stored.contractSize).to.equal(params.contractSize);
        const risk = await d.ch.riskParams(id);
        const expected = p.risk as Record<string, bigint | number>;
        for (const [k, v] of Object.entries(expected))
          expect(risk[k as keyof typeof risk], k).to.equal(BigInt(v));
        const terms = await d.ch.settlementTerms(id);
        expect(terms.disputeWindow).to.equal(BigInt((p.terms as Record<string, number>).disputeWindow));
        expect(await d.ch.marketStatus(id)).to.equal(0n); // Trading
      }
    });
  });

  describe("address book", function () {
    it("test_addressBook_builtFromTheDeploymentLoadsWithTheSdk", async function () {
      const book = buildAddressBook(d.chainId, d.futureAddresses, d.parameters);
      const loaded = loadAddressBook(JSON.parse(JSON.stringify(book)));
      expect(loaded.chainId).to.equal(31337);
      expect(loaded.clearinghouse).to.equal(await d.ch.getAddress());
      expect(loaded.exchange).to.equal(await d.exchange.getAddress());
      expect(loaded.indexOracle).to.equal(await d.oracle.getAddress());
      expect(loaded.collateral).to.equal(await d.token.getAddress());
      expect(loaded.accessManager).to.equal(await d.manager.getAddress());
      expect(Object.keys(loaded.feeds!).sort()).to.deep.equal(INDICES.map((s) => s.name).sort());
      expect(Object.keys(loaded.markets!)).to.deep.equal([
        "ATPI-FRONTIER-20270326",
        "ATPI-FRONTIER-20270625",
        "GPU-H100-20270326",
      ]);
      for (const market of Object.values(loaded.markets!)) {
        expect((await d.ch.marketParams(market.id)).expiry).to.equal(BigInt(market.expiry));
      }
      // The Ignition shape loads too, for the core contracts.
      expect(loadAddressBook(d.futureAddresses).exchange).to.equal(loaded.exchange);
    });
  });

  describe("smoke", function () {
    it("test_smoke_reportDepositAndSignedOrderFillThroughTheExchange", async function () {
      const [, , , , , reporterA, reporterB, reporterC, alice, bob] = d.signers;
      const indexId = indexIdOf("ATPI-FRONTIER");
      const now = BigInt(await d.helpers.time.latest());
      const domain = oracleDomain(d.chainId, await d.oracle.getAddress());
      const report = { indexId, value: 10n * WAD, observedAt: now, inputsHash: keccak256(toHex("inputs")) };
      const reports = [
        await signReportWithEthers(reporterA, domain, report),
        await signReportWithEthers(reporterB, domain, report),
        await signReportWithEthers(reporterC, domain, report),
      ];
      await d.oracle.connect(alice).submit(indexId, reports);
      expect((await d.oracle.latest(indexId))[0]).to.equal(10n * WAD);

      const amount = 5_000n * 10n ** 6n;
      for (const trader of [alice, bob]) {
        await d.token.mint(trader.address, amount);
        await d.token.connect(trader).approve(await d.ch.getAddress(), amount);
        await d.ch.connect(trader).deposit(amount);
        expect((await d.ch.accountOf(trader.address))[0]).to.equal(amount);
      }

      const market = marketIdOf(marketParamsOf(MARKETS[0], d.parameters));
      const order = buildOrder(
        { trader: alice.address as Hex, marketId: market, isBuy: true, size: 2n, limitPrice: 10n * WAD },
        BigInt(await d.helpers.time.latest()),
      );
      const exchange = exchangeDomain(d.chainId, (await d.exchange.getAddress()) as Hex);
      const signature = await signOrderEthers(alice, exchange, order);
      // The fill's one event is the Clearinghouse's `Traded`, naming alice's order (bob takes without one).
      await expect(d.exchange.connect(bob).fillOrder(order, signature, 2n))
        .to.emit(d.ch, "Traded")
        .withArgs(
          market,
          alice.address,
          bob.address,
          -2n,
          10n * WAD,
          anyValue,
          anyValue,
          anyValue,
          hashOrder(exchange, order),
          zeroHash,
        );
      expect((await d.ch.position(alice.address, market))[0]).to.equal(2n);
      expect((await d.ch.position(bob.address, market))[0]).to.equal(-2n);
    });
  });

  describe("access", function () {
    it("test_access_strangerCannotCallARestrictedFunction", async function () {
      const stranger = d.signers[9];
      await expect(d.ch.connect(stranger).setVenue(stranger.address, true))
        .to.be.revertedWithCustomError(d.ch, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
      await expect(d.ch.connect(stranger).setGlobalPaused(true))
        .to.be.revertedWithCustomError(d.ch, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
      await expect(d.oracle.connect(stranger).addReporter(indexIdOf("GPU-H100"), stranger.address))
        .to.be.revertedWithCustomError(d.oracle, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
      // The guardian holds GUARDIAN only: it cannot create markets.
      const guardian = signerOf(holder("GUARDIAN"));
      const slot = MARKETS[0];
      await expect(
        d.ch
          .connect(guardian)
          .createMarket(
            marketParamsOf(slot, d.parameters),
            d.parameters[slot.moduleId].risk as never,
            d.parameters[slot.moduleId].terms as never,
          ),
      ).to.be.revertedWithCustomError(d.ch, "AccessManagedUnauthorized");
    });

    it("test_access_delayedRiskAdminMustScheduleThenExecutesAfterTheDelay", async function () {
      const riskAdmin = signerOf(holder("RISK_ADMIN"));
      const market = marketIdOf(marketParamsOf(MARKETS[1], d.parameters));
      const fromFile = d.parameters[MARKETS[1].moduleId].risk as Record<string, bigint | number>;
      const risk = {
        ...(Object.fromEntries(Object.entries(fromFile).map(([k, v]) => [k, BigInt(v)])) as Record<
          string,
          bigint
        >),
        takerFee: (WAD * 7n) / 10_000n,
      } as never;
      await expect(d.ch.connect(riskAdmin).setRiskParams(market, risk)).to.be.revertedWithCustomError(
        d.manager,
        "AccessManagerNotScheduled",
      );
      const data = d.ch.interface.encodeFunctionData("setRiskParams", [market, risk]);
      await d.manager.connect(riskAdmin).schedule(await d.ch.getAddress(), data, 0);
      await expect(d.ch.connect(riskAdmin).setRiskParams(market, risk)).to.be.revertedWithCustomError(
        d.manager,
        "AccessManagerNotReady",
      );
      await d.helpers.time.increase(Number(delayOf("RISK_ADMIN")));
      await d.ch.connect(riskAdmin).setRiskParams(market, risk);
      expect((await d.ch.riskParams(market)).takerFee).to.equal((WAD * 7n) / 10_000n);
    });

    it("test_access_guardianActsAtOnceAndCancelsAScheduledVenueChange", async function () {
      const guardian = signerOf(holder("GUARDIAN"));
      await d.ch.connect(guardian).setGlobalPaused(true);
      expect(await d.ch.globalPaused()).to.equal(true);
      await d.ch.connect(guardian).setGlobalPaused(false);

      const venueAdmin = signerOf(holder("VENUE_ADMIN"));
      const rogue = d.signers[9].address;
      const target = await d.ch.getAddress();
      const data = d.ch.interface.encodeFunctionData("setVenue", [rogue, true]);
      await d.manager.connect(venueAdmin).schedule(target, data, 0);
      await d.manager.connect(guardian).cancel(venueAdmin.address, target, data);
      await d.helpers.time.increase(Number(delayOf("VENUE_ADMIN")));
      await expect(d.ch.connect(venueAdmin).setVenue(rogue, true)).to.be.revertedWithCustomError(
        d.manager,
        "AccessManagerNotScheduled",
      );
      expect(await d.ch.isVenue(rogue)).to.equal(false);
    });
  });
});

describe("deploy: export-addresses from an Ignition deployment directory", function () {
  let dir: string;

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "ignition-"));
  });

  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("test_exportAddresses_writesAnAddressBookTheSdkLoads", async function () {
    const connection = await network.create({ override: { initialDate: INITIAL_DATE } });
    const deploymentDir = path.join(dir, "chain-31337");
    const result = await deploy({
      provider: connection.provider,
      deploymentDir,
      artifactResolver: new HardhatArtifactResolver(hre.artifacts),
      ignitionModule: LocalProtocol,
      deploymentParameters: await readDeploymentParameters(LOCAL_PARAMETERS),
      accounts: (await connection.provider.request({ method: "eth_accounts" })) as string[],
    });
    expect(result.type).to.equal(DeploymentResultType.SUCCESSFUL_DEPLOYMENT);

    const { file, book } = await exportAddresses({
      deploymentDir,
      parametersFile: LOCAL_PARAMETERS,
      outDir: path.join(dir, "out"),
    });
    expect(path.basename(file)).to.equal("localhost.json");
    const loaded = loadAddressBook(JSON.parse(await readFile(file, "utf8")));
    expect(loaded.chainId).to.equal(31337);
    const deployed = JSON.parse(await readFile(path.join(deploymentDir, "deployed_addresses.json"), "utf8"));
    expect(loaded.clearinghouse).to.equal(deployed["Clearinghouse#Clearinghouse"]);
    expect(loaded.collateral).to.equal(deployed["MockCollateral#Collateral"]);
    expect(loaded.feeds!["GPU-H100"]).to.equal(deployed["Index_GPU_H100#IndexOracleFeed_GPU_H100"]);
    expect(Object.keys(book.markets)).to.have.length(MARKETS.length);
  });
});
