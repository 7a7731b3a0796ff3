import type { Abi, Address, ContractEventName, GetContractEventsReturnType } from "viem";
import { getBlockNumber, watchContractEvent } from "viem/actions";

import type { ReadClient } from "../internal/send.js";
import { backfillEvents } from "./backfillEvents.js";

/** Parameters of `watchEvents`. */
export interface WatchEventsParameters<
  TAbi extends Abi,
  TEventName extends ContractEventName<TAbi> | undefined,
> {
  address: Address;
  abi: TAbi;
  eventName?: TEventName;
  /** Receives every batch of new logs (after the backfill's, when `fromBlock` is given). */
  onLogs: (logs: GetContractEventsReturnType<TAbi, TEventName, true>) => void;
  /** Receives transport or decoding failures; the watch keeps polling. */
  onError?: (error: Error) => void;
  /** Backfill from this block first (in `chunkSize` pages), then watch live. */
  fromBlock?: bigint;
  /** Page size of the backfill. Default 2,000 blocks. */
  chunkSize?: bigint;
  /** Polling interval in ms. Default: the client's. */
  pollingInterval?: number;
}

/** Stops the watch. */
export type WatchEventsReturnType = () => void;

/**
 * Delivers a contract's events as they are mined, optionally after replaying history from
 * `fromBlock` (backfill up to the current block, then live from the next one, with no gap or
 * duplicate between the two).
 * @example
 * const stop = await watchEvents(publicClient, {
 *   address: book.indexOracle, abi: indexOracleAbi, eventName: "RoundAccepted",
 *   fromBlock: 0n, onLogs: (logs) => logs.forEach((l) => console.log(l.args.value)),
 * });
 */
export async function watchEvents<
  const TAbi extends Abi,
  TEventName extends ContractEventName<TAbi> | undefined = undefined,
>(client: ReadClient, params: WatchEventsParameters<TAbi, TEventName>): Promise<WatchEventsReturnType> {
  let liveFrom: bigint | undefined;
  if (params.fromBlock !== undefined) {
    const head = await getBlockNumber(client);
    const past = await backfillEvents(client, {
      address: params.address,
      abi: params.abi,
      eventName: params.eventName,
      fromBlock: params.fromBlock,
      toBlock: head,
      chunkSize: params.chunkSize ?? 2_000n,
    });
    if (past.length > 0) params.onLogs(past);
    liveFrom = head + 1n;
  }
  return watchContractEvent(client, {
    address: params.address,
    abi: params.abi,
    eventName: params.eventName,
    fromBlock: liveFrom,
    strict: true,
    poll: true,
    pollingInterval: params.pollingInterval,
    onLogs: (logs: unknown) => params.onLogs(logs as GetContractEventsReturnType<TAbi, TEventName, true>),
    onError: params.onError,
  } as never);
}
