/**
 * `simulate → send` for one keeper account: simulation with decoded custom errors, the job store for
 * idempotency, local nonces, fee bumping of stuck transactions and `--dry-run`.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  encodeFunctionData,
  keccak256,
  parseTransaction,
  TransactionReceiptNotFoundError,
  type Abi,
  type Address,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type TransactionReceipt,
} from "viem";

import { ProtocolContractError, type UnknownContractError } from "../../sdk/core/errors/contract.js";
import { decodeContractError } from "../../sdk/core/errors/decode.js";
import type { ProtocolCustomError } from "../../sdk/core/errors/generated.js";
import type { Clock } from "./clock.js";
import { JobStore, type JobRecord } from "./jobs.js";
import type { Logger } from "./log.js";
import type { KeeperMetrics } from "./metrics.js";
import { isAlreadyKnown, isNonceError, NonceManager } from "./nonces.js";

/** One contract call to simulate and send. */
export interface ContractCall {
  address: Address;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
}

/**
 * A revert: a protocol custom error decoded by the SDK (`decodeContractError`, which knows every protocol
 * contract's errors, so an oracle error bubbling through the Clearinghouse decodes too), else what viem
 * decoded against the call's ABI (a reason string, a panic).
 */
export interface DecodedRevert {
  /** The custom error's name (`RoundTooSoon`), `Error` for a reason string, `Panic`, or `unknown`. */
  name: string;
  /** The error's arguments in declaration order. */
  args: readonly unknown[];
  message: string;
  /** The SDK's typed error (`revert.error instanceof AccountHealthyError`), `undefined` when not a revert. */
  error: ProtocolCustomError | UnknownContractError | undefined;
}

export type SimulationResult = { ok: true; gas: bigint } | { ok: false; revert: DecodedRevert };

export type ExecuteResult =
  | { status: "confirmed"; hash: Hex; receipt: TransactionReceipt }
  | { status: "reverted"; hash: Hex; receipt: TransactionReceipt }
  | { status: "duplicate"; job: JobRecord }
  | { status: "simulation-failed"; revert: DecodedRevert }
  | { status: "dry-run"; gas: bigint }
  /** Still unmined after every fee bump: the job stays `sent` and is tracked again next tick. */
  | { status: "stuck"; hash: Hex }
  /** The job's nonce went to another transaction of this account: the job never happened and is closed. */
  | { status: "superseded"; hash: Hex }
  /** Shutdown arrived while waiting: the job stays `sent` and is recovered by the next start. */
  | { status: "abandoned"; hash: Hex };

export interface SenderOptions {
  dryRun: boolean;
  stuckAfterMs: number;
  feeBumpPercent: number;
  maxFeeBumps: number;
  /** Milliseconds between two receipt polls. */
  receiptPollMs: number;
  /** Gas limit = estimate × (100 + gasMarginPercent) / 100. */
  gasMarginPercent?: number;
}

export interface SenderDeps {
  client: PublicClient;
  account: LocalAccount;
  chainId: number;
  jobs: JobStore;
  clock: Clock;
  log: Logger;
  metrics: KeeperMetrics;
  options: SenderOptions;
  /** Aborted on shutdown: waits for receipts stop and leave the job to `recover`. */
  signal?: AbortSignal;
}

/** Decodes a simulation or estimation failure. */
export function decodeRevert(error: unknown): DecodedRevert {
  const typed = decodeContractError(error);
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    const message = reverted instanceof BaseError ? reverted.shortMessage : error.shortMessage;
    if (typed instanceof ProtocolContractError) {
      // the generated class keeps the arguments by name in declaration order
      return { name: typed.errorName, args: Object.values(typed.args), message, error: typed };
    }
    if (reverted instanceof ContractFunctionRevertedError) {
      const name = reverted.data?.errorName ?? (reverted.reason !== undefined ? "Error" : "unknown");
      const args = reverted.data?.args ?? (reverted.reason !== undefined ? [reverted.reason] : []);
      return { name, args, message, error: typed };
    }
    return { name: "unknown", args: [], message, error: typed };
  }
  if (typed instanceof ProtocolContractError)
    return { name: typed.errorName, args: Object.values(typed.args), message: String(error), error: typed };
  return { name: "unknown", args: [], message: String(error), error: typed };
}

export class TxSender {
  readonly nonces: NonceManager;
  constructor(private readonly deps: SenderDeps) {
    this.nonces = new NonceManager(deps.client, deps.account.address);
  }

  get address(): Address {
    return this.deps.account.address;
  }

  /** Reads the sending account's native balance into `keeper_sender_balance_wei`. */
  async refreshBalance(): Promise<bigint> {
    const balance = await this.deps.client.getBalance({ address: this.deps.account.address });
    this.deps.metrics.senderBalance.set(Number(balance));
    return balance;
  }

  /** After a chain reset to block `head`: forgets the local nonce and the jobs the new chain never saw. */
  resync(head: bigint): string[] {
    this.nonces.resync();
    const forgotten = this.deps.jobs.forgetAbove(head);
    if (forgotten.length > 0) this.deps.log.warn({ jobs: forgotten }, "jobs forgotten after the chain reset");
    return forgotten;
  }

  /** Runs the call against the latest state without sending it. Transient RPC errors propagate. */
  async simulate(call: ContractCall): Promise<SimulationResult> {
    const { client, account } = this.deps;
    try {
      await client.simulateContract({ ...call, account: account.address } as never);
      const gas = await client.estimateContractGas({ ...call, account: account.address } as never);
      return { ok: true, gas };
    } catch (error) {
      if (!isRevert(error)) throw error;
      const revert = decodeRevert(error);
      this.deps.metrics.simulationReverts.inc({ error: revert.name });
      return { ok: false, revert };
    }
  }

  /**
   * Runs job `key`: a job already done is never sent again; a job already broadcast is tracked (and
   * rebroadcast) instead of rebuilt; otherwise simulate, then sign, record, broadcast and wait.
   */
  async execute(key: string, call: ContractCall): Promise<ExecuteResult> {
    const { jobs, log, metrics, options } = this.deps;
    const existing = jobs.get(key);
    if (existing !== undefined && existing.status !== "sent") {
      metrics.duplicatesAvoided.inc();
      log.info({ job: key, status: existing.status }, "job already done, not sending again");
      return { status: "duplicate", job: existing };
    }
    if (existing !== undefined) return this.track(existing, true);
    const simulation = await this.simulate(call);
    if (!simulation.ok) {
      log.warn({ job: key, revert: simulation.revert }, "simulation reverted");
      return { status: "simulation-failed", revert: simulation.revert };
    }
    if (options.dryRun) {
      metrics.transactions.inc({ outcome: "dry_run" });
      log.info({ job: key, call: describe(call), gas: simulation.gas }, "dry run: would send");
      return { status: "dry-run", gas: simulation.gas };
    }
    const data = encodeFunctionData(call as never);
    const gas = (simulation.gas * BigInt(100 + (options.gasMarginPercent ?? 20))) / 100n;
    const fees = await this.deps.client.estimateFeesPerGas();
    const tx = { to: call.address, data, gas, ...fees };
    let job = await this.signAndRecord(key, tx, await this.nonces.peek());
    try {
      await this.broadcast(job);
    } catch (error) {
      if (!isNonceError(error)) throw error;
      // the nonce was taken: by this very job (an earlier broadcast that timed out) or by another sender
      const mined = await this.findReceipt(job);
      if (mined !== undefined) return this.finish(job, mined.hash, mined.receipt);
      log.warn({ job: key, nonce: job.nonce }, "nonce error, resyncing from the chain");
      this.nonces.resync();
      job = await this.signAndRecord(key, tx, await this.nonces.peek(), []);
      await this.broadcast(job);
    }
    return this.track(job, false);
  }

  /** Looks up every job left `sent` (after a restart): finishes mined ones, rebroadcasts the rest. */
  async recover(): Promise<void> {
    for (const job of this.deps.jobs.inFlight()) {
      this.deps.log.info({ job: job.key, hashes: job.txHashes }, "recovering in-flight job");
      await this.track(job, true);
    }
  }

  private async signAndRecord(
    key: string,
    tx: { to: Address; data: Hex; gas: bigint; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint },
    nonce: number,
    previousHashes?: string[],
  ): Promise<JobRecord> {
    const raw = await this.deps.account.signTransaction({
      ...tx,
      nonce,
      chainId: this.deps.chainId,
      type: "eip1559",
    });
    const hash = keccak256(raw);
    const hashes = previousHashes ?? this.deps.jobs.get(key)?.txHashes ?? [];
    // recorded before the broadcast: a crash after this line rebroadcasts this exact transaction
    return this.deps.jobs.put(
      key,
      {
        status: "sent",
        rawTx: raw,
        nonce,
        txHashes: [...hashes, hash],
        detail: { maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas, gas: tx.gas },
      },
      this.deps.clock.nowMs(),
    );
  }

  private async broadcast(job: JobRecord): Promise<void> {
    try {
      await this.deps.client.sendRawTransaction({ serializedTransaction: job.rawTx as Hex });
    } catch (error) {
      if (!isAlreadyKnown(error)) throw error;
    }
    if (job.nonce !== undefined) this.nonces.commit(job.nonce);
  }

  private async findReceipt(job: JobRecord): Promise<{ hash: Hex; receipt: TransactionReceipt } | undefined> {
    for (const hash of job.txHashes as Hex[]) {
      try {
        return { hash, receipt: await this.deps.client.getTransactionReceipt({ hash }) };
      } catch (error) {
        if (!(error instanceof TransactionReceiptNotFoundError)) throw error;
      }
    }
    return undefined;
  }

  /**
   * Waits for one of the job's transactions to be mined, bumping fees when it is stuck. `rebroadcast`:
   * send the recorded bytes again first (a job found in the store after a restart or a failed tick).
   */
  private async track(job: JobRecord, rebroadcast: boolean): Promise<ExecuteResult> {
    const { clock, options } = this.deps;
    let bumps = 0;
    let since = clock.nowMs();
    let broadcastOnce = !rebroadcast;
    for (;;) {
      const mined = await this.findReceipt(job);
      if (mined !== undefined) return this.finish(job, mined.hash, mined.receipt);
      if (!broadcastOnce) {
        // after a restart the node may have dropped it: the same bytes again are harmless
        broadcastOnce = true;
        try {
          await this.broadcast(job);
        } catch (error) {
          if (isNonceError(error)) {
            const late = await this.findReceipt(job);
            if (late !== undefined) return this.finish(job, late.hash, late.receipt);
            // the nonce went to another transaction of this account: this job never happened
            this.nonces.resync();
            this.deps.jobs.put(
              job.key,
              { status: "superseded", detail: "nonce used elsewhere" },
              clock.nowMs(),
            );
            return { status: "stuck", hash: job.txHashes.at(-1) as Hex };
          }
          throw error;
        }
        continue;
      }
      if (clock.nowMs() - since >= options.stuckAfterMs) {
        if (bumps >= options.maxFeeBumps) {
          this.deps.metrics.transactions.inc({ outcome: "stuck" });
          this.deps.log.error(
            { job: job.key, hashes: job.txHashes },
            "transaction stuck after every fee bump",
          );
          return { status: "stuck", hash: job.txHashes.at(-1) as Hex };
        }
        job = await this.bump(job);
        bumps++;
        since = clock.nowMs();
        continue;
      }
      if (this.deps.signal?.aborted) {
        this.deps.log.warn({ job: job.key }, "shutting down: job left in flight, recovered on restart");
        return { status: "abandoned", hash: job.txHashes.at(-1) as Hex };
      }
      await clock.sleep(options.receiptPollMs, this.deps.signal);
    }
  }

  /** Replaces the job's transaction (same nonce) with fees raised by `feeBumpPercent`. */
  private async bump(job: JobRecord): Promise<JobRecord> {
    const { options } = this.deps;
    const tx = parseTransaction(job.rawTx as Hex) as {
      to: Address;
      data: Hex;
      gas: bigint;
      maxFeePerGas: bigint;
      maxPriorityFeePerGas: bigint;
    };
    const factor = BigInt(100 + options.feeBumpPercent);
    const next = {
      to: tx.to,
      data: tx.data,
      gas: tx.gas,
      maxFeePerGas: (tx.maxFeePerGas * factor) / 100n + 1n,
      maxPriorityFeePerGas: (tx.maxPriorityFeePerGas * factor) / 100n + 1n,
    };
    const bumped = await this.signAndRecord(job.key, next, job.nonce as number);
    this.deps.metrics.feeBumps.inc();
    this.deps.log.warn({ job: job.key, nonce: job.nonce, maxFeePerGas: next.maxFeePerGas }, "fee bump");
    await this.broadcast(bumped);
    return bumped;
  }

  private finish(job: JobRecord, hash: Hex, receipt: TransactionReceipt): ExecuteResult {
    const ok = receipt.status === "success";
    this.deps.jobs.put(
      job.key,
      { status: ok ? "confirmed" : "failed", detail: { hash, block: receipt.blockNumber } },
      this.deps.clock.nowMs(),
    );
    this.deps.metrics.transactions.inc({ outcome: ok ? "confirmed" : "reverted" });
    this.deps.log.info(
      { job: job.key, hash, block: receipt.blockNumber, status: receipt.status },
      "transaction mined",
    );
    return ok ? { status: "confirmed", hash, receipt } : { status: "reverted", hash, receipt };
  }
}

function isRevert(error: unknown): boolean {
  return error instanceof BaseError && error.walk((e) => e instanceof ContractFunctionRevertedError) !== null;
}

function describe(call: ContractCall): Record<string, unknown> {
  return { address: call.address, functionName: call.functionName };
}
