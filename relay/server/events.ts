/**
 * Chain events the relay follows, read with the SDK's `backfillEvents` (Exchange, Clearinghouse,
 * IndexOracle) from the stored cursor to the head, and the chain-reset check: the cursor block's hash
 * must still be the chain's (a reorg below it or a restarted node makes it differ, or the head falls
 * below it).
 */
import { parseEventLogs, zeroHash, type Address, type Hex, type Log, type PublicClient } from "viem";

import { clearinghouseAbi, exchangeAbi, indexOracleAbi } from "../../sdk/abi/index.js";
import { backfillEvents } from "../../sdk/viem/events/backfillEvents.js";
import type { ChainCursor, Fill, HistoryEntry, IndexRound } from "../store/store.js";
import type { RelayAddresses } from "./chain.js";

export type RelayEvent =
  | { kind: "fill"; fill: Fill }
  | { kind: "cancelled"; hash: Hex; trader: Address }
  | { kind: "remainderVoided"; hash: Hex; trader: Address }
  | { kind: "minNonce"; trader: Address; minNonce: bigint }
  | { kind: "history"; entry: HistoryEntry }
  | { kind: "round"; round: IndexRound };

const ALL_ABI = [...exchangeAbi, ...clearinghouseAbi, ...indexOracleAbi] as const;

/**
 * The Clearinghouse events kept as an account's history (indexed by `account` and `marketId`): the
 * entry's kind and the arguments copied into its `data` as strings, in this order (the stored JSON's).
 */
const HISTORY_EVENTS: ReadonlyMap<string, { kind: HistoryEntry["kind"]; data: readonly string[] }> = new Map([
  ["Liquidated", { kind: "liquidation", data: ["liquidator", "size", "mark", "penalty"] }],
  ["Deleveraged", { kind: "deleverage", data: ["counterparty", "size", "bankruptcyPrice"] }],
  ["PositionSettled", { kind: "settlement", data: ["size", "pnl"] }],
  ["ClaimPaid", { kind: "claim", data: ["amount"] }],
]);

/** Decodes the relay's events from raw logs (a receipt's or `eth_getLogs`'), oldest first. */
export function decodeRelayLogs(
  logs: readonly Log[],
  addresses: RelayAddresses,
  timestamps: ReadonlyMap<bigint, bigint>,
): RelayEvent[] {
  const ours = new Set(
    [addresses.exchange, addresses.clearinghouse, addresses.indexOracle].map((a) => a.toLowerCase()),
  );
  const parsed = parseEventLogs({
    abi: ALL_ABI,
    logs: logs.filter((l) => ours.has(l.address.toLowerCase())) as Log[],
    strict: true,
  });
  const out: RelayEvent[] = [];
  for (const log of parsed) {
    const base = {
      tx: log.transactionHash as Hex,
      logIndex: Number(log.logIndex),
      block: Number(log.blockNumber),
      ts: Number(timestamps.get(log.blockNumber as bigint) ?? 0n),
    };
    const a = log.args as Record<string, unknown>;
    switch (log.eventName) {
      case "Traded": {
        // A fill's one event. A zero maker order hash is a trade at a venue without orders (no order of
        // the book filled): not an order fill, so the book has nothing to apply.
        const makerHash = a.makerOrderHash as Hex;
        if (makerHash === zeroHash) break;
        const takerSizeDelta = a.takerSizeDelta as bigint;
        out.push({
          kind: "fill",
          fill: {
            ...base,
            marketId: a.marketId as Hex,
            makerHash,
            takerHash: a.takerOrderHash as Hex,
            maker: a.maker as Address,
            taker: a.taker as Address,
            takerIsBuy: takerSizeDelta > 0n,
            size: takerSizeDelta < 0n ? -takerSizeDelta : takerSizeDelta,
            price: a.price as bigint,
          },
        });
        break;
      }
      case "OrderCancelled":
        out.push({ kind: "cancelled", hash: a.orderHash as Hex, trader: a.trader as Address });
        break;
      case "OrderRemainderVoided":
        out.push({ kind: "remainderVoided", hash: a.orderHash as Hex, trader: a.trader as Address });
        break;
      case "MinNonceRaised":
        out.push({ kind: "minNonce", trader: a.trader as Address, minNonce: a.minNonce as bigint });
        break;
      case "RoundAccepted":
        out.push({
          kind: "round",
          round: {
            indexId: a.indexId as Hex,
            roundId: Number(a.roundId),
            value: a.value as bigint,
            observedAt: Number(a.observedAt),
            inputsHash: a.inputsHash as Hex,
            block: base.block,
            tx: base.tx,
          },
        });
        break;
      default: {
        const history = HISTORY_EVENTS.get(log.eventName);
        if (history === undefined) break;
        out.push({
          kind: "history",
          entry: {
            ...base,
            kind: history.kind,
            account: a.account as Address,
            marketId: a.marketId as Hex,
            data: Object.fromEntries(history.data.map((name) => [name, String(a[name])])),
          },
        });
        break;
      }
    }
  }
  return out;
}

/** Timestamps of the logs' blocks (one `eth_getBlockByNumber` per distinct block). */
export async function blockTimestamps(
  client: PublicClient,
  logs: readonly Log[],
): Promise<Map<bigint, bigint>> {
  const out = new Map<bigint, bigint>();
  for (const n of new Set(logs.map((l) => l.blockNumber as bigint))) {
    out.set(n, (await client.getBlock({ blockNumber: n })).timestamp);
  }
  return out;
}

export type PollResult =
  { reset: false; events: RelayEvent[]; cursor: ChainCursor | undefined } | { reset: true; reason: string };

/**
 * Everything from the block after `cursor` (or `fromBlock`) to `head`, or `reset` when the cursor's block
 * is no longer on the chain.
 */
export async function pollEvents(
  client: PublicClient,
  addresses: RelayAddresses,
  cursor: ChainCursor | undefined,
  fromBlock: bigint,
  head: { number: bigint; hash: Hex },
  chunkSize = 2_000n,
): Promise<PollResult> {
  if (cursor !== undefined) {
    if (head.number < BigInt(cursor.block)) {
      return { reset: true, reason: `head ${head.number} is below the cursor ${cursor.block}` };
    }
    const block = await client.getBlock({ blockNumber: BigInt(cursor.block) });
    if (block.hash !== cursor.hash) {
      return { reset: true, reason: `block ${cursor.block} is ${block.hash}, was ${cursor.hash}` };
    }
    if (head.number === BigInt(cursor.block)) return { reset: false, events: [], cursor };
  }
  const start = cursor === undefined ? fromBlock : BigInt(cursor.block) + 1n;
  if (start > head.number) return { reset: false, events: [], cursor };
  const read = (
    address: Address,
    abi: typeof exchangeAbi | typeof clearinghouseAbi | typeof indexOracleAbi,
  ) => backfillEvents(client, { address, abi, fromBlock: start, toBlock: head.number, chunkSize });
  const logs = [
    ...(await read(addresses.exchange, exchangeAbi)),
    ...(await read(addresses.clearinghouse, clearinghouseAbi)),
    ...(await read(addresses.indexOracle, indexOracleAbi)),
  ] as unknown as Log[];
  logs.sort((x, y) =>
    x.blockNumber === y.blockNumber
      ? Number(x.logIndex) - Number(y.logIndex)
      : Number((x.blockNumber as bigint) - (y.blockNumber as bigint)),
  );
  const timestamps = await blockTimestamps(client, logs);
  return {
    reset: false,
    events: decodeRelayLogs(logs, addresses, timestamps),
    cursor: { block: Number(head.number), hash: head.hash },
  };
}
