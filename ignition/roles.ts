/**
 * The protocol's AccessManager roles and which restricted function each one may call. The Ignition
 * modules wire this table with `setTargetFunctionRole`; `test/ts/deploy/ignition.test.ts` checks it
 * against the compiled ABIs and against every `restricted` function in `contracts/`.
 */
import { toFunctionSelector, type Hex } from "viem";

/** Role ids. `ADMIN` (0) is AccessManager's built-in admin role; the others are the protocol's. */
export const ROLES = {
  ADMIN: 0n,
  MARKET_ADMIN: 1n,
  RISK_ADMIN: 2n,
  GUARDIAN: 3n,
  SETTLEMENT_ADMIN: 4n,
  ORACLE_ADMIN: 5n,
  VENUE_ADMIN: 6n,
  TREASURY_ADMIN: 7n,
} as const;

/** A role name. */
export type RoleName = keyof typeof ROLES;

/** The protocol's own roles (every role but `ADMIN`), in id order. */
export const PROTOCOL_ROLES = [
  "MARKET_ADMIN",
  "RISK_ADMIN",
  "GUARDIAN",
  "SETTLEMENT_ADMIN",
  "ORACLE_ADMIN",
  "VENUE_ADMIN",
  "TREASURY_ADMIN",
] as const satisfies readonly RoleName[];

/** A protocol role (not `ADMIN`). */
export type ProtocolRole = (typeof PROTOCOL_ROLES)[number];

/**
 * The parameter names (in the top-level module) that hold each role's member and its execution
 * delay in seconds, e.g. `riskAdmin` / `riskAdminDelay`.
 */
export const ROLE_PARAMETER: Readonly<Record<RoleName, string>> = {
  ADMIN: "admin",
  MARKET_ADMIN: "marketAdmin",
  RISK_ADMIN: "riskAdmin",
  GUARDIAN: "guardian",
  SETTLEMENT_ADMIN: "settlementAdmin",
  ORACLE_ADMIN: "oracleAdmin",
  VENUE_ADMIN: "venueAdmin",
  TREASURY_ADMIN: "treasuryAdmin",
};

/**
 * Roles the guardian may cancel scheduled operations of (`AccessManager.setRoleGuardian`): every
 * delayed change can be stopped during its delay.
 */
export const GUARDED_ROLES = [
  "RISK_ADMIN",
  "SETTLEMENT_ADMIN",
  "ORACLE_ADMIN",
  "VENUE_ADMIN",
  "TREASURY_ADMIN",
] as const satisfies readonly ProtocolRole[];

/**
 * Roles the deployer holds (with no delay) while the deployment configures the protocol, renounced
 * at its end: creating the indices (`ORACLE_ADMIN`), the markets (`MARKET_ADMIN`), registering the
 * Exchange (`VENUE_ADMIN`) and setting the fee shares (`RISK_ADMIN`).
 */
export const DEPLOYER_ROLES = [
  "ORACLE_ADMIN",
  "MARKET_ADMIN",
  "VENUE_ADMIN",
  "RISK_ADMIN",
] as const satisfies readonly ProtocolRole[];

/** A contract with restricted functions. */
export type ManagedContract = "IndexOracle" | "Clearinghouse" | "Exchange";

/** One restricted function and the role allowed to call it. */
export interface RestrictedFunction {
  contract: ManagedContract;
  /** The function name, as in the ABI. */
  name: string;
  /** The canonical signature (struct arguments as tuples), whose hash is the selector. */
  signature: string;
  role: ProtocolRole;
}

const MARKET_PARAMS = "(bytes32,bytes32,uint64,uint128,uint128,uint64,uint32)";
const RISK_PARAMS = "(uint64,uint64,uint64,uint64,uint64,uint64,uint64,uint64,uint64,uint64,uint64,uint64)";
const SETTLEMENT_TERMS = "(uint32,uint32)";
const INDEX_PARAMS = "(uint8,uint32,uint32,uint64,uint8)";

/** Every restricted function of the protocol, mapped to its role. */
export const RESTRICTED_FUNCTIONS: readonly RestrictedFunction[] = [
  {
    contract: "IndexOracle",
    name: "createIndex",
    signature: `createIndex(bytes32,${INDEX_PARAMS},address[])`,
    role: "ORACLE_ADMIN",
  },
  {
    contract: "IndexOracle",
    name: "setIndexParams",
    signature: `setIndexParams(bytes32,${INDEX_PARAMS})`,
    role: "ORACLE_ADMIN",
  },
  {
    contract: "IndexOracle",
    name: "addReporter",
    signature: "addReporter(bytes32,address)",
    role: "ORACLE_ADMIN",
  },
  {
    contract: "IndexOracle",
    name: "removeReporter",
    signature: "removeReporter(bytes32,address)",
    role: "ORACLE_ADMIN",
  },
  {
    contract: "IndexOracle",
    name: "setListener",
    signature: "setListener(address)",
    role: "ORACLE_ADMIN",
  },
  {
    contract: "Clearinghouse",
    name: "createMarket",
    signature: `createMarket(${MARKET_PARAMS},${RISK_PARAMS},${SETTLEMENT_TERMS})`,
    role: "MARKET_ADMIN",
  },
  {
    contract: "Clearinghouse",
    name: "setRiskParams",
    signature: `setRiskParams(bytes32,${RISK_PARAMS})`,
    role: "RISK_ADMIN",
  },
  {
    contract: "Clearinghouse",
    name: "setFeeShares",
    signature: "setFeeShares(uint64,uint64)",
    role: "RISK_ADMIN",
  },
  { contract: "Clearinghouse", name: "setVenue", signature: "setVenue(address,bool)", role: "VENUE_ADMIN" },
  {
    contract: "Clearinghouse",
    name: "setTreasury",
    signature: "setTreasury(address)",
    role: "TREASURY_ADMIN",
  },
  {
    contract: "Clearinghouse",
    name: "setMarketPaused",
    signature: "setMarketPaused(bytes32,bool)",
    role: "GUARDIAN",
  },
  {
    contract: "Clearinghouse",
    name: "setGlobalPaused",
    signature: "setGlobalPaused(bool)",
    role: "GUARDIAN",
  },
  {
    contract: "Clearinghouse",
    name: "disputeSettlement",
    signature: "disputeSettlement(bytes32)",
    role: "GUARDIAN",
  },
  {
    contract: "Clearinghouse",
    name: "resolveSettlement",
    signature: "resolveSettlement(bytes32,uint256)",
    role: "SETTLEMENT_ADMIN",
  },
];

/** The 4-byte selector of a restricted function. */
export function selectorOf(fn: RestrictedFunction): Hex {
  return toFunctionSelector(fn.signature);
}

/** The restricted functions of `contract`, grouped by role, as `[role, selectors]` pairs. */
export function selectorsByRole(contract: ManagedContract): [ProtocolRole, Hex[]][] {
  const byRole = new Map<ProtocolRole, Hex[]>();
  for (const fn of RESTRICTED_FUNCTIONS) {
    if (fn.contract !== contract) continue;
    byRole.set(fn.role, [...(byRole.get(fn.role) ?? []), selectorOf(fn)]);
  }
  return [...byRole.entries()];
}
