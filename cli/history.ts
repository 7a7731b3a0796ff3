/**
 * `atf history`: an account's fills (with fees), liquidations (as the liquidated account or the
 * liquidator), deleveragings, settlements and claims, deposits and withdrawals, from the
 * Clearinghouse's events, oldest first, each with its block's date.
 */
import type { Address, Hex, PublicClient } from "viem";

import { clearinghouseAbi } from "../sdk/abi/index.js";

/** One line of an account's history; amounts as the event carries them. */
export interface HistoryEntry {
  block: bigint;
  logIndex: number;
  /** Block time, unix seconds. */
  timestamp: bigint;
  tx: Hex;
  kind: "fill" | "liquidated" | "liquidator" | "deleveraged" | "settled" | "claim" | "deposit" | "withdrawal";
  marketId?: Hex;
  /** Contracts, signed from the account's side (+ bought, − sold). */
  size?: bigint;
  /** Wad dollars per index unit. */
  price?: bigint;
  /** Collateral units: a fee paid, a claim or transfer amount, a liquidation reward. */
  amount?: bigint;
  /** Collateral units: realised PnL of a settlement. */
  pnl?: bigint;
  role?: "maker" | "taker";
  counterparty?: Address;
}

type Log = { blockNumber: bigint; logIndex: number; transactionHash: Hex; args: Record<string, unknown> };

/** Reads the account's history between `fromBlock` and the latest block. */
export async function readHistory(
  client: PublicClient,
  clearinghouse: Address,
  who: Address,
  fromBlock: bigint,
): Promise<HistoryEntry[]> {
  const events = async (eventName: string, args: Record<string, Address>): Promise<Log[]> =>
    (await client.getContractEvents({
      address: clearinghouse,
      abi: clearinghouseAbi,
      eventName: eventName as never,
      args: args as never,
      fromBlock,
      strict: true,
    })) as unknown as Log[];
  const [
    asMaker,
    asTaker,
    liquidated,
    asLiquidator,
    deleveraged,
    asCounterparty,
    settled,
    claims,
    deposits,
    withdrawals,
  ] = await Promise.all([
    events("Traded", { maker: who }),
    events("Traded", { taker: who }),
    events("Liquidated", { account: who }),
    events("Liquidated", { liquidator: who }),
    events("Deleveraged", { account: who }),
    events("Deleveraged", { counterparty: who }),
    events("PositionSettled", { account: who }),
    events("ClaimPaid", { account: who }),
    events("Deposited", { account: who }),
    events("Withdrawn", { account: who }),
  ]);
  type Draft = Omit<HistoryEntry, "timestamp">;
  const base = (l: Log): Pick<Draft, "block" | "logIndex" | "tx"> => ({
    block: l.blockNumber,
    logIndex: l.logIndex,
    tx: l.transactionHash,
  });
  const a = (l: Log) => l.args;
  const drafts: Draft[] = [
    ...asMaker.map((l): Draft => ({
      ...base(l),
      kind: "fill",
      role: "maker",
      marketId: a(l).marketId as Hex,
      size: -(a(l).takerSizeDelta as bigint),
      price: a(l).price as bigint,
      amount: a(l).makerFee as bigint,
      counterparty: a(l).taker as Address,
    })),
    ...asTaker.map((l): Draft => ({
      ...base(l),
      kind: "fill",
      role: "taker",
      marketId: a(l).marketId as Hex,
      size: a(l).takerSizeDelta as bigint,
      price: a(l).price as bigint,
      amount: a(l).takerFee as bigint,
      counterparty: a(l).maker as Address,
    })),
    ...liquidated.map((l): Draft => ({
      ...base(l),
      kind: "liquidated",
      marketId: a(l).marketId as Hex,
      size: a(l).size as bigint,
      price: a(l).mark as bigint,
      amount: a(l).penalty as bigint,
      counterparty: a(l).liquidator as Address,
    })),
    ...asLiquidator.map((l): Draft => ({
      ...base(l),
      kind: "liquidator",
      marketId: a(l).marketId as Hex,
      size: a(l).size as bigint,
      price: a(l).mark as bigint,
      amount: a(l).liquidatorReward as bigint,
      counterparty: a(l).account as Address,
    })),
    ...[...deleveraged, ...asCounterparty].map((l): Draft => ({
      ...base(l),
      kind: "deleveraged",
      marketId: a(l).marketId as Hex,
      size: a(l).size as bigint,
      price: a(l).bankruptcyPrice as bigint,
      counterparty: ((a(l).account as Address).toLowerCase() === who.toLowerCase()
        ? a(l).counterparty
        : a(l).account) as Address,
    })),
    ...settled.map((l): Draft => ({
      ...base(l),
      kind: "settled",
      marketId: a(l).marketId as Hex,
      size: a(l).size as bigint,
      pnl: a(l).pnl as bigint,
    })),
    ...claims.map((l): Draft => ({
      ...base(l),
      kind: "claim",
      marketId: a(l).marketId as Hex,
      amount: a(l).amount as bigint,
    })),
    ...deposits.map((l): Draft => ({ ...base(l), kind: "deposit", amount: a(l).amount as bigint })),
    ...withdrawals.map((l): Draft => ({ ...base(l), kind: "withdrawal", amount: a(l).amount as bigint })),
  ];
  drafts.sort((x, y) => (x.block === y.block ? x.logIndex - y.logIndex : x.block < y.block ? -1 : 1));
  const times = new Map<bigint, bigint>();
  for (const block of new Set(drafts.map((d) => d.block))) {
    times.set(block, (await client.getBlock({ blockNumber: block })).timestamp);
  }
  return drafts.map((d) => ({ ...d, timestamp: times.get(d.block) ?? 0n }));
}
