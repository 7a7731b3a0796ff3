/**
 * The liquidator's adapter: discovers accounts from Clearinghouse events, loads every account with a
 * position (and the keeper's own) with the SDK's one-request `fetchAccount` at one block, asks
 * `decideLiquidator`, and sends each liquidation or deleveraging through the shell (simulate, sign,
 * record, broadcast, wait). Job key `liquidator/<market>/<account>/<block>`; an account with a job still
 * in flight is never given a second one: that job is tracked (and fee-bumped) at the start of the next
 * tick instead.
 */
import type { Gauge } from "prom-client";
import type { Address } from "viem";

import { clearinghouseAbi } from "../../sdk/abi/generated/clearinghouse.js";
import type { Account, MarkedMarket } from "../../sdk/core/entities/Account.js";
import type { MarketId } from "../../sdk/core/ids.js";
import { fetchAccount, type FetchAccountReturnType } from "../../sdk/viem/clearinghouse/fetchAccount.js";
import { AccountTracker, type TrackerOptions } from "../clearinghouse/discovery.js";
import { readHead } from "../shell/chain.js";
import { jobKey, type JobStore } from "../shell/jobs.js";
import { gaugeOn } from "../shell/metrics.js";
import type { ChainDeps, ShellDeps, TickSource } from "../shell/runner.js";
import type { ExecuteResult } from "../shell/sender.js";
import {
  BASIS_NOT_HELD,
  STALE_INDEX,
  decideLiquidator,
  type LiquidatorAction,
  type LiquidatorConfig,
  type LiquidatorState,
} from "./decide.js";

export interface LiquidatorDeps extends TrackerOptions, ChainDeps, ShellDeps {
  decide: LiquidatorConfig;
  /** The sender's job store (to see which accounts have a job in flight). */
  jobs: JobStore;
  /**
   * Dry run without a key: the keeper's account is evaluated as if it held this much collateral
   * (whole tokens as an 18-decimal wad, scaled to the token's units when read) on top of what its throwaway address holds (nothing), so the decision shows what
   * a funded keeper would do. Nothing is simulated or sent: the throwaway address has no margin on chain.
   */
  hypotheticalMargin?: bigint;
}

/** `liquidator/<market>/<account>/<block>`. */
export function liquidatorJobKey(marketId: MarketId, account: Address, block: bigint): string {
  return jobKey("liquidator", `${marketId}/${account.toLowerCase()}`, block);
}

export class LiquidatorKeeper implements TickSource {
  readonly tracker: AccountTracker;
  /** Every execution result, for logs and tests. */
  readonly results: { action: LiquidatorAction; result: ExecuteResult }[] = [];
  /** The last decision's actions. */
  lastActions: LiquidatorAction[] = [];
  /** Actions decided with the hypothetical margin (dry run without a key), never simulated or sent. */
  readonly hypothetical: LiquidatorAction[] = [];
  /** Accounts that held a position at the last read. */
  private open = new Set<Address>();
  private readonly tracked: Gauge;
  private readonly liquidatable: Gauge;

  constructor(private readonly deps: LiquidatorDeps) {
    this.tracker = new AccountTracker(deps);
    if (deps.hypotheticalMargin !== undefined) {
      deps.log.info(
        { hypotheticalMargin: deps.hypotheticalMargin },
        "dry run without a key: the keeper's account is evaluated with this hypothetical margin (wad of whole tokens)",
      );
    }
    const registry = deps.metrics.registry;
    this.tracked = gaugeOn(registry, "keeper_accounts_tracked", "Accounts with a position at the last read");
    this.liquidatable = gaugeOn(
      registry,
      "keeper_accounts_liquidatable",
      "Accounts below maintenance margin at the last read",
    );
  }

  /** After a chain reset: accounts are discovered again from the start block. */
  resync(): void {
    this.tracker.reset();
    this.open = new Set();
  }

  /** Accounts with a job of this keeper still in flight. */
  busy(): Set<string> {
    const out = new Set<string>();
    for (const job of this.deps.jobs.inFlight()) {
      const [keeper, , account] = job.key.split("/");
      if (keeper === "liquidator" && account !== undefined) out.add(account);
    }
    return out;
  }

  /** Reads everything the decision needs at the latest block; `now` is its timestamp (the chain's clock). */
  async readState(): Promise<LiquidatorState & { now: bigint }> {
    const { client, clearinghouse, sender } = this.deps;
    const head = await readHead(client);
    const block = head.number;
    const touched = await this.tracker.sync(client, block);
    const wanted = new Set<Address>([...this.open, ...touched]);
    const load = (account: Address): Promise<FetchAccountReturnType> =>
      fetchAccount(client, { address: clearinghouse, account, blockNumber: block });
    const [mine, others, gasPrice] = await Promise.all([
      load(sender.address),
      Promise.all([...wanted].filter((a) => a.toLowerCase() !== sender.address.toLowerCase()).map(load)),
      client.getGasPrice(),
    ]);
    const marks = new Map<MarketId, MarkedMarket>(mine.marks);
    const accounts: Account[] = [];
    this.open = new Set();
    for (const loaded of others) {
      for (const [id, m] of loaded.marks) marks.set(id, m);
      if (loaded.account.positions.size === 0) continue;
      accounts.push(loaded.account);
      this.open.add(loaded.account.address);
    }
    this.tracked.set(accounts.length);
    const hypothetical = this.deps.hypotheticalMargin;
    return {
      blockNumber: block,
      context: mine.context,
      marks,
      accounts,
      keeper:
        hypothetical === undefined
          ? mine.account
          : mine.account.withDeposit(hypothetical / mine.account.scale),
      gasPrice,
      busy: this.busy(),
      now: head.timestamp,
    };
  }

  async tick(): Promise<void> {
    const { log, metrics, sender } = this.deps;
    // a job left in flight (stuck, or a wait cut short) is tracked and bumped before anything new
    if (this.deps.jobs.inFlight().length > 0) await sender.recover();
    const state = await this.readState();
    const actions = decideLiquidator(state, state.now, this.deps.decide);
    this.lastActions = actions;
    // one action per account below maintenance margin; accounts that cannot be valued, or that only the
    // mark (not the liquidation mark) puts below it, are not counted
    this.liquidatable.set(
      actions.filter((a) => a.type !== "skip" || (a.reason !== STALE_INDEX && a.reason !== BASIS_NOT_HELD))
        .length,
    );
    for (const action of actions) {
      metrics.actions.inc({ type: action.type });
      if (action.type === "skip") {
        log.info(
          { account: action.account, market: action.marketId, reason: action.reason },
          "liquidatable account skipped",
        );
        continue;
      }
      await this.execute(action);
    }
  }

  private async execute(action: Exclude<LiquidatorAction, { type: "skip" }>): Promise<void> {
    const { sender, log, clearinghouse } = this.deps;
    const key = liquidatorJobKey(action.marketId, action.account, action.blockNumber);
    if (this.deps.hypotheticalMargin !== undefined) {
      this.hypothetical.push(action);
      log.info(
        { job: key, type: action.type, hypotheticalMargin: this.deps.hypotheticalMargin },
        "dry run with a hypothetical margin: would send (not simulated: the keyless address holds no margin)",
      );
      return;
    }
    const call =
      action.type === "liquidate"
        ? {
            address: clearinghouse,
            abi: clearinghouseAbi,
            functionName: "liquidate",
            args: [action.account, action.marketId, action.size, action.priceLimit],
          }
        : {
            address: clearinghouse,
            abi: clearinghouseAbi,
            functionName: "deleverage",
            args: [action.account, action.marketId, action.counterparties],
          };
    log.info(
      action.type === "liquidate"
        ? {
            job: key,
            size: action.size,
            cap: action.cap,
            mark: action.mark,
            reward: action.reward,
            gasCost: action.gasCost,
          }
        : { job: key, counterparties: action.counterparties, bankruptcyPrice: action.bankruptcyPrice },
      action.type === "liquidate" ? "liquidating" : "deleveraging",
    );
    const result = await sender.execute(key, call);
    this.results.push({ action, result });
    if (result.status === "simulation-failed") {
      // most often a competitor got there first (AccountHealthy, NoPosition) or the mark moved
      log.info(
        { job: key, error: result.revert.name, args: result.revert.args },
        "not sent: simulation reverted",
      );
    }
  }
}
