/**
 * The AccessManager: roles labelled, and the deployer (account 0, the initial admin) granted the
 * roles it needs to configure the protocol during this deployment, with no delay. The top-level
 * module renounces them, and the admin role, once the configuration is done.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { DEPLOYER_ROLES, PROTOCOL_ROLES, ROLES } from "../roles.js";

export default buildModule("AccessManager", (m) => {
  const deployer = m.getAccount(0);
  const accessManager = m.contract("AccessManager", [deployer]);
  for (const role of PROTOCOL_ROLES) {
    m.call(accessManager, "labelRole", [ROLES[role], role], { id: `labelRole_${role}` });
  }
  for (const role of DEPLOYER_ROLES) {
    m.call(accessManager, "grantRole", [ROLES[role], deployer, 0], { id: `grantDeployer_${role}` });
  }
  return { accessManager };
});
