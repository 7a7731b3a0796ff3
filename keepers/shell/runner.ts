/**
 * The keeper loop: watch blocks (or poll on a timer for keepers that need no chain), run one tick per
 * new block, record the outcome, detect a chain reset (the head went back, or a block already seen
 * changed its hash: a node restarted or a reorg deeper than the keeper's reads) and resync, and stop cleanly on SIGTERM/SIGINT: the current tick finishes (or its
 * wait for a receipt is abandoned, leaving the job to be recovered), then the HTTP server closes.
 */
import type { PublicClient } from "viem";

import { readHead, type ChainHead, type HeadSource } from "./chain.js";
import type { Clock } from "./clock.js";
import type { Logger } from "./log.js";
import type { KeeperMetrics } from "./metrics.js";
import type { TxSender } from "./sender.js";
import type { HealthSource } from "./server.js";

/** What the loop drives: one keeper's adapter. */
export interface TickSource {
  /** Gathers state, decides, executes. Throwing marks the tick as failed; the loop goes on. */
  tick(): Promise<void>;
  /**
   * Forgets everything read from the chain (event cursors, discovered ids, finished markets) after a
   * chain reset to `head`: the next tick reads from scratch.
   */
  resync?(head: ChainHead): void;
}

/** What every keeper (and the loop) takes from the shell: the injected clock, logs and metrics. */
export interface ShellDeps {
  clock: Clock;
  log: Logger;
  metrics: KeeperMetrics;
}

/** What a keeper that sends transactions takes besides: the RPC client and the sender. */
export interface ChainDeps {
  client: PublicClient;
  sender: TxSender;
}

/** Where the loop reads the head from (a viem `PublicClient` qualifies). */
export type BlockSource = HeadSource;

/** Why the loop decided the chain was reset. */
export interface ChainReset {
  /** The last block the loop had seen. */
  from: { number: bigint; hash: string };
  /** The head now. */
  to: ChainHead;
  reason: "head went back" | "known block replaced";
}

export interface RunnerDeps extends ShellDeps {
  keeper: TickSource;
  pollIntervalMs: number;
  /** Without it the loop ticks every `pollIntervalMs`; with it, once per new block. */
  blocks?: BlockSource;
  /** Run after every successful tick (the sender's balance); a failure is logged, the tick still counts. */
  afterTick?: () => Promise<void>;
  /** Called on a chain reset before the keeper's `resync` (the sender forgets nonces and jobs). */
  onReset?: (reset: ChainReset) => void;
}

export class KeeperRunner implements HealthSource {
  private last?: number;
  private lastHead?: ChainHead;
  /** Chain resets seen (for tests and logs). */
  readonly resets: ChainReset[] = [];
  private stoppingNow = false;

  constructor(private readonly deps: RunnerDeps) {}

  lastTickMs(): number | undefined {
    return this.last;
  }

  stopping(): boolean {
    return this.stoppingNow;
  }

  /** One tick; errors are logged and counted, never thrown. Returns whether it succeeded. */
  async runOnce(): Promise<boolean> {
    const { keeper, clock, log, metrics } = this.deps;
    try {
      await keeper.tick();
      this.last = clock.nowMs();
      metrics.ticks.inc({ outcome: "ok" });
      metrics.lastTickSeconds.set(Math.floor(this.last / 1000));
      await this.deps
        .afterTick?.()
        .catch((error: unknown) => log.warn({ err: error }, "after-tick update failed"));
      return true;
    } catch (error) {
      metrics.ticks.inc({ outcome: "error" });
      log.error({ err: error }, "tick failed");
      return false;
    }
  }

  /** Polls for new blocks; one tick per new block. Returns once `signal` aborts. */
  async pollOnce(): Promise<boolean> {
    const { blocks, log, metrics } = this.deps;
    if (blocks === undefined) return this.runOnce();
    let head: ChainHead;
    let reset: ChainReset | undefined;
    try {
      head = await readHead(blocks);
      reset = await this.resetOf(blocks, head);
    } catch (error) {
      metrics.rpcErrors.inc({ kind: "head" });
      log.warn({ err: error }, "block number unavailable");
      return false;
    }
    if (reset !== undefined) this.reset(reset);
    else if (this.lastHead !== undefined && head.number <= this.lastHead.number) return true;
    this.lastHead = head;
    metrics.lastBlock.set(Number(head.number));
    return this.runOnce();
  }

  /** A reset when the head went below the last block seen, or that block's hash changed. */
  private async resetOf(blocks: BlockSource, head: ChainHead): Promise<ChainReset | undefined> {
    const last = this.lastHead;
    if (last === undefined) return undefined;
    const from = { number: last.number, hash: last.hash };
    if (head.number < last.number) return { from, to: head, reason: "head went back" };
    const hash =
      head.number === last.number ? head.hash : (await blocks.getBlock({ blockNumber: last.number })).hash;
    if (hash !== last.hash) return { from, to: head, reason: "known block replaced" };
    return undefined;
  }

  private reset(reset: ChainReset): void {
    const { keeper, log, metrics } = this.deps;
    this.resets.push(reset);
    metrics.chainResets.inc({ reason: reset.reason });
    log.warn(
      {
        reason: reset.reason,
        lastSeen: reset.from.number,
        lastSeenHash: reset.from.hash,
        head: reset.to.number,
        headHash: reset.to.hash,
      },
      "chain reset detected (node restarted or deep reorg): resyncing from the chain",
    );
    this.deps.onReset?.(reset);
    keeper.resync?.(reset.to);
  }

  /** The loop. */
  async run(signal: AbortSignal): Promise<void> {
    this.deps.log.info("keeper started");
    while (!signal.aborted) {
      await this.pollOnce();
      if (signal.aborted) break;
      await this.deps.clock.sleep(this.deps.pollIntervalMs, signal);
    }
    this.stoppingNow = true;
    this.deps.log.info("keeper stopped");
  }
}

/** Aborts `controller` on the first SIGTERM or SIGINT; returns a function removing the handlers. */
export function abortOnSignals(controller: AbortController, log: Logger): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal }, "shutdown requested");
    controller.abort();
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  return () => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  };
}
