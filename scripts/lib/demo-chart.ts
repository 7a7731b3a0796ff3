/**
 * The demo's outputs: `demo.json` (the report) and `demo-chart.html`, a self-contained page with an
 * inline SVG chart of the index, the mark and the trades over the market's life (no scripts, no
 * external fonts or images).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import type { DemoReport } from "./market-demo.js";

const W = 960;
const H = 480;
const M = { left: 64, right: 24, top: 40, bottom: 48 };

const E18 = 1e18;
const price = (wad: string) => Number(BigInt(wad)) / E18;

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);
}

/** The chart as an SVG element. */
export function chartSvg(report: DemoReport): string {
  const { prices, trades, liquidations, expiry } = report.series;
  const t0 = Math.min(...prices.map((p) => p.t), ...trades.map((t) => t.t));
  const t1 = expiry + 86_400;
  const values = [
    ...prices.flatMap((p) => [price(p.index), price(p.mark)]),
    ...trades.map((t) => price(t.price)),
    price(report.settlementPrice),
  ];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = (hi - lo) * 0.08 || 0.5;
  const y0 = lo - pad;
  const y1 = hi + pad;
  const x = (t: number) => M.left + ((t - t0) / (t1 - t0)) * (W - M.left - M.right);
  const y = (v: number) => M.top + ((y1 - v) / (y1 - y0)) * (H - M.top - M.bottom);
  const f = (n: number) => n.toFixed(1);
  const parts: string[] = [];

  // grid and axes
  for (let i = 0; i <= 5; i++) {
    const v = y0 + ((y1 - y0) * i) / 5;
    parts.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${f(y(v))}" y2="${f(y(v))}" stroke="#e5e7eb"/>`,
      `<text x="${M.left - 8}" y="${f(y(v) + 4)}" text-anchor="end" class="axis">$${v.toFixed(2)}</text>`,
    );
  }
  const first = new Date(t0 * 1000);
  for (let m = 0; m < 5; m++) {
    const d = Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + m, 1) / 1000;
    if (d < t0 || d > t1) continue;
    const label = new Date(d * 1000).toISOString().slice(0, 10);
    parts.push(
      `<line x1="${f(x(d))}" x2="${f(x(d))}" y1="${M.top}" y2="${H - M.bottom}" stroke="#f1f5f9"/>`,
      `<text x="${f(x(d))}" y="${H - M.bottom + 18}" text-anchor="middle" class="axis">${label}</text>`,
    );
  }
  parts.push(
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="#9ca3af"/>`,
    `<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#9ca3af"/>`,
  );

  // index (a step line: a round holds until the next) and mark
  const sorted = [...prices].sort((a, b) => a.t - b.t);
  let step = "";
  sorted.forEach((p, i) => {
    const px = f(x(p.t));
    const py = f(y(price(p.index)));
    step += i === 0 ? `M${px},${py}` : `H${px}V${py}`;
  });
  if (sorted.length > 0) step += `H${f(x(expiry))}`;
  parts.push(`<path d="${step}" fill="none" stroke="#2563eb" stroke-width="2"/>`);
  const mark = sorted.map((p) => `${f(x(p.t))},${f(y(price(p.mark)))}`).join(" ");
  parts.push(
    `<polyline points="${mark}" fill="none" stroke="#f59e0b" stroke-width="1.5" stroke-dasharray="5 3"/>`,
  );

  // settlement price after expiry
  const sp = price(report.settlementPrice);
  parts.push(
    `<line x1="${f(x(expiry))}" x2="${W - M.right}" y1="${f(y(sp))}" y2="${f(y(sp))}" stroke="#7c3aed" stroke-width="2"/>`,
    `<text x="${W - M.right}" y="${f(y(sp) - 6)}" text-anchor="end" class="note" fill="#7c3aed">settled $${sp.toFixed(4)}</text>`,
  );

  // trades: area ∝ size, colored by the taker's side
  for (const t of trades) {
    const r = 2.5 + 1.6 * Math.sqrt(t.size);
    const color = t.side === "buy" ? "#16a34a" : "#dc2626";
    parts.push(
      `<circle cx="${f(x(t.t))}" cy="${f(y(price(t.price)))}" r="${r.toFixed(1)}" fill="${color}" fill-opacity="0.55" stroke="${color}">` +
        `<title>${escapeXml(`${new Date(t.t * 1000).toISOString().slice(0, 16)} taker ${t.side}s ${t.size} @ $${price(t.price).toFixed(3)}`)}</title></circle>`,
    );
  }

  // liquidations and expiry
  for (const t of liquidations) {
    parts.push(
      `<line x1="${f(x(t))}" x2="${f(x(t))}" y1="${M.top}" y2="${H - M.bottom}" stroke="#dc2626" stroke-dasharray="4 4"/>`,
      `<text x="${f(x(t) + 4)}" y="${M.top + 12}" class="note" fill="#dc2626">liquidation</text>`,
    );
  }
  parts.push(
    `<line x1="${f(x(expiry))}" x2="${f(x(expiry))}" y1="${M.top}" y2="${H - M.bottom}" stroke="#111827" stroke-width="1.5"/>`,
    `<text x="${f(x(expiry) - 4)}" y="${M.top + 12}" text-anchor="end" class="note">expiry</text>`,
  );

  // legend
  const legend = [
    ["#2563eb", "index (ATPI-FRONTIER, $ per 1M tokens)", "line"],
    ["#f59e0b", "mark", "dash"],
    ["#16a34a", "trade, taker buys (size ∝ area)", "dot"],
    ["#dc2626", "trade, taker sells", "dot"],
  ] as const;
  legend.forEach(([color, label, kind], i) => {
    const lx = M.left + 8 + i * 215;
    const ly = 18;
    parts.push(
      kind === "dot"
        ? `<circle cx="${lx + 8}" cy="${ly}" r="5" fill="${color}" fill-opacity="0.55" stroke="${color}"/>`
        : `<line x1="${lx}" x2="${lx + 16}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${kind === "dash" ? ' stroke-dasharray="5 3"' : ""}/>`,
      `<text x="${lx + 22}" y="${ly + 4}" class="axis">${escapeXml(label)}</text>`,
    );
  });

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" ` +
    `aria-label="${escapeXml(`${report.market.symbol}: index, mark and trades`)}">` +
    `<style>.axis{font:11px sans-serif;fill:#374151}.note{font:11px sans-serif}</style>` +
    parts.join("") +
    `</svg>`
  );
}

/** The chart page: inline SVG and a short summary; nothing is loaded from anywhere. */
export function chartHtml(report: DemoReport): string {
  const liq = report.liquidated
    .map((l) => `${escapeXml(l.role)} (${l.size} contracts taken over at $${price(l.mark).toFixed(4)})`)
    .join(", ");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeXml(report.market.symbol)} — demo</title>
<style>body{font-family:sans-serif;margin:24px;color:#111827}p{max-width:960px}</style>
</head>
<body>
<h1>${escapeXml(report.market.symbol)}: ${escapeXml(report.market.from)} → ${escapeXml(report.market.to)}</h1>
<p>${report.rounds} index rounds, ${report.trades} trades, ${report.liquidations} liquidation(s)${liq ? `: ${liq}` : ""}.
Settlement price $${price(report.settlementPrice).toFixed(4)}. Conservation ${report.conservation.holds ? "holds exactly" : "BROKEN"}.</p>
${chartSvg(report)}
</body>
</html>
`;
}

/** Writes `demo.json` and `demo-chart.html` into `outDir`; returns their paths. */
export function writeDemoReports(report: DemoReport, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const json = path.join(outDir, "demo.json");
  const html = path.join(outDir, "demo-chart.html");
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(html, chartHtml(report));
  return [json, html];
}
