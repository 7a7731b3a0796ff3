/**
 * What every CLI command starts from: the address book, a public client on the RPC URL, the
 * collateral's decimals, and (for writes) a wallet from `ATF_PRIVATE_KEY`.
 */
import { readFileSync } from "node:fs";

import {
  createPublicClient,
  createWalletClient,
  erc20Abi,
  getAddress,
  http,
  isHex,
  type Address,
  type Chain,
  type PublicClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { AddressBookError, loadAddressBook, type AddressBook } from "../sdk/core/index.js";
import type { WriteClient } from "../sdk/viem/index.js";
import { CommandFailedError, InputError } from "./errors.js";

/** Options every command accepts (global flags, with environment fallbacks). */
export interface GlobalOptions {
  deployment: string;
  rpcUrl?: string;
  ordersFile: string;
  stateFile: string;
}

export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";

export interface CliContext {
  book: AddressBook & { clearinghouse: Address; collateral: Address; accessManager: Address };
  bookFile: string;
  rpcUrl: string;
  publicClient: PublicClient;
  chainId: number;
  /** Decimals of the collateral token. */
  decimals: number;
  collateralSymbol: string;
  options: GlobalOptions;
  env: NodeJS.ProcessEnv;
}

/** Reads the address book and connects; the chain id must match the book's. */
export async function loadContext(options: GlobalOptions, env: NodeJS.ProcessEnv): Promise<CliContext> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(options.deployment, "utf8"));
  } catch (err) {
    throw new InputError(`cannot read the address book ${options.deployment}: ${(err as Error).message}`);
  }
  let book: AddressBook;
  try {
    book = loadAddressBook(raw);
  } catch (err) {
    if (err instanceof AddressBookError) throw new InputError(`${options.deployment}: ${err.message}`);
    throw err;
  }
  const { clearinghouse, collateral, accessManager } = book;
  if (clearinghouse === undefined || collateral === undefined || accessManager === undefined) {
    throw new InputError(`${options.deployment}: needs clearinghouse, collateral and accessManager`);
  }
  const rpcUrl = options.rpcUrl ?? env.ATF_RPC_URL ?? DEFAULT_RPC_URL;
  const publicClient = createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) }) as PublicClient;
  let chainId: number;
  try {
    chainId = await publicClient.getChainId();
  } catch (err) {
    throw new CommandFailedError(
      `cannot reach the node at ${rpcUrl} (${(err as { details?: string }).details ?? (err as Error).message})`,
    );
  }
  if (book.chainId !== undefined && book.chainId !== chainId) {
    throw new InputError(
      `${options.deployment} is for chain ${book.chainId} but ${rpcUrl} is chain ${chainId}`,
    );
  }
  const [decimals, collateralSymbol] = await Promise.all([
    publicClient.readContract({ address: collateral, abi: erc20Abi, functionName: "decimals" }),
    publicClient.readContract({ address: collateral, abi: erc20Abi, functionName: "symbol" }),
  ]);
  return {
    book: { ...book, clearinghouse, collateral, accessManager },
    bookFile: options.deployment,
    rpcUrl,
    publicClient,
    chainId,
    decimals,
    collateralSymbol,
    options,
    env,
  };
}

/** A wallet client for the key in `ATF_PRIVATE_KEY` (never read from a flag, never printed). */
export function walletOf(ctx: CliContext): WriteClient {
  const key = ctx.env.ATF_PRIVATE_KEY;
  if (key === undefined || key === "") {
    throw new InputError(
      "this command signs: set ATF_PRIVATE_KEY to the trader's private key (0x + 64 hex digits)",
    );
  }
  if (!isHex(key) || key.length !== 66)
    throw new InputError("ATF_PRIVATE_KEY is not a 0x-prefixed 32-byte hex key");
  const chain = {
    id: ctx.chainId,
    name: `chain-${ctx.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [ctx.rpcUrl] } },
  } as const satisfies Chain;
  return createWalletClient({
    account: privateKeyToAccount(key),
    chain,
    transport: http(ctx.rpcUrl, { retryCount: 0 }),
  }) as WriteClient;
}

/**
 * An address from the command line: 0x + 40 hex digits; a mixed-case one must carry a valid EIP-55
 * checksum (a typo in a checksummed address is caught here, not sent).
 * @throws {InputError}
 */
export function parseAddress(text: string, what: string): Address {
  if (!/^0x[0-9a-fA-F]{40}$/.test(text)) throw new InputError(`${what}: "${text}" is not an address`);
  const mixed =
    text.slice(2) !== text.slice(2).toLowerCase() && text.slice(2) !== text.slice(2).toUpperCase();
  if (mixed && getAddress(text) !== text) {
    throw new InputError(
      `${what}: "${text}" has a bad checksum (EIP-55); check it, or write it in lower case`,
    );
  }
  return getAddress(text);
}

/** The address an `--account` flag names, or the key's address. */
export function accountOf(ctx: CliContext, flag: string | undefined): Address {
  if (flag !== undefined) return parseAddress(flag, "--account");
  return walletOf(ctx).account.address;
}
