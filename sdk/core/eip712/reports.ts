/**
 * Building and signing IndexOracle reports (EIP-712): used by reporters, the relayer, tests and benchmarks.
 *
 * The typed data matches `IndexOracle.REPORT_TYPEHASH`:
 * `Report(bytes32 indexId,uint256 value,uint64 observedAt,bytes32 inputsHash)` under the domain
 * `{ name: "IndexOracle", version: "1", chainId, verifyingContract }`.
 */
import {
  parseSignature,
  serializeSignature,
  signatureToCompactSignature,
  type Address,
  type Hex,
} from "viem";

import { mutableTypes, type EthersTypedDataSigner, type ViemSigner } from "./signers.js";

export { indexIdOf } from "../ids.js";
export { lowerMedian } from "../oracle/median.js";
export type { EthersTypedDataSigner } from "./signers.js";

/** The EIP-712 domain name and version of `IndexOracle`. */
export const ORACLE_DOMAIN_NAME = "IndexOracle";
export const ORACLE_DOMAIN_VERSION = "1";

/** The EIP-712 `Report` type, as a viem/ethers types object. */
export const REPORT_TYPES = {
  Report: [
    { name: "indexId", type: "bytes32" },
    { name: "value", type: "uint256" },
    { name: "observedAt", type: "uint64" },
    { name: "inputsHash", type: "bytes32" },
  ],
} as const;

/** One reporter's observation, the struct `IIndexOracle.Report`. */
export interface OracleReport {
  indexId: Hex;
  /** 18-decimal fixed point, in `[1, 2^96 - 1]`. */
  value: bigint;
  /** Unix seconds. */
  observedAt: bigint;
  inputsHash: Hex;
}

/**
 * A report with its signature in the ERC-2098 compact form, the struct `IIndexOracle.SignedReport`:
 * `r`, and `vs` = `s` with the recovery bit in its top bit.
 */
export interface SignedOracleReport {
  report: OracleReport;
  r: Hex;
  vs: Hex;
}

/** The EIP-712 domain of an `IndexOracle` deployment. */
export interface OracleDomain {
  name: typeof ORACLE_DOMAIN_NAME;
  version: typeof ORACLE_DOMAIN_VERSION;
  chainId: bigint;
  verifyingContract: Address;
}

/**
 * The EIP-712 domain of the oracle at `verifyingContract` on `chainId`.
 * @example const domain = oracleDomain(31337n, await oracle.getAddress());
 */
export function oracleDomain(chainId: bigint | number, verifyingContract: string): OracleDomain {
  return {
    name: ORACLE_DOMAIN_NAME,
    version: ORACLE_DOMAIN_VERSION,
    chainId: BigInt(chainId),
    verifyingContract: verifyingContract as Address,
  };
}

/** Anything that signs a report the viem way (a local account or a wallet client with an account). */
export type ViemTypedDataSigner = ViemSigner<typeof REPORT_TYPES, "Report", OracleReport>;

/**
 * Signs `report` with an ethers signer.
 * @example const signed = await signReportWithEthers(wallet, domain, report);
 */
export async function signReportWithEthers(
  signer: EthersTypedDataSigner,
  domain: OracleDomain,
  report: OracleReport,
): Promise<SignedOracleReport> {
  const signature = (await signer.signTypedData({ ...domain }, mutableTypes(REPORT_TYPES), {
    ...report,
  })) as Hex;
  return withSignature(report, signature);
}

/**
 * Signs `report` with a viem local account (`privateKeyToAccount`) or wallet client.
 * @example const signed = await signReportWithViem(privateKeyToAccount(key), domain, report);
 */
export async function signReportWithViem(
  signer: ViemTypedDataSigner,
  domain: OracleDomain,
  report: OracleReport,
): Promise<SignedOracleReport> {
  const signature = await signer.signTypedData({
    domain,
    types: REPORT_TYPES,
    primaryType: "Report",
    message: report,
  });
  return withSignature(report, signature);
}

/**
 * Attaches a 65-byte `r ‖ s ‖ v` signature to `report` in the compact form the oracle takes.
 * @example const signed = withSignature(report, await wallet.signTypedData(domain, types, report));
 */
export function withSignature(report: OracleReport, signature: Hex): SignedOracleReport {
  const { r, yParityAndS } = signatureToCompactSignature(parseSignature(signature));
  return { report, r, vs: yParityAndS };
}

/**
 * The compact signature of `signed` back as 65 bytes `r ‖ s ‖ v` (v = 27 or 28).
 * @example const sig = toSignature(signed); // verify off-chain with viem's recoverTypedDataAddress
 */
export function toSignature(signed: Pick<SignedOracleReport, "r" | "vs">): Hex {
  const vs = BigInt(signed.vs);
  const yParity = Number(vs >> 255n);
  const s = vs & ((1n << 255n) - 1n);
  return serializeSignature({ r: signed.r, s: `0x${s.toString(16).padStart(64, "0")}`, yParity });
}
