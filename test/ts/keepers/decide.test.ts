import { readFileSync } from "node:fs";

import { expect } from "chai";
import type { Address, Hex } from "viem";

import { decideMatcher, capacity, validFlags, type BookOrder } from "../../../keepers/matcher/decide.js";
import {
  decideRelayer,
  type CollectedReport,
  type OracleIndexView,
} from "../../../keepers/relayer/decide.js";
import { decideReporter, observationTime } from "../../../keepers/reporter/decide.js";
import {
  ATPI_FRONTIER_SPEC,
  GPU_H100_SPEC,
  parsePriceCsv,
  parseQuoteCsv,
  startOfDay,
} from "../../../index/index.js";
import { indexIdOf } from "../../../sdk/core/eip712/reports.js";
import { OrderFlags, type Order } from "../../../sdk/core/eip712/orders.js";

const E18 = 10n ** 18n;
const PRICES = parsePriceCsv(readFileSync("index/fixtures/ai-token-list-prices.csv", "utf8"));
const QUOTES = parseQuoteCsv(readFileSync("index/fixtures/h100-quotes.csv", "utf8"));

describe("keepers: decide functions", function () {
  describe("reporter", function () {
    const config = { spec: ATPI_FRONTIER_SPEC, periodSeconds: 3600 };
    const now = startOfDay("2025-07-01") + 5_000n;

    it("aligns observedAt to the period start", function () {
      expect(observationTime(now, 3600)).to.equal(startOfDay("2025-07-01") + 3600n);
      expect(observationTime(startOfDay("2025-07-01"), 3600)).to.equal(startOfDay("2025-07-01"));
    });

    it("publishes the methodology's round for the current period", function () {
      const [action] = decideReporter({ rows: PRICES }, now, config);
      expect(action.type).to.equal("publish");
      if (action.type !== "publish") return;
      expect(action.round.observedAt).to.equal(startOfDay("2025-07-01") + 3600n);
      expect(action.round.asOf).to.equal("2025-07-01");
      expect(action.round.indexId).to.equal(indexIdOf("ATPI-FRONTIER"));
      expect(action.round.value > 0n).to.equal(true);
    });

    it("does nothing once this period's report is published, and publishes again next period", function () {
      const observedAt = observationTime(now, 3600);
      expect(decideReporter({ rows: PRICES, lastPublishedAt: observedAt }, now, config)).to.deep.equal([]);
      const next = decideReporter({ rows: PRICES, lastPublishedAt: observedAt }, now + 3600n, config);
      expect(next.map((a) => a.type)).to.deep.equal(["publish"]);
    });

    it("skips with the methodology's error code when the data are too old", function () {
      const [action] = decideReporter({ rows: QUOTES }, startOfDay("2027-01-01"), {
        spec: GPU_H100_SPEC,
        periodSeconds: 3600,
      });
      expect(action.type).to.equal("skip");
      if (action.type === "skip") expect(action.code).to.equal("INSUFFICIENT_CONSTITUENTS");
    });
  });

  describe("relayer", function () {
    const ID = indexIdOf("ATPI-FRONTIER");
    const signers = [1, 2, 3, 4, 5].map((i) => `0x${i.toString(16).padStart(40, "0")}` as Address);
    const NOW = 1_000_000n;
    const base: OracleIndexView = {
      indexId: ID,
      quorum: 3,
      reporterCount: 5,
      maxAge: 3600n,
      minInterval: 60n,
      maxDeviation: E18 / 10n,
      lastObservedAt: 0n,
      reporters: signers,
    };
    const config = {
      heartbeatSeconds: 3600n,
      deviationThreshold: E18 / 100n,
      agreementTolerance: E18 / 200n,
      freshnessMarginSeconds: 60n,
    };
    const report = (who: number, value: bigint, observedAt = NOW - 10n): CollectedReport => ({
      signer: signers[who],
      signed: { report: { indexId: ID, value, observedAt, inputsHash: ID }, r: ID, vs: ID },
    });

    it("submits the first round once a quorum agrees", function () {
      const [action] = decideRelayer(
        { oracle: base, reports: [0, 1, 2].map((i) => report(i, 10n * E18)) },
        NOW,
        config,
      );
      expect(action.type).to.equal("submit");
      if (action.type !== "submit") return;
      expect(action.reason).to.equal("first-round");
      expect(action.reports).to.have.length(3);
      expect(action.observedAt).to.equal(NOW - 10n);
    });

    it("waits below quorum, and ignores unknown signers and duplicate reports of one signer", function () {
      const stranger: CollectedReport = {
        ...report(0, 10n * E18),
        signer: `0x${"ee".repeat(20)}` as Address,
      };
      const reports = [report(0, 10n * E18), report(0, 10n * E18, NOW - 20n), report(1, 10n * E18), stranger];
      const [action] = decideRelayer({ oracle: base, reports }, NOW, config);
      expect(action).to.deep.equal({ type: "wait", reason: "fresh reports 2 below quorum 3" });
    });

    it("leaves out reports already used, stale, from the future, or for another index", function () {
      const oracle = { ...base, lastObservedAt: NOW - 100n };
      const reports = [
        report(0, 10n * E18, NOW - 100n), // replay of the last round
        report(1, 10n * E18, NOW - 3600n), // stale
        report(2, 10n * E18, NOW + 1n), // future
        {
          ...report(3, 10n * E18),
          signed: {
            ...report(3, 10n * E18).signed,
            report: { ...report(3, 10n * E18).signed.report, indexId: indexIdOf("X") },
          },
        },
      ];
      expect(decideRelayer({ oracle, reports }, NOW, config)[0].type).to.equal("wait");
    });

    it("drops outliers and submits only the agreeing quorum", function () {
      const reports = [
        report(0, 100n * E18),
        report(1, 100n * E18),
        report(2, 1000n),
        report(3, 100n * E18 + E18 / 1000n),
      ];
      const [action] = decideRelayer({ oracle: base, reports }, NOW, config);
      expect(action.type).to.equal("submit");
      if (action.type === "submit") expect(action.reports.map((r) => r.report.value)).to.not.include(1000n);
    });

    it("waits until the heartbeat or a deviation past the threshold", function () {
      const last = { value: 10n * E18, timestamp: NOW - 600n };
      const oracle = { ...base, last, lastObservedAt: NOW - 700n };
      const same = [0, 1, 2].map((i) => report(i, 10n * E18));
      expect(decideRelayer({ oracle, reports: same }, NOW, config)[0]).to.deep.equal({
        type: "wait",
        reason: "no heartbeat due and no deviation",
      });
      const heartbeat = decideRelayer({ oracle, reports: same }, NOW + 3000n, {
        ...config,
        freshnessMarginSeconds: 0n,
      })[0];
      expect(heartbeat.type === "submit" && heartbeat.reason).to.equal("heartbeat");
      const moved = [0, 1, 2].map((i) => report(i, 10n * E18 + E18 / 5n)); // +2 %
      const deviation = decideRelayer({ oracle, reports: moved }, NOW, config)[0];
      expect(deviation.type === "submit" && deviation.reason).to.equal("deviation");
    });

    it("respects the minimum interval and the supermajority a large move needs", function () {
      const oracle = { ...base, last: { value: 10n * E18, timestamp: NOW - 30n }, lastObservedAt: NOW - 40n };
      const reports = [0, 1, 2].map((i) => report(i, 20n * E18));
      expect(decideRelayer({ oracle, reports }, NOW, config)[0].type).to.equal("wait");
      const later = { ...oracle, last: { value: 10n * E18, timestamp: NOW - 120n } };
      const [three] = decideRelayer({ oracle: later, reports }, NOW, config);
      expect(three).to.deep.equal({
        type: "wait",
        reason: "move beyond the oracle's deviation bound needs a supermajority",
      });
      const four = decideRelayer(
        { oracle: later, reports: [...reports, report(3, 20n * E18)] },
        NOW,
        config,
      )[0];
      expect(four.type).to.equal("submit");
    });
  });

  describe("matcher", function () {
    const MARKET = indexIdOf("ATPI-FRONTIER-2027Q1");
    const NOW = 1_000_000n;
    const config = { maxMakers: 8, expiryMarginSeconds: 5n };
    let seq = 0;
    const trader = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as Address;
    function book(
      who: number,
      isBuy: boolean,
      price: bigint,
      size: bigint,
      extra: Partial<BookOrder> & { flags?: number; expiry?: bigint; nonce?: bigint } = {},
    ): BookOrder {
      const s = seq++;
      const order: Order = {
        trader: trader(who),
        marketId: MARKET,
        isBuy,
        size,
        limitPrice: price * E18,
        expiry: extra.expiry ?? NOW + 3600n,
        nonce: extra.nonce ?? BigInt(s),
        salt: BigInt(s),
        flags: extra.flags ?? 0,
      };
      return {
        order,
        signature: "0x",
        hash: `0x${s.toString(16).padStart(64, "0")}` as Hex,
        seq: s,
        filled: 0n,
        nonceUsed: false,
        minNonce: 0n,
        position: 0n,
        ...extra,
      };
    }

    it("matches the newer order as taker against makers in price-time priority", function () {
      const a1 = book(1, false, 11n, 5n);
      const a2 = book(2, false, 10n, 5n);
      const a3 = book(3, false, 10n, 5n);
      const far = book(4, false, 13n, 5n);
      const bid = book(5, true, 12n, 12n);
      const [m, ...rest] = decideMatcher([a1, a2, a3, far, bid], NOW, config);
      expect(rest).to.deep.equal([]);
      expect(m.taker.hash).to.equal(bid.hash);
      expect(m.makers.map((x) => x.hash)).to.deep.equal([a2.hash, a3.hash, a1.hash]);
      expect(m.fillSizes).to.deep.equal([5n, 5n, 2n]);
    });

    it("uses remaining size, skips expired, cancelled and nonce-voided orders, and never self-trades", function () {
      const used = book(1, false, 10n, 5n, { filled: 5n });
      const expired = book(2, false, 10n, 5n, { expiry: NOW + 2n });
      const cancelled = book(3, false, 10n, 5n, { nonceUsed: true });
      const voided = book(4, false, 10n, 5n, { minNonce: 1n, nonce: 0n });
      const own = book(6, false, 10n, 5n);
      const partial = book(5, false, 10n, 5n, { filled: 3n });
      const bid = book(6, true, 10n, 10n);
      const [m] = decideMatcher([used, expired, cancelled, voided, own, partial, bid], NOW, config);
      expect(m.makers.map((x) => x.hash)).to.deep.equal([partial.hash]);
      expect(m.fillSizes).to.deep.equal([2n]);
    });

    it("treats a nonce the round uses up as void for every other order sharing it", function () {
      // maker 1 signed two asks with nonce 7: the first completes in the match, so the second is void
      const a1 = book(1, false, 10n, 4n, { nonce: 7n });
      const a2 = book(1, false, 10n, 5n, { nonce: 7n });
      const a3 = book(2, false, 10n, 5n);
      const bid = book(3, true, 10n, 20n);
      const [m, ...rest] = decideMatcher([a1, a2, a3, bid], NOW, config);
      expect(rest).to.deep.equal([]);
      expect(m.makers.map((x) => x.hash)).to.deep.equal([a1.hash, a3.hash]);
      expect(m.fillSizes).to.deep.equal([4n, 5n]);
      // a partial fill does not use the nonce: the sibling order stays live
      const p1 = book(1, false, 10n, 9n, { nonce: 8n });
      const p2 = book(1, false, 11n, 5n, { nonce: 8n });
      const small = book(3, true, 11n, 3n);
      const [m2] = decideMatcher([p1, p2, small], NOW, config);
      expect(m2.makers.map((x) => x.hash)).to.deep.equal([p1.hash]);
      // a taker that completes uses its nonce too: its sibling does not take again this round
      const t1 = book(4, true, 10n, 2n, { nonce: 1n });
      const t2 = book(4, true, 10n, 2n, { nonce: 1n });
      const ask = book(5, false, 10n, 10n, { flags: OrderFlags.PostOnly });
      const actions = decideMatcher([ask, t1, t2], NOW, config);
      expect(actions.map((a) => a.taker.hash)).to.deep.equal([t1.hash]);
    });

    it("does not match orders that do not cross or sit in another market", function () {
      const ask = book(1, false, 11n, 5n);
      const bid = book(2, true, 10n, 5n);
      const other = { ...book(3, true, 20n, 5n) };
      other.order = { ...other.order, marketId: indexIdOf("OTHER") };
      expect(decideMatcher([ask, bid, other], NOW, config)).to.deep.equal([]);
    });

    it("respects flags: post-only never takes, IOC/FOK never rest, FOK needs its whole size, reduce-only is capped", function () {
      const postAsk = book(1, false, 10n, 5n);
      const postBid = book(2, true, 10n, 5n, { flags: OrderFlags.PostOnly });
      const [m1] = decideMatcher([postAsk, postBid], NOW, config);
      expect(m1.taker.hash).to.equal(postAsk.hash);
      const bothPost = [
        book(1, false, 10n, 5n, { flags: OrderFlags.PostOnly }),
        book(2, true, 10n, 5n, { flags: OrderFlags.PostOnly }),
      ];
      expect(decideMatcher(bothPost, NOW, config)).to.deep.equal([]);
      const ioc = book(1, false, 10n, 5n, { flags: OrderFlags.ImmediateOrCancel });
      const newer = book(2, true, 10n, 5n);
      expect(decideMatcher([ioc, newer], NOW, config)[0].taker.hash).to.equal(ioc.hash);
      const fok = book(3, true, 10n, 8n, { flags: OrderFlags.FillOrKill });
      expect(decideMatcher([book(4, false, 10n, 5n), fok], NOW, config)).to.deep.equal([]);
      const reduce = book(5, true, 10n, 8n, { flags: OrderFlags.ReduceOnly, position: -3n });
      expect(capacity(reduce, NOW, config)).to.equal(3n);
      const [m2] = decideMatcher([book(6, false, 10n, 5n), reduce], NOW, config);
      expect(m2.fillSizes).to.deep.equal([3n]);
      expect(validFlags(OrderFlags.PostOnly | OrderFlags.ImmediateOrCancel)).to.equal(false);
      expect(validFlags(64)).to.equal(false);
    });

    it("caps the makers per call and keeps matching in further calls", function () {
      const asks = [1, 2, 3].map((i) => book(i, false, 10n, 1n));
      const bids = [book(7, true, 10n, 2n), book(8, true, 10n, 1n)];
      const actions = decideMatcher([...asks, ...bids], NOW, { ...config, maxMakers: 1 });
      expect(actions.map((a) => [a.taker.hash, a.makers.length])).to.deep.equal([
        [bids[0].hash, 1],
        [bids[0].hash, 1],
        [bids[1].hash, 1],
      ]);
    });
  });
});
