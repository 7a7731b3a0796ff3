/**
 * Exchange gas figures (whole transaction, 21,000 base included), steady state: both accounts already
 * hold a position, every order is fresh (one new `filled` slot each), the canceller already has a
 * non-zero minimum nonce. Measured against `MockClearinghouseVenue`, not the real Clearinghouse: the
 * mock's `trade` costs about two position writes and an event, so real figures will be higher.
 */
import { network } from "hardhat";
import type { Signer } from "ethers";

import { buildOrder, exchangeDomain, signOrderEthers, type Order } from "../../sdk/core/eip712/orders.js";

const E18 = 10n ** 18n;

export async function measure(): Promise<Record<string, number>> {
  const { ethers } = await network.create();
  const [admin, maker1, maker2, maker3, maker4, maker5, taker, matcher] = await ethers.getSigners();
  const makers = [maker1, maker2, maker3, maker4, maker5];
  const manager = await ethers.deployContract("AccessManager", [admin.address]);
  const venue = await ethers.deployContract("MockClearinghouseVenue");
  const exchange = await ethers.deployContract("Exchange", [
    await venue.getAddress(),
    await manager.getAddress(),
  ]);
  const { chainId } = await ethers.provider.getNetwork();
  const domain = exchangeDomain(chainId, (await exchange.getAddress()) as `0x${string}`);
  const marketId = ethers.id("ATPI-FRONTIER-2027Q1") as `0x${string}`;
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);

  // Steady state: every account already holds a position in the market.
  for (const account of [...makers, taker, matcher]) {
    await (await venue.setPosition(account.address, marketId, 1_000n)).wait();
  }

  let salt = 1n;
  const sign = async (signer: Signer, isBuy: boolean, limitPrice: bigint, size = 10n) => {
    const order: Order = buildOrder(
      { trader: (await signer.getAddress()) as `0x${string}`, marketId, isBuy, size, limitPrice },
      now,
    );
    order.salt = salt++;
    order.nonce = 5n;
    return { order, signature: await signOrderEthers(signer, domain, order) };
  };
  const gasOf = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) =>
    Number((await (await tx).wait())!.gasUsed);

  const figures: Record<string, number> = {};

  // Warm-up so that no first-touch cost (e.g. the venue's config slot) skews the measured calls.
  {
    const { order, signature } = await sign(maker1, false, 2n * E18);
    await gasOf(exchange.connect(taker).fillOrder(order, signature, 1n));
  }

  {
    const { order, signature } = await sign(maker1, false, 2n * E18);
    figures["exchange.fillOrder"] = await gasOf(exchange.connect(taker).fillOrder(order, signature, 4n));
  }

  const match = async (makerCount: number) => {
    const t = await sign(taker, true, 3n * E18, 100n);
    const ms = await Promise.all(
      makers.slice(0, makerCount).map((m, i) => sign(m, false, 2n * E18 + BigInt(i))),
    );
    return gasOf(
      exchange.connect(matcher).matchOrders(
        t.order,
        t.signature,
        ms.map((m) => m.order),
        ms.map((m) => m.signature),
        ms.map(() => 3n),
      ),
    );
  };
  const one = await match(1);
  const five = await match(5);
  figures["exchange.matchOrders.1maker"] = one;
  figures["exchange.matchOrders.5makers"] = five;
  figures["exchange.matchOrders.perExtraMaker"] = Math.round((five - one) / 4);

  {
    const { order } = await sign(maker2, true, E18);
    figures["exchange.cancelOrders.1"] = await gasOf(exchange.connect(maker2).cancelOrders([order]));
  }

  await (await exchange.connect(maker3).cancelUpTo(1n)).wait();
  figures["exchange.cancelUpTo"] = await gasOf(exchange.connect(maker3).cancelUpTo(2n));

  return figures;
}
