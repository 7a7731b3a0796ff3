/**
 * `npm run bench:mark-walk`: what walking the mark costs and what it can pay, for the deployed (Arbitrum
 * One) parameters, counted over every account the walk can reach (docs/clearinghouse.md, "What a mark walk
 * costs"). Computed with the SDK's mirror of the contract's basis arithmetic (`nextBasisRate`,
 * `liveMarkDown`, equal to `MarginLogic` to the unit: test/ts/sdk/clearinghouseMath.test.ts); no chain.
 *
 * The cheapest walk: an attacker trades with itself, one fill of `basisDepth` contracts a second at the edge
 * of the price band. The mark's basis is fixed per second and the running basis stays within one
 * `maxBasisStep` of it (issue 12, item 8), so more fills in a second move it no further. Each fill pays maker
 * and taker fees on its notional; both positions are the attacker's, so nothing else is lost or gained.
 * What it can take: accounts whose margin ratio (equity / notional at the mark) is below
 * `mmr + d × (1 + mmr)` when the mark moved `d`: the liquidator's share of the penalty on each, plus `d` on
 * the notional it takes over if the mark then returns to the index. `breakEven` is the notional of such
 * accounts above which the walk pays; none is reachable from the initial margin when the clamp stops the
 * mark first.
 */
import { readFileSync } from "node:fs";

import { liveMarkDown, nextBasisRate, unitValueDown } from "../sdk/core/math/market.js";

const WAD = 10n ** 18n;
const DAY = 86_400n;

/** Index level of each deployed index (dollars), as docs/clearinghouse.md states them. */
const INDEX_LEVEL: Record<string, bigint> = {
  ATPI_FRONTIER: (103n * WAD) / 10n,
  ATPI_SMALL: (42n * WAD) / 100n,
  GPU_H100: (28n * WAD) / 10n,
};

interface Risk {
  imr: bigint;
  mmr: bigint;
  liquidationPenalty: bigint;
  priceBand: bigint;
  makerFee: bigint;
  takerFee: bigint;
  basisWeight: bigint;
  maxBasisRate: bigint;
  maxBasisStep: bigint;
  basisDepth: bigint;
}

const big = (v: string | number) => BigInt(String(v).replace(/n$/, ""));
const pct = (x: bigint) => `${(Number((x * 1_000_000n) / WAD) / 10_000).toFixed(2)} %`;
const usd = (x: bigint) => `${Math.round(Number(x / 10n ** 12n) / 1e6).toLocaleString("en-US")} $`;

const file = JSON.parse(
  readFileSync(new URL("../ignition/parameters/arbitrum.json", import.meta.url), "utf8"),
);
const liquidatorShare = big(file.Clearinghouse.liquidatorShare);

interface Row {
  market: string;
  days: number;
  clamp: string;
  perSecond: string;
  toImr: string;
  seconds: number | "never";
  fees: string;
  breakEvenReward: string;
  breakEvenWithDisplacement: string;
}

/** The walk up (the down walk is its mirror): fills, fees and the mark's distance from the index, per second. */
function walk(risk: Risk, index: bigint, contractSize: bigint, days: bigint, target: bigint) {
  const now = 0n;
  const expiry = days * DAY;
  let basis = 0n;
  let fees = 0n;
  for (let second = 1; second <= 120; second++) {
    const t = now + BigInt(second);
    const mark = liveMarkDown(index, basis, expiry, t);
    const price = mark + (mark * risk.priceBand) / WAD;
    const v = unitValueDown(price, contractSize);
    fees += (risk.basisDepth * v * (risk.makerFee + risk.takerFee)) / WAD;
    basis = nextBasisRate(risk, basis, basis, price, index, expiry, t, risk.basisDepth);
    const after = liveMarkDown(index, basis, expiry, t + 1n);
    const d = ((after - index) * WAD) / index;
    if (d >= target) return { seconds: second, fees, d };
    if (basis === risk.maxBasisRate) return { seconds: "never" as const, fees, d };
  }
  return { seconds: "never" as const, fees, d: 0n };
}

const rows: Row[] = [];
for (const [name, entry] of Object.entries(file) as [string, Record<string, unknown>][]) {
  if (!name.startsWith("Market_")) continue;
  const indexKey = Object.keys(INDEX_LEVEL).find((k) => name.includes(k));
  if (indexKey === undefined) continue;
  const r = entry.risk as Record<string, string | number>;
  const risk: Risk = {
    imr: big(r.imr),
    mmr: big(r.mmr),
    liquidationPenalty: big(r.liquidationPenalty),
    priceBand: big(r.priceBand),
    makerFee: big(r.makerFee),
    takerFee: big(r.takerFee),
    basisWeight: big(r.basisWeight),
    maxBasisRate: big(r.maxBasisRate),
    maxBasisStep: big(r.maxBasisStep),
    basisDepth: big(r.basisDepth),
  };
  const index = INDEX_LEVEL[indexKey];
  const contractSize = big(entry.contractSize as string);
  // the distance that takes a position held at initial margin to maintenance at an unchanged index
  const toImr = ((risk.imr - risk.mmr) * WAD) / (WAD + risk.mmr);
  for (const days of [30n, 90n, 180n, 270n]) {
    const w = walk(risk, index, contractSize, days, toImr);
    const clamp = (risk.maxBasisRate * ((days * DAY * WAD) / (365n * DAY))) / WAD;
    const perSecond = (risk.maxBasisStep * ((days * DAY * WAD) / (365n * DAY))) / WAD;
    const reward = (liquidatorShare * risk.liquidationPenalty) / WAD;
    rows.push({
      market: name.replace("Market_", ""),
      days: Number(days),
      clamp: pct(clamp),
      perSecond: pct(perSecond),
      toImr: pct(toImr),
      seconds: w.seconds,
      fees: w.seconds === "never" ? "—" : usd(w.fees),
      breakEvenReward: w.seconds === "never" ? "unreachable" : usd((w.fees * WAD) / reward),
      breakEvenWithDisplacement:
        w.seconds === "never" ? "unreachable" : usd((w.fees * WAD) / (reward + toImr)),
    });
  }
}
console.table(rows);
