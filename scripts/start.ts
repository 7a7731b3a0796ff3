/**
 * `npm start`: the whole protocol on this machine. Starts a JSON-RPC node on 127.0.0.1, deploys,
 * creates markets on the AI token and GPU-hour indices (two expiries each), runs the keepers and the
 * order relay (docs/relay.md) and prints how to connect. Ctrl-C (SIGINT) or SIGTERM stops the relay,
 * the keepers, then the node, and exits 0.
 *
 *   npm start -- --port 8545 --metrics-port-base 9460 --state-dir .stack --out-dir deployments
 *
 * Options: scripts/lib/startOptions.ts (`npm start -- --help`).
 *
 * See docs/local-stack.md.
 */
import hre from "hardhat";

import { startAppForStack } from "../app/server/stack.js";
import "../relay/store/quiet-sqlite.js";
import type { RunningRelay } from "../relay/app.js";
import { formatUnitsExact } from "../cli/units.js";
import { startStack } from "./lib/stack.js";
import { parseStartOptions } from "./lib/startOptions.js";
import { STACK_ROLES, testAccount } from "./lib/testAccounts.js";

async function main(): Promise<void> {
  const options = parseStartOptions(process.argv.slice(2));
  let stopRequested = false;
  const running: {
    stack?: Awaited<ReturnType<typeof startStack>>;
    relay?: RunningRelay;
    app?: Awaited<ReturnType<typeof startAppForStack>>;
  } = {};
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopRequested) return;
    stopRequested = true;
    console.log(`[stack] ${signal}: stopping the web app, the relay and the keepers, then the node…`);
    void (running.app?.close() ?? Promise.resolve())
      .then(() => running.relay?.stop())
      .then(() => running.stack?.stop())
      .then(() => {
        console.log("[stack] stopped");
        process.exit(0);
      });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  options.log("starting the JSON-RPC node…");
  const stack = await startStack(hre, options);
  running.stack = stack;
  options.log("starting the order relay…");
  // loaded here, after quiet-sqlite: its embedded database would print Node's experimental warning
  const { startRelayForStack } = await import("../relay/stack.js");
  running.relay = await startRelayForStack(stack, options);
  const relay = running.relay;
  options.log("starting the web app (built on the first start)…");
  running.app = await startAppForStack(stack, relay.url, options);
  if (stopRequested) {
    await running.app.close();
    await relay.stop();
    await stack.stop();
    process.exit(0);
  }
  const p = (s = "") => console.log(s);
  const book = stack.book;
  p();
  p("=== AI token futures: local stack ready ===");
  p(`Chain id   ${stack.chainId}`);
  p(`RPC URL    ${stack.rpcUrl}`);
  p();
  p("Contracts");
  for (const name of ["accessManager", "indexOracle", "collateral", "clearinghouse", "exchange"] as const) {
    p(`  ${name.padEnd(14)} ${book[name]}`);
  }
  for (const [index, feed] of Object.entries(book.feeds)) p(`  feed ${index.padEnd(9)} ${feed}`);
  p(`  address book   ${stack.bookFile}`);
  p();
  p("Markets (symbol, expiry, id)");
  for (const m of stack.markets) {
    p(`  ${m.symbol.padEnd(24)} ${new Date(m.expiry * 1000).toISOString()}  ${m.id}`);
  }
  p();
  p("Keepers (Prometheus metrics; /healthz beside each)");
  for (const k of stack.keepers) p(`  ${k.name.padEnd(26)} ${k.url}`);
  p(`  matcher orders file        ${stack.ordersFile}`);
  p(`  order relay (HTTP, /ws)    ${relay.url}   (OpenAPI: ${relay.url}/openapi.json)`);
  p(`  web app                    ${running.app.url}   (open it in a browser with a wallet)`);
  p();
  p("Index prices (real data where it covers today; fixture copies re-dated to today otherwise):");
  for (const f of stack.priceFiles) {
    p(
      f.real
        ? `  ${f.index.padEnd(14)} ${f.file} (real: committed CSV + genai-prices snapshots, newest ${f.latest}; values after it carry that snapshot forward)`
        : `  ${f.index.padEnd(14)} ${f.file} (fixture, latest ${f.latest} moved ${f.shiftDays} days forward)`,
    );
  }
  p();
  p(
    "Test accounts: PUBLIC keys of Hardhat's test mnemonic, known to everyone. NEVER use them on a real network.",
  );
  p("Each holds 10000 ETH on this chain; traders also hold " + `${formatUnitsExact(1_000_000n, 0)} mUSDC.`);
  for (let i = 0; i < 20; i++) {
    const a = testAccount(i);
    p(`  #${String(i).padEnd(2)} ${a.address}  ${a.privateKey}  ${STACK_ROLES[i] ?? ""}`);
  }
  p();
  p("Connect a wallet: add a network with");
  p(
    `  Network name: AI Token Futures (local)   RPC URL: ${stack.rpcUrl}   Chain ID: ${stack.chainId}   Currency: ETH`,
  );
  p("  then import a trader's private key above. Restarting the stack resets the chain: reset the");
  p("  wallet's account activity (nonces) after a restart.");
  p();
  p("Trade from the command line:");
  p(`  export ATF_PRIVATE_KEY=${testAccount(14).privateKey}   # trader #14 (public test key)`);
  p(`  npm run atf -- --rpc-url ${stack.rpcUrl} markets`);
  p("  npm run atf -- deposit 1000 && npm run atf -- positions");
  p();
  p("Ctrl-C stops everything.");
  await stack.done;
}

main().catch((err: unknown) => {
  console.error(`[stack] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
