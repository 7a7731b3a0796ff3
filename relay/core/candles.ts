/** OHLC candles from fills (pure): one per `intervalSeconds` bucket that saw a trade, oldest first. */
import type { RelayCandle } from "../../sdk/relay/client.js";

/** One bucket: `start` (unix seconds, chain time of the fills' blocks), prices, contracts traded. */
export type Candle = RelayCandle;

export function candles(
  fills: readonly { ts: number; price: bigint; size: bigint }[],
  intervalSeconds: number,
): Candle[] {
  const out: Candle[] = [];
  for (const f of fills) {
    const start = Math.floor(f.ts / intervalSeconds) * intervalSeconds;
    const last = out.at(-1);
    if (last === undefined || last.start !== start) {
      out.push({
        start,
        open: f.price,
        high: f.price,
        low: f.price,
        close: f.price,
        volume: f.size,
        trades: 1,
      });
      continue;
    }
    if (f.price > last.high) last.high = f.price;
    if (f.price < last.low) last.low = f.price;
    last.close = f.price;
    last.volume += f.size;
    last.trades += 1;
  }
  return out;
}
