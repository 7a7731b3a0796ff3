import { expect } from "chai";
import {
  encodeAbiParameters,
  encodeEventTopics,
  keccak256,
  toHex,
  zeroHash,
  type AbiEvent,
  type Address,
  type Hex,
  type Log,
} from "viem";

import { decodeRelayLogs } from "../../../relay/server/events.js";
import type { RelayAddresses } from "../../../relay/server/chain.js";
import { clearinghouseAbi } from "../../../sdk/abi/index.js";

const ADDRESSES: RelayAddresses = {
  exchange: "0x00000000000000000000000000000000000000e1",
  clearinghouse: "0x00000000000000000000000000000000000000c1",
  indexOracle: "0x00000000000000000000000000000000000000a1",
};
const MARKET = keccak256(toHex("market"));
const ACCOUNT: Address = "0x0000000000000000000000000000000000000001";
const OTHER: Address = "0x0000000000000000000000000000000000000002";
const TX = keccak256(toHex("tx"));

/** A raw log of a Clearinghouse event, encoded from its named arguments. */
function clearinghouseLog(
  eventName: string,
  args: Record<string, unknown>,
  logIndex: number,
  address: Address = ADDRESSES.clearinghouse,
): Log {
  const event = clearinghouseAbi.find((e) => e.type === "event" && e.name === eventName) as AbiEvent;
  const indexed = Object.fromEntries(
    event.inputs.filter((i) => i.indexed).map((i) => [i.name, args[i.name as string]]),
  );
  const unindexed = event.inputs.filter((i) => !i.indexed);
  return {
    address,
    topics: encodeEventTopics({ abi: [event], eventName, args: indexed } as never) as [Hex, ...Hex[]],
    data: encodeAbiParameters(
      unindexed,
      unindexed.map((i) => args[i.name as string]),
    ),
    blockNumber: 7n,
    blockHash: keccak256(toHex("block")),
    logIndex,
    transactionHash: TX,
    transactionIndex: 0,
    removed: false,
  };
}

describe("relay: decoding the chain's events (decodeRelayLogs)", function () {
  it("turns each Clearinghouse history event into an entry whose data holds its arguments as strings, in order", function () {
    const logs = [
      clearinghouseLog(
        "Liquidated",
        {
          marketId: MARKET,
          account: ACCOUNT,
          liquidator: OTHER,
          size: -3n,
          mark: 100n,
          penalty: 4n,
          liquidatorReward: 1n,
        },
        0,
      ),
      clearinghouseLog(
        "Deleveraged",
        { marketId: MARKET, account: ACCOUNT, counterparty: OTHER, size: 2n, bankruptcyPrice: 90n },
        1,
      ),
      clearinghouseLog("PositionSettled", { marketId: MARKET, account: ACCOUNT, size: 5n, pnl: -7n }, 2),
      clearinghouseLog("ClaimPaid", { marketId: MARKET, account: ACCOUNT, amount: 11n }, 3),
    ];
    const events = decodeRelayLogs(logs, ADDRESSES, new Map([[7n, 1_700_000_000n]]));
    const base = { tx: TX, block: 7, ts: 1_700_000_000, account: ACCOUNT, marketId: MARKET };
    expect(events).to.deep.equal([
      {
        kind: "history",
        entry: {
          ...base,
          logIndex: 0,
          kind: "liquidation",
          data: { liquidator: OTHER, size: "-3", mark: "100", penalty: "4" },
        },
      },
      {
        kind: "history",
        entry: {
          ...base,
          logIndex: 1,
          kind: "deleverage",
          data: { counterparty: OTHER, size: "2", bankruptcyPrice: "90" },
        },
      },
      {
        kind: "history",
        entry: { ...base, logIndex: 2, kind: "settlement", data: { size: "5", pnl: "-7" } },
      },
      { kind: "history", entry: { ...base, logIndex: 3, kind: "claim", data: { amount: "11" } } },
    ]);
    // The stored data is JSON: its keys keep the event's argument order.
    expect(events.map((e) => (e.kind === "history" ? Object.keys(e.entry.data) : []))).to.deep.equal([
      ["liquidator", "size", "mark", "penalty"],
      ["counterparty", "size", "bankruptcyPrice"],
      ["size", "pnl"],
      ["amount"],
    ]);
  });

  it("turns a Traded naming a maker order into a fill and skips a Traded of a venue without orders", function () {
    const MAKER_ORDER = keccak256(toHex("maker order"));
    const TAKER_ORDER = keccak256(toHex("taker order"));
    const traded = (takerSizeDelta: bigint, makerOrderHash: Hex, takerOrderHash: Hex, price: bigint) => ({
      marketId: MARKET,
      maker: ACCOUNT,
      taker: OTHER,
      takerSizeDelta,
      price,
      makerFee: 1n,
      takerFee: 2n,
      basisRate: -3n,
      makerOrderHash,
      takerOrderHash,
    });
    const logs = [
      // matchOrders: the taker sold 4 (both orders named)
      clearinghouseLog("Traded", traded(-4n, MAKER_ORDER, TAKER_ORDER, 101n), 0),
      // a venue without orders: not an order fill
      clearinghouseLog("Traded", traded(9n, zeroHash, zeroHash, 102n), 1),
      // fillOrder: the taker (the caller, no order) bought 6
      clearinghouseLog("Traded", traded(6n, MAKER_ORDER, zeroHash, 103n), 2),
    ];
    const events = decodeRelayLogs(logs, ADDRESSES, new Map([[7n, 1_700_000_000n]]));
    const base = { tx: TX, block: 7, ts: 1_700_000_000, marketId: MARKET, maker: ACCOUNT, taker: OTHER };
    expect(events).to.deep.equal([
      {
        kind: "fill",
        fill: {
          ...base,
          logIndex: 0,
          makerHash: MAKER_ORDER,
          takerHash: TAKER_ORDER,
          takerIsBuy: false,
          size: 4n,
          price: 101n,
        },
      },
      {
        kind: "fill",
        fill: {
          ...base,
          logIndex: 2,
          makerHash: MAKER_ORDER,
          takerHash: zeroHash,
          takerIsBuy: true,
          size: 6n,
          price: 103n,
        },
      },
    ]);
  });

  it("ignores logs from other addresses and a missing block timestamp reads as 0", function () {
    const claim = { marketId: MARKET, account: ACCOUNT, amount: 1n };
    const logs = [clearinghouseLog("ClaimPaid", claim, 0, OTHER), clearinghouseLog("ClaimPaid", claim, 1)];
    const events = decodeRelayLogs(logs, ADDRESSES, new Map());
    expect(events).to.have.length(1);
    expect(events[0]).to.deep.include({ kind: "history" });
    expect(events[0].kind === "history" && events[0].entry.ts).to.equal(0);
  });
});
