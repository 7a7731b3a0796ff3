/**
 * Exchange gas figures (whole transaction, 21,000 base included) over the real Clearinghouse and
 * IndexOracle (`test/ts/helpers/protocolFixture.ts`), steady state: every trading account already
 * holds a position in the market, every measured order is fresh, both sides of each measured fill
 * increase their position (so the Clearinghouse values the margin of both), the canceller already has
 * a non-zero minimum nonce. Fixed clock and fixed keys: the figures are reproducible to the unit, and
 * the gas snapshot test (`test/ts/gasSnapshot.test.ts`) re-runs this same function.
 */
import { network } from "hardhat";
import type { Signer } from "ethers";

import { deployProtocol, WAD } from "../../test/ts/helpers/protocolFixture.js";

const PRICE = 10n * WAD;
const TICK = WAD / 1_000n;

export async function measure(): Promise<Record<string, number>> {
  const { ethers, networkHelpers } = await network.create();
  const p = await deployProtocol(ethers, networkHelpers, { fixedClock: true });
  const [maker1, maker2, maker3, maker4, maker5, taker, matcher] = p.traders;
  const makers = [maker1, maker2, maker3, maker4, maker5];

  const gasOf = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) =>
    Number((await (await tx).wait())!.gasUsed);
  const sign = (signer: Signer, isBuy: boolean, limitPrice: bigint, size = 10n) =>
    p.signOrder(signer, { isBuy, size, limitPrice, nonce: 5n });

  // Steady state: each maker is short 5, the taker long 25, the matcher long 1 against maker5; this
  // also warms the fee accruals and the market's counters.
  for (const m of makers) {
    const { order, signature } = await sign(m, false, PRICE, 5n);
    await gasOf(p.exchange.connect(taker).fillOrder(order, signature, 5n));
  }
  {
    const { order, signature } = await sign(maker5, false, PRICE, 1n);
    await gasOf(p.exchange.connect(matcher).fillOrder(order, signature, 1n));
  }

  const figures: Record<string, number> = {};
  {
    const { order, signature } = await sign(maker1, false, PRICE);
    figures["exchange.fillOrder"] = await gasOf(p.exchange.connect(taker).fillOrder(order, signature, 4n));
  }

  const match = async (makerCount: number) => {
    const t = await sign(taker, true, PRICE + 10n * TICK, 100n);
    const ms = await Promise.all(
      makers.slice(0, makerCount).map((m, i) => sign(m, false, PRICE + BigInt(i) * TICK)),
    );
    return gasOf(
      p.exchange.connect(matcher).matchOrders(
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
    const { order } = await sign(maker2, true, PRICE);
    figures["exchange.cancelOrders.1"] = await gasOf(p.exchange.connect(maker2).cancelOrders([order]));
  }

  await gasOf(p.exchange.connect(maker3).cancelUpTo(1n));
  figures["exchange.cancelUpTo"] = await gasOf(p.exchange.connect(maker3).cancelUpTo(2n));

  return figures;
}
