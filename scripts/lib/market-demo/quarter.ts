/**
 * The quarter: each scheduled day an index round, the liquidator's watch, and that day's trading.
 */
import type { IsoDate } from "../../../index/index.js";
import { startOfDay } from "../../../index/index.js";
import { OrderFlags } from "../../../sdk/core/eip712/orders.js";
import { formatUsd } from "../oracle-demo.js";
import { moveTo, place, positionOf, roleOf, runMatcher, type DemoContext } from "./context.js";
import {
  DEMO_QUARTER,
  HOUR,
  TICK,
  dayDiff,
  formatUnits6,
  type DemoReport,
  type PricePoint,
} from "./terms.js";

/** What the quarter of trading leaves for the report. */
export interface Quarter {
  readonly prices: PricePoint[];
  readonly liquidationTimes: number[];
  readonly liquidated: DemoReport["liquidated"];
  rounds: number;
  lastIndex: bigint;
}

/** Each scheduled day: an index round, the liquidator's watch, then that day's trading. */
export async function tradeTheQuarter(demo: DemoContext): Promise<Quarter> {
  const quarter: Quarter = { prices: [], liquidationTimes: [], liquidated: [], rounds: 0, lastIndex: 0n };
  for (const [i, date] of demo.chain.days.entries()) {
    const index = await indexRound(demo, quarter, date);
    await liquidateAndClose(demo, quarter, index);
    await tradeTheDay(demo, i, dayDiff(DEMO_QUARTER.from, date), index);
    await sample(demo, quarter);
  }
  return quarter;
}

/** The reporters sign `date`'s index and the relayer submits the round; returns the new index. */
async function indexRound(demo: DemoContext, quarter: Quarter, date: IsoDate): Promise<bigint> {
  const { reporters, relayer } = demo.keepers;
  await moveTo(demo, startOfDay(date) + HOUR);
  for (const r of reporters) await r.tick();
  relayer.lastResult = undefined;
  await relayer.tick();
  demo.record.countResult("submit", relayer.lastResult);
  quarter.rounds += 1;
  const { index } = await sample(demo, quarter);
  const { lastIndex } = quarter;
  if (lastIndex === 0n || index !== lastIndex) {
    const move = lastIndex === 0n ? "" : ` (${pct(index, lastIndex)})`;
    demo.record.event(
      BigInt(await demo.connection.networkHelpers.time.latest()),
      `round ${date}: ATPI-FRONTIER = $${formatUsd(index)}${move}`,
    );
  }
  quarter.lastIndex = index;
  return index;
}

/** Records the index and the mark now. */
async function sample(demo: DemoContext, quarter: Quarter): Promise<{ index: bigint; mark: bigint }> {
  const { oracle, ch } = demo.chain.contracts;
  const t = await demo.connection.networkHelpers.time.latest();
  const [index] = await oracle.read.latest([demo.chain.indexId]);
  const mark = await ch.read.markPrice([demo.chain.marketId]);
  quarter.prices.push({ t, index: index.toString(), mark: mark.toString() });
  return { index, mark };
}

/**
 * The liquidator watches every round; each account it liquidates then closes what is left of its position
 * with a reduce-only order against market maker A's quote.
 */
async function liquidateAndClose(demo: DemoContext, quarter: Quarter, index: bigint): Promise<void> {
  const { liquidator } = demo.keepers;
  const { time } = demo.connection.networkHelpers;
  const beforeLiq = liquidator.results.length;
  await liquidator.tick();
  for (const { action, result } of liquidator.results.slice(beforeLiq)) {
    demo.record.countResult(action.type, result);
    if (action.type !== "liquidate") continue;
    const role = roleOf(demo, action.account)!;
    const t = await time.latest();
    quarter.liquidationTimes.push(t);
    quarter.liquidated.push({
      account: action.account,
      role,
      size: Number(action.size),
      mark: action.mark.toString(),
      reward: action.reward.toString(),
      t,
    });
    demo.record.event(
      t,
      `liquidation: ${role} under maintenance margin; the liquidator keeper took over ${action.size} ` +
        `contracts at mark $${formatUsd(action.mark)}, reward ${formatUnits6(action.reward)} mUSDC`,
    );
    const left = await positionOf(demo, role);
    if (left !== 0n) {
      const size = left < 0n ? -left : left;
      const buy = left < 0n;
      await place(demo, "marketMakerA", !buy, size, quote(index, buy ? 30n : -30n), OrderFlags.PostOnly);
      await place(
        demo,
        role,
        buy,
        size,
        quote(index, buy ? 60n : -60n),
        OrderFlags.ReduceOnly | OrderFlags.ImmediateOrCancel,
      );
      await runMatcher(demo);
      demo.record.event(
        await time.latest(),
        `${role} closes its remaining ${size} contracts (reduce-only, matched)`,
      );
    }
  }
}

/** Trading: the opening day (`i` 0), then once a week until expiry. */
async function tradeTheDay(demo: DemoContext, i: number, dayIndex: number, index: bigint): Promise<void> {
  if (i === 0) {
    // market maker B quotes tight and short-biased with thin margin: the account that will be liquidated
    await place(demo, "marketMakerA", true, 25n, quote(index, -40n), OrderFlags.PostOnly);
    await place(demo, "marketMakerA", false, 15n, quote(index, 40n), OrderFlags.PostOnly);
    await place(demo, "marketMakerB", true, 5n, quote(index, -20n), OrderFlags.PostOnly);
    await place(demo, "marketMakerB", false, 25n, quote(index, 10n), OrderFlags.PostOnly);
    await place(demo, "hedger", true, 40n, quote(index, 50n), OrderFlags.ImmediateOrCancel);
    await place(demo, "provider", false, 30n, quote(index, -50n), OrderFlags.ImmediateOrCancel);
    await runMatcher(demo);
    demo.record.event(
      await demo.connection.networkHelpers.time.latest(),
      "trading opens: hedger buys 40, provider sells 30; market maker B ends short 20 on $40,000 (≈5× leverage)",
    );
  } else if (dayIndex % 7 === 0) {
    const week = BigInt(dayIndex / 7);
    await place(demo, "marketMakerA", true, 6n, quote(index, -30n), OrderFlags.PostOnly);
    await place(demo, "marketMakerA", false, 6n, quote(index, 30n), OrderFlags.PostOnly);
    if (week % 2n === 1n)
      await place(demo, "hedger", true, 2n + (week % 4n), quote(index, 50n), OrderFlags.ImmediateOrCancel);
    else
      await place(
        demo,
        "provider",
        false,
        2n + ((week + 1n) % 4n),
        quote(index, -50n),
        OrderFlags.ImmediateOrCancel,
      );
    await runMatcher(demo);
  }
}

/** `price × (1 + bps / 10 000)`, rounded down to the tick. */
function quote(price: bigint, bps: bigint): bigint {
  const p = (price * (10_000n + bps)) / 10_000n;
  return p - (p % TICK);
}

/** `+16.12 %` */
function pct(value: bigint, previous: bigint): string {
  const bp = Number(((value - previous) * 10_000n) / previous) / 100;
  return `${bp >= 0 ? "+" : ""}${bp.toFixed(2)} %`;
}
