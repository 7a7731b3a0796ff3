/**
 * Portfolio: collateral in the wallet and in the Clearinghouse, equity, free collateral and a health bar;
 * positions with entry, mark, unrealised PnL and liquidation price; open orders with cancel (signed to the
 * relay) and cancel-all on chain (`cancelUpTo`); deposit (EIP-2612 permit when the token supports it, else
 * approve), withdraw, settle and claim after expiry; the history of fills, fees, liquidations,
 * settlements and claims. Valuation is the SDK's (`Account.health`, `freeCollateral`, `liquidationPrice`).
 */
import { useState } from "react";
import type { Hash } from "viem";
import { useAccount, useWalletClient } from "wagmi";

import { relayCancelMessage, type RelayOrder } from "../../../sdk/relay/client.js";
import type { MarketId } from "../../../sdk/core/ids.js";
import { unitValueDown } from "../../../sdk/core/math/market.js";
import { unrealizedPnl } from "../../../sdk/core/math/position.js";
import { abs, toWad } from "../../../sdk/core/math/wad.js";
import { cancelUpTo } from "../../../sdk/viem/exchange/cancelUpTo.js";
import { deposit } from "../../../sdk/viem/clearinghouse/deposit.js";
import { settle } from "../../../sdk/viem/clearinghouse/settle.js";
import { withdraw } from "../../../sdk/viem/clearinghouse/withdraw.js";
import { TxStatus } from "../components/TxStatus.js";
import { useAccountState, type AccountState } from "../hooks/useAccountState.js";
import { useOrderEvents } from "../hooks/useLive.js";
import { useMarkets, type MarketView } from "../hooks/useMarkets.js";
import { useTx } from "../hooks/useTx.js";
import { collateralUsd, contracts, parseFixed, percent, usdAmount, usdPrice, utc } from "../lib/format.js";
import { describeEvent } from "../lib/history.js";
import { describeErrorInWords } from "../lib/reasons.js";
import { useProtocol } from "../protocol.js";

const WAD = 10n ** 18n;

function HealthBar({ equity, maintenance }: { equity: bigint; maintenance: bigint }) {
  const ratio = maintenance === 0n ? 0n : equity <= 0n ? WAD : (maintenance * WAD) / equity;
  const pct = Math.min(100, Number((ratio * 100n) / WAD));
  const level = pct >= 80 ? "danger" : pct >= 50 ? "warn" : "ok";
  return (
    <div className="health" data-testid="health" data-ratio={pct}>
      <div className={`fill ${level}`} style={{ width: `${Math.max(pct, 1)}%` }} />
      <span>
        Maintenance margin is {maintenance === 0n ? "0 %" : percent(ratio, 1)} of equity (liquidation at 100
        %)
      </span>
    </div>
  );
}

function Summary({ s }: { s: AccountState }) {
  const { collateral } = useProtocol();
  let health: ReturnType<typeof s.account.health> | undefined;
  let free: bigint | undefined;
  try {
    health = s.account.health(s.marks);
    free = s.account.freeCollateral(s.marks);
  } catch {
    // a position's market has no mark (stale index): shown below
  }
  return (
    <section className="panel summary" data-testid="summary">
      <dl>
        <dt>Wallet</dt>
        <dd data-field="wallet">{collateralUsd(s.walletBalance, collateral.decimals)}</dd>
        <dt>Collateral deposited</dt>
        <dd data-field="balance">{collateralUsd(s.account.balance, collateral.decimals)}</dd>
        <dt>Equity</dt>
        <dd data-field="equity">{usdAmount(health?.equity)}</dd>
        <dt>Free collateral</dt>
        <dd data-field="free">{collateralUsd(free, collateral.decimals)}</dd>
        <dt>Initial / maintenance margin</dt>
        <dd>
          {usdAmount(health?.initialMargin)} / {usdAmount(health?.maintenanceMargin)}
        </dd>
      </dl>
      {health !== undefined ? (
        <HealthBar equity={health.equity} maintenance={health.maintenanceMargin} />
      ) : (
        <p className="banner warn">
          A market you hold has a stale oracle: equity cannot be valued until a new round.
        </p>
      )}
    </section>
  );
}

function Funds({ s }: { s: AccountState }) {
  const { config, collateral } = useProtocol();
  const { data: wallet } = useWalletClient();
  const tx = useTx();
  const [amount, setAmount] = useState("1000");
  const units = parseFixed(amount, collateral.decimals);
  const go = (kind: "deposit" | "withdraw") => {
    if (wallet === undefined || units === undefined) return;
    void tx.run(kind === "deposit" ? "Deposit" : "Withdraw", async () => {
      if (kind === "withdraw")
        return (await withdraw(wallet, { address: config.addressBook.clearinghouse, amount: units })).hash;
      const r = await deposit(wallet, {
        address: config.addressBook.clearinghouse,
        amount: units,
        collateral: collateral.address,
        permit: "auto",
      });
      return r.hash as Hash;
    });
  };
  return (
    <section className="panel funds" data-testid="funds">
      <h2>Deposit and withdraw</h2>
      <label>
        Amount in dollars (paid in {collateral.symbol})
        <input name="amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
      </label>
      <button
        disabled={wallet === undefined || units === undefined || tx.state.status === "wallet"}
        onClick={() => go("deposit")}
      >
        Deposit
      </button>
      <button
        disabled={wallet === undefined || units === undefined || tx.state.status === "wallet"}
        onClick={() => go("withdraw")}
      >
        Withdraw
      </button>
      {s.account.balance < 0n ? (
        <p className="banner warn" data-testid="debt">
          This account owes {collateralUsd(-s.account.balance, collateral.decimals)} to the insurance fund,
          which lent it a loss beyond its balance: a deposit (and any claim or gain) repays that first, and
          only the rest becomes collateral.
        </p>
      ) : null}
      <p className="small muted">
        Deposits sign an EIP-2612 permit and deposit in one transaction when the token supports it and the
        wallet is not a contract (a smart-contract wallet cannot sign a permit), else approve first. Allowance
        now: {collateralUsd(s.allowance, collateral.decimals)}.
      </p>
      <TxStatus state={tx.state} />
    </section>
  );
}

function Positions({ s, markets }: { s: AccountState; markets: MarketView[] }) {
  const { config } = useProtocol();
  const { address } = useAccount();
  const { data: wallet } = useWalletClient();
  const tx = useTx();
  const byId = new Map(markets.map((m) => [m.id, m]));
  const doSettle = (marketId: `0x${string}`, label: string) => {
    if (wallet === undefined || address === undefined) return;
    void tx.run(
      label,
      async () =>
        (
          await settle(wallet, {
            address: config.addressBook.clearinghouse,
            account: address,
            marketId: marketId as MarketId,
          })
        ).hash,
    );
  };
  const rows = [...s.account.positions.entries()];
  return (
    <section className="panel" data-testid="positions">
      <h2>Positions</h2>
      {rows.length === 0 && s.claims.length === 0 && <p className="muted">No positions.</p>}
      {rows.length > 0 && (
        <table className="grid">
          <thead>
            <tr>
              <th>Market</th>
              <th>Size</th>
              <th>Entry</th>
              <th>Mark</th>
              <th>Unrealised PnL</th>
              <th>Liquidation price</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map(([id, p]) => {
              const m = byId.get(id);
              const mark = s.marks.get(id)?.mark;
              const cs = m?.market.params.contractSize ?? WAD;
              const entry = p.size === 0n ? 0n : (abs(p.openNotional) * WAD) / (abs(p.size) * cs);
              const pnl = mark === undefined ? undefined : unrealizedPnl(p, unitValueDown(mark, cs));
              let liq: bigint | undefined;
              try {
                liq = s.account.liquidationPrice(id, s.marks);
              } catch {
                liq = undefined;
              }
              return (
                <tr key={id} data-market={m?.symbol}>
                  <td>{m?.symbol ?? id}</td>
                  <td className={p.size > 0n ? "long" : "short"} data-field="size">
                    {p.size > 0n ? "long " : "short "}
                    {contracts(abs(p.size))}
                  </td>
                  <td>{usdPrice(entry)}</td>
                  <td>{usdPrice(mark)}</td>
                  <td className={pnl !== undefined && pnl < 0n ? "bad" : "ok"}>{usdAmount(pnl, true)}</td>
                  <td data-field="liquidation">
                    {liq === undefined ? "—" : liq === 0n ? "none" : usdPrice(liq)}
                  </td>
                  <td>
                    {m?.status === "Settled" && (
                      <button onClick={() => doSettle(id, `Settle ${m.symbol}`)} data-testid="settle">
                        Settle at {usdPrice(m.market.settlement.finalPrice)}
                      </button>
                    )}
                    {m !== undefined && m.status !== "Trading" && m.status !== "Settled" && (
                      <span className="muted">{m.status.toLowerCase()}: final price not set yet</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {s.claims.map((c) => {
        const m = byId.get(c.marketId.toLowerCase() as MarketId);
        const payable = m !== undefined && m.market.state.openPositions === 0n;
        return (
          <p key={c.marketId} data-testid="claim">
            Settlement claim in {m?.symbol}: {usdAmount(toWad(c.amount, s.account.scale))}.{" "}
            {payable ? (
              <button onClick={() => doSettle(c.marketId, `Claim ${m?.symbol}`)}>Claim</button>
            ) : (
              <span className="muted">
                Paid once every position of the market is settled ({String(m?.market.state.openPositions)}{" "}
                open).
              </span>
            )}
          </p>
        );
      })}
      <TxStatus state={tx.state} />
    </section>
  );
}

function OpenOrders({ s, markets }: { s: AccountState; markets: MarketView[] }) {
  const { relay, config } = useProtocol();
  const { data: wallet } = useWalletClient();
  const tx = useTx();
  const [cancelState, setCancelState] = useState<string>();
  const symbol = (o: RelayOrder) =>
    markets.find((m) => m.id === o.order.marketId.toLowerCase())?.symbol ?? o.order.marketId;
  const cancelOne = async (o: RelayOrder) => {
    if (wallet === undefined) return;
    setCancelState(`Cancelling ${o.hash.slice(0, 10)}…: sign the cancel message in your wallet`);
    try {
      const signature = await wallet.signMessage({ message: relayCancelMessage(o.hash) });
      const r = await relay.cancelOrder(o.hash, signature);
      setCancelState(`Order ${o.hash.slice(0, 10)}… ${r.state}.`);
    } catch (err) {
      setCancelState(`Cancel failed: ${(await describeErrorInWords(err)).words}`);
    }
  };
  const maxNonce = s.openOrders.reduce((mx, o) => (o.order.nonce > mx ? o.order.nonce : mx), -1n);
  return (
    <section className="panel" data-testid="orders">
      <h2>Open orders</h2>
      {s.openOrders.length === 0 ? (
        <p className="muted">No open orders.</p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th>Market</th>
              <th>Side</th>
              <th>Price</th>
              <th>Filled / size</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {s.openOrders.map((o) => (
              <tr key={o.hash} data-order={o.hash}>
                <td>{symbol(o)}</td>
                <td className={o.order.isBuy ? "long" : "short"}>{o.order.isBuy ? "buy" : "sell"}</td>
                <td>{usdPrice(o.order.limitPrice)}</td>
                <td>
                  {o.filled.toString()} / {o.order.size.toString()}
                </td>
                <td>{o.state.replace("_", " ")}</td>
                <td>
                  <button onClick={() => void cancelOne(o)} data-testid="cancel">
                    Cancel
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button
        disabled={wallet === undefined || (maxNonce < 0n && s.openOrders.length === 0)}
        onClick={() =>
          wallet !== undefined &&
          void tx.run("Cancel all (cancelUpTo)", async () => {
            const newMin = maxNonce >= s.nextNonce ? maxNonce + 1n : s.nextNonce;
            return (await cancelUpTo(wallet, { address: config.addressBook.exchange, newMinNonce: newMin }))
              .hash;
          })
        }
        data-testid="cancel-all"
      >
        Cancel all on chain (cancelUpTo)
      </button>
      {cancelState !== undefined && <p className="tx">{cancelState}</p>}
      <TxStatus state={tx.state} />
    </section>
  );
}

function History({ s, markets }: { s: AccountState; markets: MarketView[] }) {
  const { collateral } = useProtocol();
  const { address } = useAccount();
  const byId = new Map(markets.map((m) => [m.id, m]));
  type Row = { key: string; ts: number; block: number; kind: string; market: string; detail: string };
  const rows: Row[] = [];
  for (const f of s.history.fills) {
    const m = byId.get(f.marketId.toLowerCase() as MarketId);
    const taker = f.taker.toLowerCase() === address?.toLowerCase();
    const isBuy = taker ? f.takerIsBuy : !f.takerIsBuy;
    const fee = m?.market.feeFor(f.size, f.price, taker ? "taker" : "maker", collateral.scale);
    rows.push({
      key: `${f.tx}:${f.logIndex}`,
      ts: f.ts,
      block: f.block,
      kind: "fill",
      market: m?.symbol ?? f.marketId,
      detail: `${isBuy ? "bought" : "sold"} ${contracts(f.size)} at ${usdPrice(f.price)} as ${taker ? "taker" : "maker"}, fee ${collateralUsd(fee, collateral.decimals)}`,
    });
  }
  for (const e of s.history.events) {
    const m = byId.get(e.marketId.toLowerCase() as MarketId);
    rows.push({
      key: `${e.tx}:${e.kind}:${e.marketId}`,
      ts: e.ts,
      block: e.block,
      kind: e.kind,
      market: m?.symbol ?? e.marketId,
      detail: describeEvent(e.kind, e.data, collateral.decimals),
    });
  }
  rows.sort((a, b) => b.block - a.block || b.ts - a.ts);
  return (
    <section className="panel" data-testid="history">
      <h2>History</h2>
      {rows.length === 0 ? (
        <p className="muted">Nothing yet.</p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th>Time</th>
              <th>Event</th>
              <th>Market</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} data-kind={r.kind}>
                <td>{utc(r.ts)}</td>
                <td>{r.kind}</td>
                <td>{r.market}</td>
                <td>{r.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export default function PortfolioPage() {
  const { address } = useAccount();
  const state = useAccountState(address);
  const markets = useMarkets();
  useOrderEvents(address);
  if (address === undefined) return <p className="banner info">Connect a wallet to see your portfolio.</p>;
  if (state.isError) return <p className="banner warn">Cannot read your account: {String(state.error)}</p>;
  if (state.data === undefined || markets.data === undefined)
    return <p className="muted">Loading your account…</p>;
  return (
    <div className="portfolio">
      <Summary s={state.data} />
      <Funds s={state.data} />
      <Positions s={state.data} markets={markets.data} />
      <OpenOrders s={state.data} markets={markets.data} />
      <History s={state.data} markets={markets.data} />
    </div>
  );
}
