import { expect } from "chai";
import type { Address } from "viem";

import { settlerConfigSchema } from "../../../keepers/configs.js";
import { ConfigError, loadConfig } from "../../../keepers/shell/config.js";
import { batchId, decideMarket, decideSettler, type SettlerConfig } from "../../../keepers/settler/decide.js";
import type { Market, MarketSettlementState } from "../../../sdk/core/entities/Market.js";
import { commandHelp, DISPUTE_WINDOW, FALLBACK_DELAY, testMarket } from "./fixtures.js";

const WAD = 10n ** 18n;
const EXPIRY = 1_800_000_000n;
const DISPUTE = DISPUTE_WINDOW;
const FALLBACK = FALLBACK_DELAY;

function market(settlement: Partial<MarketSettlementState> = {}, openPositions = 0n): Market {
  return testMarket(EXPIRY, { state: { openPositions }, settlement });
}

const addr = (i: number) => `0x${i.toString(16).padStart(40, "0")}` as Address;
const config: SettlerConfig = { batchSize: 2, maxBatchesPerTick: 2 };

describe("keepers: settler decide", function () {
  it("decides nothing without markets (a negative balance is owed to the fund: nothing to cover)", function () {
    expect(decideSettler({ markets: [] }, EXPIRY, config)).to.deep.equal([]);
  });

  it("waits before expiry and proposes at expiry", function () {
    const m = market();
    expect(decideMarket({ market: m, open: [], claims: [] }, EXPIRY - 1n, config)).to.deep.equal([
      { type: "wait", marketId: m.id, reason: "trading until expiry" },
    ]);
    expect(decideMarket({ market: m, open: [], claims: [] }, EXPIRY, config)).to.deep.equal([
      { type: "propose", marketId: m.id },
    ]);
  });

  it("finalizes after the dispute window, not before", function () {
    const proposedAt = EXPIRY + 100n;
    const m = market({ proposedAt, proposedPrice: 10n * WAD });
    const view = { market: m, open: [], claims: [] };
    expect(decideMarket(view, proposedAt + DISPUTE - 1n, config)[0]).to.deep.include({
      type: "wait",
      reason: "dispute window open",
    });
    expect(decideMarket(view, proposedAt + DISPUTE, config)).to.deep.equal([
      { type: "finalize", marketId: m.id, fallback: false },
    ]);
  });

  it("uses the fallback after its deadline: disputed, or never proposed", function () {
    const disputed = market({ proposedAt: EXPIRY + 10n, proposedPrice: 10n * WAD, disputed: true });
    const view = { market: disputed, open: [], claims: [] };
    expect(decideMarket(view, EXPIRY + FALLBACK - 1n, config)[0]).to.deep.include({ type: "wait" });
    expect(decideMarket(view, EXPIRY + FALLBACK, config)).to.deep.equal([
      { type: "finalize", marketId: disputed.id, fallback: true },
    ]);
    const never = market();
    expect(decideMarket({ market: never, open: [], claims: [] }, EXPIRY + FALLBACK, config)).to.deep.equal([
      { type: "finalize", marketId: never.id, fallback: true },
    ]);
  });

  it("settles open positions in sorted batches of batchSize, at most maxBatchesPerTick", function () {
    const m = market({ finalPrice: 10n * WAD }, 5n);
    const open = [addr(5), addr(3), addr(1), addr(4), addr(2)];
    const actions = decideMarket({ market: m, open, claims: [addr(9)] }, EXPIRY + 10_000n, config);
    expect(actions).to.deep.equal([
      {
        type: "settle",
        marketId: m.id,
        step: "positions",
        accounts: [addr(1), addr(2)],
        batch: batchId([addr(1), addr(2)], 5n),
      },
      {
        type: "settle",
        marketId: m.id,
        step: "positions",
        accounts: [addr(3), addr(4)],
        batch: batchId([addr(3), addr(4)], 5n),
      },
    ]);
  });

  it("names a batch by its accounts and the count left, whatever the order", function () {
    expect(batchId([addr(2), addr(1)], 4n)).to.equal(batchId([addr(1), addr(2)], 4));
    expect(batchId([addr(1), addr(2)], 4n)).to.not.equal(batchId([addr(1), addr(2)], 3n));
    expect(batchId([addr(1), addr(2)], 4n)).to.not.equal(batchId([addr(1), addr(3)], 4n));
    expect(batchId([addr(1)], 1n)).to.match(/^1-[0-9a-f]{16}$/);
  });

  it("waits when positions are open but no known account holds one", function () {
    const m = market({ finalPrice: 10n * WAD }, 2n);
    expect(
      decideMarket({ market: m, open: [], claims: [addr(1)] }, EXPIRY + 10_000n, config)[0],
    ).to.deep.include({
      type: "wait",
      reason: "2 open positions, none held by a known account",
    });
  });

  it("pays the claims once no position is open, then is done", function () {
    const m = market({ finalPrice: 10n * WAD }, 0n);
    expect(
      decideMarket({ market: m, open: [], claims: [addr(7), addr(6)] }, EXPIRY + 10_000n, config),
    ).to.deep.equal([
      {
        type: "settle",
        marketId: m.id,
        step: "claims",
        accounts: [addr(6), addr(7)],
        batch: batchId([addr(6), addr(7)], 2),
      },
    ]);
    expect(decideMarket({ market: m, open: [], claims: [] }, EXPIRY + 10_000n, config)).to.deep.equal([
      { type: "done", marketId: m.id },
    ]);
  });

  it("leaves positions and claims to their traders for traderGraceSeconds after expiry, then settles them", function () {
    const grace = { ...config, traderGraceSeconds: 86_400 };
    const open = market({ finalPrice: 10n * WAD }, 1n);
    const openView = { market: open, open: [addr(3)], claims: [] };
    const waiting = {
      type: "wait",
      marketId: open.id,
      reason: `positions and claims left to their traders until ${EXPIRY + 86_400n} (traderGraceSeconds)`,
    };
    expect(decideMarket(openView, EXPIRY + 86_399n, grace)).to.deep.equal([waiting]);
    expect(decideMarket(openView, EXPIRY + 86_400n, grace)).to.deep.equal(
      decideMarket(openView, EXPIRY + 86_400n, config),
    );
    expect(decideMarket(openView, EXPIRY + 86_400n, grace)[0]).to.deep.include({ type: "settle" });
    // an unpaid claim waits for its trader too
    const claimView = { market: market({ finalPrice: 10n * WAD }, 0n), open: [], claims: [addr(4)] };
    expect(decideMarket(claimView, EXPIRY + 86_399n, grace)[0]).to.deep.include({ type: "wait" });
    expect(decideMarket(claimView, EXPIRY + 86_400n, grace)[0]).to.deep.include({
      type: "settle",
      step: "claims",
    });
    // the grace never holds back the proposal or the finalization
    expect(decideMarket({ market: market(), open: [], claims: [] }, EXPIRY, grace)).to.deep.equal([
      { type: "propose", marketId: open.id },
    ]);
    const proposed = market({ proposedAt: EXPIRY + 10n, proposedPrice: 10n * WAD }, 1n);
    expect(
      decideMarket({ market: proposed, open: [addr(3)], claims: [] }, EXPIRY + 10n + DISPUTE, grace),
    ).to.deep.equal([{ type: "finalize", marketId: open.id, fallback: false }]);
    // nothing left: done, grace or not
    expect(
      decideMarket(
        { market: market({ finalPrice: 10n * WAD }, 0n), open: [], claims: [] },
        EXPIRY + 1n,
        grace,
      ),
    ).to.deep.equal([{ type: "done", marketId: open.id }]);
  });

  it("decides every market independently", function () {
    const trading = market();
    const settled = market({ finalPrice: 10n * WAD }, 0n);
    const actions = decideSettler(
      {
        markets: [
          { market: trading, open: [], claims: [] },
          { market: settled, open: [], claims: [] },
        ],
      },
      EXPIRY - 1n,
      config,
    );
    expect(actions.map((a) => a.type)).to.deep.equal(["wait", "done"]);
  });

  describe("config and CLI", function () {
    const base = {
      clearinghouseAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      rpcUrl: "http://127.0.0.1:8545",
      privateKey: `0x${"ab".repeat(32)}`,
    };
    const id = `0x${"12".repeat(32)}`;

    it("reads the market list from a comma-separated value and applies defaults", function () {
      const config = loadConfig(settlerConfigSchema, {
        env: { KEEPER_MARKETS: `${id.toUpperCase().replace("0X", "0x")}, ${id}` },
        flags: base,
      });
      expect(config.markets).to.deep.equal([id, id]);
      expect(config.batchSize).to.equal(50);
      expect(config.maxBatchesPerTick).to.equal(4);
      expect(config.traderGraceSeconds).to.equal(0);
      expect(
        loadConfig(settlerConfigSchema, { flags: { ...base, traderGraceSeconds: "3600" } })
          .traderGraceSeconds,
      ).to.equal(3600);
      expect(loadConfig(settlerConfigSchema, { flags: base }).markets).to.deep.equal([]);
    });

    it("names bad market ids and batch sizes", function () {
      expect(() =>
        loadConfig(settlerConfigSchema, { flags: { ...base, markets: "0x1234", batchSize: "0" } }),
      ).to.throw(ConfigError, /markets.*32-byte market ids[\s\S]*batchSize/);
      expect(() =>
        loadConfig(settlerConfigSchema, { flags: { ...base, traderGraceSeconds: "-1" } }),
      ).to.throw(ConfigError, /traderGraceSeconds/);
    });

    it("has a settler command explaining its options", function () {
      const help = commandHelp("settler");
      for (const flag of [
        "--clearinghouse-address",
        "--markets",
        "--batch-size",
        "--max-batches-per-tick",
        "--trader-grace-seconds",
      ]) {
        expect(help).to.contain(flag);
      }
    });
  });
});
