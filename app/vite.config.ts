/**
 * Vite config of the web app. `npm run app:build` writes `app/dist`; `npm run app:dev` serves the sources
 * with `/rpc`, `/relay` (and its WebSocket) proxied to a running `npm start` stack, and `/config.json`
 * made from `deployments/localhost.json`.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));
const rpcTarget = process.env.APP_RPC_URL ?? "http://127.0.0.1:8545";
const relayTarget = process.env.APP_RELAY_URL ?? "http://127.0.0.1:8600";

/** Dev only: `/config.json` from the local stack's address book. */
function devConfig(): Plugin {
  return {
    name: "atf-dev-config",
    apply: "serve",
    configureServer(server) {
      server.middlewares.use("/config.json", (_req, res) => {
        const book = JSON.parse(
          readFileSync(new URL("../deployments/localhost.json", import.meta.url), "utf8"),
        );
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify({
            chainId: book.chainId ?? 31337,
            chainName: "AI Token Futures (local)",
            rpcUrl: "/rpc",
            walletRpcUrl: rpcTarget,
            relayUrl: "/relay",
            addressBook: book,
            walletConnectProjectId: process.env.WALLETCONNECT_PROJECT_ID,
          }),
        );
      });
    },
  };
}

export default defineConfig({
  root: here,
  base: "./",
  plugins: [react(), devConfig()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 1500 },
  server: {
    host: "127.0.0.1",
    proxy: {
      "/rpc": { target: rpcTarget, rewrite: () => "/" },
      "/relay": { target: relayTarget, ws: true, rewrite: (p) => p.replace(/^\/relay/, "") },
    },
  },
});
