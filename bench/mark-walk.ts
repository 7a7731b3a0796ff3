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
 *
 * Liquidation also needs the account below maintenance at the liquidation mark, whose basis is the mark's
 * averaged over `LIQUIDATION_BASIS_WINDOW` (30 minutes; `averageBasisAt`, equal to `MarginLogic.averageBasis`).
 * So the walk must then hold the mark until the average has followed: `hold` is how long, for the walk that
 * costs least (it walks a little past `d` and holds about the whole window) and for the fastest (to the
 * clamp, then `window × d / clamp`). Nobody else trading, holding costs nothing, so the break-even figures
 * are those of the walk alone; what the window adds is time: every second of walk and hold, anyone (the
 * accounts at risk, a market maker) can trade the mark back at the walk's own cost per second, or add margin.
 *
 * Liquidation also needs the account below maintenance at the index values (no basis; `MarginLogic.
 * liquidationHealth`), so the walk in fact liquidates no account that the index leaves above maintenance,
 * however long it holds: what it can take is 0 and every walk below costs its fees for nothing. The
 * break-even columns are what the per-second basis and the averaged basis alone would allow (the bound
 * before the index rule), printed to show what that rule removes.
 */
import { readFileSync } from "node:fs";

import {
  LIQUIDATION_BASIS_WINDOW,
  averageBasisAt,
  liveMarkDown,
  nextBasisRate,
  unitValueDown,
} from "../sdk/core/math/market.js";

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
  /** The walk that costs least: seconds of walk and of hold until accounts at initial margin are liquidatable. */
  cheapest: string;
  fees: string;
  /** The fastest: walk to the clamp, then hold. */
  fastest: string;
  breakEvenReward: string;
  breakEvenWithDisplacement: string;
}

/** Walk and hold of one plan: fills, fees, seconds of walk and of hold until the liquidation mark is `target` away. */
interface Plan {
  seconds: number;
  hold: number;
  fees: bigint;
}

/**
 * The walk up (the down walk is its mirror), one full-depth fill a second at the band's top, stopping after
 * `stopAfter` seconds (or at the clamp), then held with no trade until the liquidation mark is `target` above
 * the index; undefined when the liquidation mark never gets there within the window after the walk.
 */
function walk(
  risk: Risk,
  index: bigint,
  contractSize: bigint,
  days: bigint,
  target: bigint,
  stopAfter: number,
): Plan | undefined {
  const expiry = days * DAY;
  const state = { expiry, basisRate: 0n, finalPrice: 0n, markBasisTime: 0n, averageBasis: 0n };
  let fees = 0n;
  let second = 1;
  for (; second <= stopAfter; second++) {
    const t = BigInt(second);
    // the second's first trade brings the average up to the second and fixes the mark basis
    state.averageBasis = averageBasisAt(state, t);
    state.markBasisTime = t;
    const mark = liveMarkDown(index, state.basisRate, expiry, t);
    const price = mark + (mark * risk.priceBand) / WAD;
    fees += (risk.basisDepth * unitValueDown(price, contractSize) * (risk.makerFee + risk.takerFee)) / WAD;
    const basis = nextBasisRate(
      risk,
      state.basisRate,
      state.basisRate,
      price,
      index,
      expiry,
      t,
      risk.basisDepth,
    );
    const atClamp = basis === state.basisRate && basis === risk.maxBasisRate;
    state.basisRate = basis;
    if (atClamp) break;
  }
  const end = BigInt(Math.min(second, stopAfter));
  for (let hold = 1n; hold <= LIQUIDATION_BASIS_WINDOW + 1n; hold++) {
    const t = end + hold;
    const liquidationMark = liveMarkDown(index, averageBasisAt(state, t), expiry, t);
    if (((liquidationMark - index) * WAD) / index >= target) {
      return { seconds: Number(end), hold: Number(hold), fees };
    }
  }
  return undefined;
}

/** The plan that costs least and the fastest one (walk to the clamp), or undefined when none reaches `target`. */
function plans(risk: Risk, index: bigint, contractSize: bigint, days: bigint, target: bigint) {
  const all: Plan[] = [];
  for (let stop = 1; stop <= 120; stop++) {
    const p = walk(risk, index, contractSize, days, target, stop);
    if (p !== undefined) all.push(p);
  }
  if (all.length === 0) return undefined;
  const cheapest = all.reduce((a, b) => (b.fees < a.fees ? b : a));
  const fastest = all.reduce((a, b) => (b.seconds + b.hold < a.seconds + a.hold ? b : a));
  return { cheapest, fastest };
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
    const p = plans(risk, index, contractSize, days, toImr);
    const clamp = (risk.maxBasisRate * ((days * DAY * WAD) / (365n * DAY))) / WAD;
    const perSecond = (risk.maxBasisStep * ((days * DAY * WAD) / (365n * DAY))) / WAD;
    const reward = (liquidatorShare * risk.liquidationPenalty) / WAD;
    const time = (x: Plan) => `${x.seconds} s + ${x.hold} s held`;
    rows.push({
      market: name.replace("Market_", ""),
      days: Number(days),
      clamp: pct(clamp),
      perSecond: pct(perSecond),
      toImr: pct(toImr),
      cheapest: p === undefined ? "never" : time(p.cheapest),
      fees: p === undefined ? "—" : usd(p.cheapest.fees),
      fastest: p === undefined ? "never" : `${time(p.fastest)}, ${usd(p.fastest.fees)}`,
      breakEvenReward: p === undefined ? "unreachable" : usd((p.cheapest.fees * WAD) / reward),
      breakEvenWithDisplacement:
        p === undefined ? "unreachable" : usd((p.cheapest.fees * WAD) / (reward + toImr)),
    });
  }
}
console.table(rows);
console.log(
  "With the index rule a walk of the basis liquidates no account above maintenance at the index: it takes 0 " +
    "and pays the fees above; the break-even columns are the bound without that rule.",
);
