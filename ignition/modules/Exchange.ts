/**
 * The Exchange on a Clearinghouse, its restricted functions (`pause`, `unpause`) mapped to the
 * guardian, and registered as the Clearinghouse's venue (by the deployer, as `VENUE_ADMIN`).
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { ROLES, selectorsByRole } from "../roles.js";
import AccessManagerModule from "./AccessManager.js";
import type { buildClearinghouseModule } from "./Clearinghouse.js";

/** The Exchange module on the given Clearinghouse module. */
export function buildExchangeModule(clearinghouseModule: ReturnType<typeof buildClearinghouseModule>) {
  return buildModule("Exchange", (m) => {
    const { accessManager } = m.useModule(AccessManagerModule);
    const { clearinghouse } = m.useModule(clearinghouseModule);
    const exchange = m.contract("Exchange", [clearinghouse, accessManager]);
    for (const [role, selectors] of selectorsByRole("Exchange")) {
      m.call(accessManager, "setTargetFunctionRole", [exchange, selectors, ROLES[role]], {
        id: `roles_Exchange_${role}`,
      });
    }
    m.call(clearinghouse, "setVenue", [exchange, true], {
      after: [AccessManagerModule, clearinghouseModule],
    });
    return { exchange };
  });
}
