/**
 * Who submits matches. With the embedded database one process does (`soleLease`). On PostgreSQL every
 * relay process tries `pg_try_advisory_lock` on its own session: exactly one holds it, and when its
 * process dies PostgreSQL drops the session and the lock, and the next process to try takes over.
 *
 * The holder keeps its session alive with a heartbeat (`SELECT 1` every third of the lease timeout, on a
 * timer of its own) and sets PostgreSQL's `idle_session_timeout` to the lease timeout on that session: a
 * holder whose process hangs (no heartbeat for a whole timeout) has its session ended by the server, and
 * the lock with it, so another process takes over. A holder that sees its session end (a terminated
 * backend, a lost connection, a failed heartbeat) stops submitting at once (`stillHeld`), and tries for
 * the lease again on its next tick like any other process.
 */
import type pg from "pg";

export interface Lease {
  /** Whether this process may submit matches now (taking the lease when it is free). */
  held(): Promise<boolean>;
  /**
   * Without a round trip: whether the lease is still held since the last `held()` (false as soon as the
   * session is known lost). Checked before each submission.
   */
  stillHeld(): boolean;
  release(): Promise<void>;
}

export const soleLease: Lease = {
  held: async () => true,
  stillHeld: () => true,
  release: async () => undefined,
};

/** The advisory-lock key of the match lease (an arbitrary constant shared by every relay process). */
export const MATCH_LEASE_KEY = 0x72656c6179; // "relay"

/** How long a holder may go without a heartbeat before the server ends its session (default). */
export const DEFAULT_LEASE_TIMEOUT_MS = 10_000;

export interface AdvisoryLeaseOptions {
  /** Milliseconds without a heartbeat after which PostgreSQL ends the holder's session (≥ 300). */
  timeoutMs?: number;
  /** Called when a held lease is lost (logging). */
  onLost?: (reason: string) => void;
}

export class AdvisoryLease implements Lease {
  private session?: pg.PoolClient;
  private holding = false;
  private heartbeat?: NodeJS.Timeout;
  private readonly timeoutMs: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: AdvisoryLeaseOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_LEASE_TIMEOUT_MS;
    if (!Number.isInteger(this.timeoutMs) || this.timeoutMs < 300) {
      throw new RangeError(`lease timeout ${this.timeoutMs} ms: an integer of at least 300 ms`);
    }
  }

  async held(): Promise<boolean> {
    try {
      if (this.session === undefined) {
        const session = await this.pool.connect();
        this.session = session;
        // a terminated session or a lost connection: stop submitting now; the event must not crash the
        // process (the next query on the session fails and `held` drops it)
        session.on("error", (error: Error) => {
          if (this.session === session) this.lost(`the lease session ended: ${error.message}`);
        });
      }
      if (this.holding) {
        // the session is still alive: the lock is still ours
        await this.session.query("SELECT 1");
        return this.holding;
      }
      const r = await this.session.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [
        MATCH_LEASE_KEY,
      ]);
      if (r.rows[0]?.ok !== true) return false;
      // a hung holder's session is ended by the server after the timeout (PostgreSQL 14 and later)
      await this.session.query(`SET idle_session_timeout = ${this.timeoutMs}`).catch((error: Error) => {
        // an older server (no such setting): the heartbeat still runs, but a hung holder keeps the lock
        if (!/idle_session_timeout/.test(error.message)) throw error;
      });
      this.holding = true;
      this.startHeartbeat();
      return true;
    } catch (error) {
      this.drop();
      if (this.holding) this.lost((error as Error).message);
      return false;
    }
  }

  stillHeld(): boolean {
    return this.holding;
  }

  async release(): Promise<void> {
    this.stopHeartbeat();
    if (this.session === undefined) return;
    if (this.holding)
      await this.session.query("SELECT pg_advisory_unlock($1)", [MATCH_LEASE_KEY]).catch(() => undefined);
    this.session.release();
    this.session = undefined;
    this.holding = false;
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(
      () => {
        const session = this.session;
        if (session === undefined || !this.holding) return;
        session.query("SELECT 1").catch((error: Error) => {
          if (this.session !== session) return;
          this.drop();
          this.lost(`heartbeat failed: ${error.message}`);
        });
      },
      Math.floor(this.timeoutMs / 3),
    );
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** The lease is gone: no submission from here on until `held()` takes it again. */
  private lost(reason: string): void {
    const was = this.holding;
    this.holding = false;
    this.stopHeartbeat();
    if (was) this.options.onLost?.(reason);
  }

  /** Forgets the session (destroyed, not returned to the pool). */
  private drop(): void {
    this.stopHeartbeat();
    const session = this.session;
    this.session = undefined;
    session?.release(true);
  }
}
