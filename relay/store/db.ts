/**
 * The two databases behind one tiny interface: Node's built-in `node:sqlite` (embedded, nothing to
 * install) and PostgreSQL through `pg` when `DATABASE_URL` is set. Statements are written once with `?`
 * placeholders (turned into `$1, $2, …` for PostgreSQL) in the SQL both understand.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { DatabaseSync } from "node:sqlite";

import pg from "pg";

export type SqlValue = string | number | bigint | null;
export type Row = Record<string, SqlValue>;

export interface Db {
  readonly kind: "sqlite" | "postgres";
  exec(sql: string): Promise<void>;
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs `work` in one transaction (one commit: one fsync for a whole batch). */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export class SqliteDb implements Db {
  readonly kind = "sqlite" as const;
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, ReturnType<DatabaseSync["prepare"]>>();

  constructor(path: string) {
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

  async exec(sql: string): Promise<void> {
    this.db.exec(sql);
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return Number(this.prepare(sql).run(...params).changes);
  }

  async all<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.prepare(sql).all(...params) as T[];
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const out = await work();
      this.db.exec("COMMIT");
      return out;
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  async close(): Promise<void> {
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

  constructor(url: string) {
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

  async close(): Promise<void> {
    await this.pool.end();
  }
}

const toPg = (v: SqlValue) => (typeof v === "bigint" ? v.toString() : v);
// BIGINT columns hold block numbers, timestamps and counters (below 2^53); amounts are TEXT
pg.types.setTypeParser(20, (v: string) => Number(v));

/** The database named by `url`: a PostgreSQL URL, or a file path (or `:memory:`) for SQLite. */
export function openDb(url: string): Db {
  if (/^postgres(ql)?:\/\//.test(url)) return new PostgresDb(url);
  return new SqliteDb(url);
}
