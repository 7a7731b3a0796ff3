/**
 * The wagmi configuration, made from the runtime config: one chain, an HTTP transport to its JSON-RPC,
 * and RainbowKit's wallet list: the browser's injected wallet always (no network service needed), and
 * WalletConnect-based wallets only when a project id is configured.
 */
import { connectorsForWallets, type WalletList } from "@rainbow-me/rainbowkit";
import { injectedWallet } from "@rainbow-me/rainbowkit/wallets";
import { defineChain, type Chain } from "viem";
import { createConfig, http, type Config } from "wagmi";

import type { AppConfig } from "./config.js";

export function chainOf(config: AppConfig): Chain {
  return defineChain({
    id: config.chainId,
    name: config.chainName,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.walletRpcUrl] } },
    testnet: config.chainId === 31337,
  });
}

export async function makeWagmiConfig(config: AppConfig): Promise<Config> {
  const chain = chainOf(config);
  const groups: WalletList = [{ groupName: "Browser", wallets: [injectedWallet] }];
  if (config.walletConnectProjectId !== undefined) {
    // loaded only when configured: WalletConnect's code is large and needs its network service
    const { walletConnectWallets } = await import("./walletConnectWallets.js");
    groups.push({ groupName: "WalletConnect", wallets: walletConnectWallets });
  }
  const connectors = connectorsForWallets(groups, {
    appName: "AI Token Futures",
    // injectedWallet ignores it; WalletConnect wallets are only listed when it is set
    projectId: config.walletConnectProjectId ?? "unset",
  });
  return createConfig({
    chains: [chain],
    connectors,
    transports: { [chain.id]: http(config.rpcUrl) },
    multiInjectedProviderDiscovery: true,
    pollingInterval: 1_000,
  });
}
