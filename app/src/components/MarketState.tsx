import type { MarketView } from "../hooks/useMarkets.js";

/** The market's state as a badge: trading, paused, stale oracle, expired, settling, settled. */
export function MarketState({ m }: { m: MarketView }) {
  const label =
    m.status !== "Trading"
      ? m.status.toLowerCase()
      : m.paused
        ? "paused"
        : m.index === undefined
          ? "stale oracle"
          : "trading";
  return (
    <span className={`badge badge-${label.replace(" ", "-")}`} data-state={label}>
      {label}
    </span>
  );
}
