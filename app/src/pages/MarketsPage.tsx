/**
 * Markets: every market with its index, mark, basis, open interest, expiry countdown and state; the
 * selected index's oracle rounds as a chart, its methodology (checked against the market's
 * `methodologyHash`) and each round's `inputsHash`, so a trader can check what the price is made of.
 */
import { useState } from "react";

import { Countdown } from "../components/Countdown.js";
import { IndexChart } from "../components/IndexChart.js";
import { MarketState } from "../components/MarketState.js";
import { useIndexRounds } from "../hooks/useLive.js";
import { useMarkets, type MarketView } from "../hooks/useMarkets.js";
import { contracts, percent, usdAmount, usdPrice, utc } from "../lib/format.js";
import { href } from "../route.js";

function basisOf(m: MarketView): string {
  if (m.mark === undefined || m.index === undefined) return "—";
  const diff = m.mark - m.index.value;
  return `${usdPrice(diff < 0n ? -diff : diff)}${diff < 0n ? " below" : " above"} (${percent(m.market.state.basisRate)} / yr)`;
}

function IndexPanel({ m }: { m: MarketView }) {
  const rounds = useIndexRounds(m.market.params.indexId);
  const hashOk = m.info.methodologyHash?.toLowerCase() === m.market.params.methodologyHash.toLowerCase();
  return (
    <section className="panel" data-testid="index-panel">
      <h2>
        {m.info.name} <span className="muted">({m.info.unit})</span>
      </h2>
      <IndexChart rounds={rounds.data ?? []} />
      <p>{m.info.summary}</p>
      <p className="small">
        Methodology hash in the market: <code>{m.market.params.methodologyHash}</code>{" "}
        {hashOk ? (
          <span className="ok">matches the published v{m.info.spec?.version} rules</span>
        ) : (
          <span className="bad">does not match the rules this app ships</span>
        )}
      </p>
      <h3>Latest rounds</h3>
      <table className="rounds">
        <thead>
          <tr>
            <th>Round</th>
            <th>Value</th>
            <th>Observed</th>
            <th>inputsHash (keccak256 of the canonical inputs)</th>
          </tr>
        </thead>
        <tbody>
          {(rounds.data ?? []).slice(0, 8).map((r) => (
            <tr key={r.roundId}>
              <td>{r.roundId}</td>
              <td>{usdPrice(r.value)}</td>
              <td>{utc(r.observedAt)}</td>
              <td>
                <code className="hash">{r.inputsHash}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export default function MarketsPage() {
  const markets = useMarkets();
  const [selected, setSelected] = useState<string>();
  if (markets.isError)
    return <p className="banner warn">Cannot read the markets from the chain: {String(markets.error)}</p>;
  if (markets.data === undefined) return <p className="muted">Loading markets…</p>;
  const current = markets.data.find((m) => m.id === selected) ?? markets.data[0];
  return (
    <div className="markets">
      <table className="grid" data-testid="markets">
        <thead>
          <tr>
            <th>Market</th>
            <th>Index</th>
            <th>Mark</th>
            <th>Basis</th>
            <th>Open interest</th>
            <th>Expiry</th>
            <th>State</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {markets.data.map((m) => (
            <tr
              key={m.id}
              className={m.id === current?.id ? "selected" : ""}
              onClick={() => setSelected(m.id)}
              data-market={m.symbol}
            >
              <td>{m.symbol}</td>
              <td>{m.index === undefined ? <span className="bad">stale</span> : usdPrice(m.index.value)}</td>
              <td>{usdPrice(m.mark)}</td>
              <td>{basisOf(m)}</td>
              <td>
                {contracts(m.market.state.openInterest)}
                {m.mark !== undefined && (
                  <span className="muted">
                    {" "}
                    ({usdAmount(m.market.state.openInterest * m.market.unitValueAt(m.mark))})
                  </span>
                )}
              </td>
              <td>
                <Countdown target={m.market.params.expiry} chainNow={m.now} />
              </td>
              <td>
                <MarketState m={m} />
              </td>
              <td>
                <a href={href({ page: "trade", marketId: m.id })}>Trade</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {current !== undefined && <IndexPanel m={current} />}
    </div>
  );
}
