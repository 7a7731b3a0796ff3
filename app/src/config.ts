/**
 * The app's runtime configuration, read from `config.json` beside `index.html`: the chain, the address
 * book and where the relay and the JSON-RPC are. One static build serves any deployment.
 */
import { loadAddressBook, type AddressBook } from "../../sdk/core/addressBook.js";

export interface AppConfig {
  chainId: number;
  chainName: string;
  /** Absolute JSON-RPC URL the app reads through. */
  rpcUrl: string;
  /** Absolute JSON-RPC URL offered to wallets when adding the network. */
  walletRpcUrl: string;
  /** Absolute order relay base URL (HTTP; the WebSocket is `<relayUrl>/ws`). */
  relayUrl: string;
  addressBook: AddressBook & { clearinghouse: `0x${string}`; collateral: `0x${string}` };
  walletConnectProjectId: string | undefined;
  /** The collateral token's symbol and decimals when the server states them (saves two reads at start). */
  collateral: { symbol: string; decimals: number } | undefined;
}

/** A configuration problem, stated for the person deploying the app. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Validates the raw `config.json`, resolving relative URLs against `base` (the page's URL).
 * @example parseConfig(await (await fetch("config.json")).json(), location.href)
 */
export function parseConfig(raw: unknown, base: string): AppConfig {
  if (typeof raw !== "object" || raw === null) throw new ConfigError("config.json is not a JSON object");
  const r = raw as Record<string, unknown>;
  const str = (k: string) => {
    if (typeof r[k] !== "string" || r[k] === "")
      throw new ConfigError(`config.json: "${k}" must be a URL string`);
    return new URL(r[k] as string, base).toString().replace(/\/+$/, "");
  };
  if (typeof r.chainId !== "number" || !Number.isSafeInteger(r.chainId) || r.chainId <= 0) {
    throw new ConfigError('config.json: "chainId" must be a positive integer');
  }
  const book = loadAddressBook(r.addressBook);
  if (book.clearinghouse === undefined || book.collateral === undefined) {
    throw new ConfigError("config.json: the address book has no clearinghouse or collateral");
  }
  if (book.chainId !== undefined && book.chainId !== r.chainId) {
    throw new ConfigError(`config.json: the address book is for chain ${book.chainId}, not ${r.chainId}`);
  }
  const rpcUrl = str("rpcUrl");
  return {
    chainId: r.chainId,
    chainName: typeof r.chainName === "string" ? r.chainName : `Chain ${r.chainId}`,
    rpcUrl,
    walletRpcUrl: typeof r.walletRpcUrl === "string" ? str("walletRpcUrl") : rpcUrl,
    relayUrl: str("relayUrl"),
    addressBook: book as AppConfig["addressBook"],
    collateral:
      typeof r.collateral === "object" &&
      r.collateral !== null &&
      typeof (r.collateral as Record<string, unknown>).symbol === "string" &&
      typeof (r.collateral as Record<string, unknown>).decimals === "number"
        ? (r.collateral as { symbol: string; decimals: number })
        : undefined,
    walletConnectProjectId:
      typeof r.walletConnectProjectId === "string" && r.walletConnectProjectId !== ""
        ? r.walletConnectProjectId
        : undefined,
  };
}

/** Validates `config.json` next to the page (fetched early by `index.html`, else here). */
export async function loadConfig(): Promise<AppConfig> {
  const early = (window as { __atfConfig?: Promise<unknown> }).__atfConfig;
  const raw =
    early ??
    fetch("config.json", { cache: "no-store" }).then((res) => {
      if (!res.ok) throw new ConfigError(`config.json: HTTP ${res.status}`);
      return res.json() as Promise<unknown>;
    });
  return parseConfig(await raw, location.href);
}
