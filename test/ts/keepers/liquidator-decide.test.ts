import { expect } from "chai";
import type { Address } from "viem";

import { liquidatorConfigSchema } from "../../../keepers/configs.js";
import { ConfigError, loadConfig } from "../../../keepers/shell/config.js";
import {
  ABOVE_AT_INDEX,
  BASIS_NOT_HELD,
  decideLiquidator,
  gasCostOf,
  priceLimitOf,
  rankCounterparties,
  type LiquidatorConfig,
  type LiquidatorState,
} from "../../../keepers/liquidator/decide.js";
import { Account, indexMarks, liquidationMarks, markAll } from "../../../sdk/core/entities/Account.js";
import { liquidationPenaltySplit } from "../../../sdk/core/math/fees.js";
import { bankruptcyPrice, maxLiquidationSizeUp } from "../../../sdk/core/math/margin.js";
import { commandHelp, configErrorOf, testMarket } from "./fixtures.js";

const WAD = 10n ** 18n;
const USD = 10n ** 6n; // 6-decimal collateral
const SCALE = 10n ** 12n;
const NOW = 1_800_000_000n;
const ALICE = "0x00000000000000000000000000000000000a11ce" as Address;
const BOB = "0x0000000000000000000000000000000000000b0b" as Address;
const CAROL = "0x000000000000000000000000000000000000ca01" as Address;
const DAVE = "0x000000000000000000000000000000000000da7e" as Address;
const EVE = "0x0000000000000000000000000000000000000e7e" as Address;
const KEEPER = "0x000000000000000000000000000000000000beef" as Address;

const market = testMarket(NOW + 30n * 86_400n);

/** An account holding `size` contracts bought (or sold) at `entry` dollars, with `balance` dollars. */
function holder(address: Address, balance: bigint, size: bigint, entry: bigint): Account {
  const positions =
    size === 0n ? [] : ([[market.id, { size, openNotional: size * entry * 1_000n * WAD }]] as const);
  return Account.from({ address, balance: balance * USD, scale: SCALE, positions });
}

const config: LiquidatorConfig = {
  minProfit: 0n,
  gasUnits: 250_000n,
  nativePrice: 3_000n * WAD,
  slippage: WAD / 200n, // 0.5 %
  expiryMarginSeconds: 60n,
  marginBuffer: WAD / 10n,
  maxCounterparties: 8,
};

function state(
  index: bigint,
  accounts: Account[],
  overrides: Partial<LiquidatorState> = {},
): LiquidatorState {
  return {
    blockNumber: 100n,
    context: {
      collateralScale: SCALE,
      liquidatorShare: WAD / 2n,
      insuranceFund: 1_000_000n * USD,
      globalPaused: false,
    },
    marks: markAll([[market, index]], NOW),
    accounts,
    keeper: holder(KEEPER, 100_000n, 0n, 0n),
    gasPrice: 10n ** 9n,
    busy: new Set(),
    ...overrides,
  };
}

// alice: long 10 contracts at 10 $ with 10,000 $: equity 10,000, MM 5,000 at mark 10.
const alice = holder(ALICE, 10_000n, 10n, 10n);
const INDEX_DOWN = (94n * WAD) / 10n; // 9.4: equity 4,000 < MM 4,700

describe("keepers: liquidator decide", function () {
  it("never chooses a healthy account, even at any profit threshold", function () {
    expect(
      decideLiquidator(state(10n * WAD, [alice]), NOW, { ...config, minProfit: -(10n ** 30n) }),
    ).to.deep.equal([]);
    // just above maintenance margin
    expect(decideLiquidator(state((95n * WAD) / 10n, [alice]), NOW, config)).to.deep.equal([]);
  });

  it("leaves an account below maintenance at the mark only (a basis move that has not held) alone", function () {
    // the mark walked down to 9.4 while the liquidation mark (the time-averaged basis) and the index are still 10
    const walked = markAll([[market, INDEX_DOWN]], NOW);
    const marks = new Map(
      [...walked].map(([id, m]) => [id, { ...m, liquidationMark: 10n * WAD, indexMark: 10n * WAD }]),
    );
    expect(alice.health(marks).equity < alice.health(marks).maintenanceMargin).to.equal(true);
    expect(alice.isLiquidatable(marks)).to.equal(false);
    expect(alice.health(liquidationMarks(marks)).equity).to.equal(10_000n * WAD);
    expect(decideLiquidator(state(INDEX_DOWN, [alice], { marks }), NOW, config)).to.deep.equal([
      { type: "skip", account: ALICE, reason: BASIS_NOT_HELD },
    ]);
    // the walk has held and the average has followed, but at the index (10) alice is still above maintenance
    const held = new Map([...walked].map(([id, m]) => [id, { ...m, indexMark: 10n * WAD }]));
    expect(held.get(market.id)?.liquidationMark).to.equal(INDEX_DOWN);
    expect(alice.isLiquidatable(held)).to.equal(false);
    expect(alice.health(indexMarks(held)).equity).to.equal(10_000n * WAD);
    expect(decideLiquidator(state(INDEX_DOWN, [alice], { marks: held }), NOW, config)).to.deep.equal([
      { type: "skip", account: ALICE, reason: ABOVE_AT_INDEX },
    ]);
    // once the index has moved there too, it is liquidated as before
    expect(alice.isLiquidatable(walked)).to.equal(true);
    const [action] = decideLiquidator(state(INDEX_DOWN, [alice], { marks: walked }), NOW, config);
    expect(action.type).to.equal("liquidate");
  });

  it("liquidates an account below maintenance margin up to the contract's cap, with the price limit", function () {
    const [action] = decideLiquidator(state(INDEX_DOWN, [alice]), NOW, config);
    expect(action.type).to.equal("liquidate");
    if (action.type !== "liquidate") return;
    const v = market.unitValueAt(INDEX_DOWN);
    const marks = markAll([[market, INDEX_DOWN]], NOW);
    const h = alice.health(marks);
    const cap = maxLiquidationSizeUp(
      { mmr: WAD / 20n, liquidationPenalty: WAD / 50n, minSize: 1n },
      10n,
      v,
      h.equity,
      h.maintenanceMargin,
    );
    // ⌈(4,700 − 4,000) / (9,400 × 3 %)⌉ = ⌈700 / 282⌉ = 3
    expect(cap).to.equal(3n);
    expect(action).to.deep.include({
      account: ALICE,
      marketId: market.id,
      size: 3n,
      cap: 3n,
      mark: INDEX_DOWN,
    });
    expect(action.priceLimit).to.equal(priceLimitOf(INDEX_DOWN, true, config.slippage));
    expect(action.priceLimit).to.equal((INDEX_DOWN * 1005n) / 1000n);
    // 2 % of 28,200 $ = 564 $, half to the liquidator
    expect(action.reward).to.equal(282n * USD);
    // 250,000 gas × 1 gwei × 3,000 $ = 0.75 $
    expect(action.gasCost).to.equal(750_000n);
    expect(gasCostOf(10n ** 9n, config, SCALE)).to.equal(750_000n);
    expect(action.blockNumber).to.equal(100n);
    // the cap restores maintenance margin
    const after = alice.withTrade(market, -3n, INDEX_DOWN, "maker").account.withWithdrawal(564n * USD);
    const ha = after.health(marks);
    expect(ha.equity >= ha.maintenanceMargin).to.equal(true);
  });

  it("takes over a short with a lower price limit", function () {
    const short = holder(BOB, 10_000n, -10n, 10n);
    const up = (106n * WAD) / 10n;
    const [action] = decideLiquidator(state(up, [short]), NOW, config);
    expect(action.type).to.equal("liquidate");
    if (action.type !== "liquidate") return;
    expect(action.priceLimit).to.equal((up * 995n) / 1000n);
    expect(action.priceLimit).to.equal(priceLimitOf(up, false, config.slippage));
  });

  it("skips a liquidation whose reward does not beat gas plus the minimum profit", function () {
    const actions = decideLiquidator(state(INDEX_DOWN, [alice]), NOW, { ...config, minProfit: 282n * USD });
    expect(actions).to.have.length(1);
    expect(actions[0].type).to.equal("skip");
    if (actions[0].type === "skip") expect(actions[0].reason).to.match(/profit .* below minimum/);
    // expensive gas alone makes it unprofitable
    const pricey = decideLiquidator(state(INDEX_DOWN, [alice], { gasPrice: 10n ** 15n }), NOW, config);
    expect(pricey[0].type).to.equal("skip");
    // exactly at the threshold it goes
    const exact = decideLiquidator(state(INDEX_DOWN, [alice]), NOW, {
      ...config,
      minProfit: 282n * USD - 750_000n,
    });
    expect(exact[0].type).to.equal("liquidate");
  });

  it("respects the keeper's own margin: a smaller size when short of it, nothing when it has none", function () {
    // IM of one contract at 9.4: 940 $, plus a 10 % buffer
    const small = decideLiquidator(
      state(INDEX_DOWN, [alice], { keeper: holder(KEEPER, 2_000n, 0n, 0n) }),
      NOW,
      config,
    );
    expect(small[0].type).to.equal("liquidate");
    if (small[0].type === "liquidate") {
      expect(small[0].size).to.equal(2n);
      expect(small[0].cap).to.equal(3n);
    }
    const none = decideLiquidator(
      state(INDEX_DOWN, [alice], { keeper: holder(KEEPER, 500n, 0n, 0n) }),
      NOW,
      config,
    );
    expect(none[0]).to.deep.include({ type: "skip", reason: "the keeper's margin cannot take any of it" });
    // a keeper already short can take over a long: its risk shrinks, no margin needed
    const hedged = decideLiquidator(
      state(INDEX_DOWN, [alice], { keeper: holder(KEEPER, 0n, -5n, 9n) }),
      NOW,
      config,
    );
    expect(hedged[0]).to.deep.include({ type: "liquidate", size: 3n });
  });

  it("counts margin used by earlier liquidations of the same tick", function () {
    const twin = holder(BOB, 10_000n, 10n, 10n);
    // 4,000 $: the first takes its cap of 3 (IM + buffer 3,102 $), the second only what is left (1)
    const actions = decideLiquidator(
      state(INDEX_DOWN, [alice, twin], { keeper: holder(KEEPER, 4_000n, 0n, 0n) }),
      NOW,
      config,
    );
    expect(actions.map((a) => a.type)).to.deep.equal(["liquidate", "liquidate"]);
    expect(actions.map((a) => (a.type === "liquidate" ? a.size : 0n))).to.deep.equal([3n, 1n]);
    // with 3,000 $ the second gets nothing
    const tight = decideLiquidator(
      state(INDEX_DOWN, [alice, twin], { keeper: holder(KEEPER, 3_000n, 0n, 0n) }),
      NOW,
      config,
    );
    expect(tight.map((a) => a.type)).to.deep.equal(["liquidate", "skip"]);
  });

  it("never starts a second job for an account with one in flight", function () {
    const actions = decideLiquidator(
      state(INDEX_DOWN, [alice], { busy: new Set([ALICE.toUpperCase()]) }),
      NOW,
      config,
    );
    expect(actions).to.deep.equal([
      { type: "skip", account: ALICE, reason: "a job for this account is in flight" },
    ]);
  });

  it("leaves accounts alone when an index is stale, a market paused or near expiry", function () {
    const stale = decideLiquidator(state(INDEX_DOWN, [alice], { marks: new Map() }), NOW, config);
    expect(stale[0]).to.deep.include({ type: "skip", reason: "an index of its markets is stale" });
    const paused = decideLiquidator(
      state(INDEX_DOWN, [alice], {
        context: { collateralScale: SCALE, liquidatorShare: WAD / 2n, insuranceFund: 0n, globalPaused: true },
      }),
      NOW,
      config,
    );
    expect(paused[0]).to.deep.include({ type: "skip", reason: "market paused" });
    const late = market.params.expiry - 30n;
    const expiring = decideLiquidator(
      { ...state(INDEX_DOWN, [alice]), marks: markAll([[market, INDEX_DOWN]], late) },
      late,
      config,
    );
    expect(expiring[0]).to.deep.include({ type: "skip", reason: "every market is at or near expiry" });
  });

  describe("auto-deleveraging", function () {
    // alice: long 10 at 10 $ with 1,000 $; at 8 $ her equity is −19,000 $
    const bankrupt = holder(ALICE, 1_000n, 10n, 10n);
    const bob = holder(BOB, 50_000n, -4n, 10n); // short 4 at 10: +400 $ at the bankruptcy value
    const carol = holder(CAROL, 50_000n, -6n, 11n); // short 6 at 11: +6,600 $
    const daveShort = Account.from({
      address: DAVE,
      balance: 50_000n * USD,
      scale: SCALE,
      positions: [[market.id, { size: -3n, openNotional: -29_850n * WAD }]], // short 3 at 9.95: +150 $
    });
    const eve = holder(EVE, 50_000n, 5n, 7n); // long: same side, never a counterparty
    const loser = holder(EVE, 50_000n, -2n, 9n); // short 2 at 9: loses at the bankruptcy value
    const INDEX = 8n * WAD;

    it("ranks opposite positions by unrealised PnL at the bankruptcy price, most profitable first", function () {
      const marks = markAll([[market, INDEX]], NOW);
      const h = bankrupt.health(marks);
      expect(h.equity).to.equal(-19_000n * WAD);
      const b = bankruptcyPrice(10n, market.unitValueAt(INDEX), h.equity, SCALE, market.params.contractSize);
      const all = [bankrupt, bob, daveShort, eve, carol, loser];
      expect(rankCounterparties(all, ALICE, market.id, true, b.unitValue, 8, 100n)).to.deep.equal([
        CAROL,
        BOB,
        DAVE,
      ]);
      // stops once the whole position is covered (6 + 4 = 10)
      expect(rankCounterparties(all, ALICE, market.id, true, b.unitValue, 8, 10n)).to.deep.equal([
        CAROL,
        BOB,
      ]);
      expect(rankCounterparties(all, ALICE, market.id, true, b.unitValue, 1, 10n)).to.deep.equal([CAROL]);
    });

    it("deleverages when the insurance fund cannot cover the shortfall, liquidates when it can", function () {
      const accounts = [bankrupt, bob, daveShort, eve, carol, loser];
      const poor = state(INDEX, accounts, {
        context: {
          collateralScale: SCALE,
          liquidatorShare: WAD / 2n,
          insuranceFund: 100n * USD,
          globalPaused: false,
        },
      });
      const actions = decideLiquidator(poor, NOW, config).filter((a) => a.account === ALICE);
      expect(actions).to.have.length(1);
      expect(actions[0]).to.deep.include({
        type: "deleverage",
        account: ALICE,
        marketId: market.id,
        counterparties: [CAROL, BOB],
      });
      if (actions[0].type === "deleverage") {
        // the whole fund (100 $) pays first: the price covers the remaining 18,900 $
        const b = bankruptcyPrice(
          10n,
          market.unitValueAt(INDEX),
          -19_000n * WAD,
          SCALE,
          1_000n * WAD,
          100n * USD,
        );
        expect(b).to.deep.equal(
          bankruptcyPrice(10n, market.unitValueAt(INDEX), -18_900n * WAD, SCALE, 1_000n * WAD),
        );
        expect(actions[0].bankruptcyPrice).to.equal(b.price);
      }
      const rich = decideLiquidator(state(INDEX, accounts), NOW, {
        ...config,
        minProfit: -(10n ** 30n),
      }).filter((a) => a.account === ALICE);
      expect(rich[0].type).to.equal("liquidate");
      // nobody to take it: skipped, not sent
      const alone = decideLiquidator({ ...poor, accounts: [bankrupt, eve] }, NOW, config).filter(
        (a) => a.account === ALICE,
      );
      expect(alone[0]).to.deep.include({ type: "skip", reason: "bankrupt, no profitable counterparty" });
    });
  });

  describe("new money rules", function () {
    const bankrupt = holder(ALICE, 1_000n, 10n, 10n); // equity −19,000 $ at 8
    const carol = holder(CAROL, 50_000n, -6n, 11n);
    const INDEX = 8n * WAD;
    const fundOf = (insuranceFund: bigint, globalPaused = false) => ({
      context: { collateralScale: SCALE, liquidatorShare: WAD / 2n, insuranceFund, globalPaused },
    });

    it("deleverages only when the shortfall exceeds the fund, and never under a pause", function () {
      const accounts = [bankrupt, carol];
      const cheap = { ...config, minProfit: -(10n ** 30n) };
      // shortfall 19,000 = fund: the contract reverts InsuranceCanCover, so it liquidates instead
      const equal = decideLiquidator(state(INDEX, accounts, fundOf(19_000n * USD)), NOW, cheap);
      expect(equal.find((a) => a.account === ALICE)?.type).to.equal("liquidate");
      const above = decideLiquidator(state(INDEX, accounts, fundOf(19_000n * USD - 1n)), NOW, cheap);
      expect(above.find((a) => a.account === ALICE)?.type).to.equal("deleverage");
      const paused = decideLiquidator(state(INDEX, accounts, fundOf(100n * USD, true)), NOW, cheap);
      expect(paused.find((a) => a.account === ALICE)).to.deep.include({
        type: "skip",
        reason: "market paused",
      });
    });

    it("expects no reward from an account with no equity left: the penalty is capped at equity", function () {
      const actions = decideLiquidator(state(INDEX, [bankrupt], fundOf(1_000_000n * USD)), NOW, {
        ...config,
        minProfit: -(10n ** 30n),
      });
      expect(actions[0]).to.deep.include({ type: "liquidate", account: ALICE, reward: 0n });
      expect(liquidationPenaltySplit(10n, 8_000n * WAD, WAD / 50n, WAD / 2n, SCALE, -1n)).to.deep.equal({
        penalty: 0n,
        liquidatorReward: 0n,
        insurance: 0n,
      });
      // equity of 100 $ and just under one token unit: the 1,600 $ penalty is capped at 100 $ (rounded down)
      expect(
        liquidationPenaltySplit(10n, 8_000n * WAD, WAD / 50n, WAD / 2n, SCALE, 100n * WAD + SCALE - 1n),
      ).to.deep.equal({ penalty: 100n * USD, liquidatorReward: 50n * USD, insurance: 50n * USD });
    });

    it("leaves an escrowed gain alone: it has no contracts to take over", function () {
      // alice closed a winner (gain 500 $ escrowed) and holds a losing long elsewhere: only that one is liquidated
      const other = testMarket(NOW + 60n * 86_400n);
      const account = Account.from({
        address: ALICE,
        balance: 100n * USD,
        scale: SCALE,
        positions: [
          [market.id, { size: 0n, openNotional: -500n * WAD }],
          [other.id, { size: 10n, openNotional: 10n * 10_000n * WAD }],
        ],
      });
      const marks = markAll(
        [
          [market, 10n * WAD],
          [other, (94n * WAD) / 10n],
        ],
        NOW,
      );
      const actions = decideLiquidator({ ...state(INDEX, [account]), marks }, NOW, {
        ...config,
        minProfit: -(10n ** 30n),
      });
      expect(actions).to.have.length(1);
      expect(actions[0]).to.deep.include({ type: "liquidate", marketId: other.id });
    });
  });

  describe("config and CLI", function () {
    const base = {
      clearinghouseAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      rpcUrl: "http://127.0.0.1:8545",
      dryRun: "true",
    };

    it("applies defaults and converts amounts", function () {
      const config = loadConfig(liquidatorConfigSchema, {
        env: { KEEPER_MIN_PROFIT: "-5", KEEPER_NATIVE_TOKEN_PRICE_USD: "2500.5" },
        flags: { ...base, fromBlock: "123" },
      });
      expect(config.minProfit).to.equal(-5n);
      expect(config.nativeTokenPriceUsd).to.equal(2_500_500_000_000_000_000_000n);
      expect(config.fromBlock).to.equal(123n);
      expect(config.logChunkSize).to.equal(2_000);
      expect(config.slippageBps).to.equal(50);
      expect(config.marginBufferBps).to.equal(1_000);
      expect(config.maxCounterparties).to.equal(8);
    });

    it("names every bad field", function () {
      const error = configErrorOf(() =>
        loadConfig(liquidatorConfigSchema, {
          flags: {
            ...base,
            clearinghouseAddress: "0x1",
            minProfit: "1.5",
            fromBlock: "-1",
            slippageBps: "9000",
          },
        }),
      );
      expect(error).to.be.instanceOf(ConfigError);
      expect(error.message).to.contain("clearinghouseAddress (flag or KEEPER_CLEARINGHOUSE_ADDRESS)");
      expect(error.message).to.contain("minProfit (flag or KEEPER_MIN_PROFIT): expected an integer");
      expect(error.message).to.contain("fromBlock");
      expect(error.message).to.contain("slippageBps");
      expect(() => loadConfig(liquidatorConfigSchema, { flags: { ...base, dryRun: "false" } })).to.throw(
        ConfigError,
        /privateKey.*required unless --dry-run/,
      );
      expect(() => loadConfig(liquidatorConfigSchema, { flags: { ...base, rpcUrl: undefined } })).to.throw(
        ConfigError,
        /rpcUrl/,
      );
    });

    it("has a liquidator command explaining its options", function () {
      const help = commandHelp("liquidator");
      for (const flag of [
        "--clearinghouse-address",
        "--from-block",
        "--min-profit",
        "--slippage-bps",
        "--dry-run",
      ]) {
        expect(help).to.contain(flag);
      }
    });
  });
});
