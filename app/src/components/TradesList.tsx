import type { RelayFill } from "../../../sdk/relay/client.js";
import { usdPrice } from "../lib/format.js";

/** Recent trades, newest first: the taker's side colours the row. */
export function TradesList({ trades }: { trades: RelayFill[] }) {
  if (trades.length === 0) return <p className="muted">No trades yet.</p>;
  return (
    <table className="trades" data-testid="trades">
      <thead>
        <tr>
          <th>Price</th>
          <th>Size</th>
          <th>Time</th>
        </tr>
      </thead>
      <tbody>
        {trades.map((t) => (
          <tr key={`${t.tx}:${t.logIndex}`} className={t.takerIsBuy ? "bid" : "ask"}>
            <td>{usdPrice(t.price)}</td>
            <td>{t.size.toString()}</td>
            <td>{new Date(t.ts * 1000).toISOString().slice(11, 19)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
