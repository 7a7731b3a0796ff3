/**
 * The settler's adapter: for every configured market (or every market of the Clearinghouse when none is
 * configured) reads the market with the SDK's one-request `fetchMarket`, and once it is settled the
 * positions of the accounts the events name (one multicall), asks `decideSettler`, and sends each step
 * through the shell. Job keys: `settler/<market>/propose`, `settler/<market>/finalize`,
 * `settler/<market>/<positions|claims>/<batch>` with the batch identified by the step's remaining count
 * and a hash of its accounts; `settleMany` skips accounts with nothing to settle, so a competitor
 * settling some of them first makes no batch revert. A negative balance left on a holder needs nothing from
 * it: it is owed to the insurance fund, which lent it, and no one's tokens back it (docs/clearinghouse.md,
 * "Solvency").
 */
import type { Gauge } from "prom-client";
import type { Address } from "viem";

import { clearinghouseAbi } from "../../sdk/abi/generated/clearinghouse.js";
import { asMarketId, type MarketId } from "../../sdk/core/ids.js";
import { fetchMarket } from "../../sdk/viem/clearinghouse/fetchMarket.js";
import { AccountTracker, type TrackerOptions } from "../clearinghouse/discovery.js";
import { readHead } from "../shell/chain.js";
import { jobKey, type JobStore } from "../shell/jobs.js";
import { gaugeOn } from "../shell/metrics.js";
import type { ChainDeps, ShellDeps, TickSource } from "../shell/runner.js";
import type { ContractCall, ExecuteResult } from "../shell/sender.js";
import { decideSettler, type SettlerAction, type SettlerConfig, type SettlerMarketView } from "./decide.js";

export interface SettlerDeps extends TrackerOptions, ChainDeps, ShellDeps {
  /** Markets to walk; every market of the Clearinghouse when empty. */
  markets: readonly MarketId[];
  decide: SettlerConfig;
  jobs: JobStore;
}

/** The job key of a settler action. */
export function settlerJobKey(action: Exclude<SettlerAction, { type: "wait" | "done" }>): string {
  if (action.type === "settle") return jobKey("settler", action.marketId, `${action.step}/${action.batch}`);
  return jobKey("settler", action.marketId, action.type);
}

export class SettlerKeeper implements TickSource {
  readonly tracker: AccountTracker;
  readonly results: { action: SettlerAction; result: ExecuteResult }[] = [];
  lastActions: SettlerAction[] = [];
  /** Markets fully settled with every claim paid: never read again. */
  readonly done = new Set<MarketId>();
  /** Market ids read from `marketIdAt`, in order (ids never change). */
  private readonly discovered: MarketId[] = [];
  private readonly openPositions: Gauge;
  private readonly pendingClaims: Gauge;

  constructor(private readonly deps: SettlerDeps) {
    this.tracker = new AccountTracker(deps);
    const registry = deps.metrics.registry;
    this.openPositions = gaugeOn(registry, "keeper_settlement_open_positions", "Open positions of a market", [
      "market",
    ]);
    this.pendingClaims = gaugeOn(
      registry,
      "keeper_settlement_pending_claims",
      "Known accounts with an unpaid settlement claim",
      ["market"],
    );
  }

  /** After a chain reset: events, market ids and finished markets are read again from scratch. */
  resync(): void {
    this.tracker.reset();
    this.discovered.length = 0;
    this.done.clear();
  }

  /** The markets to walk: the configured ones, or `marketIdAt(1..marketCount)` (ids read once each). */
  async marketIds(block: bigint): Promise<MarketId[]> {
    if (this.deps.markets.length > 0) return [...this.deps.markets];
    const { client, clearinghouse } = this.deps;
    const count = Number(
      await client.readContract({
        address: clearinghouse,
        abi: clearinghouseAbi,
        functionName: "marketCount",
        blockNumber: block,
      }),
    );
    const known = this.discovered.length;
    const fresh = await Promise.all(
      Array.from({ length: Math.max(0, count - known) }, (_, i) =>
        client.readContract({
          address: clearinghouse,
          abi: clearinghouseAbi,
          functionName: "marketIdAt",
          args: [known + i + 1],
          blockNumber: block,
        }),
      ),
    );
    this.discovered.push(...fresh.map((id) => asMarketId(id)));
    return [...this.discovered];
  }

  /** Every known holder's position in `marketId`, in one multicall. */
  async positions(marketId: MarketId, block: bigint): Promise<{ open: Address[]; claims: Address[] }> {
    const { client, clearinghouse } = this.deps;
    const holders = this.tracker.holders(marketId);
    if (holders.length === 0) return { open: [], claims: [] };
    const results = await client.multicall({
      contracts: holders.map((account) => ({
        address: clearinghouse,
        abi: clearinghouseAbi,
        functionName: "position" as const,
        args: [account, marketId] as const,
      })),
      allowFailure: false,
      blockNumber: block,
      deployless: true,
    });
    const open: Address[] = [];
    const claims: Address[] = [];
    results.forEach(([size, openNotional], i) => {
      // A closed position holding an escrowed gain (size 0, negative cost basis) is still open: its
      // settlement turns the gain into a claim.
      if (size !== 0n || openNotional < 0n) open.push(holders[i]);
      else if (openNotional > 0n) claims.push(holders[i]);
    });
    return { open, claims };
  }

  /** Reads every market at the latest block; `now` is that block's timestamp (the chain's clock). */
  async readState(): Promise<{
    markets: SettlerMarketView[];
    now: bigint;
    block: bigint;
  }> {
    const { client, clearinghouse } = this.deps;
    const head = await readHead(client);
    const block = head.number;
    await this.tracker.sync(client, block);
    const ids = (await this.marketIds(block)).filter((id) => !this.done.has(id));
    const markets = await Promise.all(
      ids.map(async (marketId): Promise<SettlerMarketView> => {
        const { market } = await fetchMarket(client, {
          address: clearinghouse,
          marketId,
          blockNumber: block,
        });
        if (market.settlement.finalPrice === 0n) return { market, open: [], claims: [] };
        const { open, claims } = await this.positions(marketId, block);
        this.openPositions.set({ market: marketId }, Number(market.state.openPositions));
        this.pendingClaims.set({ market: marketId }, claims.length);
        return { market, open, claims };
      }),
    );
    return { markets, now: head.timestamp, block };
  }

  async tick(): Promise<void> {
    const { log, metrics, sender, jobs } = this.deps;
    if (jobs.inFlight().length > 0) await sender.recover();
    const state = await this.readState();
    const actions = decideSettler(state, state.now, this.deps.decide);
    this.lastActions = actions;
    for (const action of actions) {
      metrics.actions.inc({ type: action.type });
      if (action.type === "done") {
        this.done.add(action.marketId);
        log.info({ market: action.marketId }, "market settled, every claim paid");
        continue;
      }
      if (action.type === "wait") {
        log.debug({ market: action.marketId, reason: action.reason }, "nothing to do yet");
        continue;
      }
      await this.execute(action);
    }
  }

  private async execute(action: Exclude<SettlerAction, { type: "wait" | "done" }>): Promise<void> {
    const { sender, log, clearinghouse } = this.deps;
    const key = settlerJobKey(action);
    const base = { address: clearinghouse, abi: clearinghouseAbi };
    let call: ContractCall;
    if (action.type === "propose")
      call = { ...base, functionName: "proposeSettlement", args: [action.marketId] };
    else if (action.type === "finalize") {
      call = { ...base, functionName: "finalizeSettlement", args: [action.marketId] };
    } else call = { ...base, functionName: "settleMany", args: [action.marketId, action.accounts] };
    log.info(
      action.type === "settle"
        ? { job: key, step: action.step, accounts: action.accounts.length }
        : { job: key, fallback: action.type === "finalize" ? action.fallback : undefined },
      action.type,
    );
    const result = await sender.execute(key, call);
    this.results.push({ action, result });
    if (result.status === "simulation-failed") {
      // a competitor moved the market on first, or the chain's clock is not there yet: read again next tick
      log.info(
        { job: key, error: result.revert.name, args: result.revert.args },
        "not sent: simulation reverted",
      );
    }
  }
}
