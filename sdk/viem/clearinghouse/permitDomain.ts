/**
 * What a deposit needs to know before it chooses between an EIP-2612 permit and `approve`: the token's permit
 * domain (verified against its `DOMAIN_SEPARATOR()`), and whether the depositor is a smart-contract wallet,
 * which cannot sign a permit.
 */
import { erc20Abi, parseAbi, type Address, type TypedDataDomain } from "viem";
import { getChainId, getCode, readContract } from "viem/actions";

import { domainMatchesSeparator } from "../../core/eip712/permit.js";
import type { ReadClient } from "../internal/send.js";

/** The reads that tell whether a token supports EIP-2612 and under which EIP-712 domain. */
export const permitReadsAbi = parseAbi([
  "function DOMAIN_SEPARATOR() view returns (bytes32)",
  "function nonces(address owner) view returns (uint256)",
  "function version() view returns (string)",
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)",
]);

/**
 * The EIP-712 domain of `token`'s `permit`, or `undefined` when the token has no EIP-2612 support the SDK can
 * verify: the name and version come from ERC-5267 `eip712Domain()` or from `name()` and `version()` (version
 * "1" when absent), and the domain is used only if it hashes to the token's `DOMAIN_SEPARATOR()`.
 */
export async function readPermitDomain(
  client: ReadClient,
  token: Address,
): Promise<TypedDataDomain | undefined> {
  const read = <T>(functionName: "DOMAIN_SEPARATOR" | "version" | "eip712Domain") =>
    readContract(client, { address: token, abi: permitReadsAbi, functionName }) as Promise<T>;
  let separator: `0x${string}`;
  try {
    separator = await read<`0x${string}`>("DOMAIN_SEPARATOR");
  } catch {
    return undefined;
  }
  const chainId = await getChainId(client);
  let name: string;
  let version: string;
  try {
    [, name, version] = await read<readonly [string, string, string]>("eip712Domain");
  } catch {
    name = await readContract(client, { address: token, abi: erc20Abi, functionName: "name" });
    version = await read<string>("version").catch(() => "1");
  }
  const domain: TypedDataDomain = { name, version, chainId, verifyingContract: token };
  return domainMatchesSeparator(domain, separator) ? domain : undefined;
}

/** The code prefix of an EIP-7702 delegated EOA, whose key still signs (so a permit works). */
const EIP7702_DESIGNATOR = "0xef0100";

/** Whether `account` is a smart-contract wallet: it has code that is not an EIP-7702 delegation. */
export async function isContractAccount(client: ReadClient, account: Address): Promise<boolean> {
  const code = await getCode(client, { address: account });
  return code !== undefined && code !== "0x" && !code.toLowerCase().startsWith(EIP7702_DESIGNATOR);
}
