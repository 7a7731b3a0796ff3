/**
 * After expiry: settlement, withdrawals, the books, and the trades as the chain recorded them.
 */
import { clearinghouseAbi } from "../../../sdk/abi/generated/clearinghouse.js";
import { asMarketId } from "../../../sdk/core/ids.js";
import { formatUsd } from "../oracle-demo.js";
import { addressOfRole, moveTo, send, walletAddress, type DemoContext } from "./context.js";
import {
  MARKET,
  formatUnits6,
  type AccountReport,
  type DemoReport,
  type Role,
  type TradePoint,
} from "./terms.js";

/** What the withdrawals paid out. */
export interface Payout {
  readonly withdrawn: Map<Role, bigint>;
  readonly feesToTreasury: bigint;
  readonly insuranceFundDelta: bigint;
}

// ---- expiry and settlement ------------------------------------------------------------------------------

/** Past expiry the settler proposes, finalizes after the dispute window, and settles every account. */
export async function expireAndSettle(
  demo: DemoContext,
): Promise<{ finalPrice: bigint; openPositions: number; unpaidClaims: number }> {
  const { expiry, symbol, marketId } = demo.chain;
  const { ch } = demo.chain.contracts;
  const { settler } = demo.keepers;
  const { time } = demo.connection.networkHelpers;
  await moveTo(demo, expiry + 60n);
  demo.record.event(expiry, `expiry: ${symbol} stops trading`);
  await settlerTick(demo, "expiry + 1 min");
  await moveTo(demo, BigInt(await time.latest()) + BigInt(MARKET.terms.disputeWindow) + 1n);
  for (let i = 0; i < 10 && !settler.done.has(asMarketId(marketId)); i++) {
    await settlerTick(demo, "");
    await moveTo(demo, BigInt(await time.latest()) + 1n);
  }
  if (!settler.done.has(asMarketId(marketId))) throw new Error("the settler never finished the market");
  const settlement = settlementOf(await ch.read.settlementState([marketId]));
  const [, , openPositions] = await ch.read.marketState([marketId]);
  let unpaidClaims = 0;
  for (const role of demo.traders.roles) {
    const [size, openNotional] = await ch.read.position([addressOfRole(demo, role), marketId]);
    if (size !== 0n) throw new Error(`${role} still holds ${size} contracts after settlement`);
    if (openNotional !== 0n) unpaidClaims += 1;
  }
  return { finalPrice: settlement.final, openPositions: Number(openPositions), unpaidClaims };
}

/** One settler tick, each of its transactions counted and put on the timeline. */
async function settlerTick(demo: DemoContext, label: string): Promise<void> {
  const { settler } = demo.keepers;
  const before = settler.results.length;
  await settler.tick();
  for (const { action, result } of settler.results.slice(before)) {
    const kind =
      action.type === "propose"
        ? "proposeSettlement"
        : action.type === "finalize"
          ? "finalizeSettlement"
          : "settleMany";
    demo.record.countResult(kind, result);
    const t = await demo.connection.networkHelpers.time.latest();
    if (action.type === "propose") {
      const s = await demo.chain.contracts.ch.read.settlementState([demo.chain.marketId]);
      demo.record.event(
        t,
        `settler: proposeSettlement at the 24-hour TWAP $${formatUsd(settlementOf(s).proposed)} (${label})`,
      );
    } else if (action.type === "finalize")
      demo.record.event(t, `settler: finalizeSettlement after the dispute window`);
    else if (action.type === "settle")
      demo.record.event(t, `settler: settleMany of ${action.accounts.length} accounts (${action.step})`);
  }
}

// ---- withdrawals ----------------------------------------------------------------------------------------

/** Every account and the treasury take their balance out. */
export async function withdrawAll(demo: DemoContext): Promise<Payout> {
  const { viem, networkHelpers } = demo.connection;
  const { chAddress, treasury } = demo.chain;
  const { ch, token } = demo.chain.contracts;
  const withdrawn = new Map<Role, bigint>();
  for (const role of demo.traders.roles) {
    const wallet = demo.traders.wallets[role];
    const c = await viem.getContractAt("Clearinghouse", chAddress, { client: { wallet } });
    const [balance] = await ch.read.accountOf([addressOfRole(demo, role)]);
    const amount = balance > 0n ? balance : 0n;
    if (amount > 0n) await send(demo, "withdraw", await c.write.withdraw([amount]));
    withdrawn.set(role, amount);
  }
  const asTreasury = await viem.getContractAt("Clearinghouse", chAddress, { client: { wallet: treasury } });
  await send(demo, "withdrawTreasury", await asTreasury.write.withdrawTreasury());
  await networkHelpers.stopImpersonatingAccount(demo.keepers.liquidatorAccount);
  const feesToTreasury = (await token.read.balanceOf([walletAddress(treasury)])) - demo.traders.treasuryStart;
  const insuranceFundDelta = (await ch.read.insuranceFund()) - demo.traders.insuranceStart;
  demo.record.event(
    await networkHelpers.time.latest(),
    `withdrawals: every account takes its balance out; the treasury collects ${formatUnits6(feesToTreasury)} mUSDC of fees`,
  );
  return { withdrawn, feesToTreasury, insuranceFundDelta };
}

/** Each account's PnL, and where every token of the Clearinghouse ended up. */
export async function closeTheBooks(
  demo: DemoContext,
  payout: Payout,
): Promise<{
  accounts: AccountReport[];
  sumPnl: bigint;
  total: bigint;
  lockedInClearinghouse: bigint;
  settlementTally: DemoReport["settlementTally"];
}> {
  const { chAddress, marketId, publicClient } = demo.chain;
  const { ch, token } = demo.chain.contracts;
  const accounts: AccountReport[] = [];
  let sumPnl = 0n;
  for (const role of demo.traders.roles) {
    const [finalBalance] = await ch.read.accountOf([addressOfRole(demo, role)]);
    const dep = demo.traders.deposited.get(role) ?? 0n;
    const wd = payout.withdrawn.get(role) ?? 0n;
    const pnl = finalBalance + wd - dep;
    sumPnl += pnl;
    accounts.push({
      address: addressOfRole(demo, role),
      role,
      deposited: dep.toString(),
      withdrawn: wd.toString(),
      finalBalance: finalBalance.toString(),
      pnl: pnl.toString(),
    });
  }
  const total = sumPnl + payout.feesToTreasury + payout.insuranceFundDelta;
  // The tally as it stood when the last position settled: claims are paid from what is left of it, so the
  // live `settlementState` counts down to zero as they are paid.
  const [completed] = await publicClient.getContractEvents({
    address: chAddress,
    abi: clearinghouseAbi,
    eventName: "SettlementCompleted",
    args: { marketId },
    fromBlock: 0n,
  });
  if (completed === undefined) throw new Error("the market's settlement never completed");
  const tallyCollected = completed.args.collected! - completed.args.realisedNet!;
  const tallyClaimed = completed.args.claimed!;
  // What the Clearinghouse still holds beyond the insurance fund once every account and the treasury
  // are paid out: nothing, if settlement paid out everything it owed.
  const lockedInClearinghouse =
    (await token.read.balanceOf([chAddress])) -
    (await ch.read.insuranceFund()) -
    (await ch.read.treasuryAccrued()) -
    accounts.reduce((sum, acc) => sum + BigInt(acc.finalBalance), 0n);
  const shortfall = tallyClaimed > tallyCollected ? tallyClaimed - tallyCollected : 0n;
  return {
    accounts,
    sumPnl,
    total,
    lockedInClearinghouse,
    settlementTally: {
      collected: tallyCollected.toString(),
      claimed: tallyClaimed.toString(),
      shortfall: shortfall.toString(),
    },
  };
}

// ---- trades from the chain ------------------------------------------------------------------------------

/** Every `Traded` event, with its block's time. */
export async function tradesFromChain(demo: DemoContext): Promise<TradePoint[]> {
  const { publicClient, chAddress } = demo.chain;
  const traded = await publicClient.getContractEvents({
    address: chAddress,
    abi: clearinghouseAbi,
    eventName: "Traded",
    fromBlock: 0n,
  });
  const blockTimes = new Map<bigint, number>();
  const trades: TradePoint[] = [];
  for (const e of traded) {
    const bn = e.blockNumber;
    if (!blockTimes.has(bn))
      blockTimes.set(bn, Number((await publicClient.getBlock({ blockNumber: bn })).timestamp));
    const delta = e.args.takerSizeDelta!;
    trades.push({
      t: blockTimes.get(bn)!,
      price: e.args.price!.toString(),
      size: Number(delta < 0n ? -delta : delta),
      side: delta > 0n ? "buy" : "sell",
      maker: e.args.maker!,
      taker: e.args.taker!,
    });
  }
  return trades;
}

/** The final price (and the proposal) from `settlementState`. */
function settlementOf(state: readonly [bigint, bigint, boolean, bigint, bigint, bigint, bigint]): {
  proposed: bigint;
  final: bigint;
} {
  return { proposed: state[0], final: state[3] };
}
