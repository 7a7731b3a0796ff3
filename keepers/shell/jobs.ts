/**
 * Idempotent jobs keyed by (keeper, market or index, round). A job is recorded before its transaction
 * is broadcast (with the signed raw transaction and its hash), so a restart or a retry rebroadcasts the
 * very same transaction (same nonce, same hash: it can be mined only once) instead of building a new one.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export type JobStatus =
  /** Signed and recorded, maybe broadcast: on restart, look up its hashes before anything else. */
  | "sent"
  /** Mined successfully. */
  | "confirmed"
  /** Mined but reverted, or simulation showed it cannot succeed. */
  | "failed"
  /** Not needed any more (another keeper did it, the state moved on). */
  | "superseded"
  /** Published without a transaction (a reporter's signed report). */
  | "published";

export interface JobRecord {
  key: string;
  status: JobStatus;
  /** Every hash broadcast for this job (fee bumps replace the same nonce). */
  txHashes: string[];
  /** The latest signed raw transaction, for rebroadcasting after a restart. */
  rawTx?: string;
  nonce?: number;
  /** Free-form result (a reporter's signed report, an error name). */
  detail?: unknown;
  updatedAtMs: number;
}

/** `keeper/subject/round`, for example `relayer/ATPI-FRONTIER/1763700000`. */
export function jobKey(keeper: string, subject: string, round: string | bigint | number): string {
  return `${keeper}/${subject}/${round.toString()}`;
}

/** Job records in memory, written through to a JSON file when a path is given (atomic rename). */
export class JobStore {
  private readonly jobs = new Map<string, JobRecord>();

  constructor(private readonly path?: string) {
    if (path === undefined) return;
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw e;
    }
    for (const job of JSON.parse(text) as JobRecord[]) this.jobs.set(job.key, job);
  }

  get(key: string): JobRecord | undefined {
    return this.jobs.get(key);
  }

  /** Jobs whose transaction may still be in flight. */
  inFlight(): JobRecord[] {
    return [...this.jobs.values()].filter((j) => j.status === "sent");
  }

  all(): JobRecord[] {
    return [...this.jobs.values()];
  }

  /**
   * After a chain reset to block `head`: jobs mined above it never happened on this chain, so they are
   * forgotten (their action is decided again); jobs still in flight are forgotten too, since their
   * nonce belongs to the old chain. Returns the keys forgotten.
   */
  forgetAbove(head: bigint): string[] {
    const forgotten: string[] = [];
    for (const job of this.jobs.values()) {
      const block = (job.detail as { block?: unknown } | undefined)?.block;
      const minedAbove =
        (job.status === "confirmed" || job.status === "failed") &&
        (typeof block === "bigint" || typeof block === "string" || typeof block === "number") &&
        BigInt(block) > head;
      if (minedAbove || job.status === "sent") forgotten.push(job.key);
    }
    for (const key of forgotten) this.jobs.delete(key);
    if (forgotten.length > 0) this.flush();
    return forgotten;
  }

  /** Creates or updates the job and persists the store before returning. */
  put(key: string, update: Partial<Omit<JobRecord, "key">>, nowMs: number): JobRecord {
    const current = this.jobs.get(key) ?? {
      key,
      status: "sent" as JobStatus,
      txHashes: [],
      updatedAtMs: nowMs,
    };
    const next: JobRecord = { ...current, ...update, key, updatedAtMs: nowMs };
    this.jobs.set(key, next);
    this.flush();
    return next;
  }

  private flush(): void {
    if (this.path === undefined) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.all(), jsonReplacer, 2));
    renameSync(tmp, this.path);
  }
}

/** JSON replacer writing bigints as decimal strings. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
