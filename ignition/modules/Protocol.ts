/**
 * The whole protocol: AccessManager, IndexOracle with its indices and feeds, collateral,
 * Clearinghouse (libraries linked), Exchange (registered as venue) and markets; then every role
 * granted to its holder with its execution delay, the guardian made guardian of the delayed roles,
 * and the deployer's temporary roles and admin role renounced, so that after the deployment the
 * deployer holds nothing.
 *
 * Parameters of the top-level module (`Protocol` or `LocalProtocol`): for every role of
 * `ROLE_PARAMETER` its holder and its execution delay in seconds, e.g. `riskAdmin` and
 * `riskAdminDelay`; `admin` / `adminDelay` for AccessManager's admin role. No holder may be the
 * deployer (its roles are renounced at the end).
 *
 * This file's default export takes an existing collateral token (`Collateral.address`);
 * `LocalProtocol.ts` deploys a mock token instead.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { INDICES } from "../layout.js";
import { DEPLOYER_ROLES, GUARDED_ROLES, PROTOCOL_ROLES, ROLE_PARAMETER, ROLES } from "../roles.js";
import AccessManagerModule from "./AccessManager.js";
import { buildClearinghouseModule } from "./Clearinghouse.js";
import { ExistingCollateralModule, type CollateralModule } from "./Collateral.js";
import { buildExchangeModule } from "./Exchange.js";
import IndexOracleModule, { IndexModules } from "./IndexOracle.js";
import { buildMarketModules } from "./Markets.js";

/** The top-level module `id` on the given collateral module. */
export function buildProtocolModule(id: string, collateralModule: CollateralModule) {
  const clearinghouseModule = buildClearinghouseModule(collateralModule);
  const exchangeModule = buildExchangeModule(clearinghouseModule);
  const marketModules = buildMarketModules(clearinghouseModule);

  return buildModule(id, (m) => {
    const deployer = m.getAccount(0);
    const { accessManager } = m.useModule(AccessManagerModule);
    const { indexOracle } = m.useModule(IndexOracleModule);
    const feeds = Object.fromEntries(
      IndexModules.map((indexModule, i) => [INDICES[i].feedId, m.useModule(indexModule).feed]),
    );
    const { collateral } = m.useModule(collateralModule);
    const { clearinghouse, liquidationLogic, settlementLogic } = m.useModule(clearinghouseModule);
    const { exchange } = m.useModule(exchangeModule);
    for (const marketModule of marketModules) m.useModule(marketModule);

    // Every configuration step the deployer performs with its temporary roles.
    const configuration = [
      AccessManagerModule,
      IndexOracleModule,
      ...IndexModules,
      clearinghouseModule,
      exchangeModule,
      ...marketModules,
    ];

    const grants = PROTOCOL_ROLES.map((role) =>
      m.call(
        accessManager,
        "grantRole",
        [
          ROLES[role],
          m.getParameter<string>(ROLE_PARAMETER[role]),
          m.getParameter<number>(`${ROLE_PARAMETER[role]}Delay`),
        ],
        { id: `grant_${role}`, after: configuration },
      ),
    );
    const guardians = GUARDED_ROLES.map((role) =>
      m.call(accessManager, "setRoleGuardian", [ROLES[role], ROLES.GUARDIAN], {
        id: `guardian_${role}`,
        after: configuration,
      }),
    );
    const renounced = DEPLOYER_ROLES.map((role) =>
      m.call(accessManager, "renounceRole", [ROLES[role], deployer], {
        id: `renounceDeployer_${role}`,
        after: [...configuration, ...grants],
      }),
    );
    const adminGranted = m.call(
      accessManager,
      "grantRole",
      [ROLES.ADMIN, m.getParameter<string>(ROLE_PARAMETER.ADMIN), m.getParameter<number>("adminDelay")],
      { id: "grant_ADMIN", after: [...grants, ...guardians, ...renounced] },
    );
    m.call(accessManager, "renounceRole", [ROLES.ADMIN, deployer], {
      id: "renounceDeployer_ADMIN",
      after: [adminGranted],
    });

    return {
      accessManager,
      indexOracle,
      collateral,
      clearinghouse,
      liquidationLogic,
      settlementLogic,
      exchange,
      ...feeds,
    };
  });
}

/** The protocol on an existing collateral token. */
export default buildProtocolModule("Protocol", ExistingCollateralModule);
