/**
 * The index's oracle rounds as a line (SVG, no chart library): one point per round, the latest labelled.
 */
import type { RelayIndexRound } from "../../../sdk/relay/client.js";
import { usdPrice, utc } from "../lib/format.js";

export function IndexChart({
  rounds,
  width = 640,
  height = 180,
}: {
  rounds: RelayIndexRound[];
  width?: number;
  height?: number;
}) {
  if (rounds.length === 0) return <p className="muted">No oracle rounds yet.</p>;
  const points = [...rounds].sort((a, b) => a.observedAt - b.observedAt);
  const values = points.map((r) => Number(r.value) / 1e18);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const pad = (max - min) * 0.1 || Math.abs(max) * 0.01 || 1;
  const t0 = points[0].observedAt;
  const t1 = points[points.length - 1].observedAt;
  const x = (t: number) => (t1 === t0 ? width / 2 : 40 + ((t - t0) / (t1 - t0)) * (width - 60));
  const y = (v: number) => 10 + (1 - (v - (min - pad)) / (max - min + 2 * pad)) * (height - 30);
  const path = points
    .map((r, i) => `${i === 0 ? "M" : "L"}${x(r.observedAt).toFixed(1)},${y(values[i]).toFixed(1)}`)
    .join(" ");
  const last = points[points.length - 1];
  return (
    <svg className="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label="index rounds">
      <line x1="40" x2={width - 20} y1={height - 20} y2={height - 20} className="axis" />
      <text x="0" y={y(max) + 4} className="tick">
        {max.toPrecision(5)}
      </text>
      <text x="0" y={y(min) + 4} className="tick">
        {min.toPrecision(5)}
      </text>
      <path d={path} className="line" />
      {points.map((r, i) => (
        <circle
          key={r.roundId}
          cx={x(r.observedAt)}
          cy={y(values[i])}
          r={points.length > 60 ? 1.5 : 3}
          className="dot"
        >
          <title>{`round ${r.roundId}: ${usdPrice(r.value)} at ${utc(r.observedAt)}`}</title>
        </circle>
      ))}
      <text
        x={Math.min(x(last.observedAt), width - 110)}
        y={Math.max(y(values[values.length - 1]) - 8, 12)}
        className="label"
      >
        {usdPrice(last.value)}
      </text>
      <text x="40" y={height - 4} className="tick">
        {utc(t0)}
      </text>
      <text x={width - 20} y={height - 4} className="tick" textAnchor="end">
        {utc(t1)}
      </text>
    </svg>
  );
}
