/**
 * The Clearinghouse with its two external logic libraries linked, its restricted functions mapped to
 * their roles, the fee shares set (by the deployer, as `RISK_ADMIN`), and the Clearinghouse made the
 * oracle's listener (by the deployer, as `ORACLE_ADMIN`), so every accepted round reaches the copy of
 * the index its marks read.
 *
 * Parameters of `Clearinghouse`: `treasury` (address receiving the treasury's fee share),
 * `insuranceFeeShare` and `liquidatorShare` (18-decimal fractions, `"…n"` strings).
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { ROLES, selectorsByRole } from "../roles.js";
import AccessManagerModule from "./AccessManager.js";
import type { CollateralModule } from "./Collateral.js";
import IndexOracleModule from "./IndexOracle.js";

/** The Clearinghouse module on the given collateral. */
export function buildClearinghouseModule(collateralModule: CollateralModule) {
  return buildModule("Clearinghouse", (m) => {
    const { accessManager } = m.useModule(AccessManagerModule);
    const { indexOracle } = m.useModule(IndexOracleModule);
    const { collateral } = m.useModule(collateralModule);
    const marketAdminLogic = m.library("MarketAdminLogic");
    const liquidationLogic = m.library("LiquidationLogic");
    const settlementLogic = m.library("SettlementLogic");
    const clearinghouse = m.contract(
      "Clearinghouse",
      [accessManager, collateral, indexOracle, m.getParameter<string>("treasury")],
      {
        libraries: {
          MarketAdminLogic: marketAdminLogic,
          LiquidationLogic: liquidationLogic,
          SettlementLogic: settlementLogic,
        },
      },
    );
    const mappings = selectorsByRole("Clearinghouse").map(([role, selectors]) =>
      m.call(accessManager, "setTargetFunctionRole", [clearinghouse, selectors, ROLES[role]], {
        id: `roles_Clearinghouse_${role}`,
      }),
    );
    m.call(
      clearinghouse,
      "setFeeShares",
      [m.getParameter<bigint>("insuranceFeeShare"), m.getParameter<bigint>("liquidatorShare")],
      { after: [AccessManagerModule, ...mappings] },
    );
    m.call(indexOracle, "setListener", [clearinghouse], { after: [AccessManagerModule, IndexOracleModule] });
    return { clearinghouse, liquidationLogic, settlementLogic };
  });
}
