/**
 * `npm run bench:app` → `bench/app.json`: the web app measured in Debian's Chromium (`playwright-core`)
 * against the local stack (`scripts/start.ts` as a child on free ports, serving a fresh build):
 *
 * - initial JavaScript of the trade page: the gzipped bytes of every script transferred (CDP
 *   `encodedDataLength`) from navigation until the order book is on screen, cold cache;
 * - navigation → interactive book: `performance.now()` (from the navigation start) when the book table
 *   first holds a snapshot, recorded in the page by a MutationObserver; median of `APP_BENCH_RUNS` cold loads;
 * - frames dropped while the book updates 50 times a second: resting orders are posted to the relay at
 *   50 per second (alternately bids and asks of two traders, none crossing), each one a depth update on
 *   the page's WebSocket; the page counts `requestAnimationFrame` intervals and the updates it received.
 *
 * Targets (issue 14): initial JS ≤ 350 kB gzipped, book interactive ≤ 1.5 s.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";

import { createPublicClient, createWalletClient, http, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";

import { buildApp } from "../app/server/stack.js";
import { freePort, spawnStack } from "../scripts/lib/stackProcess.js";
import { chromiumAvailable, launchChromium, walletContext } from "../app/test/browser.js";
import { buildOrder, exchangeDomain, signOrderViem, type Order } from "../sdk/core/eip712/orders.js";
import { loadAddressBook } from "../sdk/core/addressBook.js";
import type { MarketId } from "../sdk/core/ids.js";
import { createRelayClient } from "../sdk/relay/client.js";
import { deposit, fetchMarket } from "../sdk/viem/index.js";
import { testAccount } from "../scripts/lib/testAccounts.js";

const RUNS = Number(process.env.APP_BENCH_RUNS ?? "5");
const UPDATES_PER_SECOND = 50;
const UPDATE_SECONDS = Number(process.env.APP_BENCH_UPDATE_SECONDS ?? "5");
const TARGET_JS_GZIP = 350 * 1024;
const TARGET_BOOK_MS = 1500;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Records, in the page, when the book first shows a snapshot and every frame and depth update after. */
const PAGE_PROBE = `(() => {
  window.__bench = { bookAt: undefined, frames: [], seqs: [] };
  const watch = () => {
    const book = document.querySelector('[data-testid="book"]');
    if (book && window.__bench.bookAt === undefined) window.__bench.bookAt = performance.now();
  };
  new MutationObserver(watch).observe(document, { childList: true, subtree: true, attributes: true });
  window.__benchFrames = (on) => {
    window.__bench.recording = on;
    if (!on) return;
    window.__bench.frames = [];
    window.__bench.seqs = [];
    const tick = (t) => {
      if (!window.__bench.recording) return;
      window.__bench.frames.push(t);
      const book = document.querySelector('[data-testid="book"]');
      if (book) window.__bench.seqs.push(Number(book.getAttribute("data-seq")));
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };
})();`;

/** The 1, 5 and 15-minute load averages, two decimals (the machine's other work shows here). */
const load = () => loadavg().map((l) => Math.round(l * 100) / 100);

async function main(): Promise<void> {
  if (!chromiumAvailable()) throw new Error("Chromium is missing: apt-get install chromium");
  const loadAtStart = load();
  const dir = mkdtempSync(path.join(tmpdir(), "atf-app-bench-"));
  const dist = path.join(dir, "dist");
  console.log("bench:app: building the app…");
  await buildApp(dist);
  const port = await freePort();
  const rpcUrl = `http://127.0.0.1:${port}`;
  console.log("bench:app: starting the local stack…");
  const { child, output } = spawnStack({ port, dir, blockIntervalMs: 1000, env: { APP_DIST: dist } });
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGINT");
      await new Promise((r) => setTimeout(r, 3000));
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 300_000;
    while (!output().includes("Ctrl-C stops everything.")) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`stack did not start:\n${output()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const appUrl = /web app\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output())![1];
    const relayUrl = /order relay \(HTTP, \/ws\)\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output())![1];
    const book = loadAddressBook(JSON.parse(readFileSync(path.join(dir, "localhost.json"), "utf8")));
    const client = createPublicClient({ transport: http(rpcUrl) }) as PublicClient;
    const [, near] = Object.entries(book.markets!)
      .filter(([s]) => s.startsWith("ATPI-FRONTIER-"))
      .sort((a, b) => a[1].expiry - b[1].expiry)[0];
    const marketId = near.id as MarketId;
    let mark: bigint | undefined;
    while (mark === undefined) {
      ({ mark } = await fetchMarket(client, { address: book.clearinghouse!, marketId }));
      if (mark === undefined) await new Promise((r) => setTimeout(r, 500));
    }

    // a book to look at: 20 levels a side
    const makers = [testAccount(17), testAccount(18)];
    for (const m of makers) {
      const wallet = createWalletClient({
        account: privateKeyToAccount(m.privateKey),
        chain: hardhat,
        transport: http(rpcUrl),
      });
      const { hash } = await deposit(wallet, { address: book.clearinghouse!, amount: 400_000n * 10n ** 6n });
      await client.waitForTransactionReceipt({ hash });
    }
    const relay = createRelayClient({ url: relayUrl });
    const domain = exchangeDomain(31337, book.exchange);
    const tick = 10n ** 15n;
    const now = (await client.getBlock()).timestamp;
    const orders: { order: Order; signature: Hex }[] = [];
    const total = 40 + UPDATES_PER_SECOND * UPDATE_SECONDS;
    for (let i = 0; i < total; i++) {
      const isBuy = i % 2 === 0;
      const maker = makers[isBuy ? 0 : 1];
      const step = BigInt(Math.floor(i / 2) + 1) * tick * 2n;
      const price = ((mark / tick) * tick + (isBuy ? -step : step)) as bigint;
      const order = buildOrder(
        { trader: maker.address, marketId, isBuy, size: BigInt(1 + (i % 3)), limitPrice: price },
        now,
      );
      orders.push({
        order,
        signature: await signOrderViem(privateKeyToAccount(maker.privateKey), domain, order),
      });
    }
    for (const o of orders.slice(0, 40)) await relay.placeOrder(o);

    const { browser, close } = await launchChromium();
    try {
      // cold loads of the trade page (each context has its own, empty cache). The bytes are counted
      // through CDP on one extra load, since the instrumentation slows the page it measures.
      const bookMs: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const context = await walletContext(browser, testAccount(19).address, 31337);
        await context.addInitScript({ content: PAGE_PROBE });
        const page = await context.newPage();
        await page.goto(`${appUrl}/#/trade/${marketId}`);
        await page.locator('[data-testid="book"] tr[data-side]').first().waitFor({ timeout: 60_000 });
        bookMs.push(
          await page.evaluate(
            () => (globalThis as unknown as { __bench: { bookAt: number } }).__bench.bookAt,
          ),
        );
        await context.close();
      }
      const bytes = await (async () => {
        const context = await walletContext(browser, testAccount(19).address, 31337);
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send("Network.enable");
        await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
        const scripts = new Map<string, number>();
        const kinds = new Map<string, string>();
        cdp.on("Network.responseReceived", (e) => kinds.set(e.requestId, e.type));
        cdp.on("Network.loadingFinished", (e) => {
          if (kinds.get(e.requestId) === "Script") scripts.set(e.requestId, e.encodedDataLength);
        });
        await page.goto(`${appUrl}/#/trade/${marketId}`);
        await page.locator('[data-testid="book"] tr[data-side]').first().waitFor({ timeout: 60_000 });
        await page.waitForTimeout(300);
        await context.close();
        return { jsGzipBytes: [...scripts.values()].reduce((a, n) => a + n, 0), jsFiles: scripts.size };
      })();

      // 50 book updates a second on a page that shows the book
      const context = await walletContext(browser, testAccount(19).address, 31337);
      await context.addInitScript({ content: PAGE_PROBE });
      const page = await context.newPage();
      await page.goto(`${appUrl}/#/trade/${marketId}`);
      await page.locator('[data-testid="book"] tr[data-side]').first().waitFor({ timeout: 60_000 });
      await page.waitForTimeout(1000);
      await page.evaluate(() =>
        (globalThis as unknown as { __benchFrames: (on: boolean) => void }).__benchFrames(true),
      );
      const updates = orders.slice(40);
      const started = Date.now();
      let sent = 0;
      let refused = 0;
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          const due = Math.min(
            updates.length,
            Math.floor(((Date.now() - started) / 1000) * UPDATES_PER_SECOND) + 1,
          );
          while (sent < due) {
            relay.placeOrder(updates[sent]).catch(() => refused++);
            sent++;
          }
          if (sent >= updates.length) {
            clearInterval(timer);
            resolve();
          }
        }, 5);
      });
      await page.waitForTimeout(500);
      const { frames, seqs } = await page.evaluate(() => {
        const b = globalThis as unknown as {
          __bench: { frames: number[]; seqs: number[] };
          __benchFrames: (on: boolean) => void;
        };
        b.__benchFrames(false);
        return { frames: b.__bench.frames, seqs: b.__bench.seqs };
      });
      await context.close();
      const intervals = frames.slice(1).map((t, i) => t - frames[i]);
      const frameMs = median(intervals);
      const dropped = intervals.reduce((s, d) => s + Math.max(0, Math.round(d / frameMs) - 1), 0);

      const result = {
        measuredAt: new Date().toISOString(),
        machine: {
          cpus: cpus().length,
          model: cpus()[0]?.model,
          node: process.version,
          // before the build and the stack started, and after the measurements (stack and browser running)
          loadAverage: { atStart: loadAtStart, atEnd: load() },
        },
        browser: "Debian chromium, headless, playwright-core",
        tradePage: {
          initialJsGzipBytes: bytes.jsGzipBytes,
          initialJsGzipKiB: Math.round(bytes.jsGzipBytes / 102.4) / 10,
          initialJsFiles: bytes.jsFiles,
          bookInteractiveMs: { median: Math.round(median(bookMs)), runs: bookMs.map((ms) => Math.round(ms)) },
        },
        bookUpdates: {
          ratePerSecond: UPDATES_PER_SECOND,
          ordersPosted: sent,
          refused,
          durationMs: Math.round(frames[frames.length - 1] - frames[0]),
          depthUpdatesSeenOnScreen: seqs.length > 0 ? seqs[seqs.length - 1] - seqs[0] : 0,
          frames: frames.length,
          frameIntervalMs: Math.round(frameMs * 100) / 100,
          droppedFrames: dropped,
          longestFrameMs: Math.round(Math.max(...intervals)),
        },
        targets: { initialJsGzipBytes: TARGET_JS_GZIP, bookInteractiveMs: TARGET_BOOK_MS },
        meetsTargets: {
          initialJs: bytes.jsGzipBytes <= TARGET_JS_GZIP,
          bookInteractive: median(bookMs) <= TARGET_BOOK_MS,
        },
      };
      const out = path.join("bench", "app.json");
      writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
      console.log(JSON.stringify(result, null, 2));
      console.log(`bench:app: wrote ${out}`);
    } finally {
      await close();
    }
  } finally {
    await stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
