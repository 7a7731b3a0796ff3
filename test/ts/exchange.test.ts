import { expect } from "chai";
import { network } from "hardhat";
import type { Signer } from "ethers";
import { hashDomain } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import {
  EXCHANGE_DOMAIN_NAME,
  EXCHANGE_DOMAIN_VERSION,
  ORDER_TYPES,
  OrderFlags,
  buildOrder,
  exchangeDomain,
  hashOrder,
  signOrderEthers,
  signOrderViem,
  type Order,
} from "../../sdk/core/eip712/orders.js";

const { ethers, viem, networkHelpers } = await network.create();

const E18 = 10n ** 18n;
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const MARKET = ethers.id("ATPI-FRONTIER-2027Q1") as `0x${string}`;
const OTHER_MARKET = ethers.id("GPU-H100-2027Q1") as `0x${string}`;

type Hex = `0x${string}`;

async function deploy() {
  const [admin, maker, taker, matcher, maker2, delegate, stranger] = await ethers.getSigners();
  const manager = await ethers.deployContract("AccessManager", [admin.address]);
  const venue = await ethers.deployContract("MockClearinghouseVenue");
  const exchange = await ethers.deployContract("Exchange", [
    await venue.getAddress(),
    await manager.getAddress(),
  ]);
  const { chainId } = await ethers.provider.getNetwork();
  const domain = exchangeDomain(chainId, (await exchange.getAddress()) as Hex);
  const now = BigInt(await networkHelpers.time.latest());
  let salt = 0n;

  /** Builds and signs (with ethers) an order of `signer`'s account, or of `trader` when given. */
  async function signed(signer: Signer, fields: Partial<Order> = {}) {
    const order = buildOrder(
      {
        trader: (await signer.getAddress()) as Hex,
        marketId: MARKET,
        isBuy: false,
        size: 10n,
        limitPrice: 2n * E18,
        ...fields,
      },
      now,
    );
    if (fields.salt === undefined) order.salt = ++salt;
    const signature = await signOrderEthers(signer, domain, order);
    return { order, signature, hash: hashOrder(domain, order) };
  }

  return {
    admin,
    maker,
    taker,
    matcher,
    maker2,
    delegate,
    stranger,
    manager,
    venue,
    exchange,
    domain,
    now,
    signed,
  };
}

const fixture = () => networkHelpers.loadFixture(deploy);

describe("Exchange", function () {
  describe("deployment and typed data", function () {
    it("rejects a zero Clearinghouse", async function () {
      const { manager, exchange } = await fixture();
      await expect(
        ethers.deployContract("Exchange", [ethers.ZeroAddress, await manager.getAddress()]),
      ).to.be.revertedWithCustomError(exchange, "ZeroClearinghouse");
    });

    it("exposes the EIP-712 domain the helpers build, and hashes orders like viem", async function () {
      const { exchange, venue, domain, signed, maker } = await fixture();
      const d = await exchange.eip712Domain();
      expect(d.name).to.equal(EXCHANGE_DOMAIN_NAME);
      expect(d.version).to.equal(EXCHANGE_DOMAIN_VERSION);
      expect(d.chainId).to.equal(domain.chainId);
      expect(d.verifyingContract).to.equal(domain.verifyingContract);
      expect(await exchange.domainSeparator()).to.equal(
        hashDomain({
          domain,
          types: {
            EIP712Domain: [
              { name: "name", type: "string" },
              { name: "version", type: "string" },
              { name: "chainId", type: "uint256" },
              { name: "verifyingContract", type: "address" },
            ],
          },
        }),
      );
      const { order, hash } = await signed(maker, { flags: OrderFlags.ReduceOnly, nonce: 7n });
      expect(await exchange.hashOrder(order)).to.equal(hash);
      expect(await exchange.clearinghouse()).to.equal(await venue.getAddress());
      // The chain's type hash is the SDK's type string, so a client can check what it signs on chain.
      const typeString = `Order(${ORDER_TYPES.Order.map((f) => `${f.type} ${f.name}`).join(",")})`;
      expect(await exchange.ORDER_TYPEHASH()).to.equal(ethers.id(typeString));
    });
  });

  describe("fillOrder", function () {
    it("fills an ethers-signed order at the maker's price; the venue's Traded names the order", async function () {
      const { exchange, venue, maker, taker, signed } = await fixture();
      const { order, signature, hash } = await signed(maker, {
        isBuy: false,
        size: 10n,
        limitPrice: 3n * E18,
      });
      const tx = exchange.connect(taker).fillOrder(order, signature, 4n);
      // The fill's one event is the venue's: the maker order filled, no taker order (the caller takes).
      await expect(tx)
        .to.emit(venue, "Traded")
        .withArgs(MARKET, maker.address, taker.address, 4n, 3n * E18, hash, ethers.ZeroHash);
      const receipt = await (await tx).wait();
      const exchangeAddress = (await exchange.getAddress()).toLowerCase();
      expect(receipt!.logs.filter((l) => l.address.toLowerCase() === exchangeAddress)).to.deep.equal([]);
      expect(await exchange.filled(hash)).to.equal(4n);
      expect(await venue.positionSize(taker.address, MARKET)).to.equal(4n);
      expect(await venue.positionSize(maker.address, MARKET)).to.equal(-4n);
    });

    it("fills a viem-signed order (wallet client and local account)", async function () {
      const { exchange, venue, domain, now, taker } = await fixture();
      const [, walletMaker] = await viem.getWalletClients();
      const order = buildOrder(
        { trader: walletMaker.account.address, marketId: MARKET, isBuy: true, size: 5n, limitPrice: E18 },
        now,
      );
      const signature = await signOrderViem(walletMaker, domain, order);
      await exchange.connect(taker).fillOrder(order, signature, 5n);
      expect(await venue.positionSize(walletMaker.account.address, MARKET)).to.equal(5n);
      expect(await venue.positionSize(taker.address, MARKET)).to.equal(-5n);

      const local = privateKeyToAccount(("0x" + "11".repeat(32)) as Hex);
      const localOrder = buildOrder(
        { trader: local.address, marketId: MARKET, isBuy: false, size: 2n, limitPrice: E18 },
        now,
      );
      await exchange.connect(taker).fillOrder(localOrder, await signOrderViem(local, domain, localOrder), 2n);
      expect(await venue.positionSize(local.address, MARKET)).to.equal(-2n);
    });

    it("tracks partial fills and rejects an over-fill", async function () {
      const { exchange, maker, taker, signed } = await fixture();
      const { order, signature, hash } = await signed(maker, { size: 10n });
      const huge = 2n ** 256n - 1n;
      await expect(exchange.connect(taker).fillOrder(order, signature, huge))
        .to.be.revertedWithCustomError(exchange, "FillExceedsRemaining")
        .withArgs(hash, huge, 10n);
      await exchange.connect(taker).fillOrder(order, signature, 6n);
      await exchange.connect(taker).fillOrder(order, signature, 3n);
      await expect(exchange.connect(taker).fillOrder(order, signature, 2n))
        .to.be.revertedWithCustomError(exchange, "FillExceedsRemaining")
        .withArgs(hash, 2n, 1n);
      expect(await exchange.filled(hash)).to.equal(9n);
      expect(await exchange.remaining(order)).to.equal(1n);
      await exchange.connect(taker).fillOrder(order, signature, 1n);
      // Complete: the nonce is used, the partial-fill amount cleared, and the order is void.
      expect(await exchange.filled(hash)).to.equal(0n);
      expect(await exchange.remaining(order)).to.equal(0n);
      expect(await exchange.isNonceUsed(maker.address, order.nonce)).to.equal(true);
      await expect(exchange.connect(taker).fillOrder(order, signature, 1n))
        .to.be.revertedWithCustomError(exchange, "OrderNonceUsed")
        .withArgs(hash, maker.address, order.nonce);
    });

    it("rejects zero fill and zero order sizes", async function () {
      const { exchange, maker, taker, signed } = await fixture();
      const a = await signed(maker);
      await expect(exchange.connect(taker).fillOrder(a.order, a.signature, 0n))
        .to.be.revertedWithCustomError(exchange, "ZeroFillSize")
        .withArgs(a.hash);
      const b = await signed(maker, { size: 0n });
      await expect(exchange.connect(taker).fillOrder(b.order, b.signature, 1n))
        .to.be.revertedWithCustomError(exchange, "ZeroOrderSize")
        .withArgs(b.hash);
    });

    it("fills until expiry and not from the expiry second on", async function () {
      const { exchange, maker, taker, signed, now } = await fixture();
      const expiry = now + 100n;
      const { order, signature, hash } = await signed(maker, { expiry });
      await networkHelpers.time.setNextBlockTimestamp(expiry - 1n);
      await exchange.connect(taker).fillOrder(order, signature, 1n);
      await networkHelpers.time.setNextBlockTimestamp(expiry);
      await expect(exchange.connect(taker).fillOrder(order, signature, 1n))
        .to.be.revertedWithCustomError(exchange, "OrderExpired")
        .withArgs(hash, expiry, expiry);
    });

    it("rejects self-trades", async function () {
      const { exchange, maker, signed } = await fixture();
      const { order, signature } = await signed(maker);
      await expect(exchange.connect(maker).fillOrder(order, signature, 1n))
        .to.be.revertedWithCustomError(exchange, "SelfTrade")
        .withArgs(maker.address);
    });

    it("rejects immediate-or-cancel and fill-or-kill orders as resting orders", async function () {
      const { exchange, maker, taker, signed } = await fixture();
      for (const flags of [OrderFlags.ImmediateOrCancel, OrderFlags.FillOrKill]) {
        const { order, signature, hash } = await signed(maker, { flags });
        await expect(exchange.connect(taker).fillOrder(order, signature, 1n))
          .to.be.revertedWithCustomError(exchange, "ImmediateOrderCannotRest")
          .withArgs(hash);
      }
    });

    it("rejects unknown and contradictory flags", async function () {
      const { exchange, maker, taker, matcher, signed } = await fixture();
      for (const flags of [16, 128, OrderFlags.PostOnly | OrderFlags.ReduceOnly | 32]) {
        const { order, signature, hash } = await signed(maker, { flags });
        await expect(exchange.connect(taker).fillOrder(order, signature, 1n))
          .to.be.revertedWithCustomError(exchange, "InvalidFlags")
          .withArgs(hash, flags);
      }
      const maker1 = await signed(maker, { isBuy: false });
      for (const flags of [
        OrderFlags.ImmediateOrCancel | OrderFlags.FillOrKill,
        OrderFlags.PostOnly | OrderFlags.ImmediateOrCancel,
        OrderFlags.PostOnly | OrderFlags.FillOrKill,
      ]) {
        const t = await signed(taker, { isBuy: true, flags, limitPrice: 3n * E18 });
        await expect(
          exchange
            .connect(matcher)
            .matchOrders(t.order, t.signature, [maker1.order], [maker1.signature], [1n]),
        )
          .to.be.revertedWithCustomError(exchange, "InvalidFlags")
          .withArgs(t.hash, flags);
        const asMaker = await signed(maker, { flags });
        await expect(exchange.connect(taker).fillOrder(asMaker.order, asMaker.signature, 1n))
          .to.be.revertedWithCustomError(exchange, "InvalidFlags")
          .withArgs(asMaker.hash, flags);
      }
    });

    it("fills a reduce-only maker only while it reduces, never flipping", async function () {
      const { exchange, venue, maker, taker, signed } = await fixture();
      await venue.setPosition(maker.address, MARKET, 5n);
      const { order, signature, hash } = await signed(maker, {
        isBuy: false,
        size: 10n,
        flags: OrderFlags.ReduceOnly,
      });
      await exchange.connect(taker).fillOrder(order, signature, 3n);
      expect(await venue.positionSize(maker.address, MARKET)).to.equal(2n);
      await expect(exchange.connect(taker).fillOrder(order, signature, 3n))
        .to.be.revertedWithCustomError(exchange, "ReduceOnlyWouldIncrease")
        .withArgs(hash, 2n, -3n);
      await exchange.connect(taker).fillOrder(order, signature, 2n);
      await expect(exchange.connect(taker).fillOrder(order, signature, 1n))
        .to.be.revertedWithCustomError(exchange, "ReduceOnlyWouldIncrease")
        .withArgs(hash, 0n, -1n);
      expect(await venue.positionSize(maker.address, MARKET)).to.equal(0n);
    });

    it("propagates Clearinghouse reverts (margin, market pause) and books nothing", async function () {
      const { exchange, venue, maker, taker, signed } = await fixture();
      const { order, signature, hash } = await signed(maker);
      const marginError = venue.interface.encodeErrorResult("MockMarketPaused", [MARKET]);
      await venue.setRevertData(marginError);
      await expect(exchange.connect(taker).fillOrder(order, signature, 1n))
        .to.be.revertedWithCustomError(venue, "MockMarketPaused")
        .withArgs(MARKET);
      expect(await exchange.filled(hash)).to.equal(0n);
      await venue.setRevertData("0x");

      // A paused market lets through only trades that reduce both sides.
      await venue.setPaused(MARKET, true);
      await expect(exchange.connect(taker).fillOrder(order, signature, 1n))
        .to.be.revertedWithCustomError(venue, "MockMarketPaused")
        .withArgs(MARKET);
      await venue.setPosition(maker.address, MARKET, 4n);
      await venue.setPosition(taker.address, MARKET, -4n);
      await exchange.connect(taker).fillOrder(order, signature, 2n);
      expect(await venue.positionSize(maker.address, MARKET)).to.equal(2n);
    });
  });

  describe("matchOrders", function () {
    it("crosses a taker with several makers, each at its own price", async function () {
      const { exchange, venue, maker, maker2, taker, matcher, signed } = await fixture();
      const t = await signed(taker, { isBuy: true, size: 10n, limitPrice: 3n * E18 });
      const m1 = await signed(maker, { isBuy: false, size: 4n, limitPrice: 2n * E18 });
      const m2 = await signed(maker2, { isBuy: false, size: 8n, limitPrice: 3n * E18 });
      await venue.setRecording(true);
      const tx = exchange
        .connect(matcher)
        .matchOrders(t.order, t.signature, [m1.order, m2.order], [m1.signature, m2.signature], [4n, 5n]);
      // One Traded per fill, naming the maker order filled and the taker's order; the Exchange emits none.
      await expect(tx)
        .to.emit(venue, "Traded")
        .withArgs(MARKET, maker.address, taker.address, 4n, 2n * E18, m1.hash, t.hash)
        .and.to.emit(venue, "Traded")
        .withArgs(MARKET, maker2.address, taker.address, 5n, 3n * E18, m2.hash, t.hash);
      const receipt = await (await tx).wait();
      const exchangeAddress = (await exchange.getAddress()).toLowerCase();
      expect(receipt!.logs.filter((l) => l.address.toLowerCase() === exchangeAddress)).to.deep.equal([]);
      expect(await exchange.filled(t.hash)).to.equal(9n);
      expect(await exchange.filled(m1.hash)).to.equal(0n); // complete: nonce used, slot cleared
      expect(await exchange.isNonceUsed(maker.address, m1.order.nonce)).to.equal(true);
      expect(await exchange.filled(m2.hash)).to.equal(5n);
      expect(await exchange.remaining(m2.order)).to.equal(3n);
      expect(await venue.tradeCount()).to.equal(2n);
      const first = await venue.tradeAt(0);
      expect([
        first.caller,
        first.maker,
        first.taker,
        first.takerSizeDelta,
        first.price,
        first.makerOrderHash,
        first.takerOrderHash,
      ]).to.deep.equal([
        await exchange.getAddress(),
        maker.address,
        taker.address,
        4n,
        2n * E18,
        m1.hash,
        t.hash,
      ]);
      const second = await venue.tradeAt(1);
      expect([
        second.maker,
        second.takerSizeDelta,
        second.price,
        second.makerOrderHash,
        second.takerOrderHash,
      ]).to.deep.equal([maker2.address, 5n, 3n * E18, m2.hash, t.hash]);
      expect(await venue.positionSize(taker.address, MARKET)).to.equal(9n);
      expect(await venue.positionSize(matcher.address, MARKET)).to.equal(0n);
    });

    it("a selling taker trades down to its limit, not below", async function () {
      const { exchange, maker, taker, matcher, signed } = await fixture();
      const t = await signed(taker, { isBuy: false, size: 10n, limitPrice: 2n * E18 });
      const ok = await signed(maker, { isBuy: true, limitPrice: 2n * E18 });
      await exchange.connect(matcher).matchOrders(t.order, t.signature, [ok.order], [ok.signature], [1n]);
      const low = await signed(maker, { isBuy: true, limitPrice: 2n * E18 - 1n });
      await expect(
        exchange.connect(matcher).matchOrders(t.order, t.signature, [low.order], [low.signature], [1n]),
      )
        .to.be.revertedWithCustomError(exchange, "PriceNotCrossing")
        .withArgs(low.hash, 2n * E18 - 1n, 2n * E18);
    });

    it("rejects a maker above a buying taker's limit", async function () {
      const { exchange, maker, taker, matcher, signed } = await fixture();
      const t = await signed(taker, { isBuy: true, limitPrice: 2n * E18 });
      const m = await signed(maker, { isBuy: false, limitPrice: 2n * E18 + 1n });
      await expect(
        exchange.connect(matcher).matchOrders(t.order, t.signature, [m.order], [m.signature], [1n]),
      )
        .to.be.revertedWithCustomError(exchange, "PriceNotCrossing")
        .withArgs(m.hash, 2n * E18 + 1n, 2n * E18);
    });

    it("rejects mismatched markets, same sides, self-trades and over-filling the taker", async function () {
      const { exchange, maker, taker, matcher, signed } = await fixture();
      const t = await signed(taker, { isBuy: true, size: 5n, limitPrice: 3n * E18 });
      const other = await signed(maker, { marketId: OTHER_MARKET });
      await expect(
        exchange.connect(matcher).matchOrders(t.order, t.signature, [other.order], [other.signature], [1n]),
      )
        .to.be.revertedWithCustomError(exchange, "MarketMismatch")
        .withArgs(other.hash, MARKET, OTHER_MARKET);
      const same = await signed(maker, { isBuy: true });
      await expect(
        exchange.connect(matcher).matchOrders(t.order, t.signature, [same.order], [same.signature], [1n]),
      )
        .to.be.revertedWithCustomError(exchange, "SameSide")
        .withArgs(t.hash, same.hash);
      const self = await signed(taker, { isBuy: false });
      await expect(
        exchange.connect(matcher).matchOrders(t.order, t.signature, [self.order], [self.signature], [1n]),
      )
        .to.be.revertedWithCustomError(exchange, "SelfTrade")
        .withArgs(taker.address);
      const big = await signed(maker, { size: 10n });
      await expect(
        exchange.connect(matcher).matchOrders(t.order, t.signature, [big.order], [big.signature], [6n]),
      )
        .to.be.revertedWithCustomError(exchange, "FillExceedsRemaining")
        .withArgs(t.hash, 6n, 5n);
      await expect(
        exchange
          .connect(matcher)
          .matchOrders(
            t.order,
            t.signature,
            [big.order, big.order],
            [big.signature, big.signature],
            [3n, 3n],
          ),
      )
        .to.be.revertedWithCustomError(exchange, "FillExceedsRemaining")
        .withArgs(t.hash, 3n, 2n);
      const small = await signed(maker, { size: 2n });
      await expect(
        exchange.connect(matcher).matchOrders(t.order, t.signature, [small.order], [small.signature], [3n]),
      )
        .to.be.revertedWithCustomError(exchange, "FillExceedsRemaining")
        .withArgs(small.hash, 3n, 2n);
      await expect(
        exchange.connect(matcher).matchOrders(t.order, t.signature, [small.order], [small.signature], [0n]),
      )
        .to.be.revertedWithCustomError(exchange, "ZeroFillSize")
        .withArgs(small.hash);
    });

    it("rejects empty and mismatched arrays", async function () {
      const { exchange, maker, taker, matcher, signed } = await fixture();
      const t = await signed(taker, { isBuy: true, limitPrice: 3n * E18 });
      const m = await signed(maker);
      await expect(
        exchange.connect(matcher).matchOrders(t.order, t.signature, [], [], []),
      ).to.be.revertedWithCustomError(exchange, "NoMakerOrders");
      await expect(exchange.connect(matcher).matchOrders(t.order, t.signature, [m.order], [], [1n]))
        .to.be.revertedWithCustomError(exchange, "LengthMismatch")
        .withArgs(1n, 0n, 1n);
      await expect(
        exchange.connect(matcher).matchOrders(t.order, t.signature, [m.order], [m.signature], [1n, 2n]),
      )
        .to.be.revertedWithCustomError(exchange, "LengthMismatch")
        .withArgs(1n, 1n, 2n);
    });

    it("post-only orders only rest; immediate orders never rest", async function () {
      const { exchange, maker, taker, matcher, signed } = await fixture();
      const postOnlyTaker = await signed(taker, {
        isBuy: true,
        limitPrice: 3n * E18,
        flags: OrderFlags.PostOnly,
      });
      const postOnlyMaker = await signed(maker, { flags: OrderFlags.PostOnly });
      await expect(
        exchange
          .connect(matcher)
          .matchOrders(
            postOnlyTaker.order,
            postOnlyTaker.signature,
            [postOnlyMaker.order],
            [postOnlyMaker.signature],
            [1n],
          ),
      )
        .to.be.revertedWithCustomError(exchange, "PostOnlyCannotTake")
        .withArgs(postOnlyTaker.hash);
      const t = await signed(taker, { isBuy: true, limitPrice: 3n * E18 });
      await exchange
        .connect(matcher)
        .matchOrders(t.order, t.signature, [postOnlyMaker.order], [postOnlyMaker.signature], [1n]);
      expect(await exchange.filled(postOnlyMaker.hash)).to.equal(1n);
      const fokMaker = await signed(maker, { flags: OrderFlags.FillOrKill });
      await expect(
        exchange
          .connect(matcher)
          .matchOrders(t.order, t.signature, [fokMaker.order], [fokMaker.signature], [1n]),
      )
        .to.be.revertedWithCustomError(exchange, "ImmediateOrderCannotRest")
        .withArgs(fokMaker.hash);
    });

    it("immediate-or-cancel takers fill what they can and void the remainder", async function () {
      const { exchange, maker, maker2, taker, matcher, stranger, signed } = await fixture();
      const t = await signed(taker, {
        isBuy: true,
        size: 10n,
        limitPrice: 3n * E18,
        flags: OrderFlags.ImmediateOrCancel,
      });
      const m1 = await signed(maker, { size: 3n });
      const m2 = await signed(maker2, { size: 4n });
      await exchange.connect(stranger).fillOrder(m2.order, m2.signature, 4n);
      // m2 is already fully filled: skipped; m1 is clipped to its 3 contracts.
      const tx = exchange
        .connect(matcher)
        .matchOrders(t.order, t.signature, [m1.order, m2.order], [m1.signature, m2.signature], [5n, 5n]);
      await expect(tx).to.emit(exchange, "OrderRemainderVoided").withArgs(t.hash, taker.address, 3n, 10n);
      expect(await exchange.filled(t.hash)).to.equal(0n);
      expect(await exchange.remaining(t.order)).to.equal(0n);
      expect(await exchange.isNonceUsed(taker.address, t.order.nonce)).to.equal(true);
      expect(await exchange.isNonceUsed(maker.address, m1.order.nonce)).to.equal(true);
      expect(await exchange.isNonceUsed(maker2.address, m2.order.nonce)).to.equal(true);
      const m3 = await signed(maker);
      await expect(
        exchange.connect(matcher).matchOrders(t.order, t.signature, [m3.order], [m3.signature], [1n]),
      )
        .to.be.revertedWithCustomError(exchange, "OrderNonceUsed")
        .withArgs(t.hash, taker.address, t.order.nonce);
    });

    it("an immediate-or-cancel match that fills nothing reverts", async function () {
      const { exchange, maker, taker, matcher, stranger, signed } = await fixture();
      const m = await signed(maker, { size: 2n });
      await exchange.connect(stranger).fillOrder(m.order, m.signature, 2n);
      const t = await signed(taker, {
        isBuy: true,
        limitPrice: 3n * E18,
        flags: OrderFlags.ImmediateOrCancel,
      });
      await expect(
        exchange.connect(matcher).matchOrders(t.order, t.signature, [m.order], [m.signature], [1n]),
      )
        .to.be.revertedWithCustomError(exchange, "NothingFilled")
        .withArgs(t.hash);
    });

    it("fill-or-kill takers fill in full or revert", async function () {
      const { exchange, maker, maker2, taker, matcher, signed } = await fixture();
      const t = await signed(taker, {
        isBuy: true,
        size: 6n,
        limitPrice: 3n * E18,
        flags: OrderFlags.FillOrKill,
      });
      const m1 = await signed(maker, { size: 4n });
      const m2 = await signed(maker2, { size: 4n });
      await expect(
        exchange.connect(matcher).matchOrders(t.order, t.signature, [m1.order], [m1.signature], [4n]),
      )
        .to.be.revertedWithCustomError(exchange, "FillOrKillNotFilled")
        .withArgs(t.hash, 4n, 6n);
      await exchange
        .connect(matcher)
        .matchOrders(t.order, t.signature, [m1.order, m2.order], [m1.signature, m2.signature], [4n, 2n]);
      expect(await exchange.remaining(t.order)).to.equal(0n);
      expect(await exchange.isNonceUsed(taker.address, t.order.nonce)).to.equal(true);
    });

    it("checks reduce-only takers before every maker fill", async function () {
      const { exchange, venue, maker, maker2, taker, matcher, signed } = await fixture();
      await venue.setPosition(taker.address, MARKET, -5n);
      const t = await signed(taker, {
        isBuy: true,
        size: 10n,
        limitPrice: 3n * E18,
        flags: OrderFlags.ReduceOnly,
      });
      const m1 = await signed(maker, { size: 4n });
      const m2 = await signed(maker2, { size: 4n });
      await expect(
        exchange
          .connect(matcher)
          .matchOrders(t.order, t.signature, [m1.order, m2.order], [m1.signature, m2.signature], [4n, 2n]),
      )
        .to.be.revertedWithCustomError(exchange, "ReduceOnlyWouldIncrease")
        .withArgs(t.hash, -1n, 2n);
      await exchange
        .connect(matcher)
        .matchOrders(t.order, t.signature, [m1.order, m2.order], [m1.signature, m2.signature], [4n, 1n]);
      expect(await venue.positionSize(taker.address, MARKET)).to.equal(0n);
    });
  });

  describe("matchOrders booked as one batch", function () {
    it("checks a reduce-only maker against its position plus its earlier fills of the match", async function () {
      const { exchange, venue, maker, taker, matcher, signed } = await fixture();
      await venue.setPosition(maker.address, MARKET, 5n);
      const t = await signed(taker, { isBuy: true, size: 10n, limitPrice: 3n * E18 });
      const m1 = await signed(maker, { size: 3n, flags: OrderFlags.ReduceOnly });
      const m2 = await signed(maker, { size: 3n, flags: OrderFlags.ReduceOnly });
      // After m1's 3 the maker is long 2: m2's 3 would flip it.
      await expect(
        exchange
          .connect(matcher)
          .matchOrders(t.order, t.signature, [m1.order, m2.order], [m1.signature, m2.signature], [3n, 3n]),
      )
        .to.be.revertedWithCustomError(exchange, "ReduceOnlyWouldIncrease")
        .withArgs(m2.hash, 2n, -3n);
      await venue.setRecording(true);
      await exchange
        .connect(matcher)
        .matchOrders(t.order, t.signature, [m1.order, m2.order], [m1.signature, m2.signature], [3n, 2n]);
      expect(await venue.positionSize(maker.address, MARKET)).to.equal(0n);
      expect(await venue.tradeCount()).to.equal(2n); // one batch, one booked trade per fill
    });
  });

  describe("cancels and nonces", function () {
    it("cancels by nonce (trader or delegate), even partly filled orders, and never twice", async function () {
      const { exchange, maker, taker, delegate, stranger, signed } = await fixture();
      const a = await signed(maker);
      await exchange.connect(taker).fillOrder(a.order, a.signature, 3n);
      await expect(exchange.connect(maker).cancelOrders([a.order]))
        .to.emit(exchange, "OrderCancelled")
        .withArgs(a.hash, maker.address, maker.address);
      expect(await exchange.isNonceUsed(maker.address, a.order.nonce)).to.equal(true);
      expect(await exchange.remaining(a.order)).to.equal(0n);
      await expect(exchange.connect(taker).fillOrder(a.order, a.signature, 1n))
        .to.be.revertedWithCustomError(exchange, "OrderNonceUsed")
        .withArgs(a.hash, maker.address, a.order.nonce);
      await expect(exchange.connect(maker).cancelOrders([a.order]))
        .to.be.revertedWithCustomError(exchange, "OrderNonceUsed")
        .withArgs(a.hash, maker.address, a.order.nonce);
      // Another order signed with the cancelled nonce is void too (a nonce names one order).
      const twin = await signed(maker, { nonce: a.order.nonce, size: 5n });
      await expect(exchange.connect(taker).fillOrder(twin.order, twin.signature, 1n))
        .to.be.revertedWithCustomError(exchange, "OrderNonceUsed")
        .withArgs(twin.hash, maker.address, a.order.nonce);

      const b = await signed(maker);
      await expect(exchange.connect(stranger).cancelOrders([b.order]))
        .to.be.revertedWithCustomError(exchange, "NotTraderOrDelegate")
        .withArgs(stranger.address, maker.address);
      await exchange.connect(maker).setDelegate(delegate.address, true);
      await expect(exchange.connect(delegate).cancelOrders([b.order]))
        .to.emit(exchange, "OrderCancelled")
        .withArgs(b.hash, maker.address, delegate.address);
      await expect(exchange.connect(maker).cancelOrders([])).to.be.revertedWithCustomError(
        exchange,
        "NoOrdersToCancel",
      );
    });

    it("cancelUpTo voids every order with a nonce below the new minimum, and only those", async function () {
      const { exchange, maker, taker, signed } = await fixture();
      const old = await signed(maker, { nonce: 4n });
      const edge = await signed(maker, { nonce: 5n });
      await expect(exchange.connect(maker).cancelUpTo(5n))
        .to.emit(exchange, "MinNonceRaised")
        .withArgs(maker.address, 5n);
      expect(await exchange.minNonce(maker.address)).to.equal(5n);
      await expect(exchange.connect(taker).fillOrder(old.order, old.signature, 1n))
        .to.be.revertedWithCustomError(exchange, "OrderNonceBelowMinimum")
        .withArgs(old.hash, 4n, 5n);
      await exchange.connect(taker).fillOrder(edge.order, edge.signature, 1n);
      await expect(exchange.connect(maker).cancelUpTo(5n))
        .to.be.revertedWithCustomError(exchange, "NonceNotIncreasing")
        .withArgs(5n, 5n);
      await expect(exchange.connect(maker).cancelUpTo(4n))
        .to.be.revertedWithCustomError(exchange, "NonceNotIncreasing")
        .withArgs(5n, 4n);
      expect(await exchange.minNonce(taker.address)).to.equal(0n);
    });
  });

  describe("delegated signers", function () {
    it("accepts a delegate's signature until revoked, and the delegate has no other power", async function () {
      const { exchange, venue, domain, now, maker, taker, delegate } = await fixture();
      const order = buildOrder(
        { trader: maker.address as Hex, marketId: MARKET, isBuy: false, size: 10n, limitPrice: E18 },
        now,
      );
      const signature = await signOrderEthers(delegate, domain, order);
      const hash = hashOrder(domain, order);
      await expect(exchange.connect(taker).fillOrder(order, signature, 1n))
        .to.be.revertedWithCustomError(exchange, "UnauthorisedSigner")
        .withArgs(hash, maker.address, delegate.address);
      await expect(exchange.connect(maker).setDelegate(delegate.address, true))
        .to.emit(exchange, "DelegateSet")
        .withArgs(maker.address, delegate.address, true);
      expect(await exchange.isDelegate(maker.address, delegate.address)).to.equal(true);
      await exchange.connect(taker).fillOrder(order, signature, 2n);
      expect(await venue.positionSize(maker.address, MARKET)).to.equal(-2n);

      // No other power: its cancelUpTo bumps only its own nonce; its fills are its own position.
      await exchange.connect(delegate).cancelUpTo(9n);
      expect(await exchange.minNonce(maker.address)).to.equal(0n);
      const other = buildOrder(
        { trader: taker.address as Hex, marketId: MARKET, isBuy: true, size: 1n, limitPrice: E18 },
        now,
      );
      await exchange.connect(delegate).fillOrder(other, await signOrderEthers(taker, domain, other), 1n);
      expect(await venue.positionSize(delegate.address, MARKET)).to.equal(-1n);
      expect(await venue.positionSize(maker.address, MARKET)).to.equal(-2n);

      await expect(exchange.connect(maker).setDelegate(delegate.address, false))
        .to.emit(exchange, "DelegateSet")
        .withArgs(maker.address, delegate.address, false);
      await expect(exchange.connect(taker).fillOrder(order, signature, 1n))
        .to.be.revertedWithCustomError(exchange, "UnauthorisedSigner")
        .withArgs(hash, maker.address, delegate.address);
    });

    it("rejects the zero address and the trader itself as delegates", async function () {
      const { exchange, maker } = await fixture();
      await expect(exchange.connect(maker).setDelegate(ethers.ZeroAddress, true))
        .to.be.revertedWithCustomError(exchange, "InvalidDelegate")
        .withArgs(ethers.ZeroAddress);
      await expect(exchange.connect(maker).setDelegate(maker.address, true))
        .to.be.revertedWithCustomError(exchange, "InvalidDelegate")
        .withArgs(maker.address);
    });
  });

  describe("signatures", function () {
    it("rejects wrong-length, malleable and unrecoverable ECDSA signatures", async function () {
      const { exchange, maker, taker, signed } = await fixture();
      const { order, signature, hash } = await signed(maker);
      await expect(exchange.connect(taker).fillOrder(order, signature.slice(0, 130), 1n))
        .to.be.revertedWithCustomError(exchange, "InvalidSignatureLength")
        .withArgs(hash, 64n);
      const sig = ethers.Signature.from(signature);
      const highS = ethers.toBeHex(SECP256K1_N - BigInt(sig.s), 32);
      const malleable = ethers.concat([sig.r, highS, ethers.toBeHex(sig.v === 27 ? 28 : 27, 1)]);
      await expect(exchange.connect(taker).fillOrder(order, malleable, 1n))
        .to.be.revertedWithCustomError(exchange, "MalleableSignature")
        .withArgs(hash, highS);
      const garbage = ethers.concat([ethers.ZeroHash, ethers.toBeHex(1, 32), "0x1b"]);
      await expect(exchange.connect(taker).fillOrder(order, garbage, 1n))
        .to.be.revertedWithCustomError(exchange, "InvalidSignature")
        .withArgs(hash);
    });

    it("an order signed for another Exchange deployment does not fill", async function () {
      const { exchange, venue, manager, maker, taker, now } = await fixture();
      const other = await ethers.deployContract("Exchange", [
        await venue.getAddress(),
        await manager.getAddress(),
      ]);
      const { chainId } = await ethers.provider.getNetwork();
      const otherDomain = exchangeDomain(chainId, (await other.getAddress()) as Hex);
      const order = buildOrder(
        { trader: maker.address as Hex, marketId: MARKET, isBuy: false, size: 1n, limitPrice: E18 },
        now,
      );
      const signature = await signOrderEthers(maker, otherDomain, order);
      await expect(exchange.connect(taker).fillOrder(order, signature, 1n)).to.be.revertedWithCustomError(
        exchange,
        "UnauthorisedSigner",
      );
      await other.connect(taker).fillOrder(order, signature, 1n);
    });
  });

  describe("EIP-1271 contract wallets", function () {
    it("a contract wallet trades, cancels through its own call, and can revoke approval", async function () {
      const { exchange, venue, domain, now, maker, taker, delegate } = await fixture();
      const wallet = await ethers.deployContract("MockERC1271Wallet", [maker.address]);
      const walletAddress = (await wallet.getAddress()) as Hex;
      const order = buildOrder(
        { trader: walletAddress, marketId: MARKET, isBuy: true, size: 5n, limitPrice: E18 },
        now,
      );
      const hash = hashOrder(domain, order);
      const signature = await signOrderEthers(maker, domain, order); // the owner's key signs the digest
      await exchange.connect(taker).fillOrder(order, signature, 2n);
      expect(await venue.positionSize(walletAddress, MARKET)).to.equal(2n);

      const forged = await signOrderEthers(taker, domain, order);
      await expect(exchange.connect(taker).fillOrder(order, forged, 1n))
        .to.be.revertedWithCustomError(exchange, "InvalidContractSignature")
        .withArgs(hash, walletAddress);

      // A delegate EOA key signs for the wallet.
      await wallet
        .connect(maker)
        .execute(exchange, exchange.interface.encodeFunctionData("setDelegate", [delegate.address, true]));
      const byDelegate = await signOrderEthers(delegate, domain, order);
      await exchange.connect(taker).fillOrder(order, byDelegate, 1n);

      await wallet.connect(maker).setRejectAll(true);
      await expect(exchange.connect(taker).fillOrder(order, signature, 1n))
        .to.be.revertedWithCustomError(exchange, "InvalidContractSignature")
        .withArgs(hash, walletAddress);

      await expect(
        wallet
          .connect(maker)
          .execute(exchange, exchange.interface.encodeFunctionData("cancelOrders", [[order]])),
      )
        .to.emit(exchange, "OrderCancelled")
        .withArgs(hash, walletAddress, walletAddress);
    });
  });

  describe("no pause of its own", function () {
    it("has no pause surface: the Clearinghouse's pauses govern trading, the authority stays bound", async function () {
      const { exchange, manager } = await fixture();
      const names = exchange.interface.fragments.flatMap((f) => ("name" in f ? [f.name as string] : []));
      for (const name of ["pause", "unpause", "paused", "Paused", "Unpaused"])
        expect(names).to.not.include(name);
      expect(await exchange.authority()).to.equal(await manager.getAddress());
    });

    it("lets the venue's market pause through unchanged: reducing fills pass, risk-increasing ones revert", async function () {
      const { exchange, venue, maker, taker, signed } = await fixture();
      await venue.setPaused(MARKET, true);
      const plain = await signed(maker);
      await expect(exchange.connect(taker).fillOrder(plain.order, plain.signature, 1n))
        .to.be.revertedWithCustomError(venue, "MockMarketPaused")
        .withArgs(MARKET);
      await venue.setPosition(maker.address, MARKET, 5n);
      await venue.setPosition(taker.address, MARKET, -3n);
      await exchange.connect(taker).fillOrder(plain.order, plain.signature, 2n);
      expect(await venue.positionSize(taker.address, MARKET)).to.equal(-1n);
      await expect(exchange.connect(maker).cancelOrders([plain.order])).to.emit(exchange, "OrderCancelled");
    });
  });
});
