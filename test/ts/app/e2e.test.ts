/**
 * The web app end to end, in a real browser: Debian's Chromium driven by `playwright-core`, against the
 * local stack (`scripts/start.ts` as a child process on free ports, serving a build of the app made for
 * this run). Each trader is a browser context whose injected EIP-1193 wallet forwards to the node, where
 * Hardhat's test accounts are unlocked, so connecting, the permit and order signatures
 * (`eth_signTypedData_v4`), the cancel message (`personal_sign`) and transactions (`eth_sendTransaction`)
 * are real JSON-RPC calls.
 *
 * Scenarios, in order on one chain: connect and deposit (permit); two contexts place crossing orders and
 * both see the fill (the book and the open-order count refresh, the ticket follows the order to filled),
 * the buyer its position and liquidation price, every amount in dollars; cancel one order through the
 * relay and cancel all on chain (`cancelUpTo`); an order outside the price band shows the reason; a Safe
 * (EIP-1271) deposits, has its signed ask taken by an EOA, cancels a second ask through the relay and a
 * third on chain (`cancelUpTo` as a Safe transaction); the price file the stack's reporters read drops
 * 10 %, the keepers publish the lower index and the liquidator keeper liquidates an under-margined
 * account, whose history shows it; the price file rises and chain time passes expiry, the settler keeper
 * proposes and finalizes the price, the winner settles its own position with the Portfolio's Settle
 * button (its gain recorded as a claim), the other holders settle, the winner collects the claim with the
 * Claim button, sees both in its history and withdraws. The stack runs with `--settler-grace 86400`, so
 * the settler leaves positions and claims to their traders for a day after expiry. The stack's keepers
 * tell time by the chain's clock, so nothing here posts a round or a settlement price by hand.
 *
 * Without Chromium the suite skips with a message, unless `CI` is set: then it fails.
 * `APP_SCREENSHOTS=<dir>` (see `npm run app:screenshots`) writes the main screens there.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import type { Page } from "playwright-core";
import {
  createPublicClient,
  createWalletClient,
  erc20Abi,
  getAddress,
  http,
  parseAbi,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { buildApp } from "../../../app/server/stack.js";
import {
  chromiumAvailable,
  launchChromium,
  walletContext,
  type LaunchedBrowser,
  type SmartWalletConnector,
} from "../../../app/test/browser.js";
import { clearinghouseAbi, exchangeAbi } from "../../../sdk/abi/index.js";
import { loadAddressBook, type AddressBook } from "../../../sdk/core/index.js";
import { fetchAccount, fetchMarket, settle } from "../../../sdk/viem/index.js";
import { formatDecimal18, parseDecimal18 } from "../../../index/decimal.js";
import { PRICE_CSV_COLUMNS } from "../../../index/csv.js";
import { usdAmount, usdPrice } from "../../../app/src/lib/format.js";
import type { MarketId } from "../../../sdk/core/ids.js";
import { LIQUIDATOR_INDEX } from "../../../scripts/lib/stack.js";
import { freePort, spawnStack } from "../../../scripts/lib/stackProcess.js";
import { testAccount } from "../../../scripts/lib/testAccounts.js";
import { BOUNDED_WAIT_MS, SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";
import { deploySafeWallet } from "./safeWallet.js";

const WAD = 10n ** 18n;
const UI_WAIT_MS = 60_000;
const SHOTS = process.env.APP_SCREENSHOTS;

async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("web app end to end (Chromium, local stack)", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);
  let child: ChildProcess | undefined;
  let dir: string;
  let output = () => "";
  let browser: LaunchedBrowser | undefined;
  let appUrl: string;
  let rpcUrl: string;
  let book: AddressBook & {
    clearinghouse: Address;
    collateral: Address;
    markets: NonNullable<AddressBook["markets"]>;
  };
  let client: PublicClient;
  let marketId: Hex;
  /** The price file the ATPI-FRONTIER reporters read, and its text at start. */
  let priceFile: string;
  let pricesAtStart: string;
  let collateralSymbol: string;
  const pages = new Map<number, Page>();

  const A = testAccount(14); // maker
  const B = testAccount(15); // taker, long, wins at settlement
  const C = testAccount(16); // under-margined long, liquidated
  const SAFE_OWNER = testAccount(17); // the one owner of the Safe that trades as a smart-contract wallet

  before(async function () {
    if (!chromiumAvailable()) {
      if (process.env.CI)
        throw new Error("Chromium is missing (/usr/bin/chromium): install Debian's chromium package");
      console.log(
        "    skipped: Chromium is not installed (apt-get install chromium); CI fails instead of skipping",
      );
      this.skip();
    }
    dir = mkdtempSync(path.join(tmpdir(), "atf-app-e2e-"));
    const dist = path.join(dir, "dist");
    await buildApp(dist);
    const port = await freePort();
    rpcUrl = `http://127.0.0.1:${port}`;
    // the settler keeper proposes and finalizes at once but leaves positions and claims to their
    // traders for a day after expiry, so the settlement scenario settles and claims with the app's buttons
    const stack = spawnStack({
      port,
      dir,
      blockIntervalMs: 500,
      args: ["--settler-grace", "86400"],
      env: { APP_DIST: dist },
    });
    child = stack.child;
    output = stack.output;
    await until("the stack to be ready", BOUNDED_WAIT_MS, async () => {
      if (child!.exitCode !== null) throw new Error(`stack exited early:\n${output()}`);
      return output().includes("Ctrl-C stops everything.") ? true : undefined;
    });
    appUrl = /web app\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output())![1];
    book = loadAddressBook(JSON.parse(readFileSync(path.join(dir, "localhost.json"), "utf8"))) as typeof book;
    client = createPublicClient({ transport: http(rpcUrl) }) as PublicClient;
    const near = Object.entries(book.markets)
      .filter(([symbol]) => symbol.startsWith("ATPI-FRONTIER-"))
      .sort((a, b) => a[1].expiry - b[1].expiry)[0];
    marketId = near[1].id;
    collateralSymbol = await client.readContract({
      address: book.collateral,
      abi: erc20Abi,
      functionName: "symbol",
    });
    priceFile = /^\s+ATPI-FRONTIER\s+(\S+\.csv)/m.exec(output())![1];
    pricesAtStart = readFileSync(priceFile, "utf8");
    // the oracle has a round on the index (bounded)
    await until("an index round", BOUNDED_WAIT_MS, async () => {
      const { index } = await fetchMarket(client, {
        address: book.clearinghouse,
        marketId: marketId as MarketId,
      });
      return index;
    });
    browser = await launchChromium();
    if (SHOTS !== undefined) mkdirSync(SHOTS, { recursive: true });
  });

  let failed = false;
  afterEach(function () {
    if (this.currentTest?.state === "failed") failed = true;
  });

  after(async function () {
    if (failed)
      console.log(`    stack output (last 80 lines):\n${output().split("\n").slice(-80).join("\n")}`);
    for (const p of pages.values())
      await p
        .context()
        .close()
        .catch(() => undefined);
    await browser?.close();
    if (child !== undefined && child.exitCode === null) {
      child.kill("SIGINT");
      await new Promise((r) => setTimeout(r, 3000));
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const shot = async (page: Page, name: string) => {
    if (SHOTS === undefined) return;
    await page.waitForTimeout(600);
    await page.screenshot({ path: path.join(SHOTS, `app-${name}.png`), fullPage: true });
  };

  /** A connected page for trader `who`; with `connector`, `who` is a wallet contract that it signs for. */
  async function traderPage(
    who: { index: number; address: Address },
    connector?: SmartWalletConnector,
  ): Promise<Page> {
    const existing = pages.get(who.index);
    if (existing !== undefined) return existing;
    const context = await walletContext(browser!.browser, who.address, 31337, undefined, connector);
    const page = await context.newPage();
    page.on("pageerror", (e) => console.log(`    [page #${who.index}] ${e.message}`));
    await page.goto(`${appUrl}/#/markets`);
    await page.getByRole("button", { name: "Connect Wallet" }).first().click();
    await page.getByText("Test Wallet").click();
    await page.getByTestId("rk-account-button").waitFor({ timeout: UI_WAIT_MS });
    pages.set(who.index, page);
    return page;
  }

  async function deposit(page: Page, amount: string): Promise<void> {
    await page.goto(`${appUrl}/#/portfolio`);
    const funds = page.getByTestId("funds");
    await funds.locator('input[name="amount"]').fill(amount);
    await funds.getByRole("button", { name: "Deposit" }).click();
    await funds.locator('[data-tx="confirmed"]').waitFor({ timeout: UI_WAIT_MS });
  }

  /** Fills the ticket and signs; resolves with the relay's answer (order state or refusal name). */
  async function placeOrder(
    page: Page,
    side: "buy" | "sell",
    size: bigint,
    price: bigint,
  ): Promise<{ state?: string; refusal?: string }> {
    if (!page.url().includes(`#/trade/${marketId}`)) {
      await page.goto(`${appUrl}/#/trade/${marketId}`);
      await page.getByTestId("book").waitFor({ timeout: UI_WAIT_MS });
    }
    const ticket = page.getByTestId("ticket");
    await ticket.getByRole("button", { name: side === "buy" ? "Buy / long" : "Sell / short" }).click();
    await ticket.locator('input[name="size"]').fill(size.toString());
    await ticket.locator('input[name="price"]').fill(formatWad(price));
    await ticket.getByTestId("sign").click();
    const done = ticket.locator("[data-placed], [data-testid=placed-refusal]");
    await done.first().waitFor({ timeout: UI_WAIT_MS });
    const placed = ticket.locator("[data-placed]");
    const refused = ticket.getByTestId("placed-refusal");
    const state = (await placed.count()) > 0 ? await placed.getAttribute("data-placed") : null;
    const refusal = (await refused.count()) > 0 ? await refused.getAttribute("data-error") : null;
    return { state: state ?? undefined, refusal: refusal ?? undefined };
  }

  async function mark(): Promise<bigint> {
    const { mark } = await fetchMarket(client, {
      address: book.clearinghouse,
      marketId: marketId as MarketId,
    });
    if (mark === undefined) throw new Error("no mark");
    return mark;
  }

  /** No amount in the panel `testId` is in the collateral token's symbol; its amounts are in dollars. */
  async function expectDollarsOnly(page: Page, testId: string): Promise<void> {
    const text = (await page.getByTestId(testId).textContent()) ?? "";
    expect(text, `${testId}: ${text}`).not.to.contain(collateralSymbol);
    expect(text, `${testId}: ${text}`).to.match(/\$\d/);
  }

  /**
   * Records every state the transaction line in the panel `testId` shows from now on (`data-tx`: wallet,
   * pending, confirmed, failed), however briefly; the returned function reads the sequence.
   */
  async function recordTxStates(page: Page, testId: string): Promise<() => Promise<string[]>> {
    const key = JSON.stringify(`__txStates:${testId}`);
    await page.evaluate(`(() => {
      const states = (globalThis[${key}] = []);
      const note = (el) => {
        if (!(el instanceof Element) || !el.hasAttribute("data-tx")) return;
        if (el.closest('[data-testid="${testId}"]') === null) return;
        const state = el.getAttribute("data-tx");
        if (states[states.length - 1] !== state) states.push(state);
      };
      new MutationObserver((records) => {
        for (const r of records) {
          note(r.target);
          for (const n of r.addedNodes) if (n instanceof Element) [n, ...n.querySelectorAll("[data-tx]")].forEach(note);
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-tx"] });
    })()`);
    return async () => (await page.evaluate(`globalThis[${key}]`)) as string[];
  }

  const tick = 10n ** 15n;
  const onTick = (p: bigint) => (p / tick) * tick;

  it("connects a wallet and deposits through a permit", async function () {
    const a = await traderPage(A);
    await shot(a, "markets");
    await deposit(a, "10000");
    await a
      .getByTestId("summary")
      .locator('[data-field="balance"]')
      .filter({ hasText: "10,000.00" })
      .waitFor({ timeout: UI_WAIT_MS });
    const calls =
      (await a.evaluate(() => (globalThis as unknown as { __walletCalls: string[] }).__walletCalls)) ?? [];
    expect(calls).to.include("eth_requestAccounts");
    expect(calls).to.include("eth_signTypedData_v4"); // the EIP-2612 permit
    expect(calls).to.include("eth_sendTransaction");
    const b = await traderPage(B);
    await deposit(b, "10000");
  });

  it("two traders cross from two browser contexts and both see the fill, position and liquidation price", async function () {
    const a = await traderPage(A);
    const b = await traderPage(B);
    const price = onTick(await mark());
    const placedA = await placeOrder(a, "sell", 2n, price);
    expect(placedA.state, placedA.refusal).to.equal("open");
    // A's own screen refreshes at once: the ask in the book, one open order here
    const askRow = (page: Page) =>
      page.locator('[data-testid=book] tr[data-side="ask"]').filter({ hasText: usdPrice(price) });
    await askRow(a).waitFor({ timeout: UI_WAIT_MS });
    await a.locator('[data-testid=trade-open-orders][data-count="1"]').waitFor({ timeout: UI_WAIT_MS });
    // B's book shows A's ask live over the WebSocket
    await b.goto(`${appUrl}/#/trade/${marketId}`);
    await askRow(b).waitFor({ timeout: UI_WAIT_MS });
    const placedB = await placeOrder(b, "buy", 2n, price);
    expect(placedB.refusal).to.equal(undefined);
    // the fill reaches both pages' trade lists and B's position
    await b.locator("[data-testid=trades] tbody tr").first().waitFor({ timeout: UI_WAIT_MS });
    await a.locator("[data-testid=trades] tbody tr").first().waitFor({ timeout: UI_WAIT_MS });
    await b.getByTestId("trade-position").filter({ hasText: "2 contracts" }).waitFor({ timeout: UI_WAIT_MS });
    // no stale "open" beside an empty book: B's ticket follows its order to filled, A's ask leaves both
    // books and A's open orders here drop to 0
    const placedLine = b.getByTestId("ticket").locator('[data-testid=placed][data-placed="filled"]');
    await placedLine.waitFor({ timeout: UI_WAIT_MS });
    expect(await placedLine.textContent()).to.contain("now filled: 2 contracts of 2");
    await askRow(b).waitFor({ state: "detached", timeout: UI_WAIT_MS });
    await askRow(a).waitFor({ state: "detached", timeout: UI_WAIT_MS });
    await a.locator('[data-testid=trade-open-orders][data-count="0"]').waitFor({ timeout: UI_WAIT_MS });
    await b.locator('[data-testid=trade-open-orders][data-count="0"]').waitFor({ timeout: UI_WAIT_MS });
    // one unit for collateral: every amount of the ticket's preview in dollars, no token symbol
    await expectDollarsOnly(b, "preview");
    await shot(b, "trade");
    await b.goto(`${appUrl}/#/portfolio`);
    const row = b.getByTestId("positions").locator("tbody tr").first();
    await row.waitFor({ timeout: UI_WAIT_MS });
    expect(await row.locator('[data-field="size"]').textContent()).to.contain("long 2 contracts");
    expect(await row.locator('[data-field="liquidation"]').textContent()).to.match(/^\$\d/);
    await b.getByTestId("history").locator('tr[data-kind="fill"]').first().waitFor({ timeout: UI_WAIT_MS });
    // one unit for collateral on the portfolio too: wallet, deposits, equity, margins, fees in dollars
    await expectDollarsOnly(b, "summary");
    await expectDollarsOnly(b, "history");
    expect(await b.getByTestId("history").locator('tr[data-kind="fill"]').first().textContent()).to.match(
      /fee \$\d/,
    );
    await shot(b, "portfolio");
  });

  it("cancels one order through the relay and all orders on chain (cancelUpTo)", async function () {
    const a = await traderPage(A);
    const m = await mark();
    expect((await placeOrder(a, "sell", 1n, onTick((m * 105n) / 100n))).state).to.equal("open");
    await a.goto(`${appUrl}/#/portfolio`);
    const orders = a.getByTestId("orders");
    await orders.locator("tr[data-order]").first().waitFor({ timeout: UI_WAIT_MS });
    await orders.getByTestId("cancel").first().click();
    await orders.locator("tr[data-order]").waitFor({ state: "detached", timeout: UI_WAIT_MS });

    expect((await placeOrder(a, "sell", 1n, onTick((m * 106n) / 100n))).state).to.equal("open");
    await a.goto(`${appUrl}/#/portfolio`);
    await orders.locator("tr[data-order]").first().waitFor({ timeout: UI_WAIT_MS });
    await orders.getByTestId("cancel-all").click();
    await orders.locator('[data-tx="confirmed"]').waitFor({ timeout: UI_WAIT_MS });
    await orders.locator("tr[data-order]").waitFor({ state: "detached", timeout: UI_WAIT_MS });
  });

  it("shows why the band refuses an order, before and after signing", async function () {
    const a = await traderPage(A);
    const m = await mark();
    await a.goto(`${appUrl}/#/trade/${marketId}`);
    const ticket = a.getByTestId("ticket");
    await ticket.locator('input[name="size"]').fill("1");
    await ticket.locator('input[name="price"]').fill(formatWad(onTick((m * 3n) / 2n)));
    const before = ticket.locator('[data-testid=refusals] li[data-error="PriceOutsideBand"]');
    await before.waitFor({ timeout: UI_WAIT_MS });
    expect(await before.textContent()).to.contain("outside the band");
    const placed = await placeOrder(a, "sell", 1n, onTick((m * 3n) / 2n));
    expect(placed.refusal).to.equal("PriceOutsideBand");
    expect(await ticket.getByTestId("placed-refusal").textContent()).to.match(/outside the band of ±10 %/);
    await shot(a, "refusal");
  });

  it("plans a hedge and stages its orders in the ticket", async function () {
    const b = await traderPage(B);
    await b.goto(`${appUrl}/#/hedge`);
    await b.getByTestId("hedge-plan").waitFor({ timeout: UI_WAIT_MS });
    expect(await b.getByTestId("hedge-scenarios").locator("tbody tr").count()).to.equal(5);
    await expectDollarsOnly(b, "hedge-plan");
    await shot(b, "hedge");
    await b.getByTestId("hedge-stage").click();
    await b.getByTestId("drafts").waitFor({ timeout: UI_WAIT_MS });
  });

  it("a Safe 1.4.1 (EIP-1271 smart-contract wallet) deposits, signs an order in the ticket that an EOA's crosses, sees the fill and its position, and cancels through the relay and on chain (cancelUpTo)", async function () {
    const wallet = await deploySafeWallet({
      rpcUrl,
      chainId: 31337,
      deployerKey: testAccount(0).privateKey,
      ownerKey: SAFE_OWNER.privateKey,
    });
    const safe = wallet.safe;
    expect(await client.getCode({ address: safe })).to.match(/^0x[0-9a-f]{2,}/);
    // the Safe holds collateral tokens; the ether is only for the gas estimates made from its address
    await mintCollateral(safe, 10_000n);
    await client.waitForTransactionReceipt({
      hash: await createWalletClient({
        account: privateKeyToAccount(testAccount(0).privateKey),
        transport: http(rpcUrl),
      }).sendTransaction({ chain: null, to: safe, value: WAD }),
    });
    const s = await traderPage({ index: -1, address: safe }, wallet.connector);
    // the connected account is the Safe
    expect((await s.getByTestId("rk-account-button").textContent())?.toLowerCase()).to.contain(
      safe.slice(-4).toLowerCase(),
    );
    // a contract cannot sign an EIP-2612 permit: the deposit approves, then deposits, each a Safe transaction
    await deposit(s, "10000");
    await s
      .getByTestId("summary")
      .locator('[data-field="balance"]')
      .filter({ hasText: "10,000.00" })
      .waitFor({ timeout: UI_WAIT_MS });
    expect(wallet.executed.map((e) => e.to)).to.deep.equal([
      getAddress(book.collateral),
      getAddress(book.clearinghouse),
    ]);
    expect(wallet.signed).to.deep.equal([]);

    // the Safe's ask, signed as the Safe (its owner's signature of the Safe message hash of the order's
    // digest): the relay checks it with the Safe's isValidSignature and rests it
    const price = onTick(await mark());
    const placedSafe = await placeOrder(s, "sell", 1n, price);
    expect(placedSafe.state, placedSafe.refusal).to.equal("open");
    expect(wallet.signed).to.have.length(1);
    const calls =
      (await s.evaluate(() => (globalThis as unknown as { __walletCalls: string[] }).__walletCalls)) ?? [];
    expect(calls).to.include("eth_signTypedData_v4");
    // an EOA in another browser context sees the Safe's ask and takes it; the Exchange checks the
    // Safe's signature again (EIP-1271) when the match settles on chain
    const a = await traderPage(A);
    await a.goto(`${appUrl}/#/trade/${marketId}`);
    await a
      .locator('[data-testid=book] tr[data-side="ask"]')
      .filter({ hasText: usdPrice(price) })
      .waitFor({ timeout: UI_WAIT_MS });
    const placedA = await placeOrder(a, "buy", 1n, price);
    expect(placedA.refusal).to.equal(undefined);
    await s.getByTestId("trade-position").filter({ hasText: "1 contract" }).waitFor({ timeout: UI_WAIT_MS });
    await s
      .getByTestId("ticket")
      .locator('[data-testid=placed][data-placed="filled"]')
      .waitFor({ timeout: UI_WAIT_MS });
    const onChain = await fetchAccount(client, { address: book.clearinghouse, account: safe });
    expect(onChain.account.positionIn(marketId as MarketId).size).to.equal(-1n);

    // a second ask rests and the Safe takes it off the relay's book with the cancel button: the cancel
    // message (personal_sign) is signed as the Safe, and the relay checks it with the Safe's
    // isValidSignature
    const m = await mark();
    const askAt = (page: Page, p: bigint) =>
      page.locator('[data-testid=book] tr[data-side="ask"]').filter({ hasText: usdPrice(p) });
    const signedBefore = wallet.signed.length;
    const cancelled = onTick((m * 105n) / 100n);
    expect((await placeOrder(s, "sell", 1n, cancelled)).state).to.equal("open");
    await askAt(s, cancelled).waitFor({ timeout: UI_WAIT_MS });
    await s.goto(`${appUrl}/#/portfolio`);
    const orders = s.getByTestId("orders");
    await orders.locator("tr[data-order]").first().waitFor({ timeout: UI_WAIT_MS });
    expect(await orders.locator("tr[data-order]").count()).to.equal(1);
    await orders.getByTestId("cancel").first().click();
    await orders.locator("tr[data-order]").waitFor({ state: "detached", timeout: UI_WAIT_MS });
    expect(await orders.locator("p.tx").first().textContent()).to.match(/^Order 0x[0-9a-f]{8}… cancel/);
    expect(wallet.signed).to.have.length(signedBefore + 2); // the order, then its cancel
    expect(wallet.executed).to.have.length(2); // no transaction: the relay cancel is a signature only

    // cancel all: a third ask rests, and cancel-all sends cancelUpTo as a Safe transaction
    const allCancelled = onTick((m * 106n) / 100n);
    expect((await placeOrder(s, "sell", 1n, allCancelled)).state).to.equal("open");
    await askAt(s, allCancelled).waitFor({ timeout: UI_WAIT_MS });
    await s.goto(`${appUrl}/#/portfolio`);
    await orders.locator("tr[data-order]").first().waitFor({ timeout: UI_WAIT_MS });
    await orders.getByTestId("cancel-all").click();
    await orders.locator('[data-tx="confirmed"]').waitFor({ timeout: UI_WAIT_MS });
    await orders.locator("tr[data-order]").waitFor({ state: "detached", timeout: UI_WAIT_MS });
    expect(wallet.executed.slice(2).map((e) => e.to)).to.deep.equal([getAddress(book.exchange)]);
    const minNonce = await client.readContract({
      address: book.exchange,
      abi: exchangeAbi,
      functionName: "minNonce",
      args: [safe],
    });
    expect(minNonce > 0n).to.equal(true);
    // neither ask is in the book any more, on the Safe's screen or the EOA's
    for (const page of [s, a]) {
      await page.goto(`${appUrl}/#/trade/${marketId}`);
      await page.getByTestId("book").waitFor({ timeout: UI_WAIT_MS });
      await askAt(page, cancelled).waitFor({ state: "detached", timeout: UI_WAIT_MS });
      await askAt(page, allCancelled).waitFor({ state: "detached", timeout: UI_WAIT_MS });
    }
    // the Safe's portfolio: the short position with its liquidation price, and the fill in its history
    await s.goto(`${appUrl}/#/portfolio`);
    const row = s.getByTestId("positions").locator("tbody tr").first();
    await row.waitFor({ timeout: UI_WAIT_MS });
    expect(await row.locator('[data-field="size"]').textContent()).to.contain("short 1 contract");
    expect(await row.locator('[data-field="liquidation"]').textContent()).to.match(/^\$\d/);
    await s.getByTestId("history").locator('tr[data-kind="fill"]').first().waitFor({ timeout: UI_WAIT_MS });
    await shot(s, "safe-portfolio");
  });

  it("liquidates an under-margined account after the reporters' index drops, and its history shows it", async function () {
    // the liquidator keeper needs collateral to take positions over
    await fundAndDeposit(12, 100_000n);
    const a = await traderPage(A);
    const c = await traderPage(C);
    // C deposits the initial margin of one contract at the mark plus 1 % of its notional: a 10 % drop
    // leaves C's equity below the maintenance margin
    const price = onTick(await mark());
    const { market } = await fetchMarket(client, {
      address: book.clearinghouse,
      marketId: marketId as MarketId,
    });
    const notional = (price * market.params.contractSize) / WAD;
    await deposit(c, ((notional * (market.risk.imr + WAD / 100n)) / WAD / WAD + 1n).toString());
    expect((await placeOrder(a, "sell", 1n, price)).state).to.equal("open");
    const placedC = await placeOrder(c, "buy", 1n, price);
    expect(placedC.refusal).to.equal(undefined);
    await c.getByTestId("trade-position").filter({ hasText: "1 contract" }).waitFor({ timeout: UI_WAIT_MS });
    // the reporters' price source falls 10 %: the stack's own reporters sign the lower index and its
    // relayer posts it (a new observation period starts at once: chain time moves a minute)
    const before = (await indexNow()).value;
    movePrices(90n, 100n);
    await travelTo((await client.getBlock()).timestamp + 60n);
    const dropped = await until("the keepers to publish the lower index", BOUNDED_WAIT_MS, async () => {
      const { value } = await indexNow();
      return value * 100n <= before * 91n ? value : undefined;
    });
    // C sees the new index on the trade page, then the liquidation in its history, and no position left
    await c.goto(`${appUrl}/#/trade/${marketId}`);
    await c
      .getByTestId("index")
      .filter({ hasText: usdPrice(dropped) })
      .waitFor({ timeout: UI_WAIT_MS });
    await c.goto(`${appUrl}/#/portfolio`);
    const liquidation = c.getByTestId("history").locator('tr[data-kind="liquidation"]').first();
    await liquidation.waitFor({ timeout: BOUNDED_WAIT_MS });
    expect(await liquidation.textContent()).to.match(/liquidated: 1 contract taken over at the mark \$\d/);
    await c.getByTestId("positions").getByText("No positions.").waitFor({ timeout: UI_WAIT_MS });
    await shot(c, "liquidated");
  });

  it("settles at expiry: the keepers finalize the price, the winner settles and claims with the Portfolio's buttons, and withdraws", async function () {
    const b = await traderPage(B);
    const expiry = BigInt(Object.values(book.markets).find((m) => m.id === marketId)!.expiry);
    // the reporters' price source rises to 112 % of the start (above B's entry: B's long wins); chain
    // time moves to just before the settlement window [expiry − 1 h, expiry], where the keepers post the
    // round the settlement TWAP averages, then past expiry
    movePrices(112n, 100n);
    await travelTo(expiry - 3_700n);
    const final = await until("the keepers to post a round before the window", BOUNDED_WAIT_MS, async () => {
      const index = await indexNow().catch(() => undefined);
      return index !== undefined && index.updatedAt >= expiry - 3_760n ? index.value : undefined;
    });
    await travelTo(expiry + 5n);
    await b.goto(`${appUrl}/#/markets`);
    // the market's badge leaves "trading": expired, or settling once the settler keeper has proposed
    await b
      .locator(`tr[data-market="${symbolOf(marketId)}"] :is([data-state="expired"], [data-state="settling"])`)
      .waitFor({ timeout: UI_WAIT_MS });
    // the settler keeper proposes on the chain's clock and finalizes after the dispute window; the stack
    // runs it with a day's grace (--settler-grace), so the positions and claims are the traders' to settle
    const proposed = await until("the settler's proposal", BOUNDED_WAIT_MS, async () => {
      const m = await marketNow();
      return m.settlement.proposedAt > 0n ? m : undefined;
    });
    await travelTo(proposed.settlement.proposedAt + BigInt(proposed.terms.disputeWindow) + 5n);
    await b
      .locator(`tr[data-market="${symbolOf(marketId)}"] [data-state="settled"]`)
      .waitFor({ timeout: BOUNDED_WAIT_MS });
    const finalPrice = await until("the final price", BOUNDED_WAIT_MS, async () => {
      const { finalPrice } = (await marketNow()).settlement;
      return finalPrice > 0n ? finalPrice : undefined;
    });
    expect(finalPrice * 100n >= final * 99n && finalPrice * 100n <= final * 101n).to.equal(true);
    const openAtFinal = (await marketNow()).state.openPositions;
    expect(openAtFinal > 1n, "the settler left the positions to their traders").to.equal(true);

    // B settles its own position with the Portfolio's Settle button: wallet, pending, confirmed; the gain
    // is recorded as a claim, not payable while other positions are open
    await b.goto(`${appUrl}/#/portfolio`);
    const positions = b.getByTestId("positions");
    const row = positions.locator(`tr[data-market="${symbolOf(marketId)}"]`);
    const settleButton = row.getByTestId("settle");
    await settleButton.waitFor({ timeout: UI_WAIT_MS });
    expect(await settleButton.textContent()).to.equal(`Settle at ${usdPrice(finalPrice)}`);
    const settleStates = await recordTxStates(b, "positions");
    await settleButton.click();
    const settled = positions.locator('[data-tx="confirmed"]');
    await settled.waitFor({ timeout: UI_WAIT_MS });
    expect(await settled.textContent()).to.match(new RegExp(`^Settle ${symbolOf(marketId)}: confirmed`));
    expect(await settleStates()).to.deep.equal(["wallet", "pending", "confirmed"]);
    await row.waitFor({ state: "detached", timeout: UI_WAIT_MS });
    const slot = await positionSlot(B.address);
    expect(slot.size).to.equal(0n);
    expect(slot.claim > 0n, "B's gain is recorded as a claim").to.equal(true);
    const claimRow = positions.getByTestId("claim");
    await claimRow.filter({ hasText: usdAmount(slot.claim * 10n ** 12n) }).waitFor({ timeout: UI_WAIT_MS });
    expect(await claimRow.textContent()).to.match(
      /Paid once every position of the market is settled \(\d+ open\)/,
    );
    expect(await claimRow.getByRole("button", { name: "Claim" }).count()).to.equal(0);
    const history = b.getByTestId("history");
    const settlement = history.locator('tr[data-kind="settlement"]').first();
    await settlement.waitFor({ timeout: BOUNDED_WAIT_MS });
    expect(await settlement.textContent()).to.match(
      /closed 2 contracts at the final price; gain recorded as a claim \$\d/,
    );
    await shot(b, "claim-recorded");

    // the other holders settle too: A (the losing short) and the Safe with their own Settle buttons, and
    // whoever is left (the liquidator keeper's taken-over long) by anyone, here test account #0
    for (const index of [A.index, -1]) {
      const page = pages.get(index)!;
      await page.goto(`${appUrl}/#/portfolio`);
      const button = page
        .getByTestId("positions")
        .locator(`tr[data-market="${symbolOf(marketId)}"]`)
        .getByTestId("settle");
      await button.waitFor({ timeout: UI_WAIT_MS });
      await button.click();
      await page.getByTestId("positions").locator('[data-tx="confirmed"]').waitFor({ timeout: UI_WAIT_MS });
    }
    const anyone = createWalletClient({
      account: privateKeyToAccount(testAccount(0).privateKey),
      transport: http(rpcUrl),
    });
    for (const holder of [LIQUIDATOR_INDEX]) {
      const { address } = testAccount(holder);
      if ((await positionSlot(address)).size === 0n) continue;
      const { hash } = await settle(anyone, {
        address: book.clearinghouse,
        account: address,
        marketId: marketId as MarketId,
      });
      await client.waitForTransactionReceipt({ hash });
    }
    expect((await marketNow()).state.openPositions).to.equal(0n);

    // every position is settled: B's claim is payable and B collects it with the Claim button
    const claimButton = claimRow.getByRole("button", { name: "Claim" });
    await claimButton.waitFor({ timeout: UI_WAIT_MS });
    const balanceBefore = await clearinghouseBalance(B.address);
    const claimStates = await recordTxStates(b, "positions");
    await claimButton.click();
    const claimed = positions.locator('[data-tx="confirmed"]').filter({ hasText: "Claim" });
    await claimed.waitFor({ timeout: UI_WAIT_MS });
    expect(await claimed.textContent()).to.match(new RegExp(`^Claim ${symbolOf(marketId)}: confirmed`));
    expect(await claimStates()).to.deep.equal(["wallet", "pending", "confirmed"]);
    const balanceAfter = await clearinghouseBalance(B.address);
    expect(balanceAfter - balanceBefore).to.equal(slot.claim);
    expect((await positionSlot(B.address)).claim).to.equal(0n);
    // the claim row and the position are gone, the history shows the claim paid, the balance is up
    await claimRow.waitFor({ state: "detached", timeout: UI_WAIT_MS });
    await positions.getByText("No positions.").waitFor({ timeout: UI_WAIT_MS });
    const paid = history.locator('tr[data-kind="claim"]').first();
    await paid.waitFor({ timeout: BOUNDED_WAIT_MS });
    expect(await paid.textContent()).to.contain(`claim paid ${usdAmount(slot.claim * 10n ** 12n)}`);
    await b
      .getByTestId("summary")
      .locator('[data-field="balance"]')
      .filter({ hasText: usdAmount(balanceAfter * 10n ** 12n) })
      .waitFor({ timeout: UI_WAIT_MS });
    await shot(b, "settled");

    const walletBefore = await tokenBalance(B.address);
    const free = await client.readContract({
      address: book.clearinghouse,
      abi: clearinghouseAbi,
      functionName: "freeCollateral",
      args: [B.address],
    });
    expect(free > 10_000n * 10n ** 6n).to.equal(true); // the deposit and the claim, less the fee
    await b
      .getByTestId("summary")
      .locator('[data-field="free"]')
      .filter({ hasText: usdAmount(free * 10n ** 12n) })
      .waitFor({ timeout: UI_WAIT_MS });
    const funds = b.getByTestId("funds");
    await funds.locator('input[name="amount"]').fill(formatUnits(free, 6));
    await funds.getByRole("button", { name: "Withdraw" }).click();
    await funds.locator('[data-tx="confirmed"]').waitFor({ timeout: UI_WAIT_MS });
    expect(await tokenBalance(B.address)).to.equal(walletBefore + free);
  });

  // ------------------------------------------------------------------ chain helpers

  async function rpc(method: string, params: unknown[]): Promise<unknown> {
    return client.request({ method: method as never, params: params as never });
  }

  async function travelTo(timestamp: bigint): Promise<void> {
    const block = await client.getBlock();
    const delta = timestamp - block.timestamp;
    if (delta > 0n) await rpc("evm_increaseTime", [Number(delta)]);
    await rpc("evm_mine", []);
  }

  async function marketNow() {
    return (await fetchMarket(client, { address: book.clearinghouse, marketId: marketId as MarketId }))
      .market;
  }

  /** `account`'s slot in the market: its size and, once settled with a gain, its unpaid claim. */
  async function positionSlot(account: Address): Promise<{ size: bigint; claim: bigint }> {
    const [size, openNotional] = await client.readContract({
      address: book.clearinghouse,
      abi: clearinghouseAbi,
      functionName: "position",
      args: [account, marketId],
    });
    return { size, claim: size === 0n && openNotional > 0n ? openNotional : 0n };
  }

  async function clearinghouseBalance(account: Address): Promise<bigint> {
    const { account: loaded } = await fetchAccount(client, { address: book.clearinghouse, account });
    return loaded.balance;
  }

  /** The market's index on chain (throws while the oracle has no fresh round). */
  async function indexNow(): Promise<{ value: bigint; updatedAt: bigint }> {
    const { index } = await fetchMarket(client, {
      address: book.clearinghouse,
      marketId: marketId as MarketId,
    });
    if (index === undefined) throw new Error("the index is stale");
    return index;
  }

  /**
   * Moves the price source the stack's reporters read: every list price of the start-up file times
   * `num / den` (rounded down), written atomically. The reporters sign the moved index at their next
   * observation period and the relayer posts it, as they would for a real price change.
   */
  function movePrices(num: bigint, den: bigint): void {
    writeFileSync(`${priceFile}.tmp`, scalePriceCsv(pricesAtStart, num, den));
    renameSync(`${priceFile}.tmp`, priceFile);
  }

  function symbolOf(id: Hex): string {
    return Object.entries(book.markets).find(([, m]) => m.id === id)![0];
  }

  /** Mints `tokens` whole collateral tokens to `account` (the test token's open mint, sent by #0). */
  async function mintCollateral(account: Address, tokens: bigint): Promise<void> {
    const deployer = createWalletClient({
      account: privateKeyToAccount(testAccount(0).privateKey),
      transport: http(rpcUrl),
    });
    const hash = await deployer.writeContract({
      chain: null,
      address: book.collateral,
      abi: parseAbi(["function mint(address to, uint256 amount)"]),
      functionName: "mint",
      args: [account, tokens * 10n ** 6n],
    });
    await client.waitForTransactionReceipt({ hash });
  }

  async function fundAndDeposit(index: number, tokens: bigint): Promise<void> {
    const { address: account, privateKey: key } = testAccount(index);
    const units = tokens * 10n ** 6n;
    const wait = async (hash: Hex) => void (await client.waitForTransactionReceipt({ hash }));
    await mintCollateral(account, tokens);
    const keeper = createWalletClient({ account: privateKeyToAccount(key), transport: http(rpcUrl) });
    await wait(
      await keeper.writeContract({
        chain: null,
        address: book.collateral,
        abi: erc20Abi,
        functionName: "approve",
        args: [book.clearinghouse, units],
      }),
    );
    await wait(
      await keeper.writeContract({
        chain: null,
        address: book.clearinghouse,
        abi: clearinghouseAbi,
        functionName: "deposit",
        args: [units],
      }),
    );
  }

  async function tokenBalance(account: Address): Promise<bigint> {
    return client.readContract({
      address: book.collateral,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [account],
    });
  }
});

function formatWad(v: bigint): string {
  const int = v / WAD;
  const frac = (v % WAD).toString().padStart(18, "0").replace(/0+$/, "");
  return frac === "" ? int.toString() : `${int}.${frac}`;
}

function formatUnits(v: bigint, decimals: number): string {
  const base = 10n ** BigInt(decimals);
  const frac = (v % base).toString().padStart(decimals, "0").replace(/0+$/, "");
  return frac === "" ? (v / base).toString() : `${v / base}.${frac}`;
}

/** A list-price CSV with both price columns times `num / den`, rounded down to 18 decimals. */
function scalePriceCsv(text: string, num: bigint, den: bigint): string {
  const [header, ...rows] = text.split("\n");
  if (header !== PRICE_CSV_COLUMNS.join(",")) throw new Error(`not a list-price CSV: ${header}`);
  const scaled = rows.map((row) => {
    if (row.trim() === "") return row;
    const f = row.split(",");
    for (const i of [4, 5]) f[i] = formatDecimal18((parseDecimal18(f[i]) * num) / den);
    return f.join(",");
  });
  return [header, ...scaled].join("\n");
}
