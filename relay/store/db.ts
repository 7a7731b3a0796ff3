/**
 * The two databases behind one tiny interface: Node's built-in `node:sqlite` (embedded, nothing to
 * install) and PostgreSQL through `pg` when `DATABASE_URL` is set. Statements are written once with `?`
 * placeholders (turned into `$1, $2, …` for PostgreSQL) in the SQL both understand.
 */
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
  private client?: pg.PoolClient;

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 4 });
  }

  private get q(): pg.Pool | pg.PoolClient {
    return this.client ?? this.pool;
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
    const client = await this.pool.connect();
    const outer = this.client;
    this.client = client;
    try {
      await client.query("BEGIN");
      const out = await work();
      await client.query("COMMIT");
      return out;
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    } finally {
      this.client = outer;
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
