/**
 * `atf history`: an account's fills (with fees), liquidations (as the liquidated account or the
 * liquidator), deleveragings, settlements and claims, deposits and withdrawals, from the
 * Clearinghouse's events, oldest first, each with its block's date.
 */
import { zeroHash, type Address, type Hex, type PublicClient } from "viem";

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
  /**
   * A fill's order of the account's side at the venue (the maker's resting order; the taker's order in
   * `matchOrders`); absent when that side had none (a `fillOrder` taker, a venue without orders).
   */
  orderHash?: Hex;
}

type Log = { blockNumber: bigint; logIndex: number; transactionHash: Hex; args: Record<string, unknown> };

/** What a history line takes from its event (everything but where and when it happened). */
type Fields = Omit<HistoryEntry, "block" | "logIndex" | "timestamp" | "tx" | "kind">;

/**
 * One kind of history line: the Clearinghouse event, the indexed argument that must be the account,
 * and the fields the line takes from the event's arguments. An event the account can appear in on
 * either side (a trade, a liquidation, a deleveraging) has one row per side.
 */
interface HistorySource {
  event: string;
  accountArg: string;
  kind: HistoryEntry["kind"];
  fields: (args: Record<string, unknown>, who: Address) => Fields;
}

/** The other account of a deleveraging, seen from `who`'s side. */
const deleveragedWith = (a: Record<string, unknown>, who: Address): Address =>
  ((a.account as Address).toLowerCase() === who.toLowerCase() ? a.counterparty : a.account) as Address;

/** Every source, in the order lines of the same log are listed (a self-trade: maker, then taker). */
const HISTORY_SOURCES: readonly HistorySource[] = [
  // a trade from either side: the size is the taker's, negated for the maker; the side's order hash
  // when it had one (zero in the event otherwise)
  ...(["maker", "taker"] as const).map((role): HistorySource => ({
    event: "Traded",
    accountArg: role,
    kind: "fill",
    fields: (a) => {
      const orderHash = (role === "taker" ? a.takerOrderHash : a.makerOrderHash) as Hex;
      return {
        role,
        marketId: a.marketId as Hex,
        size: role === "taker" ? (a.takerSizeDelta as bigint) : -(a.takerSizeDelta as bigint),
        price: a.price as bigint,
        amount: (role === "taker" ? a.takerFee : a.makerFee) as bigint,
        counterparty: (role === "taker" ? a.maker : a.taker) as Address,
        ...(orderHash === zeroHash ? {} : { orderHash }),
      };
    },
  })),
  {
    event: "Liquidated",
    accountArg: "account",
    kind: "liquidated",
    fields: (a) => ({
      marketId: a.marketId as Hex,
      size: a.size as bigint,
      price: a.mark as bigint,
      amount: a.penalty as bigint,
      counterparty: a.liquidator as Address,
    }),
  },
  {
    event: "Liquidated",
    accountArg: "liquidator",
    kind: "liquidator",
    fields: (a) => ({
      marketId: a.marketId as Hex,
      size: a.size as bigint,
      price: a.mark as bigint,
      amount: a.liquidatorReward as bigint,
      counterparty: a.account as Address,
    }),
  },
  ...(["account", "counterparty"] as const).map((accountArg): HistorySource => ({
    event: "Deleveraged",
    accountArg,
    kind: "deleveraged",
    fields: (a, who) => ({
      marketId: a.marketId as Hex,
      size: a.size as bigint,
      price: a.bankruptcyPrice as bigint,
      counterparty: deleveragedWith(a, who),
    }),
  })),
  {
    event: "PositionSettled",
    accountArg: "account",
    kind: "settled",
    fields: (a) => ({ marketId: a.marketId as Hex, size: a.size as bigint, pnl: a.pnl as bigint }),
  },
  {
    event: "ClaimPaid",
    accountArg: "account",
    kind: "claim",
    fields: (a) => ({ marketId: a.marketId as Hex, amount: a.amount as bigint }),
  },
  {
    event: "Deposited",
    accountArg: "account",
    kind: "deposit",
    fields: (a) => ({ amount: a.amount as bigint }),
  },
  {
    event: "Withdrawn",
    accountArg: "account",
    kind: "withdrawal",
    fields: (a) => ({ amount: a.amount as bigint }),
  },
];

/** Reads the account's history between `fromBlock` and the latest block. */
export async function readHistory(
  client: PublicClient,
  clearinghouse: Address,
  who: Address,
  fromBlock: bigint,
): Promise<HistoryEntry[]> {
  const logsPerSource = await Promise.all(
    HISTORY_SOURCES.map(
      async (source) =>
        (await client.getContractEvents({
          address: clearinghouse,
          abi: clearinghouseAbi,
          eventName: source.event as never,
          args: { [source.accountArg]: who } as never,
          fromBlock,
          strict: true,
        })) as unknown as Log[],
    ),
  );
  type Draft = Omit<HistoryEntry, "timestamp">;
  const drafts: Draft[] = HISTORY_SOURCES.flatMap((source, i) =>
    logsPerSource[i].map((l): Draft => ({
      block: l.blockNumber,
      logIndex: l.logIndex,
      tx: l.transactionHash,
      kind: source.kind,
      ...source.fields(l.args, who),
    })),
  );
  // stable: lines of one log keep the sources' order
  drafts.sort((x, y) => (x.block === y.block ? x.logIndex - y.logIndex : x.block < y.block ? -1 : 1));
  const times = new Map<bigint, bigint>();
  for (const block of new Set(drafts.map((d) => d.block))) {
    times.set(block, (await client.getBlock({ blockNumber: block })).timestamp);
  }
  return drafts.map((d) => ({ ...d, timestamp: times.get(d.block) ?? 0n }));
}
