/**
 * Who submits matches. With the embedded database one process does (`soleLease`). On PostgreSQL every
 * relay process tries `pg_try_advisory_lock` on its own session: exactly one holds it, and when its
 * process dies PostgreSQL drops the session and the lock, and the next process to try takes over.
 */
import type pg from "pg";

export interface Lease {
  /** Whether this process may submit matches now (taking the lease when it is free). */
  held(): Promise<boolean>;
  release(): Promise<void>;
}

export const soleLease: Lease = {
  held: async () => true,
  release: async () => undefined,
};

/** The advisory-lock key of the match lease (an arbitrary constant shared by every relay process). */
export const MATCH_LEASE_KEY = 0x72656c6179; // "relay"

export class AdvisoryLease implements Lease {
  private session?: pg.PoolClient;
  private holding = false;

  constructor(private readonly pool: pg.Pool) {}

  async held(): Promise<boolean> {
    try {
      if (this.session === undefined) {
        this.session = await this.pool.connect();
        // a terminated session surfaces on the next query; the event itself must not crash the process
        this.session.on("error", () => undefined);
      }
      if (this.holding) {
        // the session is still alive: the lock is still ours
        await this.session.query("SELECT 1");
        return true;
      }
      const r = await this.session.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [
        MATCH_LEASE_KEY,
      ]);
      this.holding = r.rows[0]?.ok === true;
      return this.holding;
    } catch {
      this.session?.release(true);
      this.session = undefined;
      this.holding = false;
      return false;
    }
  }

  async release(): Promise<void> {
    if (this.session === undefined) return;
    if (this.holding)
      await this.session.query("SELECT pg_advisory_unlock($1)", [MATCH_LEASE_KEY]).catch(() => undefined);
    this.session.release();
    this.session = undefined;
    this.holding = false;
  }
}
