/**
 * Start-up: read `config.json`, the collateral token's symbol and decimals, build the wagmi config, then
 * render. A configuration problem is shown as a page, not a blank screen.
 */
import "@rainbow-me/rainbowkit/styles.css";
import "./styles.css";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createPublicClient, erc20Abi, http } from "viem";
import { WagmiProvider } from "wagmi";

import { App } from "./App.js";
import { loadConfig } from "./config.js";
import { prefetchBook } from "./lib/bookFeed.js";
import { makeProtocol, ProtocolProvider } from "./protocol.js";
import { parseRoute } from "./route.js";
import { makeWagmiConfig } from "./wagmi.js";

const root = createRoot(document.getElementById("root")!);

async function start(): Promise<void> {
  const config = await loadConfig();
  const reader = createPublicClient({ transport: http(config.rpcUrl) });
  const token = config.addressBook.collateral;
  const [symbol, decimals, wagmiConfig] = await Promise.all([
    config.collateral?.symbol ??
      reader.readContract({ address: token, abi: erc20Abi, functionName: "symbol" }),
    config.collateral?.decimals ??
      reader.readContract({ address: token, abi: erc20Abi, functionName: "decimals" }),
    makeWagmiConfig(config),
  ]);
  const protocol = makeProtocol(config, { symbol, decimals });
  const route = parseRoute(location.hash);
  if (route.page === "trade" && route.marketId !== undefined) prefetchBook(protocol.relay, route.marketId);
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false, structuralSharing: false } },
  });
  root.render(
    <StrictMode>
      <WagmiProvider config={wagmiConfig}>
        <QueryClientProvider client={queryClient}>
          <ProtocolProvider value={protocol}>
            <App />
          </ProtocolProvider>
        </QueryClientProvider>
      </WagmiProvider>
    </StrictMode>,
  );
}

start().catch((err: unknown) => {
  root.render(
    <main className="fatal">
      <h1>The app could not start</h1>
      <p>{err instanceof Error ? err.message : String(err)}</p>
      <p>
        Check <code>config.json</code> beside this page (chain id, JSON-RPC URL, relay URL, address book) and
        that the JSON-RPC answers.
      </p>
    </main>,
  );
});
