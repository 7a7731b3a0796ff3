/**
 * The order ticket: side, size, limit price and the reduce-only, post-only, IOC and FOK flags. Before
 * signing it shows the margin the order uses, the fee, the account's leverage and liquidation price after
 * a fill at the limit, and every reason the relay or the Exchange would refuse it, in words. Signing is
 * the wallet's `eth_signTypedData_v4` of the Exchange's EIP-712 order; the signed order goes to the relay.
 */
import { useEffect, useMemo, useState } from "react";
import { useAccount, useWalletClient } from "wagmi";

import { buildOrder, OrderFlags, signOrderViem } from "../../../sdk/core/eip712/orders.js";
import type { MarkedMarket } from "../../../sdk/core/entities/Account.js";
import type { MarketId } from "../../../sdk/core/ids.js";
import type { RelayOrder } from "../../../sdk/relay/client.js";
import type { DraftOrder } from "../drafts.js";
import type { AccountState } from "../hooks/useAccountState.js";
import { usePlacedOrder } from "../hooks/useLive.js";
import type { MarketView } from "../hooks/useMarkets.js";
import {
  contracts,
  formatFixed,
  parseFixed,
  percent,
  collateralUsd,
  usdAmount,
  usdPrice,
} from "../lib/format.js";
import { placedOrderWords } from "../lib/orders.js";
import { describeErrorInWords } from "../lib/reasons.js";
import { checkTicket, emptyAccount } from "../lib/ticket.js";
import { useProtocol } from "../protocol.js";

const FLAGS = [
  { bit: OrderFlags.ReduceOnly, label: "Reduce-only", hint: "only shrinks your position" },
  { bit: OrderFlags.PostOnly, label: "Post-only", hint: "refused if it would trade at once" },
  { bit: OrderFlags.ImmediateOrCancel, label: "IOC", hint: "fills what it can now, the rest is cancelled" },
  { bit: OrderFlags.FillOrKill, label: "FOK", hint: "fills completely now or not at all" },
] as const;

type Placed =
  { kind: "ok"; order: RelayOrder } | { kind: "refused"; error: string; words: string } | { kind: "signing" };

export function OrderTicket({
  m,
  state,
  allMarkets,
  pickedPrice,
  draft,
  onPlaced,
}: {
  m: MarketView;
  state: AccountState | undefined;
  allMarkets: MarketView[];
  pickedPrice: bigint | undefined;
  draft: DraftOrder | undefined;
  onPlaced?: () => void;
}) {
  const { domain, relay, collateral, config } = useProtocol();
  const { address, isConnected, chainId } = useAccount();
  const { data: wallet } = useWalletClient();
  const [isBuy, setIsBuy] = useState(true);
  const [sizeText, setSizeText] = useState("1");
  const [priceText, setPriceText] = useState("");
  const [flags, setFlags] = useState(0);
  const [placed, setPlaced] = useState<Placed>();

  const decimalsOfTick = Math.max(0, 18 - (m.market.params.tickSize.toString().length - 1));
  const showPrice = (p: bigint) => formatFixed(p, 18, decimalsOfTick, 0).replace(/,/g, "");
  useEffect(() => {
    if (pickedPrice !== undefined) setPriceText(showPrice(pickedPrice));
  }, [pickedPrice]);
  useEffect(() => {
    if (priceText === "" && m.mark !== undefined) {
      const tick = m.market.params.tickSize;
      setPriceText(showPrice((m.mark / tick) * tick));
    }
  }, [m.id, m.mark === undefined]);
  useEffect(() => {
    if (draft === undefined) return;
    setIsBuy(draft.isBuy);
    setSizeText(draft.size.toString());
    setPriceText(showPrice(draft.price));
    setFlags(draft.flags);
  }, [draft]);

  const size = /^\d{1,12}$/.test(sizeText.trim()) ? BigInt(sizeText.trim()) : undefined;
  const price = parseFixed(priceText, 18);
  const check = useMemo(() => {
    const markets = new Map<MarketId, MarkedMarket>();
    for (const x of allMarkets)
      if (x.mark !== undefined) markets.set(x.id, { market: x.market, mark: x.mark });
    const who =
      address === undefined
        ? undefined
        : {
            account: state?.account ?? emptyAccount(address, collateral.scale),
            marks: state?.marks ?? new Map(),
            openOrders: state?.openOrders ?? [],
            markets,
          };
    return checkTicket({ isBuy, size, price, flags }, m, who);
  }, [isBuy, size, price, flags, m, state, address, allMarkets, collateral.scale]);

  const blocked = !isConnected || chainId !== config.chainId || wallet === undefined;
  const submit = async () => {
    if (wallet === undefined || address === undefined || size === undefined || price === undefined) return;
    setPlaced({ kind: "signing" });
    try {
      const order = buildOrder(
        {
          trader: address,
          marketId: m.id,
          isBuy,
          size,
          limitPrice: price,
          flags,
          nonce: state?.nextNonce ?? 0n,
        },
        m.now,
      );
      const signature = await signOrderViem(wallet, domain, order, address);
      const accepted = await relay.placeOrder({ order, signature });
      setPlaced({ kind: "ok", order: accepted });
      onPlaced?.();
    } catch (err) {
      const { name, words } = await describeErrorInWords(err);
      setPlaced({ kind: "refused", error: name, words });
    }
  };

  const live = usePlacedOrder(placed?.kind === "ok" ? placed.order : undefined);
  const p = check.preview;
  return (
    <section className="panel ticket" data-testid="ticket">
      <div className="sides">
        <button className={isBuy ? "buy active" : "buy"} onClick={() => setIsBuy(true)}>
          Buy / long
        </button>
        <button className={!isBuy ? "sell active" : "sell"} onClick={() => setIsBuy(false)}>
          Sell / short
        </button>
      </div>
      <label>
        Size (contracts of {formatFixed(m.market.params.contractSize, 18, 0)} × {m.info.quantity})
        <input
          name="size"
          inputMode="numeric"
          value={sizeText}
          onChange={(e) => setSizeText(e.target.value)}
        />
      </label>
      <label>
        Limit price (USD per {m.info.quantity}, tick {usdPrice(m.market.params.tickSize, decimalsOfTick)})
        <input
          name="price"
          inputMode="decimal"
          value={priceText}
          onChange={(e) => setPriceText(e.target.value)}
        />
      </label>
      <div className="flags">
        {FLAGS.map((f) => (
          <label key={f.bit} title={f.hint}>
            <input
              type="checkbox"
              name={f.label}
              checked={(flags & f.bit) !== 0}
              onChange={(e) => setFlags(e.target.checked ? flags | f.bit : flags & ~f.bit)}
            />
            {f.label}
          </label>
        ))}
      </div>
      <dl className="preview" data-testid="preview">
        <dt>Notional</dt>
        <dd>{p ? usdAmount(p.notional) : "—"}</dd>
        <dt>Margin used</dt>
        <dd data-field="margin">{p ? usdAmount(p.marginUsed) : "—"}</dd>
        <dt>Fee (taker)</dt>
        <dd>{p ? collateralUsd(p.fee, collateral.decimals) : "—"}</dd>
        <dt>Position after</dt>
        <dd>{p ? contracts(p.positionAfter) : "—"}</dd>
        <dt>Leverage after</dt>
        <dd data-field="leverage">
          {p ? (p.leverageAfter === undefined ? "—" : `${formatFixed(p.leverageAfter, 18, 2)}×`) : "—"}
        </dd>
        <dt>Liquidation price after</dt>
        <dd data-field="liquidation">
          {p ? (p.liquidationPriceAfter === 0n ? "none" : usdPrice(p.liquidationPriceAfter)) : "—"}
        </dd>
        <dt>Free collateral</dt>
        <dd>
          {state !== undefined && state.marks !== undefined
            ? collateralUsd(safeFree(state), collateral.decimals)
            : "—"}
        </dd>
        <dt>Price band</dt>
        <dd>
          ±{percent(m.market.risk.priceBand, 0)} of mark {usdPrice(m.mark)}
        </dd>
      </dl>
      {check.refusals.length > 0 && (
        <ul className="refusals" data-testid="refusals">
          {check.refusals.map((r) => (
            <li key={r.error} data-error={r.error}>
              {r.words}
            </li>
          ))}
        </ul>
      )}
      <button
        className={`submit ${isBuy ? "buy" : "sell"}`}
        disabled={blocked || placed?.kind === "signing"}
        onClick={() => void submit()}
        data-testid="sign"
        title={
          check.refusals.length > 0 ? "The relay will refuse this order: see the reasons above" : undefined
        }
      >
        {blocked ? "Connect a wallet on this network" : `Sign ${isBuy ? "buy" : "sell"} order`}
      </button>
      {placed?.kind === "signing" && <p className="tx tx-wallet">Sign the order in your wallet…</p>}
      {live !== undefined && (
        <p className="tx tx-confirmed" data-placed={live.state} data-testid="placed">
          Order {live.hash.slice(0, 10)}… accepted by the relay; now {placedOrderWords(live)}.
        </p>
      )}
      {placed?.kind === "refused" && (
        <p className="tx tx-failed" data-error={placed.error} data-testid="placed-refusal">
          Refused: {placed.words}
        </p>
      )}
      {m.status === "Trading" && !m.paused && m.index === undefined && (
        <p className="banner warn">
          Stale oracle: the index has no fresh value, so orders cannot be checked or matched.
        </p>
      )}
    </section>
  );
}

function safeFree(state: AccountState): bigint | undefined {
  try {
    return state.account.freeCollateral(state.marks);
  } catch {
    return undefined;
  }
}
