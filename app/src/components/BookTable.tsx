/**
 * Order book depth: asks above, bids below, each level's size and running total in contracts with a depth
 * bar; clicking a level puts its price in the ticket.
 */
import { memo } from "react";

import type { RelayDepth } from "../../../sdk/relay/client.js";
import { usdPrice } from "../lib/format.js";

const LEVELS = 12;

function Side({
  levels,
  side,
  onPick,
  max,
}: {
  levels: [bigint, bigint][];
  side: "bid" | "ask";
  onPick: (p: bigint) => void;
  max: bigint;
}) {
  let total = 0n;
  const rows = levels.slice(0, LEVELS).map(([price, size]) => {
    total += size;
    return { price, size, total };
  });
  if (side === "ask") rows.reverse();
  return (
    <>
      {rows.map((r) => (
        <tr key={r.price.toString()} className={side} onClick={() => onPick(r.price)} data-side={side}>
          <td className="price">{usdPrice(r.price)}</td>
          <td>{r.size.toString()}</td>
          <td className="total">
            <span className="bar" style={{ width: `${max === 0n ? 0 : Number((r.total * 100n) / max)}%` }} />
            {r.total.toString()}
          </td>
        </tr>
      ))}
    </>
  );
}

export const BookTable = memo(function BookTable({
  depth,
  onPick,
}: {
  depth: RelayDepth | undefined;
  onPick: (p: bigint) => void;
}) {
  if (depth === undefined) return <p className="muted">Connecting to the book…</p>;
  const sum = (l: [bigint, bigint][]) => l.slice(0, LEVELS).reduce((s, [, q]) => s + q, 0n);
  const max = sum(depth.bids) > sum(depth.asks) ? sum(depth.bids) : sum(depth.asks);
  const bestBid = depth.bids[0]?.[0];
  const bestAsk = depth.asks[0]?.[0];
  return (
    <table className="book" data-testid="book" data-seq={depth.seq}>
      <thead>
        <tr>
          <th>Price</th>
          <th>Size</th>
          <th>Total</th>
        </tr>
      </thead>
      <tbody>
        <Side levels={depth.asks} side="ask" onPick={onPick} max={max} />
        <tr className="spread">
          <td colSpan={3}>
            {bestBid !== undefined && bestAsk !== undefined
              ? `spread ${usdPrice(bestAsk - bestBid)}`
              : depth.bids.length + depth.asks.length === 0
                ? "empty book"
                : "one-sided book"}
          </td>
        </tr>
        <Side levels={depth.bids} side="bid" onPick={onPick} max={max} />
      </tbody>
    </table>
  );
});
