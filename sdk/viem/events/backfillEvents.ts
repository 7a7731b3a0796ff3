import type { Abi, Address, ContractEventName, GetContractEventsReturnType } from "viem";
import { getBlockNumber, getContractEvents } from "viem/actions";

import { InvalidArgumentError } from "../../core/errors/SdkError.js";
import type { ReadClient } from "../internal/send.js";

/** Parameters of `backfillEvents`. */
export interface BackfillEventsParameters<
  TAbi extends Abi,
  TEventName extends ContractEventName<TAbi> | undefined,
> {
  /** The contract. */
  address: Address;
  /** Its ABI (e.g. `exchangeAbi`), for decoding. */
  abi: TAbi;
  /** One event, or every event of the ABI when left out. */
  eventName?: TEventName;
  /** First block, inclusive. */
  fromBlock: bigint;
  /** Last block, inclusive. Default: the latest block when the call starts. */
  toBlock?: bigint;
  /** Blocks per `eth_getLogs` request; nodes cap the range (often 1,000–10,000). */
  chunkSize: bigint;
  /** Called after each page with the page's logs and its block range, e.g. to persist progress. */
  onChunk?: (
    logs: GetContractEventsReturnType<TAbi, TEventName, true>,
    range: { fromBlock: bigint; toBlock: bigint },
  ) => void | Promise<void>;
}

/** Every decoded log in the range, oldest first. */
export type BackfillEventsReturnType<
  TAbi extends Abi,
  TEventName extends ContractEventName<TAbi> | undefined,
> = GetContractEventsReturnType<TAbi, TEventName, true>;

/**
 * Fetches a contract's past events in pages of `chunkSize` blocks (`eth_getLogs` per page), so a long
 * history never exceeds a node's range limit.
 * @example
 * // every fill's one event: the Clearinghouse's `Traded` (`makerOrderHash` is zero at a venue without orders)
 * const fills = await backfillEvents(publicClient, {
 *   address: book.clearinghouse, abi: clearinghouseAbi, eventName: "Traded", fromBlock: deployBlock, chunkSize: 2_000n,
 * });
 */
export async function backfillEvents<
  const TAbi extends Abi,
  TEventName extends ContractEventName<TAbi> | undefined = undefined,
>(
  client: ReadClient,
  params: BackfillEventsParameters<TAbi, TEventName>,
): Promise<BackfillEventsReturnType<TAbi, TEventName>> {
  if (params.chunkSize <= 0n)
    throw new InvalidArgumentError("chunkSize", params.chunkSize, "a positive block count");
  const last = params.toBlock ?? (await getBlockNumber(client));
  const all: GetContractEventsReturnType<TAbi, TEventName, true> = [];
  for (let from = params.fromBlock; from <= last; from += params.chunkSize) {
    const to = from + params.chunkSize - 1n < last ? from + params.chunkSize - 1n : last;
    const logs = (await getContractEvents(client, {
      address: params.address,
      abi: params.abi,
      eventName: params.eventName,
      fromBlock: from,
      toBlock: to,
      strict: true,
    } as never)) as GetContractEventsReturnType<TAbi, TEventName, true>;
    all.push(...logs);
    await params.onChunk?.(logs, { fromBlock: from, toBlock: to });
  }
  return all;
}
