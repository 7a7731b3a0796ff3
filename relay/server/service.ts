/**
 * The relay's shell around the pure core: accepts orders (validate, store durably, rest, publish),
 * follows the chain (fills, cancels, nonce voids, expiry at chain time, market expiry, chain resets) and
 * matches crossing orders through `Exchange.matchOrders` with the keepers' `TxSender` (simulate, nonce
 * manager, fee bump, idempotent jobs). A match whose simulation fails isolates the order the revert
 * points at (marked `rejected` with the decoded reason) and is decided again without it.
 */
import { encodeAbiParameters, keccak256, type Abi, type Address, type Hex, type Log } from "viem";

import { matchOrdersArgs } from "../../keepers/matcher/decide.js";
import { Exchange__factory } from "../../typechain-types/index.js";
import { clearinghouseAbi } from "../../sdk/abi/index.js";
import type { Clock } from "../../keepers/shell/clock.js";
import type { Logger } from "../../keepers/shell/log.js";
import type { DecodedRevert, TxSender } from "../../keepers/shell/sender.js";
import type { ExchangeDomain, Order } from "../../sdk/core/eip712/orders.js";
import { relayCancelMessage } from "../../sdk/relay/client.js";
import { Books, type BookUpdate, type MarketBook } from "../core/book.js";
import {
  planRound,
  unrestable,
  type MatchAction,
  type MatcherConfig,
  type MatchView,
} from "../core/match.js";
import { reconcile, withEnd, withFill, type RelayOrder } from "../core/order.js";
import { isLive, stateRank } from "../core/state.js";
import {
  addExposure,
  validateOrder,
  type MarketExposure,
  type ValidationConfig,
  type ValidationContext,
} from "../validate/checks.js";
import { orderHasher } from "../validate/hash.js";
import { Refusal } from "../validate/refusal.js";
import { parseSignedOrder } from "../validate/schema.js";
import type { Fill, RelayStore } from "../store/store.js";
import type { RelayAddresses, RelayChain } from "./chain.js";
import { blockTimestamps, decodeRelayLogs, pollEvents, type RelayEvent } from "./events.js";
import type { Lease } from "./lease.js";

/** `matchOrders` with the Clearinghouse's errors too, so a revert from the trade decodes by name. */
const MATCH_ABI = [
  ...Exchange__factory.abi,
  ...clearinghouseAbi.filter((item) => item.type === "error"),
] as const;

export interface RelayConfig {
  domain: ExchangeDomain;
  addresses: RelayAddresses;
  /** First block to read events from (the deployment block). */
  fromBlock: bigint;
  match: MatcherConfig;
  validation: ValidationConfig;
  /** Most re-decisions of one market in one tick after isolating a failing order. */
  maxIsolations: number;
  /**
   * Milliseconds an accepted order may wait for others to share its commit (one disk sync per group);
   * 0: the next turn of the event loop.
   */
  groupCommitMs: number;
}

export type RelayMessage =
  ({ type: "book" } & BookUpdate) | { type: "order"; order: RelayOrder } | { type: "trade"; fill: Fill };

export interface RelayDeps {
  chain: RelayChain;
  store: RelayStore;
  /** Without a sender the relay accepts and serves orders but never submits matches. */
  sender?: TxSender;
  lease: Lease;
  clock: Clock;
  log: Logger;
  config: RelayConfig;
}

/** The message a trader signs (EIP-191) to take an order off the relay's book (the SDK's). */
export const cancelMessage = relayCancelMessage;

/** One async section at a time (book and store changes). */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work, work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export interface RelayStatus {
  chain: "ok" | "unreachable" | "reset";
  lastBlock?: number;
  lastError?: string;
  matching: boolean;
  orders: number;
}

export class RelayService {
  readonly books = new Books();
  private readonly byTrader = new Map<string, Set<Hex>>();
  /** Per trader, per market: what the live orders would trade (the margin check's input). */
  private readonly exposure = new Map<string, Map<string, MarketExposure>>();
  private readonly hashOrder: (order: Order) => Hex;
  private readonly listeners = new Set<(m: RelayMessage) => void>();
  private readonly mutex = new Mutex();
  /** The store's change version this process has seen (orders written by other processes after it). */
  private version = 0;
  /** Set by a chain reset: the next poll re-reads history and reconciles every live order. */
  private rebuilding = false;
  readonly status: RelayStatus = { chain: "ok", matching: false, orders: 0 };
  /** Results of submitted matches (tests and metrics). */
  readonly submitted: { key: string; status: string }[] = [];

  constructor(readonly deps: RelayDeps) {
    this.hashOrder = orderHasher(deps.config.domain);
  }

  /**
   * Loads the live orders from the store (a restart rebuilds the same book), and on PostgreSQL listens
   * for the changes other relay processes commit.
   */
  async start(): Promise<void> {
    await this.deps.store.migrate();
    this.version = await this.deps.store.version();
    for (const o of await this.deps.store.liveOrders()) this.rest(o);
    await this.deps.store.onChange(() => this.syncSoon());
  }

  private syncing = false;
  private syncAgain = false;

  /** Runs `syncFromStore` now, or once more after the one running (a notification from another process). */
  private syncSoon(): void {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    void (async () => {
      do {
        this.syncAgain = false;
        await this.syncFromStore().catch((err: unknown) =>
          this.deps.log.warn({ err }, "reading other processes' changes failed"),
        );
      } while (this.syncAgain);
      this.syncing = false;
    })();
  }

  subscribe(listener: (m: RelayMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private publish(m: RelayMessage): void {
    for (const l of this.listeners) {
      try {
        l(m);
      } catch (error) {
        this.deps.log.warn({ err: error }, "listener failed");
      }
    }
  }

  /**
   * Puts the order's version in the books, the trader index and the trader's exposure; returns the book
   * update.
   */
  private rest(o: RelayOrder): BookUpdate | undefined {
    const key = o.order.trader.toLowerCase();
    const before = this.books.find(o.hash);
    const update = this.books.put(o);
    const after = this.books.find(o.hash);
    const set = this.byTrader.get(key) ?? new Set<Hex>();
    if (after !== undefined) set.add(o.hash);
    else set.delete(o.hash);
    if (set.size === 0) this.byTrader.delete(key);
    else this.byTrader.set(key, set);
    const markets = this.exposure.get(key) ?? new Map<string, MarketExposure>();
    const market = o.order.marketId.toLowerCase();
    const e = markets.get(market) ?? {
      marketId: o.order.marketId,
      buy: { size: 0n, notional: 0n },
      sell: { size: 0n, notional: 0n },
    };
    if (before !== undefined) addExposure(e, before, -1n);
    if (after !== undefined) addExposure(e, after, 1n);
    if (e.buy.size === 0n && e.sell.size === 0n) markets.delete(market);
    else markets.set(market, e);
    if (markets.size === 0) this.exposure.delete(key);
    else this.exposure.set(key, markets);
    this.status.orders = this.books.size;
    return update;
  }

  openOrdersOf(trader: Address): RelayOrder[] {
    const set = this.byTrader.get(trader.toLowerCase());
    if (set === undefined) return [];
    return [...set].map((h) => this.books.find(h)).filter((o): o is RelayOrder => o !== undefined);
  }

  /** How many live orders the trader has resting and being stored. */
  private openCount(trader: Address): number {
    const key = trader.toLowerCase();
    let n = this.byTrader.get(key)?.size ?? 0;
    for (const p of this.pending.values()) if (p.order.order.trader.toLowerCase() === key) n++;
    return n;
  }

  /** The trader's live orders per market and side, with those being stored. */
  private openExposure(trader: Address): MarketExposure[] {
    const key = trader.toLowerCase();
    const out = new Map<string, MarketExposure>();
    for (const [m, e] of this.exposure.get(key) ?? []) {
      out.set(m, { marketId: e.marketId, buy: { ...e.buy }, sell: { ...e.sell } });
    }
    for (const p of this.pending.values()) {
      const o = p.order;
      if (o.order.trader.toLowerCase() !== key) continue;
      const m = o.order.marketId.toLowerCase();
      const e = out.get(m) ?? {
        marketId: o.order.marketId,
        buy: { size: 0n, notional: 0n },
        sell: { size: 0n, notional: 0n },
      };
      addExposure(e, o, 1n);
      out.set(m, e);
    }
    return [...out.values()];
  }

  /** Stores and publishes new versions of orders (already in the books). */
  private async commit(orders: readonly RelayOrder[]): Promise<void> {
    if (orders.length === 0) return;
    await this.deps.store.updateOrders(orders, this.deps.clock.nowMs());
    for (const o of orders) {
      const update = this.rest(o);
      if (update !== undefined) this.publish({ type: "book", ...update });
      this.publish({ type: "order", order: o });
    }
  }

  /**
   * `POST /orders`: a `Refusal` or the accepted order, stored durably before this resolves. Accepted
   * orders are written in groups (one transaction, one disk sync, for every order validated while the
   * previous group was being written), then rest in the book and are published.
   */
  async place(body: unknown): Promise<RelayOrder> {
    const input = parseSignedOrder(body);
    const ctx: ValidationContext = {
      domain: this.deps.config.domain,
      hashOrder: this.hashOrder,
      chain: this.deps.chain,
      books: this.books,
      openCount: (t) => this.openCount(t),
      openExposure: (t) => this.openExposure(t),
      known: (h) => this.books.find(h) !== undefined || this.pending.has(h.toLowerCase()),
      config: this.deps.config.validation,
    };
    const checked = await validateOrder(input, ctx, 0);
    // the book may have moved while the chain was read: check again against it and the orders being
    // stored (synchronously, so two orders cannot both pass against each other)
    const key = checked.hash.toLowerCase();
    if (this.books.find(checked.hash) !== undefined || this.pending.has(key)) {
      throw new Refusal(
        409,
        "DuplicateOrder",
        { orderHash: checked.hash },
        `order ${checked.hash} was already submitted`,
      );
    }
    const pending = [...this.pending.values()].map((p) => p.order);
    const market = checked.order.marketId.toLowerCase();
    const again = this.books.market(checked.order.marketId).admissionRefusal(
      checked,
      pending.filter((o) => o.order.marketId.toLowerCase() === market),
    );
    if (again !== undefined) throw new Refusal(422, again.error, again.args);
    if (this.openCount(checked.order.trader) >= this.deps.config.validation.maxOpenOrders) {
      throw new Refusal(429, "TooManyOpenOrders", {
        trader: checked.order.trader,
        max: String(this.deps.config.validation.maxOpenOrders),
      });
    }
    return new Promise<RelayOrder>((resolve, reject) => {
      this.pending.set(key, { order: checked, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Accepted orders waiting for their group's commit, by hash. */
  private readonly pending = new Map<
    string,
    { order: RelayOrder; resolve: (o: RelayOrder) => void; reject: (e: unknown) => void }
  >();
  private flushing = false;

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = true;
    void this.flush();
  }

  /**
   * Writes every pending order in one transaction, then rests and publishes them; repeats while more
   * came. Each group waits `groupCommitMs` first, so that orders validated meanwhile share its commit.
   */
  private async flush(): Promise<void> {
    const wait = () =>
      new Promise<void>((resolve) => {
        const ms = this.deps.config.groupCommitMs;
        if (ms > 0) setTimeout(resolve, ms);
        else setImmediate(resolve);
      });
    while ((await wait(), this.pending.size > 0)) {
      const group = [...this.pending.values()];
      try {
        await this.mutex.run(async () => {
          const stored = await this.deps.store.insertOrders(
            group.map((g) => g.order),
            this.deps.clock.nowMs(),
          );
          const byHash = new Map(stored.map((o) => [o.hash.toLowerCase(), o]));
          for (const g of group) {
            this.pending.delete(g.order.hash.toLowerCase());
            const order = byHash.get(g.order.hash.toLowerCase());
            if (order === undefined) {
              // already in the database: an order that left the book, or one another relay process took
              g.reject(
                new Refusal(
                  409,
                  "DuplicateOrder",
                  { orderHash: g.order.hash },
                  `order ${g.order.hash} was already submitted`,
                ),
              );
              continue;
            }
            const update = this.rest(order);
            if (update !== undefined) this.publish({ type: "book", ...update });
            this.publish({ type: "order", order });
            g.resolve(order);
          }
        });
      } catch (error) {
        // nothing of the group was stored: each caller gets the failure (a 503), none is acknowledged
        for (const g of group) {
          this.pending.delete(g.order.hash.toLowerCase());
          g.reject(error);
        }
      }
    }
    this.flushing = false;
  }

  /**
   * Takes an order off the relay's book, signed by its trader (EIP-191 over `cancelMessage(hash)`). The
   * signed order stays valid on chain until `cancelOrders` or `cancelUpTo`; the relay never matches it
   * again.
   */
  async cancel(hash: Hex, signature: Hex): Promise<RelayOrder> {
    const o = this.books.find(hash) ?? (await this.deps.store.order(hash));
    if (o === undefined) throw new Refusal(404, "UnknownOrder", { orderHash: hash });
    const ok = await this.deps.chain.client
      .verifyMessage({ address: o.order.trader, message: cancelMessage(hash), signature })
      .catch(() => false);
    if (!ok) throw new Refusal(403, "UnauthorisedCancel", { orderHash: hash, trader: o.order.trader });
    if (!isLive(o.state)) throw new Refusal(409, "OrderNotLive", { orderHash: hash, state: o.state });
    return this.mutex.run(async () => {
      const current = this.books.find(hash);
      if (current === undefined) throw new Refusal(409, "OrderNotLive", { orderHash: hash });
      const next = withEnd(current, "cancelled", "cancelled on the relay by its trader");
      await this.commit([next]);
      return next;
    });
  }

  /**
   * Takes in what other relay processes on the same database wrote since the last look: new orders and
   * forward state changes. Runs when one of them announces a commit (PostgreSQL `NOTIFY`) and on every
   * tick (so a notification missed while the listening connection was down is only late, never lost).
   */
  async syncFromStore(): Promise<void> {
    await this.mutex.run(async () => {
      const { orders, version } = await this.deps.store.changedSince(this.version);
      this.version = version;
      for (const row of orders) {
        const mine = this.books.find(row.hash);
        if (mine === undefined) {
          if (!isLive(row.state)) continue;
        } else if (stateRank(row.state) < stateRank(mine.state) || row.filled < mine.filled) continue;
        else if (row.state === mine.state && row.filled === mine.filled) continue;
        const { acceptedMs: _a, updatedMs: _u, ...order } = row;
        const update = this.rest(order);
        if (update !== undefined) this.publish({ type: "book", ...update });
        this.publish({ type: "order", order });
      }
    });
  }

  /** One round: head, events (or a reset), expiry, then matching when this process holds the lease. */
  async tick(): Promise<void> {
    await this.syncFromStore();
    let head;
    try {
      head = await this.deps.chain.refreshHead();
    } catch (error) {
      this.status.chain = "unreachable";
      this.status.lastError = (error as Error).message;
      this.deps.log.warn({ err: error }, "chain unreachable");
      return;
    }
    const cursor = await this.deps.store.cursor();
    const polled = await pollEvents(
      this.deps.chain.client,
      this.deps.config.addresses,
      cursor,
      this.deps.config.fromBlock,
      head,
    );
    if (polled.reset) {
      this.deps.log.warn({ reason: polled.reason }, "chain reset or reorg: resyncing from the chain");
      this.status.chain = "reset";
      this.status.lastError = polled.reason;
      await this.resync();
      return;
    }
    if (this.rebuilding) {
      if (!(await this.deps.chain.deployed())) {
        this.status.chain = "reset";
        this.status.lastError = "the Exchange has no code on this chain: orders kept, nothing matched";
        return;
      }
      const live = this.books.all().flatMap((b) => b.live());
      await this.mutex.run(async () => {
        const cancelled = await this.applyEvents(polled.events, false);
        await this.reconcileOrders(live, cancelled);
      });
      this.rebuilding = false;
    } else {
      await this.mutex.run(async () => void (await this.applyEvents(polled.events, true)));
    }
    if (polled.cursor !== undefined) await this.deps.store.setCursor(polled.cursor);
    this.status.chain = "ok";
    this.status.lastBlock = Number(head.number);
    await this.mutex.run(() => this.expire(head.timestamp));
    this.status.matching = this.deps.sender !== undefined && (await this.deps.lease.held());
    if (this.status.matching) {
      for (const book of this.books.all()) await this.matchMarket(book);
    }
  }

  /**
   * After a reset or reorg: forget what was read from the chain; the next tick reads the events again
   * from `fromBlock` and checks every live order against the chain as it is now (fills are not counted
   * twice: an order's fill only moves forward to what `filled(hash)` reports).
   */
  async resync(): Promise<void> {
    await this.deps.store.forgetChain();
    this.rebuilding = true;
  }

  /**
   * Records fills, history and rounds; with `countFills`, applies new fills to their orders, then checks
   * the orders of every trader an event touched against the chain. Returns the cancelled order hashes.
   */
  private async applyEvents(events: readonly RelayEvent[], countFills: boolean): Promise<Set<Hex>> {
    const store = this.deps.store;
    const fills = events.flatMap((e) => (e.kind === "fill" ? [e.fill] : []));
    const added = await store.insertFills(fills);
    await store.insertHistory(events.flatMap((e) => (e.kind === "history" ? [e.entry] : [])));
    await store.insertRounds(events.flatMap((e) => (e.kind === "round" ? [e.round] : [])));
    const changed = new Map<Hex, RelayOrder>();
    const current = (h: Hex) => changed.get(h) ?? this.books.find(h);
    const dirty = new Set<string>();
    for (const f of added) {
      this.publish({ type: "trade", fill: f });
      if (!countFills) continue;
      for (const h of [f.makerHash.toLowerCase() as Hex, f.takerHash.toLowerCase() as Hex]) {
        const o = current(h);
        if (o === undefined || !isLive(o.state)) continue;
        const next = withFill(o, f.size);
        changed.set(h, next);
        // an order completing uses its nonce: the trader's other orders with it are void
        if (!isLive(next.state)) dirty.add(next.order.trader.toLowerCase());
      }
    }
    const cancelled = new Set<Hex>();
    for (const e of events) {
      if (e.kind === "cancelled" || e.kind === "remainderVoided") {
        if (e.kind === "cancelled") cancelled.add(e.hash.toLowerCase() as Hex);
        dirty.add(e.trader.toLowerCase());
      } else if (e.kind === "minNonce") dirty.add(e.trader.toLowerCase());
    }
    await this.commit([...changed.values()]);
    const affected = [...dirty].flatMap((t) => this.openOrdersOf(t as Address));
    await this.reconcileOrders(affected, cancelled);
    return cancelled;
  }

  /** Checks orders against the chain (`filled`, nonce, minimum nonce, chain time). */
  private async reconcileOrders(orders: readonly RelayOrder[], cancelled: ReadonlySet<Hex>): Promise<void> {
    const chain = this.deps.chain;
    const now = await chain.now();
    const next: RelayOrder[] = [];
    for (const stale of orders) {
      const o = this.books.find(stale.hash);
      if (o === undefined || !isLive(o.state)) continue;
      const [filledOnChain, nonce] = await Promise.all([
        chain.filled(o.hash),
        chain.nonce(o.order.trader, o.order.nonce),
      ]);
      const r = reconcile(
        o,
        {
          filledOnChain,
          nonceUsed: nonce.used,
          minNonce: nonce.minNonce,
          cancelled: cancelled.has(o.hash.toLowerCase() as Hex),
        },
        now,
      );
      if (r !== o) next.push(r);
    }
    await this.commit(next);
  }

  /** Orders past their expiry, and every order of a market past its own expiry, at chain time `now`. */
  private async expire(now: bigint): Promise<void> {
    const ended: RelayOrder[] = [];
    for (const book of this.books.all()) {
      if (book.size === 0) continue;
      const snapshot = await this.deps.chain.market(book.marketId).catch(() => undefined);
      const marketEnded =
        snapshot !== undefined && (snapshot.status !== "Trading" || now >= snapshot.market.params.expiry);
      for (const o of book.live()) {
        if (marketEnded)
          ended.push(
            withEnd(o, "expired", `MarketExpired(${book.marketId}, ${snapshot.market.params.expiry})`),
          );
        else if (o.order.expiry <= now)
          ended.push(withEnd(o, "expired", `OrderExpired(${o.hash}, ${o.order.expiry}, ${now})`));
      }
    }
    await this.commit(ended);
  }

  private async views(orders: readonly RelayOrder[]): Promise<Map<Hex, MatchView>> {
    const chain = this.deps.chain;
    const out = new Map<Hex, MatchView>();
    await Promise.all(
      orders.map(async (o) => {
        const [nonce, position] = await Promise.all([
          chain.nonce(o.order.trader, o.order.nonce),
          (o.order.flags & 1) !== 0 ? chain.position(o.order.trader, o.order.marketId) : Promise.resolve(0n),
        ]);
        out.set(o.hash, { nonceUsed: nonce.used, minNonce: nonce.minNonce, position });
      }),
    );
    return out;
  }

  /** Matches one market; isolates and marks each order the chain refuses, then decides again. */
  private async matchMarket(book: MarketBook): Promise<void> {
    const excluded = new Set<Hex>();
    for (let attempt = 0; attempt <= this.deps.config.maxIsolations; attempt++) {
      const candidates = book.crossing();
      if (candidates.length === 0) break;
      const views = await this.views(candidates);
      const now = await this.deps.chain.now();
      const actions = planRound(candidates, views, now, this.deps.config.match, excluded);
      if (actions.length === 0) break;
      let isolated = false;
      for (const action of actions) {
        const outcome = await this.submit(action);
        if (outcome.kind === "refused") {
          for (const culprit of outcome.culprits) excluded.add(culprit.hash);
          isolated = true;
          break;
        }
        if (outcome.kind === "stopped") return;
      }
      if (!isolated) break;
    }
    // immediate orders had their round: what is left of them cannot rest
    await this.mutex.run(() => this.commit(unrestable(book.live())));
  }

  private async submit(
    action: MatchAction,
  ): Promise<{ kind: "done" } | { kind: "refused"; culprits: RelayOrder[] } | { kind: "stopped" }> {
    const sender = this.deps.sender as TxSender;
    if (!this.deps.lease.stillHeld()) {
      // the lease was lost during this round (its session ended): another process may be matching now
      this.deps.log.warn({ taker: action.taker.hash }, "match lease lost: not submitting");
      this.status.matching = false;
      return { kind: "stopped" };
    }
    const digest = keccak256(
      encodeAbiParameters(
        [{ type: "bytes32[]" }, { type: "uint256[]" }],
        [action.makers.map((m) => m.hash), action.fillSizes],
      ),
    );
    const key = `relay/${action.marketId}/${action.taker.hash}@${action.taker.filled}/${digest}`;
    const result = await sender.execute(key, {
      address: this.deps.config.addresses.exchange,
      abi: MATCH_ABI as unknown as Abi,
      functionName: "matchOrders",
      args: matchOrdersArgs(action),
    });
    this.submitted.push({ key, status: result.status });
    if (result.status === "confirmed") {
      const logs = result.receipt.logs as Log[];
      const timestamps = await blockTimestamps(this.deps.chain.client, logs);
      const events = decodeRelayLogs(logs, this.deps.config.addresses, timestamps);
      await this.mutex.run(async () => void (await this.applyEvents(events, true)));
      this.deps.log.info({ job: key, tx: result.hash, makers: action.makers.length }, "match confirmed");
      return { kind: "done" };
    }
    if (result.status === "simulation-failed") {
      const culprits = this.culprits(action, result.revert);
      const reason = `${result.revert.name}(${result.revert.args.map(String).join(", ")})`;
      await this.mutex.run(async () => {
        const rejected = culprits
          .map((c) => this.books.find(c.hash))
          .filter((o): o is RelayOrder => o !== undefined)
          .map((o) => withEnd(o, "rejected", reason));
        await this.commit(rejected);
      });
      this.deps.log.warn(
        { job: key, reason, orders: culprits.map((c) => c.hash) },
        "order isolated: the chain refuses it",
      );
      return { kind: "refused", culprits };
    }
    this.deps.log.warn({ job: key, status: result.status }, "match not confirmed");
    return { kind: "stopped" };
  }

  /**
   * The order a revert points at: one whose hash it names, else one whose trader it names (margin,
   * position limits), else a maker whose price it names (a fill price outside the band), else the taker.
   */
  private culprits(action: MatchAction, revert: DecodedRevert): RelayOrder[] {
    const involved = [action.taker, ...action.makers]
      .map((b) => this.books.find(b.hash))
      .filter((o): o is RelayOrder => o !== undefined);
    const args = revert.args.map((a) => (typeof a === "string" ? a.toLowerCase() : a));
    const byHash = involved.filter((o) => args.includes(o.hash.toLowerCase()));
    if (byHash.length > 0) return byHash.slice(0, 1);
    const byTrader = involved.filter((o) => args.includes(o.order.trader.toLowerCase()));
    if (byTrader.length > 0) return byTrader.slice(0, 1);
    const makers = involved.slice(1);
    const byPrice = makers.filter((o) => args.includes(o.order.limitPrice));
    if (byPrice.length > 0) return byPrice.slice(0, 1);
    return involved.slice(0, 1);
  }
}
