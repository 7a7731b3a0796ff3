/**
 * `atf history`'s reader (`cli/history.ts`) over a fake client that serves Clearinghouse events by
 * name and indexed argument: every kind of line with the fields it takes, both sides of a trade, a
 * liquidation and a deleveraging, a fill's order hash of the account's side (none when the event's is
 * zero), a self-trade as two lines (maker first), other accounts' events
 * left out, oldest first whatever order the node returns them in, and `fromBlock` honoured.
 */
import { expect } from "chai";
import { zeroHash as ZERO, type Address, type Hex, type PublicClient } from "viem";

import { readHistory, type HistoryEntry } from "../../../cli/history.js";

const A = "0x00000000000000000000000000000000000000aa" as Address;
const B = "0x00000000000000000000000000000000000000bb" as Address;
const C = "0x00000000000000000000000000000000000000cc" as Address;
const D = "0x00000000000000000000000000000000000000dd" as Address;
const CLEARINGHOUSE = "0x00000000000000000000000000000000000000ee" as Address;
const M = `0x${"11".repeat(32)}` as Hex;
const ORDER_A = `0x${"a1".repeat(32)}` as Hex;
const ORDER_B = `0x${"b2".repeat(32)}` as Hex;
const tx = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex;

interface FakeLog {
  eventName: string;
  blockNumber: bigint;
  logIndex: number;
  transactionHash: Hex;
  args: Record<string, unknown>;
}

const log = (eventName: string, block: number, logIndex: number, args: Record<string, unknown>): FakeLog => ({
  eventName,
  blockNumber: BigInt(block),
  logIndex,
  transactionHash: tx(block * 100 + logIndex),
  args,
});

/** The node's logs, deliberately not in chain order. */
const LOGS: FakeLog[] = [
  log("Withdrawn", 7, 0, { account: A, amount: 40n }),
  log("Deposited", 1, 0, { account: A, amount: 1000n }),
  log("Deposited", 1, 1, { account: B, amount: 999n }),
  log("Traded", 2, 0, {
    marketId: M,
    maker: A,
    taker: B,
    takerSizeDelta: 5n,
    price: 7n,
    makerFee: 1n,
    takerFee: 2n,
    basisRate: 0n,
    makerOrderHash: ORDER_A,
    takerOrderHash: ZERO,
  }),
  log("Traded", 2, 1, {
    marketId: M,
    maker: B,
    taker: A,
    takerSizeDelta: -3n,
    price: 8n,
    makerFee: 3n,
    takerFee: 4n,
    basisRate: 0n,
    makerOrderHash: ORDER_B,
    takerOrderHash: ORDER_A,
  }),
  log("Traded", 3, 0, {
    marketId: M,
    maker: A,
    taker: A,
    takerSizeDelta: 2n,
    price: 9n,
    makerFee: 5n,
    takerFee: 6n,
    basisRate: 0n,
    makerOrderHash: ZERO,
    takerOrderHash: ZERO,
  }),
  log("Liquidated", 4, 0, {
    marketId: M,
    account: A,
    liquidator: C,
    size: 2n,
    mark: 10n,
    penalty: 11n,
    liquidatorReward: 12n,
  }),
  log("Liquidated", 4, 1, {
    marketId: M,
    account: D,
    liquidator: A,
    size: -1n,
    mark: 13n,
    penalty: 14n,
    liquidatorReward: 15n,
  }),
  log("Liquidated", 4, 2, {
    marketId: M,
    account: B,
    liquidator: C,
    size: 9n,
    mark: 13n,
    penalty: 1n,
    liquidatorReward: 1n,
  }),
  log("Deleveraged", 5, 0, { marketId: M, account: A, counterparty: C, size: 4n, bankruptcyPrice: 16n }),
  log("Deleveraged", 5, 1, { marketId: M, account: D, counterparty: A, size: -4n, bankruptcyPrice: 17n }),
  log("PositionSettled", 6, 0, { marketId: M, account: A, size: 3n, pnl: -18n }),
  log("PositionSettled", 6, 1, { marketId: M, account: B, size: 1n, pnl: 1n }),
  log("ClaimPaid", 6, 2, { marketId: M, account: A, amount: 19n }),
];

/** Serves `getContractEvents` by event name, indexed arguments and `fromBlock`; block n is at time 1000·n. */
function fakeClient(): PublicClient {
  return {
    getContractEvents: async (q: {
      address: Address;
      eventName: string;
      args: Record<string, Address>;
      fromBlock: bigint;
    }) => {
      expect(q.address).to.equal(CLEARINGHOUSE);
      return LOGS.filter(
        (l) =>
          l.eventName === q.eventName &&
          l.blockNumber >= q.fromBlock &&
          Object.entries(q.args).every(([k, v]) => String(l.args[k]).toLowerCase() === v.toLowerCase()),
      );
    },
    getBlock: async ({ blockNumber }: { blockNumber: bigint }) => ({ timestamp: blockNumber * 1000n }),
  } as unknown as PublicClient;
}

const entry = (
  block: number,
  logIndex: number,
  fields: Omit<HistoryEntry, "block" | "logIndex" | "timestamp" | "tx">,
) => ({
  block: BigInt(block),
  logIndex,
  timestamp: BigInt(block) * 1000n,
  tx: tx(block * 100 + logIndex),
  ...fields,
});

describe("atf history reader", function () {
  it("readHistory_mapsEveryEventKindFromTheAccountsSideOldestFirst", async function () {
    const got = await readHistory(fakeClient(), CLEARINGHOUSE, A, 0n);
    expect(got).to.deep.equal([
      entry(1, 0, { kind: "deposit", amount: 1000n }),
      entry(2, 0, {
        kind: "fill",
        role: "maker",
        marketId: M,
        size: -5n,
        price: 7n,
        amount: 1n,
        counterparty: B,
        orderHash: ORDER_A,
      }),
      entry(2, 1, {
        kind: "fill",
        role: "taker",
        marketId: M,
        size: -3n,
        price: 8n,
        amount: 4n,
        counterparty: B,
        orderHash: ORDER_A,
      }),
      entry(3, 0, {
        kind: "fill",
        role: "maker",
        marketId: M,
        size: -2n,
        price: 9n,
        amount: 5n,
        counterparty: A,
      }),
      entry(3, 0, {
        kind: "fill",
        role: "taker",
        marketId: M,
        size: 2n,
        price: 9n,
        amount: 6n,
        counterparty: A,
      }),
      entry(4, 0, { kind: "liquidated", marketId: M, size: 2n, price: 10n, amount: 11n, counterparty: C }),
      entry(4, 1, { kind: "liquidator", marketId: M, size: -1n, price: 13n, amount: 15n, counterparty: D }),
      entry(5, 0, { kind: "deleveraged", marketId: M, size: 4n, price: 16n, counterparty: C }),
      entry(5, 1, { kind: "deleveraged", marketId: M, size: -4n, price: 17n, counterparty: D }),
      entry(6, 0, { kind: "settled", marketId: M, size: 3n, pnl: -18n }),
      entry(6, 2, { kind: "claim", marketId: M, amount: 19n }),
      entry(7, 0, { kind: "withdrawal", amount: 40n }),
    ]);
  });

  it("readHistory_readsFromTheGivenBlock", async function () {
    const got = await readHistory(fakeClient(), CLEARINGHOUSE, A, 6n);
    expect(got.map((e) => e.kind)).to.deep.equal(["settled", "claim", "withdrawal"]);
    expect(await readHistory(fakeClient(), CLEARINGHOUSE, B, 8n)).to.deep.equal([]);
  });

  it("readHistory_namesTheOrderOfTheAccountsSideOnly", async function () {
    // B took A's order without an order of its own (block 2, log 0), then rested ORDER_B (log 1)
    const fills = (await readHistory(fakeClient(), CLEARINGHOUSE, B, 2n)).filter((e) => e.kind === "fill");
    expect(fills.map((e) => [e.role, e.orderHash])).to.deep.equal([
      ["taker", undefined],
      ["maker", ORDER_B],
    ]);
    expect(fills[0]).to.not.have.property("orderHash");
  });
});
