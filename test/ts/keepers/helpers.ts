/** Test doubles for the keeper tests: a fault-injecting EIP-1193 wrapper, a hand-released timer, shells. */
import { createPublicClient, HttpRequestError, type LocalAccount, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import type { LiquidatorConfig } from "../../../keepers/liquidator/decide.js";
import { SettlerKeeper, type SettlerDeps } from "../../../keepers/settler/keeper.js";
import { ManualClock, type Clock } from "../../../keepers/shell/clock.js";
import { JobStore } from "../../../keepers/shell/jobs.js";
import { createLogger } from "../../../keepers/shell/log.js";
import { KeeperMetrics } from "../../../keepers/shell/metrics.js";
import type { ChainDeps, ShellDeps } from "../../../keepers/shell/runner.js";
import { TxSender, type SenderOptions } from "../../../keepers/shell/sender.js";
import { resilientTransport, type Eip1193Like } from "../../../keepers/shell/transport.js";
import { WAD } from "../helpers/clearinghouseFixture.js";

type Fault =
  | { kind: "error"; error: unknown }
  | { kind: "hang" }
  /** Runs `before` (e.g. a competitor's transaction), then forwards the call. */
  | { kind: "before"; before: () => Promise<void> };

/**
 * Forwards to the in-process chain, except for faults queued per method. Hanging calls never answer;
 * they arm `timer` so the shell's timeout fires for exactly that call.
 */
export class FaultyProvider implements Eip1193Like {
  readonly calls: string[] = [];
  readonly rawTransactions: string[] = [];
  private readonly faults = new Map<string, Fault[]>();

  constructor(
    private readonly inner: Eip1193Like,
    private readonly timer: TriggerTimer,
  ) {}

  /** Queues `count` faults for `method`. */
  inject(method: string, fault: Fault, count = 1): void {
    const list = this.faults.get(method) ?? [];
    for (let i = 0; i < count; i++) list.push(fault);
    this.faults.set(method, list);
  }

  /** An HTTP 503 like a load balancer in front of a busy node returns. */
  static unavailable(): HttpRequestError {
    return new HttpRequestError({ url: "http://rpc.test", status: 503, details: "Service Unavailable" });
  }

  async request(args: { method: string; params?: unknown }): Promise<unknown> {
    this.calls.push(args.method);
    const fault = this.faults.get(args.method)?.shift();
    if (fault?.kind === "error") throw fault.error;
    if (fault?.kind === "hang") {
      this.timer.armNext();
      return new Promise(() => undefined);
    }
    if (fault?.kind === "before") await fault.before();
    if (args.method === "eth_sendRawTransaction") this.rawTransactions.push((args.params as string[])[0]);
    return this.inner.request(args);
  }

  count(method: string): number {
    return this.calls.filter((m) => m === method).length;
  }
}

/** A timeout timer released by hand: a sleep resolves only if armed just before it (by a hanging call). */
export class TriggerTimer implements Clock {
  private armed = false;
  nowMs(): number {
    return 0;
  }
  armNext(): void {
    this.armed = true;
  }
  sleep(): Promise<void> {
    if (this.armed) {
      this.armed = false;
      return Promise.resolve();
    }
    return new Promise(() => undefined);
  }
}

export const SENDER_OPTIONS: SenderOptions = {
  dryRun: false,
  stuckAfterMs: 30_000,
  feeBumpPercent: 20,
  maxFeeBumps: 2,
  receiptPollMs: 1_000,
};

export interface Shell {
  provider: FaultyProvider;
  client: PublicClient;
  account: LocalAccount;
  sender: TxSender;
  metrics: KeeperMetrics;
  jobs: JobStore;
}

/** A keeper's shell over the in-process chain: retrying transport, job store (file when given), sender. */
export function makeShell(
  inner: Eip1193Like,
  clock: ManualClock,
  options: { key?: `0x${string}`; jobsPath?: string; name?: string; sender?: Partial<SenderOptions> } = {},
): Shell {
  const timer = new TriggerTimer();
  const provider = new FaultyProvider(inner, timer);
  const metrics = new KeeperMetrics(options.name ?? "test");
  const transport = resilientTransport(provider, {
    clock,
    timer,
    timeoutMs: 5_000,
    attempts: 4,
    baseMs: 100,
    maxMs: 1_000,
    random: () => 0.5,
    metrics,
  });
  const client = createPublicClient({ transport, pollingInterval: 1 }) as PublicClient;
  const account = privateKeyToAccount(options.key ?? generatePrivateKey());
  const jobs = new JobStore(options.jobsPath);
  const sender = new TxSender({
    client,
    account,
    chainId: 31337,
    jobs,
    clock,
    log: silentLogger(),
    metrics,
    options: { ...SENDER_OPTIONS, ...options.sender },
  });
  return { provider, client, account, sender, metrics, jobs };
}

export function silentLogger() {
  return createLogger("test", "silent");
}

/** What a sending keeper takes from its shell besides its own settings. */
export type ShellParts = ChainDeps & ShellDeps & { jobs: JobStore };

/**
 * A keeper's parts from its shell (client, sender, job store, metrics) with the test's clock and a
 * silent log: spread into the keeper's options beside its own settings.
 */
export function shellParts(shell: Shell, clock: Clock): ShellParts {
  return {
    client: shell.client,
    sender: shell.sender,
    jobs: shell.jobs,
    clock,
    log: silentLogger(),
    metrics: shell.metrics,
  };
}

/** A settler on `shell`: its own settings (Clearinghouse, markets, event scan, batching) and the shell's parts. */
export function settlerOn(
  shell: Shell,
  clock: Clock,
  settings: Omit<SettlerDeps, keyof ShellParts>,
): SettlerKeeper {
  return new SettlerKeeper({ ...settings, ...shellParts(shell, clock) });
}

/** The liquidator's decision settings of the end-to-end tests: any profit, 1% slippage, a 10% margin buffer. */
export const LIQUIDATOR_DECIDE: LiquidatorConfig = {
  minProfit: 0n,
  gasUnits: 250_000n,
  nativePrice: 3_000n * WAD,
  slippage: WAD / 100n,
  expiryMarginSeconds: 60n,
  marginBuffer: WAD / 10n,
  maxCounterparties: 8,
};
