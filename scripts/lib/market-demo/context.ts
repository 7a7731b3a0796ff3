/**
 * What the demo's phases share: the typed context (the deployment, the keepers, the traders), the record
 * of the timeline and of gas, and the actions more than one phase takes (send, place an order, match,
 * move the clock).
 */
import type { NetworkConnection } from "hardhat/types/network";
import { erc20Abi, getContract, type Address, type Hex, type TransactionReceipt } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";

import type { IsoDate } from "../../../index/index.js";
import type { LiquidatorKeeper } from "../../../keepers/liquidator/keeper.js";
import type { MatcherKeeper } from "../../../keepers/matcher/keeper.js";
import type { InMemoryOrderSource } from "../../../keepers/matcher/orders.js";
import type { RelayerKeeper } from "../../../keepers/relayer/keeper.js";
import type { ReporterKeeper } from "../../../keepers/reporter/keeper.js";
import type { SettlerKeeper } from "../../../keepers/settler/keeper.js";
import type { ManualClock } from "../../../keepers/shell/clock.js";
import type { ExecuteResult } from "../../../keepers/shell/sender.js";
import { clearinghouseAbi } from "../../../sdk/abi/generated/clearinghouse.js";
import { indexOracleAbi } from "../../../sdk/abi/generated/indexOracle.js";
import { signOrderViem, type exchangeDomain, type Order } from "../../../sdk/core/eip712/orders.js";
import { HOUR, type Role } from "./terms.js";

export const isoTime = (t: bigint | number) =>
  new Date(Number(t) * 1000).toISOString().slice(0, 16).replace("T", " ");

export const walletAddress = (w: { account: { address: Address } }) => w.account.address;

type HardhatViem = NetworkConnection["viem"];
export type Wallet = Awaited<ReturnType<HardhatViem["getWalletClient"]>>;
export type ChainClient = Awaited<ReturnType<HardhatViem["getPublicClient"]>>;
type DemoContracts = ReturnType<typeof demoContracts>;

/** What the demo records as it goes: the timeline it prints and the gas each kind of transaction used. */
export class DemoRecord {
  readonly timeline: string[] = [];
  private readonly gas = new Map<string, number[]>();

  constructor(private readonly log: (line: string) => void) {}

  /** A timeline line at chain time `t`, printed as it happens. */
  event(t: bigint | number, text: string): void {
    const line = `${isoTime(t)}  ${text}`;
    this.timeline.push(line);
    this.log(line);
  }

  countGas(kind: string, receipt: TransactionReceipt): void {
    this.gas.set(kind, [...(this.gas.get(kind) ?? []), Number(receipt.gasUsed)]);
  }

  /** Counts a keeper's confirmed transaction; anything else it sent fails the demo. */
  countResult(kind: string, result: ExecuteResult | undefined): void {
    if (result?.status === "confirmed") this.countGas(kind, result.receipt);
    else if (result !== undefined) throw new Error(`${kind}: ${JSON.stringify(result, bigintJson)}`);
  }

  gasMedians(): Record<string, number> {
    return Object.fromEntries([...this.gas.entries()].map(([k, v]) => [k, median(v)]));
  }
}

/** The protocol as deployed, and the one market the demo trades. */
export interface Deployment {
  /** The days with an index round (`scheduleDays`). */
  readonly days: IsoDate[];
  readonly expiry: bigint;
  readonly symbol: string;
  readonly indexId: Hex;
  readonly marketId: Hex;
  readonly chainId: number;
  /** The oracle's reporter keys, one per reporter keeper. */
  readonly reporters: PrivateKeyAccount[];
  readonly deployedAt: bigint;
  readonly chAddress: Address;
  readonly exchangeAddress: Address;
  readonly oracleAddress: Address;
  readonly tokenAddress: Address;
  readonly publicClient: ChainClient;
  /** Read-only views of the Clearinghouse, the IndexOracle and the collateral token. */
  readonly contracts: DemoContracts;
  readonly treasury: Wallet;
  /** The Hardhat accounts that trade (the liquidator trades from its keeper's account). */
  readonly traderWallets: Record<Exclude<Role, "liquidator">, Wallet>;
}

/** The real keepers, ticked by hand on one manual clock. */
export interface Keepers {
  readonly clock: ManualClock;
  readonly reporters: ReporterKeeper[];
  readonly relayer: RelayerKeeper;
  /** The matcher's order book: `place` adds signed orders to it. */
  readonly orders: InMemoryOrderSource;
  readonly exchangeDomain: ReturnType<typeof exchangeDomain>;
  readonly matcher: MatcherKeeper;
  readonly liquidator: LiquidatorKeeper;
  /** The liquidator keeper's account, which also trades its takeovers away as the `liquidator` role. */
  readonly liquidatorAccount: Address;
  readonly settler: SettlerKeeper;
}

/** The five trading accounts and what they put in. */
export interface Traders {
  readonly wallets: Record<Role, Wallet>;
  readonly roles: Role[];
  readonly deposited: Map<Role, bigint>;
  /** Each role's next order nonce. */
  readonly nonces: Map<Role, bigint>;
  /** The insurance fund and the treasury's token balance after the deposits, before any trade. */
  readonly insuranceStart: bigint;
  readonly treasuryStart: bigint;
}

/** What every phase works on; setup phases take the part that exists by then. */
export interface DemoContext {
  readonly connection: NetworkConnection;
  readonly record: DemoRecord;
  readonly chain: Deployment;
  readonly keepers: Keepers;
  readonly traders: Traders;
}

export function demoContracts(
  client: ChainClient,
  chAddress: Address,
  oracleAddress: Address,
  tokenAddress: Address,
) {
  return {
    ch: getContract({ address: chAddress, abi: clearinghouseAbi, client }),
    oracle: getContract({ address: oracleAddress, abi: indexOracleAbi, client }),
    token: getContract({ address: tokenAddress, abi: erc20Abi, client }),
  };
}

/** Waits for a transaction, fails on a revert, and counts its gas under `kind` (when given). */
export async function send(
  { record, chain }: Pick<DemoContext, "record" | "chain">,
  kind: string | undefined,
  hash: Hex,
): Promise<TransactionReceipt> {
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${kind ?? "transaction"} reverted: ${hash}`);
  if (kind !== undefined) record.countGas(kind, receipt);
  return receipt;
}

export function addressOfRole(demo: DemoContext, role: Role): Address {
  return demo.traders.wallets[role].account.address;
}

export function roleOf(demo: DemoContext, who: Address): Role | undefined {
  return demo.traders.roles.find((r) => addressOfRole(demo, r).toLowerCase() === who.toLowerCase());
}

/** Signs an order for `role` with its own next nonce and adds it to the matcher's source. */
export async function place(
  demo: DemoContext,
  role: Role,
  isBuy: boolean,
  size: bigint,
  limitPrice: bigint,
  flags: number,
): Promise<void> {
  const { nonces, wallets } = demo.traders;
  const nonce = nonces.get(role) ?? 0n;
  nonces.set(role, nonce + 1n);
  const now = BigInt(await demo.connection.networkHelpers.time.latest());
  const order: Order = {
    trader: addressOfRole(demo, role),
    marketId: demo.chain.marketId,
    isBuy,
    size,
    limitPrice,
    expiry: now + 6n * HOUR,
    nonce,
    salt: nonce,
    flags,
  };
  const signature = await signOrderViem(
    wallets[role] as never,
    demo.keepers.exchangeDomain,
    order,
    addressOfRole(demo, role),
  );
  demo.keepers.orders.add({ order, signature });
}

/** One matcher tick: every match must confirm and no order may be dropped. */
export async function runMatcher(demo: DemoContext): Promise<void> {
  const { matcher } = demo.keepers;
  const before = matcher.results.length;
  await matcher.tick();
  for (const r of matcher.results.slice(before)) demo.record.countResult("matchOrders", r);
  if (matcher.dropped.size > 0) {
    throw new Error(`matcher dropped orders: ${[...matcher.dropped.values()].join("; ")}`);
  }
}

export async function positionOf(demo: DemoContext, role: Role): Promise<bigint> {
  return (await demo.chain.contracts.ch.read.position([addressOfRole(demo, role), demo.chain.marketId]))[0];
}

/** Moves the chain forward to `t` (never back) and sets the keepers' clock to the chain's time. */
export async function moveTo(demo: DemoContext, t: bigint): Promise<void> {
  const { time } = demo.connection.networkHelpers;
  if (t > BigInt(await time.latest())) await time.increaseTo(t);
  demo.keepers.clock.set((await time.latest()) * 1000);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : Math.round((s[mid - 1] + s[mid]) / 2);
}

function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
