/**
 * `atf order place|list|cancel` through the order relay (docs/relay.md): orders are posted to the relay
 * (`--relay-url`, env ATF_RELAY_URL, default http://127.0.0.1:8600) and listed from it with their market,
 * state and reason. Giving `--orders-file` (or ATF_ORDERS_FILE) keeps the older flow through the file
 * matcher's orders file instead.
 */
import type { Command } from "commander";
import type { Address, Hex } from "viem";

import type { Order } from "../sdk/core/eip712/orders.js";
import { createRelayClient, RelayError, type RelayOrder } from "../sdk/relay/client.js";
import { CommandFailedError, InputError } from "./errors.js";
import { formatUnitsExact, formatUsd } from "./units.js";

export const DEFAULT_RELAY_URL = "http://127.0.0.1:8600";

/** The relay URL to use, or undefined when the user chose the orders file. */
export function relayUrlOf(cmd: Command): string | undefined {
  let root: Command = cmd;
  while (root.parent !== null) root = root.parent;
  const fileChosen = root.getOptionValueSource("ordersFile") !== "default";
  const relayChosen = root.getOptionValueSource("relayUrl") !== "default";
  if (fileChosen && !relayChosen) return undefined;
  return (root.opts() as { relayUrl?: string }).relayUrl ?? DEFAULT_RELAY_URL;
}

/** One order as `order list` prints it: hash, market, side, size @ price, state, fills, reason. */
export function describeRelayOrder(o: RelayOrder, symbol: string): string {
  const side = o.order.isBuy ? "buy " : "sell";
  const reason = o.reason === null ? "" : `  reason ${o.reason}`;
  return `${o.hash}  ${symbol}  ${side} ${o.order.size} @ ${formatUsd(o.order.limitPrice)}  ${o.state}  filled ${o.filled}/${o.order.size}  nonce ${o.order.nonce}${reason}`;
}

/**
 * Runs one relay request with its failures in the CLI's terms: a refusal of the order or request (4xx
 * but 429) is bad input (exit 2) with the relay's error name and arguments; an unreachable relay, a
 * rate limit or a relay failure exit 1 with what to do.
 */
async function onRelay<T>(url: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RelayError) {
      const { status, error: name, args } = error.data;
      const detail = Object.entries(args)
        .map(([k, v]) => `${k} = ${v}`)
        .join(", ");
      const text = `the relay refused: ${name}${detail === "" ? "" : ` (${detail})`}`;
      if (status >= 400 && status < 500 && status !== 429) throw new InputError(text);
      throw new CommandFailedError(`${text} [HTTP ${status}]`);
    }
    if (error instanceof TypeError) {
      throw new CommandFailedError(
        `the order relay at ${url} is not reachable (${(error.cause as Error | undefined)?.message ?? error.message}); npm start runs one, npm run relay starts one, or give --orders-file to use the file matcher`,
      );
    }
    throw error;
  }
}

export async function placeOnRelay(
  url: string,
  signed: { order: Order; signature: Hex },
  out: (line: string) => void,
  label: string,
): Promise<void> {
  const placed = await onRelay(url, () => createRelayClient({ url }).placeOrder(signed));
  out(`${label} nonce ${placed.order.nonce}`);
  out(`order ${placed.hash} ${placed.state} on the relay ${url}`);
}

/**
 * One order as `order list --json` prints it: sizes, nonce and fills as integer strings, the limit price
 * in dollars per index unit as a decimal string, the expiry as an ISO date beside unix seconds. `filled`
 * is null when the source cannot tell (an orders-file order whose nonce is used: the Exchange clears
 * `filled` once an order completes).
 */
export interface OrderListRow {
  hash: Hex;
  market: string;
  marketId: Hex;
  trader: Address;
  side: "buy" | "sell";
  size: string;
  limitPrice: string;
  state: string;
  filled: string | null;
  nonce: string;
  reason: string | null;
  expiry: string;
  expiryUnix: string;
}

/** The JSON row of one order (see `OrderListRow`). */
export function orderListRow(
  hash: Hex,
  order: Order,
  market: string,
  state: { state: string; filled: bigint | null; reason: string | null },
): OrderListRow {
  return {
    hash,
    market,
    marketId: order.marketId,
    trader: order.trader,
    side: order.isBuy ? "buy" : "sell",
    size: order.size.toString(),
    limitPrice: formatUnitsExact(order.limitPrice, 18),
    state: state.state,
    filled: state.filled === null ? null : state.filled.toString(),
    nonce: order.nonce.toString(),
    reason: state.reason,
    expiry: new Date(Number(order.expiry) * 1000).toISOString(),
    expiryUnix: order.expiry.toString(),
  };
}

/**
 * Prints `account`'s orders on the relay (newest first, up to 200): one line each, or with `json` one
 * JSON array of `OrderListRow` (empty when there are none).
 */
export async function listFromRelay(
  url: string,
  account: Address,
  symbol: (marketId: Hex) => Promise<string>,
  out: (line: string) => void,
  json = false,
): Promise<void> {
  const orders = await onRelay(url, () => createRelayClient({ url }).accountOrders(account, { limit: 200 }));
  if (json) {
    const rows: OrderListRow[] = [];
    for (const o of orders) rows.push(orderListRow(o.hash, o.order, await symbol(o.order.marketId), o));
    out(JSON.stringify(rows, null, 2));
    return;
  }
  if (orders.length === 0) {
    out("no orders");
    return;
  }
  for (const o of orders) out(describeRelayOrder(o, await symbol(o.order.marketId)));
}

/** The order with `hash` on the relay (its trader and fields, for an on-chain cancel). */
export async function orderFromRelay(url: string, hash: Hex): Promise<RelayOrder> {
  return onRelay(url, () => createRelayClient({ url }).order(hash));
}
