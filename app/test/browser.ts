/**
 * Browser tooling shared by the end-to-end test, the screenshot command and the benchmark: Debian's
 * Chromium driven by `playwright-core` (never a downloaded browser), and an injected EIP-1193 wallet
 * that forwards every call to the local node, where Hardhat's test accounts are unlocked: so
 * `eth_requestAccounts`, `eth_signTypedData_v4`, `personal_sign` and `eth_sendTransaction` are real
 * JSON-RPC calls signed by the node with the account's key. A context can instead carry a smart-contract
 * wallet (`SmartWalletConnector`): the page's wallet is the contract's address, and the methods the
 * connector takes (signing, sending) run in the test process, as a smart wallet's own connector would.
 */
import { existsSync } from "node:fs";

import type { Browser, BrowserContext } from "playwright-core";

/** Where Debian's `chromium` package installs the browser; `CHROMIUM_PATH` overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Flags for a headless Chromium on a machine with no outside network (and as root). */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** Launches Chromium; Playwright gives every launch a fresh, temporary profile directory. */
export async function launchChromium(): Promise<LaunchedBrowser> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS });
  return { browser, close: () => browser.close().catch(() => undefined) };
}

/** The page function through which the injected wallet hands a delegated method to the test process. */
const DELEGATE_BINDING = "__walletDelegate";

/**
 * The injected wallet's source, for `addInitScript`: `window.ethereum` plus an EIP-6963 announcement,
 * as account `account` on chain `chainId`, forwarding to `rpcPath` (the app server's same-origin `/rpc`).
 * The methods in `delegated` go to the test process instead (see `SmartWalletConnector`).
 */
export function injectedWalletScript(
  account: string,
  chainId: number,
  rpcPath = "/rpc",
  delegated: readonly string[] = [],
): string {
  return `(() => {
  const account = ${JSON.stringify(account)};
  const delegated = new Set(${JSON.stringify(delegated)});
  const chainIdHex = "0x" + (${chainId}).toString(16);
  const listeners = new Map();
  let connected = false;
  let nextId = 1;
  const emit = (event, value) => (listeners.get(event) || []).forEach((f) => { try { f(value); } catch {} });
  const forward = async (method, params) => {
    const res = await fetch(${JSON.stringify(rpcPath)}, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params: params ?? [] }),
    });
    const json = await res.json();
    if (json.error) {
      const err = new Error(json.error.message);
      err.code = json.error.code;
      err.data = json.error.data;
      throw err;
    }
    return json.result;
  };
  const provider = {
    isTestWallet: true,
    async request({ method, params }) {
      window.__walletCalls = (window.__walletCalls || []).concat(method);
      switch (method) {
        case "eth_requestAccounts":
          connected = true;
          emit("connect", { chainId: chainIdHex });
          emit("accountsChanged", [account]);
          return [account];
        case "eth_accounts":
          return connected ? [account] : [];
        case "eth_chainId":
          return chainIdHex;
        case "wallet_requestPermissions":
        case "wallet_getPermissions":
          return [{ parentCapability: "eth_accounts" }];
        case "wallet_revokePermissions":
          connected = false;
          emit("accountsChanged", []);
          return null;
        case "wallet_switchEthereumChain":
        case "wallet_addEthereumChain":
          return null;
        default: {
          if (!delegated.has(method)) return forward(method, params);
          const answer = await window.${DELEGATE_BINDING}(method, params ?? []);
          if (answer.error) {
            const err = new Error(answer.error.message);
            err.code = answer.error.code;
            throw err;
          }
          return answer.result;
        }
      }
    },
    on(event, f) { listeners.set(event, (listeners.get(event) || []).concat(f)); return provider; },
    removeListener(event, f) { listeners.set(event, (listeners.get(event) || []).filter((g) => g !== f)); return provider; },
  };
  window.ethereum = provider;
  const info = {
    uuid: "6f1c0e52-2a5e-4a55-9a39-2f0d6f7a0a01",
    name: "Test Wallet",
    icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='32' height='32'%3E%3Crect width='32' height='32' fill='%233b82f6'/%3E%3C/svg%3E",
    rdns: "org.aitokenfutures.testwallet",
  };
  const announce = () =>
    window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
})();`;
}

/**
 * What a smart-contract wallet's connector does outside the page: for each method in `methods` the
 * injected wallet calls `request` in the test process (signing as the wallet contract, sending through
 * it) and returns its answer; every other method still goes to the node.
 */
export interface SmartWalletConnector {
  methods: readonly string[];
  request(method: string, params: unknown[]): Promise<unknown>;
}

/**
 * A browser context whose pages carry the injected wallet of `account`; with `connector`, `account` is
 * a wallet contract and the connector signs and sends for it.
 */
export async function walletContext(
  browser: Browser,
  account: string,
  chainId: number,
  viewport = { width: 1440, height: 900 },
  connector?: SmartWalletConnector,
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, colorScheme: "dark" });
  if (connector !== undefined) {
    await context.exposeFunction(DELEGATE_BINDING, async (method: string, params: unknown[]) => {
      try {
        return { result: await connector.request(method, params) };
      } catch (err) {
        const e = err as { message?: string; shortMessage?: string; code?: number };
        return { error: { message: e.shortMessage ?? e.message ?? String(err), code: e.code ?? -32603 } };
      }
    });
  }
  await context.addInitScript({
    content: injectedWalletScript(account, chainId, "/rpc", connector?.methods ?? []),
  });
  return context;
}
