/**
 * Trade: pick a market; its book depth and recent trades live over the relay's WebSocket; the order
 * ticket; orders staged by the hedge planner; the trader's position and open orders in this market.
 */
import { useState } from "react";
import { useAccount } from "wagmi";

import { BookTable } from "../components/BookTable.js";
import { Countdown } from "../components/Countdown.js";
import { MarketState } from "../components/MarketState.js";
import { OrderTicket } from "../components/OrderTicket.js";
import { TradesList } from "../components/TradesList.js";
import { useDrafts, type DraftOrder } from "../drafts.js";
import { useAccountState } from "../hooks/useAccountState.js";
import { useBook, useOrderEvents, useTrades } from "../hooks/useLive.js";
import { useMarkets } from "../hooks/useMarkets.js";
import { contracts, usdPrice } from "../lib/format.js";
import { href } from "../route.js";

export default function TradePage({ marketId }: { marketId: `0x${string}` | undefined }) {
  const markets = useMarkets();
  const { address } = useAccount();
  const account = useAccountState(address);
  useOrderEvents(address);
  const { drafts, setDrafts } = useDrafts();
  const [picked, setPicked] = useState<bigint>();
  const [draft, setDraft] = useState<DraftOrder>();
  const list = markets.data ?? [];
  const m =
    list.find((x) => x.id.toLowerCase() === marketId?.toLowerCase()) ??
    list.find((x) => x.status === "Trading") ??
    list[0];
  // the book and trades subscribe from the route at once, without waiting for the chain reads
  const liveId = marketId ?? m?.id;
  const { depth, error } = useBook(liveId);
  const trades = useTrades(liveId);
  if (markets.isError) return <p className="banner warn">Cannot read the markets: {String(markets.error)}</p>;
  if (m === undefined) {
    return (
      <div className="trade">
        <p className="muted">Loading the market from the chain…</p>
        <div className="columns">
          <section className="panel">
            <h2>Order book</h2>
            <BookTable depth={depth} onPick={() => undefined} />
          </section>
          <section className="panel">
            <h2>Recent trades</h2>
            <TradesList trades={trades} />
          </section>
        </div>
      </div>
    );
  }
  const position = account.data?.account.positionIn(m.id).size ?? 0n;
  const myOrders = (account.data?.openOrders ?? []).filter((o) => o.order.marketId.toLowerCase() === m.id);
  const staged = drafts.filter((d) => d.marketId.toLowerCase() === m.id);
  return (
    <div className="trade">
      <div className="market-bar">
        <select
          value={m.id}
          onChange={(e) =>
            (location.hash = href({ page: "trade", marketId: e.target.value as `0x${string}` }))
          }
          data-testid="market-select"
        >
          {list.map((x) => (
            <option key={x.id} value={x.id}>
              {x.symbol}
            </option>
          ))}
        </select>
        <span>
          Index <b data-testid="index">{m.index === undefined ? "stale" : usdPrice(m.index.value)}</b>
        </span>
        <span>
          Mark <b data-testid="mark">{usdPrice(m.mark)}</b>
        </span>
        <span>
          Expiry <Countdown target={m.market.params.expiry} chainNow={m.now} />
        </span>
        <MarketState m={m} />
      </div>
      <div className="columns">
        <section className="panel">
          <h2>Order book</h2>
          {error !== undefined && <p className="banner warn">{error}</p>}
          <BookTable depth={depth} onPick={setPicked} />
        </section>
        <section className="panel">
          <h2>Recent trades</h2>
          <TradesList trades={trades} />
        </section>
        <div>
          {drafts.length > 0 && (
            <section className="panel drafts" data-testid="drafts">
              <h2>Staged orders</h2>
              {drafts.map((d, i) => (
                <p key={i}>
                  {d.isBuy ? "Buy" : "Sell"} {contracts(d.size)} of{" "}
                  {list.find((x) => x.id === d.marketId)?.symbol} at {usdPrice(d.price)}{" "}
                  <span className="muted">({d.note})</span>{" "}
                  {d.marketId.toLowerCase() === m.id ? (
                    <button onClick={() => setDraft(d)}>Load</button>
                  ) : (
                    <a href={href({ page: "trade", marketId: d.marketId })}>Open market</a>
                  )}
                </p>
              ))}
              <button onClick={() => setDrafts([])}>Clear</button>
            </section>
          )}
          <OrderTicket
            m={m}
            state={account.data}
            allMarkets={list}
            pickedPrice={picked}
            draft={draft ?? staged[0]}
            onPlaced={() => {
              if (draft !== undefined) setDrafts(drafts.filter((d) => d !== draft));
              setDraft(undefined);
              void account.refetch();
            }}
          />
          {address !== undefined && (
            <section className="panel">
              <h2>You in this market</h2>
              <p data-testid="trade-position">Position: {contracts(position)}</p>
              <p data-testid="trade-open-orders" data-count={myOrders.length}>
                Open orders here: {myOrders.length} — manage them in{" "}
                <a href={href({ page: "portfolio" })}>Portfolio</a>
              </p>
            </section>
          )}
        </div>
      </div>
    </div>
  );
}
