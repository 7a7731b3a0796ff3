/**
 * Hedge: a company spending on AI tokens (or GPU-hours) enters its monthly usage, in units or in dollars
 * at today's index, and a horizon; the planner shows the strip of futures across the listed expiries that
 * locks the price, the margin it needs, and what the hedge pays if the index moves ±50 %. One click
 * stages the orders in the ticket.
 */
import { useMemo, useState } from "react";

import { useDrafts } from "../drafts.js";
import { useMarkets } from "../hooks/useMarkets.js";
import {
  collateralUsd,
  contracts,
  formatFixed,
  parseFixed,
  percent,
  usdAmount,
  usdPrice,
  utc,
} from "../lib/format.js";
import { planHedge } from "../lib/hedge.js";
import { useProtocol } from "../protocol.js";
import { href } from "../route.js";

const WAD = 10n ** 18n;

export default function HedgePage() {
  const { collateral } = useProtocol();
  const markets = useMarkets();
  const { setDrafts } = useDrafts();
  const [indexId, setIndexId] = useState<string>();
  const [mode, setMode] = useState<"units" | "usd">("units");
  const [amountText, setAmountText] = useState("5000");
  const [monthsText, setMonthsText] = useState("6");

  const list = markets.data ?? [];
  const indexes = [...new Map(list.map((m) => [m.market.params.indexId, m.info])).entries()];
  const chosen = indexId ?? indexes[0]?.[0];
  const legsIn = list.filter(
    (m) => m.market.params.indexId === chosen && m.status === "Trading" && m.mark !== undefined,
  );
  const info = legsIn[0]?.info ?? list.find((m) => m.market.params.indexId === chosen)?.info;
  const indexValue = legsIn[0]?.index?.value;
  const amount = parseFixed(amountText, 18);
  const months = /^\d{1,2}$/.test(monthsText) ? Number(monthsText) : undefined;
  const unitsPerMonth =
    amount === undefined
      ? undefined
      : mode === "units"
        ? amount
        : indexValue === undefined || indexValue === 0n
          ? undefined
          : (amount * WAD) / indexValue;

  const plan = useMemo(() => {
    if (
      unitsPerMonth === undefined ||
      unitsPerMonth === 0n ||
      months === undefined ||
      months < 1 ||
      legsIn.length === 0
    )
      return undefined;
    return planHedge({
      unitsPerMonth,
      months,
      now: legsIn[0].now,
      markets: legsIn.map((m) => ({ market: m.market, mark: m.mark!, bestAsk: m.bestAsk })),
      scale: collateral.scale,
    });
  }, [unitsPerMonth, months, legsIn, collateral.scale]);

  if (markets.data === undefined) return <p className="muted">Loading markets…</p>;
  return (
    <div className="hedge">
      <section className="panel">
        <h2>Lock the price of your AI spend</h2>
        <p className="small">
          Buying futures fixes today&apos;s futures price for usage you will pay for later: if the index
          rises, your spend rises and the futures gain as much; if it falls, you spend less and the futures
          lose as much.
        </p>
        <label>
          Index
          <select value={chosen} onChange={(e) => setIndexId(e.target.value)} data-testid="hedge-index">
            {indexes.map(([id, i]) => (
              <option key={id} value={id}>
                {i.name} ({i.unit})
              </option>
            ))}
          </select>
        </label>
        <div className="sides">
          <button className={mode === "units" ? "active" : ""} onClick={() => setMode("units")}>
            Usage per month
          </button>
          <button className={mode === "usd" ? "active" : ""} onClick={() => setMode("usd")}>
            Dollars per month
          </button>
        </div>
        <label>
          {mode === "units"
            ? `Monthly usage (in ${info?.quantity ?? "index units"})`
            : "Monthly budget (USD at today's index)"}
          <input
            name="budget"
            inputMode="decimal"
            value={amountText}
            onChange={(e) => setAmountText(e.target.value)}
          />
        </label>
        <label>
          Horizon (months)
          <input
            name="months"
            inputMode="numeric"
            value={monthsText}
            onChange={(e) => setMonthsText(e.target.value)}
          />
        </label>
        {mode === "usd" && unitsPerMonth !== undefined && (
          <p className="small muted">
            = {formatFixed(unitsPerMonth, 18, 2)} × {info?.quantity} per month at the index{" "}
            {usdPrice(indexValue)}.
          </p>
        )}
        {legsIn.length === 0 && (
          <p className="banner warn">
            No trading market with a fresh index on this index: nothing to hedge with now.
          </p>
        )}
      </section>
      {plan !== undefined && (
        <section className="panel" data-testid="hedge-plan">
          <h2>The strip</h2>
          <table className="grid">
            <thead>
              <tr>
                <th>Future</th>
                <th>Expiry</th>
                <th>Covers months</th>
                <th>Buy</th>
                <th>Limit price</th>
              </tr>
            </thead>
            <tbody>
              {plan.legs.map((l) => (
                <tr key={l.market.id}>
                  <td>{list.find((m) => m.id === l.market.id)?.symbol}</td>
                  <td>{utc(l.market.params.expiry)}</td>
                  <td>{l.months.join(", ")}</td>
                  <td>{contracts(l.size)}</td>
                  <td>{usdPrice(l.price)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <dl>
            <dt>Price locked for the hedged usage</dt>
            <dd>{usdAmount(plan.lockedCost)}</dd>
            <dt>Initial margin needed</dt>
            <dd data-field="hedge-margin">{collateralUsd(plan.margin, collateral.decimals)}</dd>
            <dt>Fees (taker)</dt>
            <dd>{collateralUsd(plan.fees, collateral.decimals)}</dd>
            <dt>Left unhedged by whole contracts</dt>
            <dd>
              {formatFixed(plan.residualUnits, 18, 2)} × {info?.quantity}
            </dd>
          </dl>
          <h3>If the index moves</h3>
          <table className="grid" data-testid="hedge-scenarios">
            <thead>
              <tr>
                <th>Index move</th>
                <th>Your spend changes by</th>
                <th>The hedge pays</th>
                <th>Net</th>
              </tr>
            </thead>
            <tbody>
              {plan.scenarios.map((s) => (
                <tr key={s.move.toString()}>
                  <td>
                    {s.move > 0n ? "+" : ""}
                    {percent(s.move, 0)}
                  </td>
                  <td>{usdAmount(s.extraSpend, true)}</td>
                  <td>{usdAmount(s.hedgePnl, true)}</td>
                  <td>{usdAmount(s.hedgePnl - s.extraSpend, true)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <button
            data-testid="hedge-stage"
            onClick={() => {
              setDrafts(
                plan.legs.map((l) => ({
                  marketId: l.market.id,
                  isBuy: true,
                  size: l.size,
                  price: l.price,
                  flags: 0,
                  note: `hedge, months ${l.months.join(", ")}`,
                })),
              );
              location.hash = href({ page: "trade", marketId: plan.legs[0].market.id });
            }}
          >
            Put these {plan.legs.length} orders in the ticket
          </button>
        </section>
      )}
    </div>
  );
}
