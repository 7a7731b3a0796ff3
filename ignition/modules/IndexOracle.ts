/**
 * The IndexOracle, its restricted functions mapped to `ORACLE_ADMIN`, and one module per index of
 * `INDICES` (`Index_<NAME>`): the index created with its reporters and parameters, and its
 * `IndexOracleFeed`.
 *
 * Parameters of `Index_<NAME>`: `quorum`, `maxAge`, `minInterval` (seconds), `maxDeviation`
 * (18-decimal fraction, a `"…n"` string), `faultBound` (`f`: needs at least `3f + 1` reporters and a
 * quorum of at least `2f + 1`), `reporters` (addresses), `description` (the feed's).
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { INDICES, indexIdOfSlot, type IndexSlot } from "../layout.js";
import { ROLES, selectorsByRole } from "../roles.js";
import AccessManagerModule from "./AccessManager.js";

/** The oracle and its role mapping. */
export const IndexOracleModule = buildModule("IndexOracle", (m) => {
  const { accessManager } = m.useModule(AccessManagerModule);
  const indexOracle = m.contract("IndexOracle", [accessManager]);
  for (const [role, selectors] of selectorsByRole("IndexOracle")) {
    m.call(accessManager, "setTargetFunctionRole", [indexOracle, selectors, ROLES[role]], {
      id: `roles_IndexOracle_${role}`,
    });
  }
  return { indexOracle };
});

/** One index: created on the oracle (by the deployer, as `ORACLE_ADMIN`) and given a feed. */
export function buildIndexModule(slot: IndexSlot) {
  return buildModule(slot.moduleId, (m) => {
    const { indexOracle } = m.useModule(IndexOracleModule);
    const params = {
      quorum: m.getParameter<number>("quorum"),
      maxAge: m.getParameter<number>("maxAge"),
      minInterval: m.getParameter<number>("minInterval"),
      maxDeviation: m.getParameter<bigint>("maxDeviation"),
      faultBound: m.getParameter<number>("faultBound"),
    };
    const created = m.call(
      indexOracle,
      "createIndex",
      [indexIdOfSlot(slot), params, m.getParameter<string[]>("reporters")],
      { after: [AccessManagerModule, IndexOracleModule] },
    );
    const feed = m.contract(
      "IndexOracleFeed",
      [indexOracle, indexIdOfSlot(slot), m.getParameter<string>("description")],
      { id: slot.feedId, after: [created] },
    );
    return { feed };
  });
}

/** The index modules, in `INDICES` order. */
export const IndexModules = INDICES.map(buildIndexModule);

export default IndexOracleModule;
