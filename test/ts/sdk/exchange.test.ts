import { expect } from "chai";
import { network } from "hardhat";
import { zeroAddress, type Address, type Hex } from "viem";

import {
  FillExceedsRemainingError,
  InvalidDelegateError,
  NonceNotIncreasingError,
  NotTraderOrDelegateError,
  OrderExpiredError,
  OrderNonceBelowMinimumError,
  OrderNonceUsedError,
  PriceNotCrossingError,
  SelfTradeError,
  UnauthorisedSignerError,
  buildOrder,
  cancelOrders,
  cancelUpTo,
  fillOrder,
  indexIdOf,
  matchOrders,
  nonceSequence,
  readFilled,
  setDelegate,
  signOrder,
  type OrderInput,
} from "../../../sdk/index.js";

const { viem, networkHelpers } = await network.create();
const { time } = networkHelpers;

const E18 = 10n ** 18n;
const MARKET = indexIdOf("ATPI-FRONTIER-2027Q1");

async function deploy() {
  const publicClient = await viem.getPublicClient();
  const [admin, maker, taker, matcher, maker2, delegate] = await viem.getWalletClients();
  const manager = await viem.deployContract("AccessManager", [admin.account.address]);
  const venue = await viem.deployContract("MockClearinghouseVenue");
  const exchange = await viem.deployContract("Exchange", [venue.address, manager.address]);
  return {
    publicClient,
    admin,
    maker,
    taker,
    matcher,
    maker2,
    delegate,
    venue,
    exchange,
    address: exchange.address as Address,
  };
}

type Fixture = Awaited<ReturnType<typeof deploy>>;
type Client = Fixture["maker"];

let salt = 0n;
/** An order of `client`'s account (sell 10 at 2.0 unless overridden), signed through the SDK. */
async function signed(f: Fixture, client: Client, fields: Partial<OrderInput> = {}) {
  const now = BigInt(await time.latest());
  const order = buildOrder(
    {
      trader: client.account.address,
      marketId: MARKET,
      isBuy: false,
      size: 10n,
      limitPrice: 2n * E18,
      salt: ++salt,
      ...fields,
    },
    now,
  );
  return signOrder(client, { address: f.address, order });
}

async function mined(f: Fixture, hash: Hex) {
  const receipt = await f.publicClient.waitForTransactionReceipt({ hash });
  expect(receipt.status).to.equal("success");
}

async function catchError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  expect.fail("expected a revert");
}

describe("sdk/viem exchange actions", function () {
  it("test_signOrder_hashMatchesContractAndDelegateCanSign", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const s = await signed(f, f.maker);
    expect(s.orderHash).to.equal(await f.exchange.read.hashOrder([s.order]));
    // A delegate signs the maker's order with its own key once approved.
    const byDelegate = await signed(f, f.delegate, { trader: f.maker.account.address });
    const e = await catchError(fillOrder(f.taker, { address: f.address, ...byDelegate, fillSize: 1n }));
    expect(e).to.be.instanceOf(UnauthorisedSignerError);
    await mined(
      f,
      (
        await setDelegate(f.maker, {
          address: f.address,
          delegate: f.delegate.account.address,
          approved: true,
        })
      ).hash,
    );
    await mined(f, (await fillOrder(f.taker, { address: f.address, ...byDelegate, fillSize: 1n })).hash);
    const [state] = await readFilled(f.publicClient, {
      address: f.address,
      orders: [byDelegate.order],
    });
    expect(state.orderHash).to.equal(byDelegate.orderHash);
    expect(state.filled).to.equal(1n);
    expect(state.remaining).to.equal(9n);
  });

  it("test_fillOrder_fillsAndReturnsOrderHash", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const s = await signed(f, f.maker);
    const { hash, result } = await fillOrder(f.taker, { address: f.address, ...s, fillSize: 4n });
    await mined(f, hash);
    expect(result).to.equal(s.orderHash);
    expect(await readFilled(f.publicClient, { address: f.address, orders: [s.order] })).to.deep.equal([
      { orderHash: s.orderHash, filled: 4n, nonceUsed: false, remaining: 6n },
    ]);
    // Filling the rest completes the order: its nonce is used and its partial-fill amount cleared.
    await mined(f, (await fillOrder(f.taker, { address: f.address, ...s, fillSize: 6n })).hash);
    expect(await readFilled(f.publicClient, { address: f.address, orders: [s.order] })).to.deep.equal([
      { orderHash: s.orderHash, filled: 0n, nonceUsed: true, remaining: 0n },
    ]);
  });

  it("test_fillOrder_throwsTypedErrorsWithoutSending", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const s = await signed(f, f.maker);
    const block = await f.publicClient.getBlockNumber();
    const over = await catchError(fillOrder(f.taker, { address: f.address, ...s, fillSize: 11n }));
    expect(over).to.be.instanceOf(FillExceedsRemainingError);
    expect((over as FillExceedsRemainingError).args).to.deep.equal({
      orderHash: s.orderHash,
      fillSize: 11n,
      remaining: 10n,
    });
    expect(await catchError(fillOrder(f.maker, { address: f.address, ...s, fillSize: 1n }))).to.be.instanceOf(
      SelfTradeError,
    );
    expect(await f.publicClient.getBlockNumber()).to.equal(block);
    await time.increaseTo(s.order.expiry + 1n);
    expect(await catchError(fillOrder(f.taker, { address: f.address, ...s, fillSize: 1n }))).to.be.instanceOf(
      OrderExpiredError,
    );
  });

  it("test_matchOrders_crossesTakerWithMakersAndReturnsTakerFilled", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const taker = await signed(f, f.taker, { isBuy: true, limitPrice: 3n * E18, size: 8n });
    const m1 = await signed(f, f.maker, { limitPrice: 2n * E18, size: 5n });
    const m2 = await signed(f, f.maker2, { limitPrice: 3n * E18, size: 5n });
    const { hash, result } = await matchOrders(f.matcher, {
      address: f.address,
      taker,
      makers: [
        { ...m1, fillSize: 5n },
        { ...m2, fillSize: 3n },
      ],
    });
    await mined(f, hash);
    expect(result).to.equal(8n);
    const states = await readFilled(f.publicClient, {
      address: f.address,
      orders: [taker.order, m1.order, m2.order],
    });
    // taker and m1 completed (nonces used), m2 is partly filled
    expect(states.map((s) => s.remaining)).to.deep.equal([0n, 0n, 2n]);
    expect(states.map((s) => s.nonceUsed)).to.deep.equal([true, true, false]);
    expect(states.map((s) => s.filled)).to.deep.equal([0n, 0n, 3n]);

    const expensive = await signed(f, f.maker2, { limitPrice: 4n * E18 });
    const taker2 = await signed(f, f.taker, { isBuy: true, limitPrice: 3n * E18 });
    const e = await catchError(
      matchOrders(f.matcher, { address: f.address, taker: taker2, makers: [{ ...expensive, fillSize: 1n }] }),
    );
    expect(e).to.be.instanceOf(PriceNotCrossingError);
    expect((e as PriceNotCrossingError).args.makerPrice).to.equal(4n * E18);
  });

  it("test_cancelOrders_cancelsAndRejectsRepeatOrStranger", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const a = await signed(f, f.maker);
    const b = await signed(f, f.maker);
    expect(
      await catchError(cancelOrders(f.taker, { address: f.address, orders: [a.order] })),
    ).to.be.instanceOf(NotTraderOrDelegateError);
    await mined(f, (await cancelOrders(f.maker, { address: f.address, orders: [a.order] })).hash);
    const states = await readFilled(f.publicClient, {
      address: f.address,
      orders: [a.order, b.order],
    });
    expect(states.map((s) => s.nonceUsed)).to.deep.equal([true, false]);
    const again = await catchError(cancelOrders(f.maker, { address: f.address, orders: [a.order] }));
    expect(again).to.be.instanceOf(OrderNonceUsedError);
    expect((again as OrderNonceUsedError).args).to.deep.equal({
      orderHash: a.orderHash,
      trader: f.maker.account.address,
      nonce: a.order.nonce,
    });
  });

  it("test_cancelUpTo_voidsLowerNoncesAndMustIncrease", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const low = await signed(f, f.maker, { nonce: 4n });
    const high = await signed(f, f.maker, { nonce: 5n });
    await mined(f, (await cancelUpTo(f.maker, { address: f.address, newMinNonce: 5n })).hash);
    expect(await f.exchange.read.minNonce([f.maker.account.address])).to.equal(5n);
    const e = await catchError(fillOrder(f.taker, { address: f.address, ...low, fillSize: 1n }));
    expect(e).to.be.instanceOf(OrderNonceBelowMinimumError);
    await mined(f, (await fillOrder(f.taker, { address: f.address, ...high, fillSize: 1n })).hash);
    const again = await catchError(cancelUpTo(f.maker, { address: f.address, newMinNonce: 5n }));
    expect(again).to.be.instanceOf(NonceNotIncreasingError);
    expect((again as NonceNotIncreasingError).args).to.deep.equal({ current: 5n, requested: 5n });
  });

  it("test_setDelegate_approvesRevokesAndRejectsInvalid", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const delegate = f.delegate.account.address;
    await mined(f, (await setDelegate(f.maker, { address: f.address, delegate, approved: true })).hash);
    expect(await f.exchange.read.isDelegate([f.maker.account.address, delegate])).to.equal(true);
    await mined(f, (await setDelegate(f.maker, { address: f.address, delegate, approved: false })).hash);
    expect(await f.exchange.read.isDelegate([f.maker.account.address, delegate])).to.equal(false);
    for (const bad of [zeroAddress, f.maker.account.address]) {
      const e = await catchError(setDelegate(f.maker, { address: f.address, delegate: bad, approved: true }));
      expect(e).to.be.instanceOf(InvalidDelegateError);
    }
  });

  it("test_readFilled_emptyAndUnusedOrders", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    expect(await readFilled(f.publicClient, { address: f.address, orders: [] })).to.deep.equal([]);
    const fresh = await signed(f, f.maker, { size: 7n });
    expect(await readFilled(f.publicClient, { address: f.address, orders: [fresh.order] })).to.deep.equal([
      { orderHash: fresh.orderHash, filled: 0n, nonceUsed: false, remaining: 7n },
    ]);
  });

  it("test_nonceSequence_sharedNonceVoidsTheOtherOrder", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const next = nonceSequence(3n);
    expect([next(), next()]).to.deep.equal([3n, 4n]);
    // Two different orders signed with one nonce: completing the first voids the second.
    const a = await signed(f, f.maker, { nonce: 9n, size: 2n });
    const b = await signed(f, f.maker, { nonce: 9n, size: 5n });
    await mined(f, (await fillOrder(f.taker, { address: f.address, ...a, fillSize: 2n })).hash);
    const e = await catchError(fillOrder(f.taker, { address: f.address, ...b, fillSize: 1n }));
    expect(e).to.be.instanceOf(OrderNonceUsedError);
    const [state] = await readFilled(f.publicClient, { address: f.address, orders: [b.order] });
    expect(state).to.deep.include({ nonceUsed: true, remaining: 0n });
  });
});
