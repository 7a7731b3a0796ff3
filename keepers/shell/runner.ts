/**
 * The keeper loop: watch blocks (or poll on a timer for keepers that need no chain), run one tick per
 * new block, record the outcome, and stop cleanly on SIGTERM/SIGINT: the current tick finishes (or its
 * wait for a receipt is abandoned, leaving the job to be recovered), then the HTTP server closes.
 */
import type { PublicClient } from "viem";

import type { Clock } from "./clock.js";
import type { Logger } from "./log.js";
import type { KeeperMetrics } from "./metrics.js";
import type { TxSender } from "./sender.js";
import type { HealthSource } from "./server.js";

/** What the loop drives: one keeper's adapter. */
export interface TickSource {
  /** Gathers state, decides, executes. Throwing marks the tick as failed; the loop goes on. */
  tick(): Promise<void>;
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

export interface BlockSource {
  getBlockNumber(): Promise<bigint>;
}

export interface RunnerDeps extends ShellDeps {
  keeper: TickSource;
  pollIntervalMs: number;
  /** Without it the loop ticks every `pollIntervalMs`; with it, once per new block. */
  blocks?: BlockSource;
}

export class KeeperRunner implements HealthSource {
  private last?: number;
  private lastBlock?: bigint;
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
    let block: bigint;
    try {
      block = await blocks.getBlockNumber();
    } catch (error) {
      log.warn({ err: error }, "block number unavailable");
      return false;
    }
    if (this.lastBlock !== undefined && block <= this.lastBlock) return true;
    this.lastBlock = block;
    metrics.lastBlock.set(Number(block));
    return this.runOnce();
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
