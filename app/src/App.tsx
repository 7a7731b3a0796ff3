/**
 * The frame: navigation, the wallet button, what is wrong with the connection stated plainly (no wallet,
 * wrong network, relay unreachable), and the page of the current route, each loaded on demand.
 */
import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { useAccount, useSwitchChain } from "wagmi";

import { DraftProvider } from "./drafts.js";
// the trade page is where links land: in the first chunk, not behind a Suspense
import TradePage from "./pages/TradePage.js";
import { useProtocol } from "./protocol.js";
import { href, useRoute } from "./route.js";

// RainbowKit's button and modals load beside the first paint, outside the first chunk
const WalletButton = lazy(() => import("./WalletButton.js"));
const MarketsPage = lazy(() => import("./pages/MarketsPage.js"));
const PortfolioPage = lazy(() => import("./pages/PortfolioPage.js"));
const HedgePage = lazy(() => import("./pages/HedgePage.js"));

function ConnectionBanner() {
  const { config, relay } = useProtocol();
  const { isConnected, chainId } = useAccount();
  const { switchChain, isPending } = useSwitchChain();
  const health = useQuery({
    queryKey: ["relay-health"],
    refetchInterval: 5_000,
    queryFn: async () => {
      await relay.markets();
      return true;
    },
  });
  return (
    <>
      {!isConnected && (
        <p className="banner info" data-banner="disconnected">
          No wallet connected: you can browse markets and the book; connect a wallet to trade.
        </p>
      )}
      {isConnected && chainId !== config.chainId && (
        <p className="banner warn" data-banner="wrong-network">
          Wrong network: your wallet is on chain {chainId}, this app trades on {config.chainName} (chain{" "}
          {config.chainId}).{" "}
          <button disabled={isPending} onClick={() => switchChain({ chainId: config.chainId })}>
            Switch network
          </button>
        </p>
      )}
      {health.isError && (
        <p className="banner warn" data-banner="relay-down">
          The order relay at {config.relayUrl} does not answer: the book, trades and order placement are
          unavailable.
        </p>
      )}
    </>
  );
}

export function App() {
  const route = useRoute();
  const link = (page: "markets" | "trade" | "portfolio" | "hedge", label: string) => (
    <a
      href={href(page === "trade" ? { page, marketId: undefined } : { page })}
      className={route.page === page ? "active" : ""}
    >
      {label}
    </a>
  );
  return (
    <DraftProvider>
      <header className="top">
        <span className="brand">AI Token Futures</span>
        <nav>
          {link("markets", "Markets")}
          {link("trade", "Trade")}
          {link("portfolio", "Portfolio")}
          {link("hedge", "Hedge")}
        </nav>
        <Suspense fallback={<span className="muted small">Loading wallet…</span>}>
          <WalletButton />
        </Suspense>
      </header>
      <ConnectionBanner />
      <main>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          {route.page === "markets" && <MarketsPage />}
          {route.page === "trade" && <TradePage marketId={route.marketId} />}
          {route.page === "portfolio" && <PortfolioPage />}
          {route.page === "hedge" && <HedgePage />}
        </Suspense>
      </main>
    </DraftProvider>
  );
}
