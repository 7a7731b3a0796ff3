/**
 * The wagmi configuration, made from the runtime config: one chain, an HTTP transport to its JSON-RPC,
 * and RainbowKit's wallet list: the browser's injected wallet always (no network service needed), and
 * WalletConnect-based wallets only when a project id is configured.
 *
 * Without a project id the connectors are made here (`browserWalletConnectors`) rather than by
 * RainbowKit's `connectorsForWallets`, which lives in the module of RainbowKit's whole UI: so the first
 * chunk of the app carries no RainbowKit code, and the wallet button with its modal (`WalletButton.tsx`)
 * loads beside the first paint.
 */
import type { Wallet, WalletList } from "@rainbow-me/rainbowkit";
import { injectedWallet } from "@rainbow-me/rainbowkit/wallets";
import { defineChain, type Chain } from "viem";
import { createConfig, http, type Config, type CreateConnectorFn } from "wagmi";

import type { AppConfig } from "./config.js";

const APP_NAME = "AI Token Futures";

export function chainOf(config: AppConfig): Chain {
  return defineChain({
    id: config.chainId,
    name: config.chainName,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.walletRpcUrl] } },
    testnet: config.chainId === 31337,
  });
}

/**
 * What RainbowKit's `connectorsForWallets` makes for wallets that need no WalletConnect project: each
 * wallet's connector carrying the `rkDetails` (the wallet's name, icon, group and position) by which
 * RainbowKit's modal lists it. `app/test/lib.test.ts` checks the result against `connectorsForWallets`.
 */
export function browserWalletConnectors(groups: WalletList): CreateConnectorFn[] {
  const url = typeof window === "undefined" ? "" : window.location.origin;
  const metadata = { name: APP_NAME, description: APP_NAME, url, icons: [] };
  const connectors: CreateConnectorFn[] = [];
  const seen = new Set<string>();
  let index = -1;
  groups.forEach(({ groupName, wallets }, groupIndex) => {
    for (const createWallet of wallets) {
      index++;
      const wallet: Wallet = createWallet({
        projectId: "unset",
        appName: APP_NAME,
        options: { metadata },
        walletConnectParameters: { metadata },
      });
      if (seen.has(wallet.id)) continue;
      seen.add(wallet.id);
      const { createConnector, hidden, ...meta } = wallet;
      if (typeof hidden === "function" && hidden()) continue;
      const rkDetails = Object.fromEntries(
        Object.entries({
          ...meta,
          index,
          groupIndex: groupIndex + 1,
          groupName,
          isRainbowKitConnector: true,
        }).filter(([, v]) => v !== undefined),
      );
      connectors.push(createConnector({ rkDetails } as Parameters<Wallet["createConnector"]>[0]));
    }
  });
  return connectors;
}

export async function makeWagmiConfig(config: AppConfig): Promise<Config> {
  const chain = chainOf(config);
  const groups: WalletList = [{ groupName: "Browser", wallets: [injectedWallet] }];
  let connectors: CreateConnectorFn[];
  if (config.walletConnectProjectId !== undefined) {
    // loaded only when configured: WalletConnect's code is large and needs its network service
    const [{ walletConnectWallets }, { connectorsForWallets }] = await Promise.all([
      import("./walletConnectWallets.js"),
      import("@rainbow-me/rainbowkit"),
    ]);
    groups.push({ groupName: "WalletConnect", wallets: walletConnectWallets });
    connectors = connectorsForWallets(groups, {
      appName: APP_NAME,
      projectId: config.walletConnectProjectId,
    });
  } else {
    connectors = browserWalletConnectors(groups);
  }
  return createConfig({
    chains: [chain],
    connectors,
    transports: { [chain.id]: http(config.rpcUrl) },
    multiInjectedProviderDiscovery: true,
    pollingInterval: 1_000,
  });
}
