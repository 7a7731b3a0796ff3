/**
 * The relay's order state machine. An order is `open` when accepted, `partially_filled` after a fill that
 * leaves some of it, and ends in exactly one terminal state: `filled`, `cancelled` (by its trader on
 * chain), `expired` (chain time passed its expiry, or an immediate order found nothing to take),
 * `rejected` (the chain refused it in a match: the reason names the contract error) or `voided` (its
 * nonce was used by another order of the trader, or `cancelUpTo` raised the trader's minimum nonce).
 * States only move forward: open → partially_filled → terminal.
 */
export const ORDER_STATES = [
  "open",
  "partially_filled",
  "filled",
  "cancelled",
  "expired",
  "rejected",
  "voided",
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

/** The states an order can still trade in. */
export const LIVE_STATES: readonly OrderState[] = ["open", "partially_filled"];

export function isLive(state: OrderState): boolean {
  return state === "open" || state === "partially_filled";
}

/** Rank in the forward order: 0 open, 1 partially filled, 2 terminal. */
export function stateRank(state: OrderState): number {
  if (state === "open") return 0;
  if (state === "partially_filled") return 1;
  return 2;
}

/** Whether `from → to` is a step the machine allows (more partial fills keep `partially_filled`). */
export function canMove(from: OrderState, to: OrderState): boolean {
  if (from === "partially_filled" && to === "partially_filled") return true;
  return stateRank(to) > stateRank(from);
}

/** A transition the machine refuses (a terminal order revived, a filled order re-opened). */
export class StateTransitionError extends Error {
  constructor(
    readonly from: OrderState,
    readonly to: OrderState,
  ) {
    super(`order state cannot move from ${from} to ${to}`);
    this.name = "StateTransitionError";
  }
}

/** `to`, when the machine allows `from → to`; throws `StateTransitionError` otherwise. */
export function move(from: OrderState, to: OrderState): OrderState {
  if (!canMove(from, to)) throw new StateTransitionError(from, to);
  return to;
}
