/**
 * The web app inside `npm start`: serves `app/dist` (built first when missing) on loopback beside the
 * stack, with `/rpc` and `/relay` passed through to the stack's node and relay, so the app needs no CORS
 * and no configuration. Port: `APP_PORT` (default 8700), or any free port when the stack runs on free
 * ports (`--metrics-port-base 0`). `APP_DIST` serves another build (the end-to-end test builds its own).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

import { createPublicClient, erc20Abi, http, type Address } from "viem";

import { startAppServer, type RunningAppServer } from "./serve.js";

const APP_DIR = fileURLToPath(new URL("..", import.meta.url));
/** Where `npm run app:build` writes the static build. */
export const APP_DIST = join(APP_DIR, "dist");

/**
 * Builds the app with Vite into `outDir` (default `app/dist`).
 * @example await buildApp();
 */
export async function buildApp(outDir = APP_DIST): Promise<void> {
  const { build } = await import("vite");
  await build({
    configFile: join(APP_DIR, "vite.config.ts"),
    logLevel: "warn",
    build: { outDir, emptyOutDir: true },
  });
}

export async function startAppForStack(
  stack: { rpcUrl: string; chainId: number; book: { collateral: Address } },
  relayUrl: string,
  options: { metricsPortBase: number; log: (line: string) => void; distDir?: string },
): Promise<RunningAppServer> {
  const distDir = options.distDir ?? process.env.APP_DIST ?? APP_DIST;
  if (!existsSync(join(distDir, "index.html"))) {
    options.log("building the web app (first start only; `npm run app:build` rebuilds it)…");
    await buildApp(distDir);
  }
  const port = options.metricsPortBase === 0 ? 0 : Number(process.env.APP_PORT ?? "8700");
  const reader = createPublicClient({ transport: http(stack.rpcUrl) });
  const token = stack.book.collateral;
  const [symbol, decimals] = await Promise.all([
    reader.readContract({ address: token, abi: erc20Abi, functionName: "symbol" }),
    reader.readContract({ address: token, abi: erc20Abi, functionName: "decimals" }),
  ]);
  return startAppServer({
    distDir,
    host: "127.0.0.1",
    port,
    config: {
      chainId: stack.chainId,
      chainName: "AI Token Futures (local)",
      rpcUrl: "/rpc",
      walletRpcUrl: stack.rpcUrl,
      relayUrl: "/relay",
      addressBook: stack.book,
      collateral: { symbol, decimals },
      ...(process.env.WALLETCONNECT_PROJECT_ID
        ? { walletConnectProjectId: process.env.WALLETCONNECT_PROJECT_ID }
        : {}),
    },
    rpcTarget: stack.rpcUrl,
    relayTarget: relayUrl,
  });
}
