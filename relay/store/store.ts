/**
 * The relay's records over either database: orders with their state, fills, account history
 * (liquidations, deleverages, settlements, claims), index rounds and the chain cursor.
 */
import type { Address, Hex } from "viem";

import type { RelayFill, RelayHistoryEvent, RelayIndexRound } from "../../sdk/relay/client.js";
import type { RelayOrder } from "../core/order.js";
import type { OrderState } from "../core/state.js";
import type { Db, Row, Statement } from "./db.js";
import { migrate } from "./migrations.js";

/** A fill, an account-history entry and an index round as stored and served: the SDK client's types. */
export type Fill = RelayFill;
export type HistoryEntry = RelayHistoryEvent;
export type IndexRound = RelayIndexRound;

export interface ChainCursor {
  block: number;
  hash: Hex;
}

export interface StoredOrder extends RelayOrder {
  acceptedMs: number;
  updatedMs: number;
}

const ORDER_COLUMNS =
  "hash, market, trader, is_buy, size, limit_price, expiry, nonce, salt, flags, signature, seq, state, filled, reason, accepted_ms, updated_ms";

function rowToOrder(r: Row): StoredOrder {
  return {
    hash: r.hash as Hex,
    order: {
      trader: r.trader as Address,
      marketId: r.market as Hex,
      isBuy: Number(r.is_buy) === 1,
      size: BigInt(r.size as string),
      limitPrice: BigInt(r.limit_price as string),
      expiry: BigInt(r.expiry as string),
      nonce: BigInt(r.nonce as string),
      salt: BigInt(r.salt as string),
      flags: Number(r.flags),
    },
    signature: r.signature as Hex,
    seq: Number(r.seq),
    state: r.state as OrderState,
    filled: BigInt(r.filled as string),
    ...(r.reason === null || r.reason === undefined ? {} : { reason: r.reason as string }),
    acceptedMs: Number(r.accepted_ms),
    updatedMs: Number(r.updated_ms),
  };
}

const rowToFill = (r: Row): Fill => ({
  tx: r.tx as Hex,
  logIndex: Number(r.log_index),
  block: Number(r.block),
  ts: Number(r.ts),
  marketId: r.market as Hex,
  makerHash: r.maker_hash as Hex,
  takerHash: r.taker_hash as Hex,
  maker: r.maker as Address,
  taker: r.taker as Address,
  takerIsBuy: Number(r.taker_is_buy) === 1,
  size: BigInt(r.size as string),
  price: BigInt(r.price as string),
});

/** The channel on which relay processes sharing a PostgreSQL database announce order changes. */
export const ORDERS_CHANNEL = "relay_orders";

export class RelayStore {
  /** Names this process in its change notifications, so that it can ignore its own. */
  private readonly origin = crypto.randomUUID();

  constructor(readonly db: Db) {}

  /**
   * Calls `onChange` when another relay process on the same database commits new orders or order
   * changes (PostgreSQL `LISTEN`/`NOTIFY`); never on the embedded database.
   */
  async onChange(onChange: () => void): Promise<void> {
    await this.db.listen(ORDERS_CHANNEL, (payload) => {
      if (payload !== this.origin) onChange();
    });
  }

  /** Announces this transaction's order changes to the other processes (sent at its commit). */
  private async announce(): Promise<void> {
    await this.db.notify(ORDERS_CHANNEL, this.origin);
  }

  async migrate(): Promise<void> {
    await migrate(this.db);
  }

  /** Reserves `n` values of a shared counter (inside the caller's transaction): the last is returned. */
  private async bump(name: "order_seq" | "order_version", n = 1): Promise<number> {
    const rows = await this.db.all<{ value: number }>(
      "UPDATE counters SET value = value + ? WHERE name = ? RETURNING value",
      [n, name],
    );
    return Number(rows[0].value);
  }

  /**
   * Inserts accepted orders in one transaction (one disk sync for the group), each with its arrival
   * number from the shared counter (so several relay processes on one database agree on time priority).
   * An order whose hash is already stored is left out. When this resolves, the returned orders (with
   * their numbers) survive a crash.
   */
  async insertOrders(orders: readonly RelayOrder[], nowMs: number): Promise<RelayOrder[]> {
    if (orders.length === 0) return [];
    // one batch of statements, so that the embedded database commits it off the event loop: reserve n
    // arrival numbers and n change versions, then insert each order with its own (the counters' new
    // values, read inside the same transaction, minus its distance from the last)
    const n = orders.length;
    const statements: Statement[] = [
      { sql: "UPDATE counters SET value = value + ? WHERE name = 'order_seq'", params: [n] },
      { sql: "UPDATE counters SET value = value + ? WHERE name = 'order_version'", params: [n] },
    ];
    const seqOf = "(SELECT value FROM counters WHERE name = 'order_seq') - ?";
    const versionOf = "(SELECT value FROM counters WHERE name = 'order_version') - ?";
    const row = `(${new Array(11).fill("?").join(", ")}, ${seqOf}, ?, ?, ?, ?, ?, ${versionOf})`;
    const CHUNK = 500;
    for (let from = 0; from < n; from += CHUNK) {
      const chunk = orders.slice(from, from + CHUNK);
      statements.push({
        sql: `INSERT INTO orders (${ORDER_COLUMNS}, version) VALUES ${chunk.map(() => row).join(", ")}
              ON CONFLICT (hash) DO NOTHING RETURNING hash, seq`,
        params: chunk.flatMap((o, j) => {
          const back = n - 1 - (from + j);
          return [
            o.hash,
            o.order.marketId.toLowerCase(),
            o.order.trader.toLowerCase(),
            o.order.isBuy ? 1 : 0,
            o.order.size.toString(),
            o.order.limitPrice.toString(),
            o.order.expiry.toString(),
            o.order.nonce.toString(),
            o.order.salt.toString(),
            o.order.flags,
            o.signature,
            back,
            o.state,
            o.filled.toString(),
            o.reason ?? null,
            nowMs,
            nowMs,
            back,
          ];
        }),
      });
    }
    if (this.db.kind === "postgres") {
      statements.push({ sql: "SELECT pg_notify(?, ?)", params: [ORDERS_CHANNEL, this.origin] });
    }
    const results = await this.db.batch(statements);
    const seqs = new Map<string, number>();
    for (const rows of results.slice(2, 2 + Math.ceil(n / CHUNK))) {
      for (const r of rows) seqs.set(r.hash as string, Number(r.seq));
    }
    return orders.filter((o) => seqs.has(o.hash)).map((o) => ({ ...o, seq: seqs.get(o.hash)! }));
  }

  async updateOrders(orders: readonly RelayOrder[], nowMs: number): Promise<void> {
    if (orders.length === 0) return;
    await this.db.transaction(async () => {
      let version = (await this.bump("order_version", orders.length)) - orders.length;
      for (const o of orders) {
        await this.db.run(
          "UPDATE orders SET state = ?, filled = ?, reason = ?, updated_ms = ?, version = ? WHERE hash = ?",
          [o.state, o.filled.toString(), o.reason ?? null, nowMs, ++version, o.hash],
        );
      }
      await this.announce();
    });
  }

  async liveOrders(): Promise<StoredOrder[]> {
    const rows = await this.db.all(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE state IN ('open', 'partially_filled') ORDER BY seq`,
    );
    return rows.map(rowToOrder);
  }

  async order(hash: Hex): Promise<StoredOrder | undefined> {
    const rows = await this.db.all(`SELECT ${ORDER_COLUMNS} FROM orders WHERE hash = ?`, [
      hash.toLowerCase(),
    ]);
    return rows.length === 0 ? undefined : rowToOrder(rows[0]);
  }

  async ordersOf(trader: Address, limit: number): Promise<StoredOrder[]> {
    const rows = await this.db.all(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE trader = ? ORDER BY seq DESC LIMIT ?`,
      [trader.toLowerCase(), limit],
    );
    return rows.map(rowToOrder);
  }

  /** Orders written (by any process) after change version `since`, oldest change first. */
  async changedSince(since: number): Promise<{ orders: StoredOrder[]; version: number }> {
    const rows = await this.db.all(
      `SELECT ${ORDER_COLUMNS}, version FROM orders WHERE version > ? ORDER BY version`,
      [since],
    );
    const version = rows.length === 0 ? since : Number(rows[rows.length - 1].version);
    return { orders: rows.map(rowToOrder), version };
  }

  /** The latest change version. */
  async version(): Promise<number> {
    const rows = await this.db.all<{ value: number }>(
      "SELECT value FROM counters WHERE name = 'order_version'",
    );
    return Number(rows[0]?.value ?? 0);
  }

  async maxSeq(): Promise<number> {
    const rows = await this.db.all<{ m: number | null }>("SELECT MAX(seq) AS m FROM orders");
    return rows[0]?.m === null || rows[0]?.m === undefined ? 0 : Number(rows[0].m);
  }

  /** Inserts fills; one already recorded (same transaction and log index) is skipped. */
  async insertFills(fills: readonly Fill[]): Promise<Fill[]> {
    const added: Fill[] = [];
    if (fills.length === 0) return added;
    await this.db.transaction(async () => {
      for (const f of fills) {
        const n = await this.db.run(
          `INSERT INTO fills (tx, log_index, block, ts, market, maker_hash, taker_hash, maker, taker, taker_is_buy, size, price)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
          [
            f.tx,
            f.logIndex,
            f.block,
            f.ts,
            f.marketId.toLowerCase(),
            f.makerHash.toLowerCase(),
            f.takerHash.toLowerCase(),
            f.maker.toLowerCase(),
            f.taker.toLowerCase(),
            f.takerIsBuy ? 1 : 0,
            f.size.toString(),
            f.price.toString(),
          ],
        );
        if (n > 0) added.push(f);
      }
    });
    return added;
  }

  async fills(marketId: Hex, limit: number): Promise<Fill[]> {
    const rows = await this.db.all(
      "SELECT * FROM fills WHERE market = ? ORDER BY block DESC, log_index DESC LIMIT ?",
      [marketId.toLowerCase(), limit],
    );
    return rows.map(rowToFill);
  }

  async fillsSince(marketId: Hex, fromTs: number): Promise<Fill[]> {
    const rows = await this.db.all(
      "SELECT * FROM fills WHERE market = ? AND ts >= ? ORDER BY block, log_index",
      [marketId.toLowerCase(), fromTs],
    );
    return rows.map(rowToFill);
  }

  async fillsOf(account: Address, limit: number): Promise<Fill[]> {
    const a = account.toLowerCase();
    const rows = await this.db.all(
      "SELECT * FROM fills WHERE maker = ? OR taker = ? ORDER BY block DESC, log_index DESC LIMIT ?",
      [a, a, limit],
    );
    return rows.map(rowToFill);
  }

  async insertHistory(entries: readonly HistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db.transaction(async () => {
      for (const e of entries) {
        await this.db.run(
          `INSERT INTO history (tx, log_index, block, ts, kind, account, market, data)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
          [
            e.tx,
            e.logIndex,
            e.block,
            e.ts,
            e.kind,
            e.account.toLowerCase(),
            e.marketId.toLowerCase(),
            JSON.stringify(e.data),
          ],
        );
      }
    });
  }

  async historyOf(account: Address, limit: number): Promise<HistoryEntry[]> {
    const rows = await this.db.all(
      "SELECT * FROM history WHERE account = ? ORDER BY block DESC, log_index DESC LIMIT ?",
      [account.toLowerCase(), limit],
    );
    return rows.map((r) => ({
      tx: r.tx as Hex,
      logIndex: Number(r.log_index),
      block: Number(r.block),
      ts: Number(r.ts),
      kind: r.kind as HistoryEntry["kind"],
      account: r.account as Address,
      marketId: r.market as Hex,
      data: JSON.parse(r.data as string) as Record<string, string>,
    }));
  }

  async insertRounds(rounds: readonly IndexRound[]): Promise<void> {
    if (rounds.length === 0) return;
    await this.db.transaction(async () => {
      for (const r of rounds) {
        await this.db.run(
          `INSERT INTO rounds (index_id, round_id, value, observed_at, inputs_hash, block, tx)
           VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
          [r.indexId.toLowerCase(), r.roundId, r.value.toString(), r.observedAt, r.inputsHash, r.block, r.tx],
        );
      }
    });
  }

  async rounds(indexId: Hex | undefined, limit: number): Promise<IndexRound[]> {
    const rows =
      indexId === undefined
        ? await this.db.all("SELECT * FROM rounds ORDER BY block DESC, round_id DESC LIMIT ?", [limit])
        : await this.db.all("SELECT * FROM rounds WHERE index_id = ? ORDER BY round_id DESC LIMIT ?", [
            indexId.toLowerCase(),
            limit,
          ]);
    return rows.map((r) => ({
      indexId: r.index_id as Hex,
      roundId: Number(r.round_id),
      value: BigInt(r.value as string),
      observedAt: Number(r.observed_at),
      inputsHash: r.inputs_hash as Hex,
      block: Number(r.block),
      tx: r.tx as Hex,
    }));
  }

  async cursor(): Promise<ChainCursor | undefined> {
    const rows = await this.db.all("SELECT block, hash FROM cursor WHERE name = 'chain'");
    return rows.length === 0 ? undefined : { block: Number(rows[0].block), hash: rows[0].hash as Hex };
  }

  async setCursor(c: ChainCursor): Promise<void> {
    await this.db.run(
      "INSERT INTO cursor (name, block, hash) VALUES ('chain', ?, ?) ON CONFLICT (name) DO UPDATE SET block = excluded.block, hash = excluded.hash",
      [c.block, c.hash],
    );
  }

  /** Forgets everything read from the chain (a chain reset): fills, history, rounds, cursor. */
  async forgetChain(): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.run("DELETE FROM fills");
      await this.db.run("DELETE FROM history");
      await this.db.run("DELETE FROM rounds");
      await this.db.run("DELETE FROM cursor");
    });
  }
}
