/**
 * Exchange gas figures (whole transaction, 21,000 base included) over the real Clearinghouse and
 * IndexOracle (`test/ts/helpers/protocolFixture.ts`), steady state: every trading account already
 * holds a position in the market and has already used a nonce in the same nonce word (so a nonce is
 * spent in an already-touched word), both sides of each measured fill increase their position (so the
 * Clearinghouse values the margin of both), the canceller already has a non-zero minimum nonce. Every
 * measured order is fresh (never filled before). Fixed clock and fixed keys: the figures are
 * reproducible to the unit, and the gas snapshot test (`test/ts/gasSnapshot.test.ts`) re-runs this
 * same function.
 *
 * - `exchange.fillOrder`: one `fillOrder` that fills a fresh order completely (the common taker case:
 *   the order's nonce is spent, no partial-fill slot is written).
 * - `exchange.fillOrder.partial`: the first partial fill of a fresh order (its fill amount gets a fresh
 *   storage slot).
 * - `exchange.matchOrders.1maker` / `.5makers`: one `matchOrders` whose taker order and every maker
 *   order are fresh and filled completely; `.perExtraMaker` = (5 makers − 1 maker) / 4.
 * - `exchange.cancelOrders.1`: cancelling one order (spending its nonce in a touched word).
 * - `exchange.cancelUpTo`: raising a non-zero minimum nonce.
 *
 * `scenario()` runs the whole thing and also returns each measured transaction's hash and the deployed
 * contracts' addresses, so `npm run bench:trace` (`bench/trace.ts`) breaks down the very same
 * transactions; `measure()` returns its figures.
 */
import { network } from "hardhat";
import type { Signer } from "ethers";

import { deployProtocol, WAD } from "../../test/ts/helpers/protocolFixture.js";
import { recorder, send, type Scenario, type Sent } from "../scenario.js";

const PRICE = 10n * WAD;
const TICK = WAD / 1_000n;

export async function scenario(): Promise<Scenario> {
  const { ethers, networkHelpers } = await network.create();
  const p = await deployProtocol(ethers, networkHelpers, { fixedClock: true });
  const [maker1, maker2, maker3, maker4, maker5, taker, matcher] = p.traders;
  const makers = [maker1, maker2, maker3, maker4, maker5];

  const gasOf = async (tx: Sent) => (await send(tx)).gas;
  const figures: Record<string, number> = {};
  const txs: Record<string, string> = {};
  const record = recorder(figures, txs);
  // Every order gets its own nonce (a nonce names one order); all stay in the first nonce word.
  let nextNonce = 1n;
  const sign = (signer: Signer, isBuy: boolean, limitPrice: bigint, size = 10n) =>
    p.signOrder(signer, { isBuy, size, limitPrice, nonce: nextNonce++ });

  // Steady state: each maker is short 5, the taker long 25, the matcher long 1 against maker5; each of
  // them has spent a nonce in its first nonce word; this also warms the fee accruals and the market's
  // counters.
  for (const m of makers) {
    const { order, signature } = await sign(m, false, PRICE, 5n);
    await gasOf(p.exchange.connect(taker).fillOrder(order, signature, 5n));
  }
  {
    const { order, signature } = await sign(maker5, false, PRICE, 1n);
    await gasOf(p.exchange.connect(matcher).fillOrder(order, signature, 1n));
  }
  {
    // The taker's own nonce word (it signs the matchOrders taker orders below).
    const { order } = await sign(taker, true, PRICE, 1n);
    await gasOf(p.exchange.connect(taker).cancelOrders([order]));
  }

  {
    const { order, signature } = await sign(maker1, false, PRICE, 4n);
    await record("exchange.fillOrder", p.exchange.connect(taker).fillOrder(order, signature, 4n));
  }
  {
    const { order, signature } = await sign(maker2, false, PRICE, 10n);
    await record("exchange.fillOrder.partial", p.exchange.connect(taker).fillOrder(order, signature, 4n));
  }

  const match = async (key: string, makerCount: number) => {
    const t = await sign(taker, true, PRICE + 10n * TICK, 3n * BigInt(makerCount));
    const ms = await Promise.all(
      makers.slice(0, makerCount).map((m, i) => sign(m, false, PRICE + BigInt(i) * TICK, 3n)),
    );
    return record(
      key,
      p.exchange.connect(matcher).matchOrders(
        t.order,
        t.signature,
        ms.map((m) => m.order),
        ms.map((m) => m.signature),
        ms.map(() => 3n),
      ),
    );
  };
  const one = await match("exchange.matchOrders.1maker", 1);
  const five = await match("exchange.matchOrders.5makers", 5);
  figures["exchange.matchOrders.perExtraMaker"] = Math.round((five - one) / 4);

  {
    const { order } = await sign(maker2, true, PRICE);
    await record("exchange.cancelOrders.1", p.exchange.connect(maker2).cancelOrders([order]));
  }

  await gasOf(p.exchange.connect(maker3).cancelUpTo(1n));
  await record("exchange.cancelUpTo", p.exchange.connect(maker3).cancelUpTo(2n));

  const contracts: Record<string, string> = {
    Exchange: await p.exchange.getAddress(),
    Clearinghouse: await p.ch.getAddress(),
    IndexOracle: await p.oracle!.getAddress(),
    AccessManager: await p.manager.getAddress(),
    MockERC20: await p.token.getAddress(),
    ...p.libraries,
  };
  return { ethers, figures, txs, contracts };
}

export async function measure(): Promise<Record<string, number>> {
  return (await scenario()).figures;
}
