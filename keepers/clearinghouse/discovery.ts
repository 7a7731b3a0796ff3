/**
 * Account discovery from Clearinghouse events, shared by the liquidator and the settler. A position can
 * only appear through `Traded` (maker and taker; every fill's one event, at any venue), `Liquidated` (the
 * liquidator takes it over) or `Deleveraged` (the counterparty's changes), so those events name every
 * account that ever held a position, per market. The tracker backfills from a start block in chunks
 * (`backfillEvents`), then on every tick reads the blocks since its cursor: polling the logs once per tick
 * is the keeper's watch, on the injected clock, with no gap and no duplicate (the cursor only moves after a
 * page is read).
 */
import type { Address, PublicClient } from "viem";

import { clearinghouseAbi } from "../../sdk/abi/generated/clearinghouse.js";
import type { MarketId } from "../../sdk/core/ids.js";
import { backfillEvents } from "../../sdk/viem/events/backfillEvents.js";

/** The events that name a position holder. */
const POSITION_EVENTS = new Set(["Traded", "Liquidated", "Deleveraged"]);

/** Where the events are read: part of the configuration of every keeper that tracks accounts. */
export interface TrackerOptions {
  clearinghouse: Address;
  /** First block to read events from (the Clearinghouse's deployment block). */
  fromBlock: bigint;
  /** Blocks per `eth_getLogs` page. */
  chunkSize: bigint;
}

/** Accounts that ever held a position, by market. */
export class AccountTracker {
  private readonly byMarket = new Map<MarketId, Set<Address>>();
  private readonly clearinghouse: Address;
  private readonly chunkSize: bigint;
  private readonly fromBlock: bigint;
  private next: bigint;

  constructor(options: TrackerOptions) {
    this.clearinghouse = options.clearinghouse;
    this.chunkSize = options.chunkSize;
    this.fromBlock = options.fromBlock;
    this.next = options.fromBlock;
  }

  /** Forgets every account and reads again from the start block (after a chain reset). */
  reset(): void {
    this.byMarket.clear();
    this.next = this.fromBlock;
  }

  /** The first block not read yet. */
  get cursor(): bigint {
    return this.next;
  }

  /**
   * Reads the events of blocks `[cursor, toBlock]`, in pages; returns the accounts they named (new or
   * not), so a caller can re-read exactly those.
   */
  async sync(client: PublicClient, toBlock: bigint): Promise<Set<Address>> {
    const touched = new Set<Address>();
    if (toBlock < this.next) return touched;
    await backfillEvents(client, {
      address: this.clearinghouse,
      abi: clearinghouseAbi,
      fromBlock: this.next,
      toBlock,
      chunkSize: this.chunkSize,
      onChunk: (logs, range) => {
        for (const log of logs) {
          if (!POSITION_EVENTS.has(log.eventName)) continue;
          const args = log.args as Record<string, unknown>;
          const market = args.marketId as MarketId;
          for (const field of ["maker", "taker", "account", "liquidator", "counterparty"]) {
            const who = args[field];
            if (typeof who === "string") {
              this.add(market, who as Address);
              touched.add(who as Address);
            }
          }
        }
        // a page is only counted once it was read whole
        this.next = range.toBlock + 1n;
      },
    });
    return touched;
  }

  private add(market: MarketId, who: Address): void {
    let set = this.byMarket.get(market);
    if (set === undefined) this.byMarket.set(market, (set = new Set()));
    set.add(who);
  }

  /** Accounts that ever held a position in `market`. */
  holders(market: MarketId): Address[] {
    return [...(this.byMarket.get(market) ?? [])];
  }

  /** Every account ever seen, in any market. */
  all(): Address[] {
    const out = new Set<Address>();
    for (const set of this.byMarket.values()) for (const a of set) out.add(a);
    return [...out];
  }

  /** Markets with at least one event. */
  markets(): MarketId[] {
    return [...this.byMarket.keys()];
  }
}
