/**
 * The schema, as numbered migrations in SQL that SQLite and PostgreSQL both run unchanged. Integers that
 * can exceed 2^53 (sizes, prices, nonces) are decimal TEXT; block numbers, timestamps and counters are
 * BIGINT.
 */
import type { Db } from "./db.js";

export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE orders (
     hash TEXT PRIMARY KEY,
     market TEXT NOT NULL,
     trader TEXT NOT NULL,
     is_buy INTEGER NOT NULL,
     size TEXT NOT NULL,
     limit_price TEXT NOT NULL,
     expiry TEXT NOT NULL,
     nonce TEXT NOT NULL,
     salt TEXT NOT NULL,
     flags INTEGER NOT NULL,
     signature TEXT NOT NULL,
     seq BIGINT NOT NULL,
     state TEXT NOT NULL,
     filled TEXT NOT NULL,
     reason TEXT,
     accepted_ms BIGINT NOT NULL,
     updated_ms BIGINT NOT NULL
   );
   CREATE INDEX orders_live ON orders (state);
   CREATE INDEX orders_trader ON orders (trader, seq);
   CREATE TABLE fills (
     tx TEXT NOT NULL,
     log_index BIGINT NOT NULL,
     block BIGINT NOT NULL,
     ts BIGINT NOT NULL,
     market TEXT NOT NULL,
     maker_hash TEXT NOT NULL,
     taker_hash TEXT NOT NULL,
     maker TEXT NOT NULL,
     taker TEXT NOT NULL,
     taker_is_buy INTEGER NOT NULL,
     size TEXT NOT NULL,
     price TEXT NOT NULL,
     PRIMARY KEY (tx, log_index)
   );
   CREATE INDEX fills_market ON fills (market, block, log_index);
   CREATE INDEX fills_maker ON fills (maker);
   CREATE INDEX fills_taker ON fills (taker);
   CREATE TABLE history (
     tx TEXT NOT NULL,
     log_index BIGINT NOT NULL,
     block BIGINT NOT NULL,
     ts BIGINT NOT NULL,
     kind TEXT NOT NULL,
     account TEXT NOT NULL,
     market TEXT NOT NULL,
     data TEXT NOT NULL,
     PRIMARY KEY (tx, log_index)
   );
   CREATE INDEX history_account ON history (account, block);
   CREATE TABLE rounds (
     index_id TEXT NOT NULL,
     round_id BIGINT NOT NULL,
     value TEXT NOT NULL,
     observed_at BIGINT NOT NULL,
     inputs_hash TEXT NOT NULL,
     block BIGINT NOT NULL,
     tx TEXT NOT NULL,
     PRIMARY KEY (index_id, round_id)
   );
   CREATE TABLE cursor (
     name TEXT PRIMARY KEY,
     block BIGINT NOT NULL,
     hash TEXT NOT NULL
   )`,
  // counters shared by every relay process on one database: arrival numbers and change versions
  `CREATE TABLE counters (
     name TEXT PRIMARY KEY,
     value BIGINT NOT NULL
   );
   INSERT INTO counters (name, value) SELECT 'order_seq', COALESCE(MAX(seq), 0) FROM orders;
   INSERT INTO counters (name, value) VALUES ('order_version', 0);
   ALTER TABLE orders ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
   CREATE INDEX orders_version ON orders (version)`,
];

/**
 * Runs the migrations not yet applied, each in its own transaction. On PostgreSQL a transaction-scoped
 * advisory lock keeps two relay processes starting together from migrating at once.
 */
export async function migrate(db: Db): Promise<number> {
  if (db.kind === "postgres") {
    return db.transaction(async () => {
      await db.exec("SELECT pg_advisory_xact_lock(7265606)");
      return migrateLocked(db, false);
    });
  }
  return migrateLocked(db, true);
}

async function migrateLocked(db: Db, ownTransactions: boolean): Promise<number> {
  await db.exec("CREATE TABLE IF NOT EXISTS relay_migrations (version BIGINT PRIMARY KEY)");
  const done = new Set(
    (await db.all<{ version: number }>("SELECT version FROM relay_migrations")).map((r) => Number(r.version)),
  );
  let applied = 0;
  for (let v = 1; v <= MIGRATIONS.length; v++) {
    if (done.has(v)) continue;
    const apply = async () => {
      for (const statement of MIGRATIONS[v - 1].split(";")) {
        if (statement.trim() !== "") await db.exec(statement);
      }
      await db.run("INSERT INTO relay_migrations (version) VALUES (?)", [v]);
    };
    if (ownTransactions) await db.transaction(apply);
    else await apply();
    applied++;
  }
  return applied;
}
