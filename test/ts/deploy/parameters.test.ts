/**
 * The parameters files: every index and market slot has its section, each market's methodology hash is
 * its index spec's, settlement terms and delays are consistent, the public-network files leave out
 * exactly the operator's addresses, and `sepolia.json` deploys once those are supplied.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { readDeploymentParameters } from "@nomicfoundation/hardhat-ignition/helpers";

import { INDEX_SPECS, methodologyHash } from "../../../index/index.js";
import { INDICES, MARKETS } from "../../../ignition/layout.js";
import LocalProtocol from "../../../ignition/modules/LocalProtocol.js";
import { PROTOCOL_ROLES, ROLE_PARAMETER, ROLES } from "../../../ignition/roles.js";
import { marketIdOf, marketParamsOf, type DeploymentParameters } from "../../../scripts/lib/addressBook.js";

const DAY = 86_400;
const FILES = { local: "LocalProtocol", sepolia: "LocalProtocol", arbitrum: "Protocol" } as const;
const ARBITRUM_USDC = "0xaf88d065e77c8cC2239327C5EDb3A432268e5831";
const HOLDERS = ["admin", ...PROTOCOL_ROLES.map((r) => ROLE_PARAMETER[r])];

const read = async (name: string) =>
  (await readDeploymentParameters(`ignition/parameters/${name}.json`)) as DeploymentParameters;

describe("deploy: parameters files", function () {
  for (const [name, top] of Object.entries(FILES)) {
    it(`test_parameters_${name}_marketsAndIndicesAreConsistent`, async function () {
      const p = await read(name);
      for (const slot of INDICES) {
        const index = p[slot.moduleId];
        expect(index, slot.moduleId).to.not.equal(undefined);
        expect(index.quorum as number).to.be.greaterThan(0);
        // Every index states its fault bound f, and its quorum carries more than 2f reports.
        const f = index.faultBound as number;
        expect(f, `${name} ${slot.moduleId} faultBound`).to.be.a("number");
        expect(index.quorum as number).to.be.at.least(2 * f + 1);
        if (index.reporters !== undefined) {
          expect((index.reporters as string[]).length).to.be.at.least(3 * f + 1);
        }
        expect(index.minInterval as number).to.be.at.most(index.maxAge as number);
      }
      for (const slot of MARKETS) {
        const market = p[slot.moduleId];
        expect(market.methodologyHash, slot.key).to.equal(methodologyHash(INDEX_SPECS[slot.index]));
        const terms = market.terms as { disputeWindow: number; fallbackDelay: number };
        expect(terms.fallbackDelay).to.be.at.least(terms.disputeWindow + DAY);
        const window = market.settlementWindow as number;
        expect(window).to.be.within(300, 7 * DAY);
        // A resolution must be able to land before the fallback finalization.
        const settlementDelay = p[top].settlementAdminDelay as number;
        expect(settlementDelay).to.be.below(terms.fallbackDelay - terms.disputeWindow);
        const risk = market.risk as Record<string, bigint>;
        expect(risk.mmr < risk.imr && risk.liquidationPenalty < risk.mmr, slot.key).to.equal(true);
      }
      const ids = MARKETS.map((slot) => marketIdOf(marketParamsOf(slot, p)));
      expect(new Set(ids).size).to.equal(MARKETS.length);
      for (const role of [...PROTOCOL_ROLES, "ADMIN" as const]) {
        expect(p[top][`${ROLE_PARAMETER[role]}Delay`], role).to.be.a("number");
      }
    });
  }

  it("test_parameters_publicNetworksLeaveOutExactlyTheOperatorsAddresses", async function () {
    for (const name of ["sepolia", "arbitrum"] as const) {
      const p = await read(name);
      for (const key of HOLDERS) expect(p[FILES[name]], `${name}.${key}`).to.not.have.property(key);
      expect(p.Clearinghouse).to.not.have.property("treasury");
      for (const slot of INDICES) expect(p[slot.moduleId]).to.not.have.property("reporters");
    }
    const local = await read("local");
    for (const key of HOLDERS) expect(local.LocalProtocol).to.have.property(key);
  });

  it("test_parameters_arbitrumUsesNativeUsdcAndDayScaleDelays", async function () {
    const p = await read("arbitrum");
    expect(p.Collateral.address).to.equal(ARBITRUM_USDC);
    expect(p).to.not.have.property("MockCollateral");
    for (const key of ["adminDelay", "riskAdminDelay", "venueAdminDelay", "treasuryAdminDelay"]) {
      expect(p.Protocol[key] as number, key).to.be.at.least(DAY);
    }
    expect(p.Protocol.guardianDelay).to.equal(0);
  });

  it("test_parameters_sepoliaDeploysOnceTheOperatorsAddressesAreSupplied", async function () {
    const { ethers, ignition } = await network.create({ override: { initialDate: "2026-12-01T00:00:00Z" } });
    const signers = await ethers.getSigners();
    const p = await read("sepolia");
    HOLDERS.forEach((key, i) => (p.LocalProtocol[key] = signers[1 + (i % 3)].address));
    p.Clearinghouse.treasury = signers[4].address;
    // f = 1 needs at least four reporters.
    for (const slot of INDICES) p[slot.moduleId].reporters = signers.slice(5, 9).map((s) => s.address);
    const deployed = (await ignition.deploy(LocalProtocol, { parameters: p as never })) as unknown as Record<
      string,
      { getAddress(): Promise<string> }
    >;
    const manager = await ethers.getContractAt("AccessManager", await deployed.accessManager.getAddress());
    const [, riskDelay] = await manager.hasRole(ROLES.RISK_ADMIN, p.LocalProtocol.riskAdmin as string);
    expect(riskDelay).to.equal(BigInt(p.LocalProtocol.riskAdminDelay as number));
    const ch = await ethers.getContractAt("Clearinghouse", await deployed.clearinghouse.getAddress());
    expect(await ch.marketCount()).to.equal(BigInt(MARKETS.length));
  });
});
