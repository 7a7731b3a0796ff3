/**
 * The Exchange over the real Clearinghouse and IndexOracle: signed orders (ethers and viem) fill into
 * real positions, fees reach the insurance fund and the treasury, and the Clearinghouse's checks
 * (margin, band, tick, minimum size, pause, stale index) surface through `fillOrder` / `matchOrders`.
 */
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { network } from "hardhat";
import { getAddress } from "viem";

import { DAY, INDEX_ID, WAD, defaultRisk, deployProtocol, type Protocol } from "./helpers/protocolFixture.js";
import {
  OrderFlags,
  hashOrder,
  signOrderViem,
  buildOrder,
  signOrderEthers,
} from "../../sdk/core/eip712/orders.js";
import { InsufficientMarginError, fillOrder as fillOrderViem } from "../../sdk/index.js";
import { defaultTerms } from "./helpers/clearinghouseFixture.js";

const { ethers, viem, networkHelpers } = await network.create();

type Hex = `0x${string}`;
const PRICE = 10n * WAD;
/** Dollar value of one contract at PRICE (contract size 1,000 index units), wad. */
const UNIT_VALUE = 10_000n * WAD;
const SCALE = 10n ** 12n;

const deploy = () => deployProtocol(ethers, networkHelpers);
const deployWithMock = () => deployProtocol(ethers, networkHelpers, { mockOracle: true });
const fixture = () => networkHelpers.loadFixture(deploy);

/** Fee in collateral units of `size` contracts at value `v` and rate `rate` (rounded up, as the contract). */
const feeOf = (size: bigint, v: bigint, rate: bigint) => {
  const wad = (size * v * rate + WAD - 1n) / WAD;
  return (wad + SCALE - 1n) / SCALE;
};

/** Opens `size` long for `long` against `short` at PRICE through `fillOrder` (short is the maker). */
async function open(p: Protocol, long: number, short: number, size: bigint) {
  const { order, signature } = await p.signOrder(p.traders[short], { isBuy: false, size, limitPrice: PRICE });
  await (await p.exchange.connect(p.traders[long]).fillOrder(order, signature, size)).wait();
}

describe("Exchange over the Clearinghouse", function () {
  describe("fills", function () {
    it("fillOrder_ethersSignedOrder_booksPositionsAndFees", async function () {
      const p = await fixture();
      const [maker, taker] = p.traders;
      const { order, signature } = await p.signOrder(maker, { isBuy: false, size: 10n, limitPrice: PRICE });
      const makerBefore = (await p.ch.accountOf(maker.address)).balance;
      const takerBefore = (await p.ch.accountOf(taker.address)).balance;

      const risk = defaultRisk();
      const makerFee = feeOf(4n, UNIT_VALUE, risk.makerFee);
      const takerFee = feeOf(4n, UNIT_VALUE, risk.takerFee);
      // The fill's one event: the maker order filled, no taker order (the caller takes).
      await expect(p.exchange.connect(taker).fillOrder(order, signature, 4n))
        .to.emit(p.ch, "Traded")
        .withArgs(
          p.marketId,
          maker.address,
          taker.address,
          4n,
          PRICE,
          makerFee,
          takerFee,
          anyValue,
          hashOrder(p.domain, order),
          ethers.ZeroHash,
        );

      expect(await p.ch.positionSize(maker.address, p.marketId)).to.equal(-4n);
      expect(await p.ch.positionSize(taker.address, p.marketId)).to.equal(4n);
      expect((await p.ch.accountOf(maker.address)).balance).to.equal(makerBefore - makerFee);
      expect((await p.ch.accountOf(taker.address)).balance).to.equal(takerBefore - takerFee);
      // Fee shares are half and half: insurance gets its share rounded down, the treasury the rest.
      const total = makerFee + takerFee;
      expect(await p.ch.insuranceFund()).to.equal(total / 2n);
      expect(await p.ch.treasuryAccrued()).to.equal(total - total / 2n);
      expect(await p.exchange.filled(hashOrder(p.domain, order))).to.equal(4n);
      const [, open] = await p.ch.marketState(p.marketId);
      expect(open).to.equal(4n);
    });

    it("matchOrders_viemSignedOrders_fillAtMakerPrices", async function () {
      const p = await fixture();
      // Wallet clients 2 and 3 are the fixture's funded traders 0 and 1.
      const [, , walletTaker, walletMaker] = await viem.getWalletClients();
      expect(getAddress(walletTaker.account.address)).to.equal(p.traders[0].address);
      const now = await p.now();
      const takerOrder = buildOrder(
        {
          trader: walletTaker.account.address,
          marketId: p.marketId,
          isBuy: true,
          size: 6n,
          limitPrice: PRICE + WAD / 10n,
        },
        now,
      );
      const makerOrder = buildOrder(
        {
          trader: walletMaker.account.address,
          marketId: p.marketId,
          isBuy: false,
          size: 6n,
          limitPrice: PRICE + WAD / 100n,
        },
        now,
      );
      const takerSig = await signOrderViem(walletTaker, p.domain, takerOrder);
      const makerSig = await signOrderViem(walletMaker, p.domain, makerOrder);

      await expect(
        p.exchange.connect(p.traders[7]).matchOrders(takerOrder, takerSig, [makerOrder], [makerSig], [6n]),
      )
        .to.emit(p.ch, "Traded")
        .withArgs(
          p.marketId,
          getAddress(walletMaker.account.address),
          getAddress(walletTaker.account.address),
          6n,
          makerOrder.limitPrice,
          anyValue,
          anyValue,
          anyValue,
          hashOrder(p.domain, makerOrder),
          hashOrder(p.domain, takerOrder),
        );
      expect(await p.ch.positionSize(walletTaker.account.address, p.marketId)).to.equal(6n);
      expect(await p.ch.positionSize(walletMaker.account.address, p.marketId)).to.equal(-6n);
      const [, openNotional] = await p.ch.position(walletTaker.account.address, p.marketId);
      expect(openNotional).to.equal(6n * (makerOrder.limitPrice * 1_000n));
    });

    it("fillOrder_contractWalletTrader_tradesThroughEip1271", async function () {
      const p = await fixture();
      const [owner, taker] = p.traders;
      const wallet = await ethers.deployContract("MockERC1271Wallet", [owner.address]);
      const walletAddress = (await wallet.getAddress()) as Hex;
      await (await p.token.mint(p.admin.address, p.usd("100000"))).wait();
      await (await p.token.approve(await p.ch.getAddress(), ethers.MaxUint256)).wait();
      await (await p.ch.depositFor(walletAddress, p.usd("100000"))).wait();
      const order = buildOrder(
        { trader: walletAddress, marketId: p.marketId, isBuy: true, size: 3n, limitPrice: PRICE },
        await p.now(),
      );
      const signature = await signOrderEthers(owner, p.domain, order);

      await (await p.exchange.connect(taker).fillOrder(order, signature, 3n)).wait();
      expect(await p.ch.positionSize(walletAddress, p.marketId)).to.equal(3n);
      expect(await p.ch.positionSize(taker.address, p.marketId)).to.equal(-3n);
    });
  });

  describe("Clearinghouse checks surface through the Exchange", function () {
    it("fillOrder_takerWithoutMargin_revertsInsufficientMarginDecoded", async function () {
      const p = await fixture();
      const [maker] = p.traders;
      const poor = (await ethers.getSigners())[12];
      await p.fund(poor, "500"); // 10 % of one contract's 10,000 dollars is 1,000
      const { order, signature } = await p.signOrder(maker, { isBuy: false, size: 1n, limitPrice: PRICE });
      await expect(p.exchange.connect(poor).fillOrder(order, signature, 1n))
        .to.be.revertedWithCustomError(p.ch, "InsufficientMargin")
        .withArgs(poor.address, anyValue, 1_000n * WAD);

      // The SDK's viem action simulates first and throws the typed error.
      const client = await viem.getWalletClient(poor.address as Hex);
      const err = await fillOrderViem(client, {
        address: (await p.exchange.getAddress()) as Hex,
        order,
        signature,
        fillSize: 1n,
      }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(InsufficientMarginError);
      expect((err as InsufficientMarginError).args.account).to.equal(poor.address);
      expect((err as InsufficientMarginError).args.initialMargin).to.equal(1_000n * WAD);
    });

    it("fillOrder_priceOutsideBand_reverts", async function () {
      const p = await fixture();
      const { order, signature } = await p.signOrder(p.traders[0], {
        isBuy: false,
        size: 1n,
        limitPrice: 12n * WAD,
      });
      await expect(p.exchange.connect(p.traders[1]).fillOrder(order, signature, 1n))
        .to.be.revertedWithCustomError(p.ch, "PriceOutsideBand")
        .withArgs(12n * WAD, anyValue, defaultRisk().priceBand);
    });

    it("fillOrder_priceOffTick_reverts", async function () {
      const p = await fixture();
      const price = PRICE + WAD / 10_000n;
      const { order, signature } = await p.signOrder(p.traders[0], {
        isBuy: false,
        size: 1n,
        limitPrice: price,
      });
      await expect(p.exchange.connect(p.traders[1]).fillOrder(order, signature, 1n))
        .to.be.revertedWithCustomError(p.ch, "PriceNotOnTick")
        .withArgs(price, WAD / 1_000n);
    });

    it("fillOrder_belowMarketMinimumSize_reverts", async function () {
      const p = await fixture();
      const params = { ...p.params, expiry: (await p.now()) + 30n * BigInt(DAY), minSize: 5n };
      await (await p.ch.createMarket(params, defaultRisk(), defaultTerms())).wait();
      const marketId = (await p.ch.marketId(params)) as Hex;
      const { order, signature } = await p.signOrder(p.traders[0], {
        marketId,
        isBuy: false,
        size: 10n,
        limitPrice: PRICE,
      });
      await expect(p.exchange.connect(p.traders[1]).fillOrder(order, signature, 4n))
        .to.be.revertedWithCustomError(p.ch, "SizeBelowMinimum")
        .withArgs(4n, 5n);
      await (await p.exchange.connect(p.traders[1]).fillOrder(order, signature, 5n)).wait();
      expect(await p.ch.positionSize(p.traders[1].address, marketId)).to.equal(5n);
    });

    it("fillOrder_staleIndex_revertsStaleIndexWithTheRoundsTimeAndMaxAge", async function () {
      const p = await fixture();
      const { order, signature } = await p.signOrder(p.traders[0], {
        isBuy: false,
        size: 1n,
        limitPrice: PRICE,
        expiry: (await p.now()) + 30n * BigInt(DAY),
      });
      const [, updatedAt, maxAge] = await p.ch.indexValue(INDEX_ID);
      expect(maxAge).to.equal(BigInt(7 * DAY));
      await networkHelpers.time.increase(7 * DAY + 1);
      // The Clearinghouse's copy goes stale exactly as the oracle's `latest` does, with the same arguments.
      await expect(p.exchange.connect(p.traders[1]).fillOrder(order, signature, 1n))
        .to.be.revertedWithCustomError(p.ch, "StaleIndex")
        .withArgs(INDEX_ID, updatedAt, maxAge);
      await expect(p.oracle!.latest(INDEX_ID))
        .to.be.revertedWithCustomError(p.oracle!, "StaleIndex")
        .withArgs(INDEX_ID, updatedAt, maxAge);
    });

    it("fillOrder_mockOracleForcedStale_revertsAndRecoversWhenFresh", async function () {
      const p = await networkHelpers.loadFixture(deployWithMock);
      const { order, signature } = await p.signOrder(p.traders[0], {
        isBuy: false,
        size: 2n,
        limitPrice: PRICE,
      });
      await (await p.mockOracle!.setStale(INDEX_ID, true)).wait();
      await expect(p.exchange.connect(p.traders[1]).fillOrder(order, signature, 1n))
        .to.be.revertedWithCustomError(p.ch, "StaleIndex")
        .withArgs(INDEX_ID, 1n, 0n);
      // Nothing was recorded by the failed fill: the whole order is still fillable.
      expect(await p.exchange.filled(hashOrder(p.domain, order))).to.equal(0n);
      await (await p.mockOracle!.setStale(INDEX_ID, false)).wait();
      await (await p.exchange.connect(p.traders[1]).fillOrder(order, signature, 2n)).wait();
      expect(await p.ch.positionSize(p.traders[1].address, p.marketId)).to.equal(2n);
    });
  });

  describe("reduce-only against real positions", function () {
    it("reduceOnly_fillsTowardsZeroAndRejectsGrowthOrFlip", async function () {
      const p = await fixture();
      const [long, short, other] = p.traders;
      await open(p, 0, 1, 10n); // long +10, short -10
      const { order, signature } = await p.signOrder(long, {
        isBuy: false,
        size: 20n,
        limitPrice: PRICE,
        flags: OrderFlags.ReduceOnly,
      });
      const hash = hashOrder(p.domain, order);
      await (await p.exchange.connect(other).fillOrder(order, signature, 4n)).wait();
      expect(await p.ch.positionSize(long.address, p.marketId)).to.equal(6n);
      // 7 more would flip the remaining +6 to -1.
      await expect(p.exchange.connect(other).fillOrder(order, signature, 7n))
        .to.be.revertedWithCustomError(p.exchange, "ReduceOnlyWouldIncrease")
        .withArgs(hash, 6n, -7n);
      await (await p.exchange.connect(other).fillOrder(order, signature, 6n)).wait();
      expect(await p.ch.positionSize(long.address, p.marketId)).to.equal(0n);
      // Flat now: any further reduce-only fill would open a position.
      await expect(p.exchange.connect(other).fillOrder(order, signature, 1n))
        .to.be.revertedWithCustomError(p.exchange, "ReduceOnlyWouldIncrease")
        .withArgs(hash, 0n, -1n);
      // A reduce-only buy of the short side reduces it.
      const buy = await p.signOrder(short, {
        isBuy: true,
        size: 3n,
        limitPrice: PRICE,
        flags: OrderFlags.ReduceOnly,
      });
      await (await p.exchange.connect(other).fillOrder(buy.order, buy.signature, 3n)).wait();
      expect(await p.ch.positionSize(short.address, p.marketId)).to.equal(-7n);
    });
  });

  describe("a paused market", function () {
    it("pausedMarket_reducingFillsPassAndRiskIncreasingFillsRevert", async function () {
      const p = await fixture();
      const [long, short, third] = p.traders;
      await open(p, 0, 1, 10n);
      await (await p.ch.setMarketPaused(p.marketId, true)).wait();

      // Risk-increasing: a fresh account takes the other side of long's reduce-only sell.
      const sell = await p.signOrder(long, {
        isBuy: false,
        size: 4n,
        limitPrice: PRICE,
        flags: OrderFlags.ReduceOnly,
      });
      await expect(p.exchange.connect(third).fillOrder(sell.order, sell.signature, 2n))
        .to.be.revertedWithCustomError(p.ch, "MarketIsPaused")
        .withArgs(p.marketId);
      // A plain order that would grow the maker's position is blocked too.
      const grow = await p.signOrder(long, { isBuy: true, size: 4n, limitPrice: PRICE });
      await expect(p.exchange.connect(short).fillOrder(grow.order, grow.signature, 1n))
        .to.be.revertedWithCustomError(p.ch, "MarketIsPaused")
        .withArgs(p.marketId);

      // Both sides reduce: the short buys back from the long.
      await (await p.exchange.connect(short).fillOrder(sell.order, sell.signature, 4n)).wait();
      expect(await p.ch.positionSize(long.address, p.marketId)).to.equal(6n);
      expect(await p.ch.positionSize(short.address, p.marketId)).to.equal(-6n);

      // And through matchOrders, with reduce-only orders on both sides.
      const takerOrder = await p.signOrder(short, {
        isBuy: true,
        size: 2n,
        limitPrice: PRICE,
        flags: OrderFlags.ReduceOnly | OrderFlags.ImmediateOrCancel,
      });
      const makerOrder = await p.signOrder(long, {
        isBuy: false,
        size: 2n,
        limitPrice: PRICE,
        flags: OrderFlags.ReduceOnly,
      });
      await (
        await p.exchange
          .connect(third)
          .matchOrders(
            takerOrder.order,
            takerOrder.signature,
            [makerOrder.order],
            [makerOrder.signature],
            [2n],
          )
      ).wait();
      expect(await p.ch.positionSize(long.address, p.marketId)).to.equal(4n);
    });

    it("pausedMarket_cancelsStillWork", async function () {
      const p = await fixture();
      const [trader] = p.traders;
      await (await p.ch.setMarketPaused(p.marketId, true)).wait();
      await (await p.ch.setGlobalPaused(true)).wait();
      const { order } = await p.signOrder(trader, { isBuy: true, size: 1n, limitPrice: PRICE });
      await expect(p.exchange.connect(trader).cancelOrders([order]))
        .to.emit(p.exchange, "OrderCancelled")
        .withArgs(hashOrder(p.domain, order), trader.address, trader.address);
      await expect(p.exchange.connect(trader).cancelUpTo(5n))
        .to.emit(p.exchange, "MinNonceRaised")
        .withArgs(trader.address, 5n);
    });
  });
});
