/**
 * The two databases behind one tiny interface: Node's built-in `node:sqlite` (embedded, nothing to
 * install) and PostgreSQL through `pg` when `DATABASE_URL` is set. Statements are written once with `?`
 * placeholders (turned into `$1, $2, …` for PostgreSQL) in the SQL both understand.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { DatabaseSync } from "node:sqlite";
import { Worker } from "node:worker_threads";

import pg from "pg";

export type SqlValue = string | number | bigint | null;
export type Row = Record<string, SqlValue>;

/** One statement of a `batch`: SQL with `?` placeholders and its parameters. */
export interface Statement {
  sql: string;
  params?: readonly SqlValue[];
}

export interface Db {
  readonly kind: "sqlite" | "postgres";
  exec(sql: string): Promise<void>;
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs `work` in one transaction (one commit: one fsync for a whole batch). */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Runs `statements` in one transaction and returns each one's rows (`RETURNING`). On an embedded
   * database file this runs on a worker thread, so the commit's disk sync does not stop the event loop.
   */
  batch(statements: readonly Statement[]): Promise<Row[][]>;
  /**
   * Calls `onMessage` with the payload of each notification on `channel` from any process on the same
   * database (PostgreSQL `LISTEN`); the embedded database has one process and never calls it.
   */
  listen(channel: string, onMessage: (payload: string) => void): Promise<void>;
  /** Sends `payload` on `channel`, at the commit of the current transaction (PostgreSQL `NOTIFY`). */
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The embedded database's writer thread: one connection to the same file that runs a `batch` as one
 * transaction (`BEGIN IMMEDIATE` … `COMMIT`, synchronous FULL) and posts back the rows. Plain
 * JavaScript, so that it needs no TypeScript loader.
 */
const WRITER = `
  const { parentPort, workerData } = require("node:worker_threads");
  const emit = process.emitWarning.bind(process);
  process.emitWarning = (w, ...rest) =>
    String(w && w.message ? w.message : w).startsWith("SQLite is an experimental") ? undefined : emit(w, ...rest);
  const { DatabaseSync } = require("node:sqlite");
  const db = new DatabaseSync(workerData.path);
  db.exec("PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000");
  const prepared = new Map();
  parentPort.on("message", ({ id, statements }) => {
    try {
      db.exec("BEGIN IMMEDIATE");
      const rows = [];
      for (const { sql, params } of statements) {
        let st = prepared.get(sql);
        if (st === undefined) {
          st = db.prepare(sql);
          st.setReadBigInts(false);
          prepared.set(sql, st);
        }
        rows.push(st.all(...(params || [])));
      }
      db.exec("COMMIT");
      parentPort.postMessage({ id, rows });
    } catch (error) {
      try { db.exec("ROLLBACK"); } catch {}
      parentPort.postMessage({ id, error: String((error && error.message) || error) });
    }
  });
`;

export class SqliteDb implements Db {
  readonly kind = "sqlite" as const;
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, ReturnType<DatabaseSync["prepare"]>>();
  /** Set inside a transaction of this connection (its async context): nested work joins it. */
  private readonly inTransaction = new AsyncLocalStorage<true>();
  /** Write transactions (here or on the writer thread) one at a time, waiting without blocking. */
  private writes: Promise<unknown> = Promise.resolve();
  private writer?: Worker;
  private readonly waiting = new Map<
    number,
    { resolve: (rows: Row[][]) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;

  constructor(private readonly path: string) {
    this.db = new DatabaseSync(path);
    if (path !== ":memory:") this.db.exec("PRAGMA journal_mode = WAL");
    // every commit reaches the disk before the order is acknowledged
    this.db.exec("PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000");
  }

  private prepare(sql: string) {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      s.setReadBigInts(false);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Runs `work` when the previous write transaction has ended. */
  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const next = this.writes.then(work, work);
    this.writes = next.catch(() => undefined);
    return next;
  }

  async exec(sql: string): Promise<void> {
    this.db.exec(sql);
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    if (this.inTransaction.getStore() !== undefined) return Number(this.prepare(sql).run(...params).changes);
    return this.serialised(async () => Number(this.prepare(sql).run(...params).changes));
  }

  async all<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.prepare(sql).all(...params) as T[];
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.inTransaction.getStore() !== undefined) return work();
    return this.serialised(() =>
      this.inTransaction.run(true, async () => {
        this.db.exec("BEGIN IMMEDIATE");
        try {
          const out = await work();
          this.db.exec("COMMIT");
          return out;
        } catch (error) {
          this.db.exec("ROLLBACK");
          throw error;
        }
      }),
    );
  }

  async batch(statements: readonly Statement[]): Promise<Row[][]> {
    const inline = () =>
      this.transaction(async () =>
        statements.map((st) => this.prepare(st.sql).all(...(st.params ?? [])) as Row[]),
      );
    // an in-memory database has no file to share, and a batch inside a transaction joins it
    if (this.path === ":memory:" || this.inTransaction.getStore() !== undefined) return inline();
    return this.serialised(
      () =>
        new Promise<Row[][]>((resolve, reject) => {
          const id = this.nextId++;
          this.waiting.set(id, { resolve, reject });
          this.writerThread().postMessage({ id, statements });
        }),
    );
  }

  private writerThread(): Worker {
    if (this.writer !== undefined) return this.writer;
    const worker = new Worker(WRITER, { eval: true, workerData: { path: this.path } });
    // never what keeps the process alive
    worker.unref();
    worker.on("message", (m: { id: number; rows?: Row[][]; error?: string }) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error !== undefined) w?.reject(new Error(m.error));
      else w?.resolve(m.rows ?? []);
    });
    worker.on("error", (error) => {
      for (const w of this.waiting.values()) w.reject(error);
      this.waiting.clear();
      this.writer = undefined;
    });
    this.writer = worker;
    return worker;
  }

  async listen(): Promise<void> {}

  async notify(): Promise<void> {}

  async close(): Promise<void> {
    await this.writes;
    await this.writer?.terminate();
    this.writer = undefined;
    this.db.close();
  }
}

const dollars = (sql: string) => {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
};

export class PostgresDb implements Db {
  readonly kind = "postgres" as const;
  readonly pool: pg.Pool;
  /** The transaction's connection, bound to the async context of the work running inside it. */
  private readonly tx = new AsyncLocalStorage<pg.PoolClient>();

  constructor(private readonly url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 4 });
    // an idle connection the server closed (restart, terminated session) is dropped by the pool and
    // replaced on next use; the error is not fatal to the process
    this.pool.on("error", () => undefined);
  }

  private get q(): pg.Pool | pg.PoolClient {
    return this.tx.getStore() ?? this.pool;
  }

  async exec(sql: string): Promise<void> {
    await this.q.query(sql);
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const r = await this.q.query(dollars(sql), params.map(toPg));
    return r.rowCount ?? 0;
  }

  async all<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const r = await this.q.query(dollars(sql), params.map(toPg));
    return r.rows as T[];
  }

  async batch(statements: readonly Statement[]): Promise<Row[][]> {
    return this.transaction(async () => {
      const out: Row[][] = [];
      for (const st of statements) out.push(await this.all(st.sql, st.params));
      return out;
    });
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    const outer = this.tx.getStore();
    if (outer !== undefined) return work();
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const out = await this.tx.run(client, work);
      await client.query("COMMIT");
      return out;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The connection that holds this process's `LISTEN`s (one, opened by the first `listen`). */
  private listener?: pg.Client;
  private readonly handlers = new Map<string, (payload: string) => void>();
  private closed = false;

  async listen(channel: string, onMessage: (payload: string) => void): Promise<void> {
    this.handlers.set(channel, onMessage);
    if (this.listener === undefined) await this.connectListener();
    else await this.listener.query(`LISTEN ${pgIdentifier(channel)}`);
  }

  /**
   * Opens the listening connection and listens on every channel; when the connection drops (a server
   * restart), it is opened again a second later. Notifications are only a shortcut: the service also
   * reads the changes on every tick, so none missed while reconnecting is lost.
   */
  private async connectListener(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    this.listener = client;
    client.on("notification", (n) => this.handlers.get(n.channel)?.(n.payload ?? ""));
    client.on("error", () => {
      if (this.listener === client) this.listener = undefined;
      void client.end().catch(() => undefined);
      if (!this.closed) setTimeout(() => void this.connectListener().catch(() => undefined), 1000).unref();
    });
    await client.connect();
    for (const channel of this.handlers.keys()) await client.query(`LISTEN ${pgIdentifier(channel)}`);
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.q.query("SELECT pg_notify($1, $2)", [channel, payload]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
    await this.pool.end();
  }
}

/** A channel name as a quoted SQL identifier. */
const pgIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;

const toPg = (v: SqlValue) => (typeof v === "bigint" ? v.toString() : v);
// BIGINT columns hold block numbers, timestamps and counters (below 2^53); amounts are TEXT
pg.types.setTypeParser(20, (v: string) => Number(v));

/** The database named by `url`: a PostgreSQL URL, or a file path (or `:memory:`) for SQLite. */
export function openDb(url: string): Db {
  if (/^postgres(ql)?:\/\//.test(url)) return new PostgresDb(url);
  return new SqliteDb(url);
}
