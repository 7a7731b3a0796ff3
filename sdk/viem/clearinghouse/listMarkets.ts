import type { Address, BaseError } from "viem";
import { getBlockNumber, getContractEvents } from "viem/actions";

import { clearinghouseAbi } from "../../abi/index.js";
import { InvalidArgumentError } from "../../core/errors/SdkError.js";
import { asIndexId, asMarketId, type IndexId, type MarketId } from "../../core/ids.js";
import type { ReadClient } from "../internal/send.js";

/** Parameters of `listMarkets`. */
export interface ListMarketsParameters {
  /** The Clearinghouse. */
  address: Address;
  /** First block to search, inclusive (the Clearinghouse's deployment block is enough). Default 0. */
  fromBlock?: bigint;
  /** Last block, inclusive. Default: the latest block when the call starts. */
  toBlock?: bigint;
  /** Blocks per `eth_getLogs` request (nodes cap the range). Default: the whole range in one request. */
  chunkSize?: bigint;
}

/** One market as created on chain (`MarketCreated`). */
export interface ListedMarket {
  id: MarketId;
  /** Sequential number of the market (from 1). */
  index: number;
  indexId: IndexId;
  /** Expiry, unix seconds. */
  expiry: bigint;
  /** The block the market was created in. */
  blockNumber: bigint;
}

/** Every market the Clearinghouse created, in creation order. */
export type ListMarketsReturnType = ListedMarket[];

/**
 * What `listMarkets` throws: `InvalidArgumentError` for a negative `fromBlock` or a non-positive
 * `chunkSize`, else viem's errors (it reads logs only, no contract call).
 */
export type ListMarketsErrorType = InvalidArgumentError | BaseError;

/**
 * Lists the Clearinghouse's markets from its `MarketCreated` events (for a deployment without an address
 * book; with one, `marketsOfAddressBook(book)` reads them without a request). Load one with
 * `fetchMarket` for its state.
 * @example
 * const markets = await listMarkets(publicClient, { address: book.clearinghouse, fromBlock: deployBlock });
 * const { market } = await fetchMarket(publicClient, { address: book.clearinghouse, marketId: markets[0].id });
 */
export async function listMarkets(
  client: ReadClient,
  params: ListMarketsParameters,
): Promise<ListMarketsReturnType> {
  const fromBlock = params.fromBlock ?? 0n;
  if (fromBlock < 0n) throw new InvalidArgumentError("fromBlock", fromBlock, "a block number >= 0");
  if (params.chunkSize !== undefined && params.chunkSize <= 0n)
    throw new InvalidArgumentError("chunkSize", params.chunkSize, "a positive block count");
  const last = params.toBlock ?? (await getBlockNumber(client));
  const step = params.chunkSize ?? last - fromBlock + 1n;
  const out: ListedMarket[] = [];
  for (let from = fromBlock; from <= last; from += step) {
    const to = from + step - 1n < last ? from + step - 1n : last;
    const logs = await getContractEvents(client, {
      address: params.address,
      abi: clearinghouseAbi,
      eventName: "MarketCreated",
      fromBlock: from,
      toBlock: to,
      strict: true,
    });
    for (const log of logs) {
      out.push({
        id: asMarketId(log.args.marketId),
        index: Number(log.args.index),
        indexId: asIndexId(log.args.params.indexId),
        expiry: BigInt(log.args.params.expiry),
        blockNumber: log.blockNumber,
      });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}
