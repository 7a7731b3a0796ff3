/**
 * The relay inside `npm start`: on the stack's node, with an embedded database in the stack's state
 * directory (wiped with the chain at every start) and its own funded test account (#20, a PUBLIC key)
 * signing `matchOrders`. Port: `RELAY_PORT` (default 8600), or any free port when the stack runs on free
 * ports (`--metrics-port-base 0`).
 */
import { join, resolve } from "node:path";

import { createPublicClient, http, numberToHex, type Hex, type PublicClient } from "viem";

import { testAccount } from "../scripts/lib/testAccounts.js";
import { DEFAULT_HTTP, jobStoreBeside, startRelay, type RunningRelay } from "./app.js";

/** The test account that signs the relay's matches in the local stack. */
export const RELAY_SENDER_INDEX = 20;

export async function startRelayForStack(
  stack: {
    rpcUrl: string;
    chainId: number;
    book: { exchange: string; clearinghouse: string; indexOracle: string };
  },
  options: { stateDir: string; metricsPortBase: number; logLevel: string },
): Promise<RunningRelay> {
  const client = createPublicClient({ transport: http(stack.rpcUrl) }) as PublicClient;
  const sender = testAccount(RELAY_SENDER_INDEX);
  // the default node funds accounts #0–#19 only
  await client.request({
    method: "hardhat_setBalance" as never,
    params: [sender.address, numberToHex(10n ** 22n)] as never,
  });
  const databaseUrl = join(resolve(options.stateDir), "relay", "relay.db");
  const port = options.metricsPortBase === 0 ? 0 : Number(process.env.RELAY_PORT ?? "8600");
  return startRelay({
    client,
    chainId: stack.chainId,
    addresses: {
      exchange: stack.book.exchange as Hex,
      clearinghouse: stack.book.clearinghouse as Hex,
      indexOracle: stack.book.indexOracle as Hex,
    },
    fromBlock: 0n,
    databaseUrl,
    senderKey: sender.privateKey,
    jobStorePath: jobStoreBeside(databaseUrl),
    http: { ...DEFAULT_HTTP, port },
    pollIntervalMs: 500,
    maxMakers: 8,
    expiryMarginSeconds: 5n,
    maxOpenOrders: 200,
    logLevel: options.logLevel,
  });
}
