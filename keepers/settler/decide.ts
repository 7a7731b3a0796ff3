/**
 * The settler's decision, pure: walks each market from expiry to every position settled and every
 * claim paid. After expiry `proposeSettlement`; after the dispute window `finalizeSettlement` (or, past
 * `expiry + fallbackDelay`, the fallback finalization whatever the state); then `settleMany` in batches
 * of the accounts holding positions or escrowed gains (a winning position closed before expiry) until the market's open-position count is zero; then `settleMany`
 * again for the accounts whose gain was recorded as a claim before the count reached zero (they are paid
 * by a later settle, see docs/clearinghouse.md "Settlement"). A negative balance a settlement leaves is owed to
 * the insurance fund and backed by no one's tokens, so nothing is done about it. With `traderGraceSeconds`, the
 * `settleMany` steps wait
 * until that long after expiry, leaving traders to settle and claim from their own wallets first.
 */
import { keccak256, toHex, type Address } from "viem";

import type { Market } from "../../sdk/core/entities/Market.js";
import type { MarketId } from "../../sdk/core/ids.js";

/** One market and what its known accounts hold in it. */
export interface SettlerMarketView {
  market: Market;
  /** Known accounts with an open slot: a non-zero position or an escrowed gain (`size == 0`, `openNotional < 0`). */
  open: readonly Address[];
  /** Known accounts with no position left and an unpaid claim (`position.openNotional > 0`). */
  claims: readonly Address[];
}

export interface SettlerState {
  markets: readonly SettlerMarketView[];
}

export interface SettlerConfig {
  /** Accounts per `settleMany`. */
  batchSize: number;
  /** Batches sent per market per tick. */
  maxBatchesPerTick: number;
  /**
   * Seconds after expiry during which positions and claims are left to their traders (`settle` from
   * their own wallets); the settler still proposes and finalizes, and settles whatever is left once the
   * grace ends. 0 or absent: it settles as soon as the price is final.
   */
  traderGraceSeconds?: number;
}

export type SettleStep = "positions" | "claims";

export type SettlerAction =
  | { type: "propose"; marketId: MarketId }
  | { type: "finalize"; marketId: MarketId; fallback: boolean }
  | {
      type: "settle";
      marketId: MarketId;
      step: SettleStep;
      accounts: Address[];
      /** Identifies the batch: the step's remaining count and a hash of the sorted accounts. */
      batch: string;
    }
  | { type: "wait"; marketId: MarketId; reason: string }
  | { type: "done"; marketId: MarketId };

/** `<remaining>-<first 8 bytes of keccak256(sorted lower-case accounts)>`. */
export function batchId(accounts: readonly Address[], remaining: bigint | number): string {
  const joined = [...accounts]
    .map((a) => a.toLowerCase())
    .sort()
    .join(",");
  return `${remaining.toString()}-${keccak256(toHex(joined)).slice(2, 18)}`;
}

function batches(
  marketId: MarketId,
  step: SettleStep,
  accounts: readonly Address[],
  remaining: bigint | number,
  config: SettlerConfig,
): SettlerAction[] {
  const sorted = [...accounts].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
  const out: SettlerAction[] = [];
  for (let i = 0; i < sorted.length && out.length < config.maxBatchesPerTick; i += config.batchSize) {
    const chunk = sorted.slice(i, i + config.batchSize);
    out.push({ type: "settle", marketId, step, accounts: chunk, batch: batchId(chunk, remaining) });
  }
  return out;
}

/** The next steps of one market at `now` (unix seconds). */
export function decideMarket(view: SettlerMarketView, now: bigint, config: SettlerConfig): SettlerAction[] {
  const { market } = view;
  const id = market.id;
  const { expiry } = market.params;
  const s = market.settlement;
  if (s.finalPrice === 0n) {
    if (now < expiry) return [{ type: "wait", marketId: id, reason: "trading until expiry" }];
    const deadline = expiry + BigInt(market.terms.fallbackDelay);
    if (s.proposedAt === 0n) {
      if (now >= deadline) return [{ type: "finalize", marketId: id, fallback: true }];
      return [{ type: "propose", marketId: id }];
    }
    if (!s.disputed && now >= s.proposedAt + BigInt(market.terms.disputeWindow)) {
      return [{ type: "finalize", marketId: id, fallback: false }];
    }
    if (now >= deadline) return [{ type: "finalize", marketId: id, fallback: true }];
    return [
      {
        type: "wait",
        marketId: id,
        reason: s.disputed
          ? "disputed: waiting for the resolution or the fallback deadline"
          : "dispute window open",
      },
    ];
  }
  const openPositions = market.state.openPositions;
  const graceEnds = expiry + BigInt(config.traderGraceSeconds ?? 0);
  if (now < graceEnds && (openPositions > 0n || view.claims.length > 0)) {
    return [
      {
        type: "wait",
        marketId: id,
        reason: `positions and claims left to their traders until ${graceEnds} (traderGraceSeconds)`,
      },
    ];
  }
  if (openPositions > 0n) {
    if (view.open.length === 0) {
      return [
        {
          type: "wait",
          marketId: id,
          reason: `${openPositions} open positions, none held by a known account`,
        },
      ];
    }
    return batches(id, "positions", view.open, openPositions, config);
  }
  if (view.claims.length > 0) return batches(id, "claims", view.claims, view.claims.length, config);
  return [{ type: "done", marketId: id }];
}

/** Decides at `now` (unix seconds) for every market. */
export function decideSettler(state: SettlerState, now: bigint, config: SettlerConfig): SettlerAction[] {
  return state.markets.flatMap((view) => decideMarket(view, now, config));
}
