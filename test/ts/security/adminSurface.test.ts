/**
 * The protocol's state-changing surface, classified, so a new function cannot appear without someone deciding
 * who may call it and whether it moves money:
 *
 * - every non-view function of the Clearinghouse, the Exchange and the IndexOracle is listed below as public
 *   (anyone), venue-only, oracle-only (the Clearinghouse's `onIndexValue`, `NotOracle` otherwise: checked in
 *   test/sol/ClearinghouseIndexCache.t.sol) or `restricted` (a role), and the `restricted` set matches the source;
 * - collateral leaves the Clearinghouse in exactly two places: `withdraw` (to the caller, from its own balance)
 *   and `withdrawTreasury` (to the treasury, only the accrued fees). No role function transfers tokens and no
 *   function lowers the insurance fund except to pay bad debt (checked behaviourally in
 *   test/sol/security/RoleBounds.t.sol and by the invariant suites).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { network } from "hardhat";

const { ethers } = await network.create();
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Who may call each state-changing function. */
interface Surface {
  public: string[];
  venue: string[];
  oracle: string[];
  restricted: string[];
}

const SURFACE: Record<string, Surface> = {
  Clearinghouse: {
    public: [
      "deleverage",
      "deposit",
      "depositFor",
      "depositInsurance",
      "depositWithPermit",
      "finalizeSettlement",
      "liquidate",
      "proposeSettlement",
      "settle",
      "settleMany",
      "syncIndex",
      "withdraw",
      "withdrawTreasury",
    ],
    venue: ["trade", "tradeBatch"],
    oracle: ["onIndexValue"],
    restricted: [
      "createMarket",
      "disputeSettlement",
      "resolveSettlement",
      "setFeeShares",
      "setGlobalPaused",
      "setMarketPaused",
      "setRiskParams",
      "setTreasury",
      "setVenue",
    ],
  },
  Exchange: {
    public: ["cancelOrders", "cancelUpTo", "fillOrder", "matchOrders", "setDelegate"],
    venue: [],
    oracle: [],
    restricted: [],
  },
  IndexOracle: {
    public: ["submit"],
    venue: [],
    oracle: [],
    restricted: ["addReporter", "createIndex", "removeReporter", "setIndexParams", "setListener"],
  },
};

/** AccessManaged's own entry points, identical on every managed contract. */
const ACCESS_MANAGED = ["setAuthority"];

function source(name: string): string {
  return readFileSync(`${ROOT}contracts/${name}.sol`, "utf8");
}

/** Names of the functions whose header (up to the opening brace) carries `restricted`. */
function restrictedInSource(text: string): string[] {
  return [...text.matchAll(/function\s+(\w+)\s*\(([^{]*?)\{/gs)]
    .filter((m) => /\brestricted\b/.test(m[2]))
    .map((m) => m[1])
    .sort();
}

/** The function enclosing character offset `at`. */
function enclosingFunction(text: string, at: number): string {
  const before = [...text.slice(0, at).matchAll(/function\s+(\w+)/g)];
  return before.length === 0 ? "" : before[before.length - 1][1];
}

describe("security: the state-changing surface is classified", function () {
  for (const [name, expected] of Object.entries(SURFACE)) {
    it(`${name}_everyStateChangingFunctionIsClassified`, async function () {
      const artifact = await ethers.getContractFactory(
        name,
        name === "Clearinghouse"
          ? {
              libraries: {
                MarketAdminLogic: ethers.ZeroAddress,
                LiquidationLogic: ethers.ZeroAddress,
                SettlementLogic: ethers.ZeroAddress,
              },
            }
          : {},
      );
      const mutating = artifact.interface.fragments
        .filter((f) => f.type === "function")
        .map((f) => f as unknown as { name: string; stateMutability: string })
        .filter((f) => f.stateMutability !== "view" && f.stateMutability !== "pure")
        .map((f) => f.name)
        .filter((n) => !ACCESS_MANAGED.includes(n))
        .sort();
      const classified = [
        ...expected.public,
        ...expected.venue,
        ...expected.oracle,
        ...expected.restricted,
      ].sort();
      expect(mutating, "unclassified or removed functions").to.deep.equal(classified);
      expect(restrictedInSource(source(name)), "restricted in the source").to.deep.equal(
        [...expected.restricted].sort(),
      );
    });
  }

  it("collateralLeavesOnlyThroughWithdrawAndWithdrawTreasury", function () {
    const files = ["Clearinghouse", "Exchange", "IndexOracle", "IndexOracleFeed"].map(
      (n) => `contracts/${n}.sol`,
    );
    const libraries = [
      "MarketAdminLogic",
      "LiquidationLogic",
      "SettlementLogic",
      "MarginLogic",
      "TradeLogic",
      "PositionMath",
    ].map((n) => `contracts/libraries/${n}.sol`);
    const outflows: string[] = [];
    for (const file of [...files, ...libraries]) {
      const text = readFileSync(`${ROOT}${file}`, "utf8");
      for (const m of text.matchAll(
        /\.(safeTransfer|transfer|safeTransferFrom|transferFrom)\s*\(([^;]*)\)/g,
      )) {
        outflows.push(
          `${file}:${enclosingFunction(text, m.index ?? 0)}:${m[1]}(${m[2].replace(/\s+/g, " ")})`,
        );
      }
    }
    expect(outflows.sort()).to.deep.equal([
      "contracts/Clearinghouse.sol:_pull:safeTransferFrom(msg.sender, address(this), amount)",
      "contracts/Clearinghouse.sol:withdraw:safeTransfer(msg.sender, amount)",
      "contracts/Clearinghouse.sol:withdrawTreasury:safeTransfer(to, amount)",
    ]);
    const ch = source("Clearinghouse");
    const treasuryBody = ch.slice(ch.indexOf("function withdrawTreasury"), ch.indexOf("function _deposit"));
    expect(treasuryBody).to.match(/uint256 amount = _s\.treasuryAccrued;/);
    expect(treasuryBody).to.match(/address to = _s\.treasury;/);
    expect(treasuryBody).to.not.match(/insuranceFund/);
  });
});
