/**
 * The matcher's adapter: reads the order source and each order's on-chain state (`filled`,
 * `isNonceUsed`, `minNonce`, the trader's position), asks `decideMatcher`, and sends each match through
 * the shell. An order that makes the simulation revert is dropped, with the decoded reason logged. Job
 * key: `matcher/<marketId>/<takerHash>@<taker filled>`, so a retry or a restart of the same match never
 * sends it twice, and a later match of the same taker (after a partial fill) is a new job.
 */
import type { Address, Hex } from "viem";

import { clearinghouseAbi } from "../../sdk/abi/generated/clearinghouse.js";
import { exchangeAbi } from "../../sdk/abi/generated/exchange.js";
import { hashOrder, type ExchangeDomain } from "../../sdk/core/eip712/orders.js";
import { readHead } from "../shell/chain.js";
import { jobKey } from "../shell/jobs.js";
import type { ChainDeps, ShellDeps, TickSource } from "../shell/runner.js";
import type { ExecuteResult } from "../shell/sender.js";
import {
  decideMatcher,
  matchOrdersArgs,
  type BookOrder,
  type MatchAction,
  type MatcherConfig,
} from "./decide.js";
import type { OrderSource } from "./orders.js";

const EXCHANGE_ABI = exchangeAbi;
/** The Clearinghouse the Exchange trades through; the matcher reads `positionSize` from it. */
const VENUE_ABI = clearinghouseAbi;

export interface MatcherDeps extends ChainDeps, ShellDeps {
  exchange: Address;
  domain: ExchangeDomain;
  source: OrderSource;
  decide: MatcherConfig;
}

export class MatcherKeeper implements TickSource {
  /** Orders dropped after a failed simulation, with the reason. */
  readonly dropped = new Map<Hex, string>();
  readonly results: ExecuteResult[] = [];
  private venue?: Address;

  constructor(private readonly deps: MatcherDeps) {}

  /** After a chain reset: dropped orders get another chance, the venue is read again. */
  resync(): void {
    this.dropped.clear();
    this.venue = undefined;
  }

  /** The book: every known, not dropped order with its on-chain state. */
  async readBook(): Promise<BookOrder[]> {
    const { client, exchange, domain, source } = this.deps;
    this.venue ??= (await client.readContract({
      address: exchange,
      abi: EXCHANGE_ABI,
      functionName: "clearinghouse",
    })) as Address;
    const venue = this.venue;
    const signed = await source.list();
    const book: BookOrder[] = [];
    await Promise.all(
      signed.map(async ({ order, signature }, seq) => {
        const hash = hashOrder(domain, order);
        if (this.dropped.has(hash)) return;
        const [filled, nonceUsed, minNonce, position] = await Promise.all([
          client.readContract({ address: exchange, abi: EXCHANGE_ABI, functionName: "filled", args: [hash] }),
          client.readContract({
            address: exchange,
            abi: EXCHANGE_ABI,
            functionName: "isNonceUsed",
            args: [order.trader, order.nonce],
          }),
          client.readContract({
            address: exchange,
            abi: EXCHANGE_ABI,
            functionName: "minNonce",
            args: [order.trader],
          }),
          client.readContract({
            address: venue,
            abi: VENUE_ABI,
            functionName: "positionSize",
            args: [order.trader, order.marketId],
          }),
        ]);
        book.push({ order, signature, hash, seq, filled, nonceUsed, minNonce, position });
      }),
    );
    return book.sort((a, b) => a.seq - b.seq);
  }

  async tick(): Promise<void> {
    const { client, metrics } = this.deps;
    // expiry is judged by the chain's clock (the Exchange compares block.timestamp)
    const [book, head] = await Promise.all([this.readBook(), readHead(client)]);
    const actions = decideMatcher(book, head.timestamp, this.deps.decide);
    for (const action of actions) {
      metrics.actions.inc({ type: action.type });
      await this.execute(action);
    }
  }

  private async execute(action: MatchAction): Promise<void> {
    const { sender, log, exchange } = this.deps;
    const key = jobKey("matcher", action.marketId, `${action.taker.hash}@${action.taker.filled}`);
    const result = await sender.execute(key, {
      address: exchange,
      abi: EXCHANGE_ABI,
      functionName: "matchOrders",
      args: matchOrdersArgs(action),
    });
    this.results.push(result);
    if (result.status !== "simulation-failed") {
      log.info(
        { job: key, status: result.status, makers: action.makers.length, fillSizes: action.fillSizes },
        "match",
      );
      return;
    }
    // the revert names the culprit by hash when it can (expired, cancelled, bad signature, …)
    const involved = [action.taker, ...action.makers];
    const named = involved.filter((o) =>
      result.revert.args.some((a) => typeof a === "string" && a.toLowerCase() === o.hash.toLowerCase()),
    );
    const culprits = named.length > 0 ? named.slice(0, 1) : [action.taker];
    for (const o of culprits) {
      const reason = `${result.revert.name}(${result.revert.args.map(String).join(", ")})`;
      this.dropped.set(o.hash, reason);
      log.warn({ order: o.hash, trader: o.order.trader, reason }, "order dropped: simulation reverted");
    }
  }
}
