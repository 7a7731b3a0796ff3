/**
 * `npm run relay -- [options]` or `atf relay [options]`: the order relay on its own. Addresses come from an address book
 * (`deployments/localhost.json` as `npm start` writes it) or from flags; the database from
 * `--database-url` / `DATABASE_URL` (a PostgreSQL URL), else an embedded SQLite file; the key that signs
 * `matchOrders` from `RELAY_PRIVATE_KEY` (without it the relay accepts and serves orders but never
 * submits matches).
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";

import { Command, Option } from "commander";
import { createPublicClient, http, isAddress, type Hex, type PublicClient } from "viem";

import { loadAddressBook } from "../sdk/core/addressBook.js";
import { DEFAULT_HTTP, jobStoreBeside, startRelay } from "./app.js";
import { DEFAULT_LEASE_TIMEOUT_MS } from "./server/lease.js";

class UsageError extends Error {}

const integer = (name: string, min: number, max: number) => (v: string) => {
  if (!/^[0-9]+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`${name}: "${v}" is not an integer from ${min} to ${max}`);
  }
  return Number(v);
};
const address = (name: string) => (v: string) => {
  if (!isAddress(v, { strict: false })) throw new UsageError(`${name}: "${v}" is not an address`);
  return v as Hex;
};

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const program = new Command("relay")
    .description("Signed orders in over HTTP and WebSocket, matched on chain through Exchange.matchOrders.")
    .addOption(
      new Option("--rpc-url <url>", "JSON-RPC endpoint")
        .default("http://127.0.0.1:8545")
        .env("RELAY_RPC_URL"),
    )
    .addOption(new Option("--address-book <file>", "address book JSON").default("deployments/localhost.json"))
    .addOption(
      new Option("--exchange <address>", "Exchange (overrides the address book)").argParser(
        address("--exchange"),
      ),
    )
    .addOption(new Option("--clearinghouse <address>", "Clearinghouse").argParser(address("--clearinghouse")))
    .addOption(new Option("--index-oracle <address>", "IndexOracle").argParser(address("--index-oracle")))
    .addOption(
      new Option("--from-block <n>", "first block to read events from")
        .default(0)
        .argParser(integer("--from-block", 0, Number.MAX_SAFE_INTEGER)),
    )
    .addOption(
      new Option("--database-url <url>", "PostgreSQL URL, or an SQLite file path")
        .default(".relay/relay.db")
        .env("DATABASE_URL"),
    )
    .addOption(new Option("--host <host>", "HTTP host").default(DEFAULT_HTTP.host).env("RELAY_HOST"))
    .addOption(
      new Option("--port <n>", "HTTP port (0: any free port)")
        .default(DEFAULT_HTTP.port)
        .argParser(integer("--port", 0, 65535))
        .env("RELAY_PORT"),
    )
    .addOption(
      new Option("--poll-interval-ms <ms>", "milliseconds between ticks")
        .default(500)
        .argParser(integer("--poll-interval-ms", 10, 600_000)),
    )
    .addOption(
      new Option("--max-open-orders <n>", "live orders per trader")
        .default(200)
        .argParser(integer("--max-open-orders", 1, 100_000)),
    )
    .addOption(
      new Option(
        "--trusted-proxy <addresses>",
        "comma-separated IPs of reverse proxies whose X-Forwarded-For client address is rate-limited",
      )
        .default("")
        .env("RELAY_TRUSTED_PROXIES"),
    )
    .addOption(
      new Option(
        "--lease-timeout-ms <ms>",
        "PostgreSQL: a match-lease holder silent this long loses the lease to another process",
      )
        .default(DEFAULT_LEASE_TIMEOUT_MS)
        .argParser(integer("--lease-timeout-ms", 300, 3_600_000)),
    )
    .addOption(
      new Option("--log-level <level>", "pino level")
        .choices(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
        .default("info"),
    )
    .exitOverride();
  let o: {
    rpcUrl: string;
    addressBook: string;
    exchange?: Hex;
    clearinghouse?: Hex;
    indexOracle?: Hex;
    fromBlock: number;
    databaseUrl: string;
    host: string;
    port: number;
    pollIntervalMs: number;
    maxOpenOrders: number;
    leaseTimeoutMs: number;
    trustedProxy: string;
    logLevel: string;
  };
  try {
    program.parse(argv, { from: "user" });
    o = program.opts();
  } catch (error) {
    if (error instanceof UsageError) console.error(`relay: ${error.message}`);
    process.exitCode = (error as { exitCode?: number }).exitCode === 0 ? 0 : 2;
    return;
  }
  const trustedProxies = o.trustedProxy
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  const badProxy = trustedProxies.find((a) => isIP(a) === 0);
  if (badProxy !== undefined) {
    console.error(`relay: --trusted-proxy: "${badProxy}" is not an IP address`);
    process.exitCode = 2;
    return;
  }
  let exchange = o.exchange;
  let clearinghouse = o.clearinghouse;
  let indexOracle = o.indexOracle;
  if (exchange === undefined || clearinghouse === undefined || indexOracle === undefined) {
    let book;
    try {
      book = loadAddressBook(JSON.parse(readFileSync(o.addressBook, "utf8")));
    } catch (error) {
      console.error(`relay: cannot read the address book ${o.addressBook}: ${(error as Error).message}`);
      process.exitCode = 2;
      return;
    }
    exchange ??= book.exchange;
    clearinghouse ??= book.clearinghouse;
    indexOracle ??= book.indexOracle;
  }
  if (clearinghouse === undefined) {
    console.error("relay: no Clearinghouse address (--clearinghouse or the address book)");
    process.exitCode = 2;
    return;
  }
  const key = process.env.RELAY_PRIVATE_KEY;
  if (key !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(key)) {
    console.error("relay: RELAY_PRIVATE_KEY is not a 32-byte hex key");
    process.exitCode = 2;
    return;
  }
  const client = createPublicClient({ transport: http(o.rpcUrl, { retryCount: 1 }) }) as PublicClient;
  let chainId: number;
  try {
    chainId = await client.getChainId();
  } catch (error) {
    console.error(
      `relay: the node at ${o.rpcUrl} is not reachable (${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message})`,
    );
    process.exitCode = 2;
    return;
  }
  let relay;
  try {
    relay = await startRelay({
      client,
      chainId,
      addresses: { exchange, clearinghouse, indexOracle },
      fromBlock: BigInt(o.fromBlock),
      databaseUrl: o.databaseUrl,
      senderKey: key as Hex | undefined,
      jobStorePath: jobStoreBeside(o.databaseUrl),
      http: { ...DEFAULT_HTTP, host: o.host, port: o.port, trustedProxies },
      pollIntervalMs: o.pollIntervalMs,
      maxMakers: 8,
      expiryMarginSeconds: 5n,
      maxOpenOrders: o.maxOpenOrders,
      leaseTimeoutMs: o.leaseTimeoutMs,
      logLevel: o.logLevel,
    });
  } catch (error) {
    // a port in use, a database that cannot be opened: one line, not a stack trace
    console.error(`relay: cannot start: ${(error as Error).message}`);
    process.exitCode = 2;
    return;
  }
  console.log(
    `relay listening on ${relay.url} (OpenAPI at ${relay.url}/openapi.json, WebSocket at ${relay.url.replace("http", "ws")}/ws)`,
  );
  const stop = () => void relay.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
