/**
 * `npm run bench:relay`: the order relay's figures, written to `bench/relay.json` and printed.
 *
 * On the in-process chain with the protocol deployed and 6 markets, 10,000 resting orders (bids below
 * and asks above the mark, none crossing) are posted over HTTP by 16 concurrent clients, each verified
 * like every order (schema, native secp256k1 recovery, chain checks, margin) and stored durably before
 * its 201:
 * - `acceptedPerSecond`: orders accepted per second during that load (sustained, wall clock);
 * - `postToWsLatencyMs`: p50 / p99 milliseconds from sending `POST /orders` to receiving the matching
 *   book update on a WebSocket subscribed to that market, over 300 orders posted one after another
 *   onto the 10,000-order book;
 * - `cpuMsPerOrder`: CPU milliseconds of the whole process (relay, in-process chain, client thread) per
 *   accepted order during that load;
 * - `heapBytesPer10kOrders`: heap growth (after forced collections) from the empty relay to 10,000
 *   resting orders.
 * The clients run on a worker thread (the second core). The embedded database (`node:sqlite`, WAL,
 * synchronous FULL) always runs; PostgreSQL runs on `BENCH_DATABASE_URL`, else on a throwaway local
 * server (fsync on) when the server binaries are installed (`BENCH_RELAY_POSTGRES=0` skips it). The
 * load average at start and end is recorded: wall-clock figures vary with what else the machine runs.
 * `BENCH_RELAY_ORDERS`, `BENCH_RELAY_SAMPLES` and `BENCH_RELAY_CLIENTS` change the counts (default
 * 10,000 orders, 300 samples, 16 clients).
 */
import { writeFile } from "node:fs/promises";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Worker } from "node:worker_threads";

import { network } from "hardhat";
import secp256k1 from "secp256k1";
import { hexToBytes, toHex, type Hex } from "viem";

import { DEFAULT_HTTP, startRelay } from "../relay/app.js";
import { orderHasher } from "../relay/validate/hash.js";
import { orderToJson } from "../relay/validate/schema.js";
import type { Order } from "../sdk/core/eip712/orders.js";
import { call, relayOptions, WsClient } from "../test/ts/relay/helpers.js";
import { postgresBin, startPostgres } from "../test/ts/relay/postgres.js";
import { defaultRisk, defaultTerms } from "../test/ts/helpers/clearinghouseFixture.js";
import { deployProtocol, WAD } from "../test/ts/helpers/protocolFixture.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const RESTING = Number(process.env.BENCH_RELAY_ORDERS ?? "10000");
const MARKETS = 6;
const CONCURRENCY = Number(process.env.BENCH_RELAY_CLIENTS ?? "16");
const LATENCY_SAMPLES = Number(process.env.BENCH_RELAY_SAMPLES ?? "300");

setFlagsFromString("--expose-gc");
// compiled code unused for a while is dropped by later collections; keep it, so heap readings count orders
setFlagsFromString("--no-flush-bytecode");
const gc = runInNewContext("gc") as () => void;

const { ethers, networkHelpers, provider } = await network.create();
const p = await deployProtocol(ethers, networkHelpers);
const now = await p.now();
// six markets of one index unit per contract, so that 10,000 orders fit the traders' margin
const marketIds: Hex[] = [];
for (let i = 0; i < MARKETS; i++) {
  const params = { ...p.params, contractSize: WAD, expiry: now + BigInt(30 + i * 7) * 86_400n };
  await (
    await p.ch.createMarket(params, { ...defaultRisk(), maxPositionSize: 10n ** 9n }, defaultTerms())
  ).wait();
  marketIds.push((await p.ch.marketId(params)) as Hex);
}
// the traders' keys, to sign with the native binding (viem's pure-JS signing would dominate the setup)
const { HDNodeWallet, Mnemonic } = ethers;
const mnemonic = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
const keys = p.traders.map((t) => {
  for (let i = 0; i < 20; i++) {
    const w = HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${i}`);
    if (w.address === t.address) return w.privateKey as Hex;
  }
  throw new Error(`no key for ${t.address}`);
});

const hashOrder = orderHasher(p.domain);
let salt = 0n;
function signed(i: number, fields: Partial<Order>) {
  const t = i % p.traders.length;
  const order: Order = {
    trader: p.traders[t].address as Hex,
    marketId: marketIds[i % MARKETS],
    isBuy: true,
    size: 1n,
    limitPrice: 9n * WAD,
    expiry: now + 20n * 86_400n,
    nonce: 1_000_000n + BigInt(i),
    salt: ++salt,
    flags: 0,
    ...fields,
  };
  const hash = hashOrder(order);
  const sig = secp256k1.ecdsaSign(hexToBytes(hash), hexToBytes(keys[t]));
  const signature = `${toHex(sig.signature)}${(27 + sig.recid).toString(16)}` as Hex;
  return { order: orderToJson(order), signature };
}

/** A resting order: bids 9.000–9.499, asks 10.501–11.000 (the mark is 10), on the tick. */
function resting(i: number) {
  const isBuy = i % 2 === 0;
  const step = BigInt(Math.floor(i / 2) % 500) * (WAD / 1000n);
  return signed(i, { isBuy, limitPrice: isBuy ? 9n * WAD + step : 11n * WAD - step });
}

/** Heap in use once what an earlier run or request left (closed sockets, a stopped relay) is collected. */
async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    gc();
  }
  return process.memoryUsage().heapUsed;
}

/**
 * Posts `bodies` to `url` from a worker thread (the clients get the second core, as they would on their
 * own machines), `CONCURRENCY` requests in flight over kept-alive connections. Resolves with the wall
 * time from the first request to the last answer and how many were refused.
 */
function postFromWorker(
  url: string,
  bodies: string[],
): Promise<{ refused: number; seconds: number; errors: string[] }> {
  const code = `
    const { parentPort, workerData } = require("node:worker_threads");
    const http = require("node:http");
    const { url, bodies, concurrency } = workerData;
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const post = (body) => new Promise((resolve, reject) => {
      const req = http.request(url, { method: "POST", agent, headers: {
        "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
      });
      req.on("error", reject);
      req.end(body);
    });
    let next = 0, refused = 0;
    const errors = [];
    const started = performance.now();
    Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const r = await post(bodies[next++]);
        if (r.status !== 201 && ++refused <= 5) errors.push(r.status + " " + r.text);
      }
    })).then(() => {
      agent.destroy();
      parentPort.postMessage({ refused, errors, seconds: (performance.now() - started) / 1000 });
    }, (e) => { throw e; });
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { url, bodies, concurrency: CONCURRENCY } });
    worker.once("message", (m: { refused: number; seconds: number; errors: string[] }) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once("error", reject);
  });
}

async function run(databaseUrl: string) {
  // the request bodies first: they are the clients' memory, not the relay's
  const bodies = Array.from({ length: RESTING }, (_, i) => JSON.stringify(resting(i)));
  const relay = await startRelay(
    await relayOptions(p, provider, {
      databaseUrl,
      http: {
        ...DEFAULT_HTTP,
        port: 0,
        perIp: { perSecond: 1e9, burst: 1e9 },
        perTrader: { perSecond: 1e9, burst: 1e9 },
      },
      // as in production: the chain head is read again at most every 250 ms
      headMaxAgeMs: 250,
      maxOpenOrders: RESTING,
    }),
  );
  let ws: WsClient | undefined;
  try {
    const heapBefore = await settledHeap();
    const cpuBefore = process.cpuUsage();
    const { refused, seconds, errors } = await postFromWorker(`${relay.url}/orders`, bodies);
    const cpu = process.cpuUsage(cpuBefore);
    for (const e of errors) console.error(e);
    const heapAfter = await settledHeap();
    // keeps the bodies alive up to here, so both heap readings hold them
    if (bodies.length !== RESTING) throw new Error("bodies lost");

    ws = await WsClient.open(`${relay.url.replace("http", "ws")}/ws`);
    const market = marketIds[0];
    ws.send({ op: "subscribe", channel: "book", marketId: market });
    const snapshot = await ws.next((m) => m.type === "snapshot");
    let seq = snapshot.seq as number;
    const latencies: number[] = [];
    for (let k = 0; k < LATENCY_SAMPLES; k++) {
      // a bid on a fresh level of market 0, inside the price band (mark 10 ± 10 %) and between the
      // resting bids (≤ 9.499) and asks (≥ 10.501), so it rests and changes exactly one level
      const body = signed(RESTING + k, {
        marketId: market,
        isBuy: true,
        limitPrice: 9_500n * (WAD / 1000n) + BigInt(k % 1000) * (WAD / 1000n),
      });
      const t0 = performance.now();
      const posted = call("POST", `${relay.url}/orders`, body);
      // a refused order publishes no update: fail on the refusal instead of waiting for one
      const update = await Promise.race([
        ws.next((m) => m.type === "book" && m.seq === seq + 1, 10_000),
        posted.then((r) => {
          if (r.status !== 201) throw new Error(`latency order refused: ${JSON.stringify(r.body)}`);
          return new Promise<never>(() => undefined);
        }),
      ]);
      latencies.push(performance.now() - t0);
      seq = update.seq as number;
      await posted;
    }
    latencies.sort((a, b) => a - b);
    const pct = (q: number) =>
      Number(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(2));
    return {
      acceptedPerSecond: Math.round((RESTING - refused) / seconds),
      refused,
      // CPU of the whole process (relay, in-process chain, client thread) per accepted order: less
      // sensitive than the rate to what else the machine runs
      cpuMsPerOrder: Number(((cpu.user + cpu.system) / 1000 / (RESTING - refused)).toFixed(3)),
      postToWsLatencyMs: { p50: pct(0.5), p99: pct(0.99) },
      heapBytesPer10kOrders: Math.round(((heapAfter - heapBefore) * 10_000) / RESTING),
    };
  } finally {
    ws?.close();
    await relay.stop();
  }
}

/** Both runs, written to `bench/relay.json`. */
async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "relay-bench-"));
  try {
    await measure(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(dir: string): Promise<void> {
  const results: Record<string, unknown> = {
    restingOrders: RESTING,
    markets: MARKETS,
    concurrentClients: CONCURRENCY,
    latencySamples: LATENCY_SAMPLES,
    cores: availableParallelism(),
    loadAverageAtStart: Number(loadavg()[0].toFixed(2)),
    embedded: await run(path.join(dir, "relay.db")),
  };
  // PostgreSQL: the server named by BENCH_DATABASE_URL, else a throwaway local one (fsync on, as the
  // embedded database syncs every commit) when the server binaries are installed
  const pgUrl = process.env.BENCH_DATABASE_URL;
  if (process.env.BENCH_RELAY_POSTGRES === "0") results.postgres = "not run (BENCH_RELAY_POSTGRES=0)";
  else if (pgUrl !== undefined) results.postgres = await run(pgUrl);
  else if (postgresBin() !== undefined) {
    const server = await startPostgres({ durable: true });
    try {
      results.postgres = await run(server.url);
    } finally {
      server.stop();
    }
  } else {
    results.postgres =
      "not run (no PostgreSQL server binaries; set BENCH_DATABASE_URL or install postgresql)";
  }
  results.loadAverageAtEnd = Number(loadavg()[0].toFixed(2));
  await writeFile(path.join(here, "relay.json"), JSON.stringify(results, null, 2) + "\n");
  console.log(JSON.stringify(results, null, 2));
}

// the in-process chain keeps the event loop alive: leave once the figures are written, or on a failure
await main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
