/**
 * The lens call and the turning of its decoded structs into entities. Shared by `fetchMarket` and
 * `fetchAccount`.
 */
import { Market } from "../../core/entities/Market.js";
import { asMarketId, type MarketId } from "../../core/ids.js";
import {
  decodeFunctionResult,
  encodeFunctionData,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type ContractFunctionReturnType,
  type Hex,
} from "viem";
import { call } from "viem/actions";

import type { ReadClient } from "../internal/send.js";
import { clearinghouseLensAbi, clearinghouseLensBytecode } from "./lens.generated.js";

type LensAbi = typeof clearinghouseLensAbi;
type LensFunctionName = ContractFunctionName<LensAbi, "view">;

type LensMarket = ContractFunctionReturnType<LensAbi, "view", "loadMarket">[0];
type LensContext = ContractFunctionReturnType<LensAbi, "view", "loadMarket">[1];

/** An index value as the oracle's `latest` returned it, or `undefined` when it reverted (stale, unknown). */
export interface IndexPrice {
  value: bigint;
  updatedAt: bigint;
}

/** Protocol-wide values read with the account or market, and the block the read ran at. */
export interface ClearinghouseContext {
  /** `10 ** (18 − decimals)`. */
  collateralScale: bigint;
  insuranceFeeShare: bigint;
  liquidatorShare: bigint;
  /** Collateral units. */
  insuranceFund: bigint;
  globalPaused: boolean;
  /** The block's timestamp: the `now` the contract marks at. */
  timestamp: bigint;
  blockNumber: bigint;
}

/**
 * Runs one of the lens's views as a deployless `eth_call` (its creation code travels in the call;
 * nothing is deployed) at `blockNumber` (latest when left out): ONE JSON-RPC request. A revert is
 * thrown as its typed protocol error.
 */
export async function callLens<F extends LensFunctionName>(
  client: ReadClient,
  functionName: F,
  args: ContractFunctionArgs<LensAbi, "view", F>,
  blockNumber: bigint | undefined,
): Promise<ContractFunctionReturnType<LensAbi, "view", F>> {
  let data: Hex | undefined;
  try {
    ({ data } = await call(client, {
      code: clearinghouseLensBytecode,
      data: encodeFunctionData({ abi: clearinghouseLensAbi, functionName, args } as never),
      blockNumber,
    }));
  } catch (err) {
    // the decoder carries every protocol error (a large generated table): loaded when a read fails, so
    // a bundle that only reads (the web app's first chunk) does not carry it
    const { throwDecoded } = await import("../internal/send.js");
    throwDecoded(err);
  }
  // viem's encode/decode types do not narrow on a generic function name; the typed signature above
  // checks the arguments and the result at each call site.
  return decodeFunctionResult({
    abi: clearinghouseLensAbi,
    functionName,
    data: data ?? "0x",
  } as never) as ContractFunctionReturnType<LensAbi, "view", F>;
}

/**
 * The market entity of a lens view, its index price, and the contract's mark, liquidation mark and index value
 * at the block (`undefined` when `markPrice` / `liquidationMarkPrice` reverts: a stale index before expiry, or
 * an unreadable settlement TWAP). The index value is the one liquidation also judges by
 * (`MarkedMarket.indexMark`): the index before expiry, the settlement value (the mark) from expiry on.
 */
export function toMarket(
  m: LensMarket,
  now: bigint,
): {
  market: Market;
  index: IndexPrice | undefined;
  mark: bigint | undefined;
  liquidationMark: bigint | undefined;
  indexMark: bigint | undefined;
} {
  const market = Market.from({
    params: m.params,
    risk: m.risk,
    terms: m.terms,
    state: {
      basisRate: m.basisRate,
      openInterest: m.openInterest,
      openPositions: m.openPositions,
      paused: m.paused,
      index: m.index,
    },
    settlement: {
      proposedPrice: m.proposedPrice,
      proposedAt: m.proposedAt,
      disputed: m.disputed,
      finalPrice: m.finalPrice,
      collected: m.collected,
      claimed: m.claimed,
      settlementTwap: m.twapOk ? m.settlementTwap : undefined,
      realisedNet: m.realisedNet,
    },
  });
  if (market.id !== (asMarketId(m.id) as MarketId))
    throw new Error(`lens returned market ${m.id} for ${market.id}`);
  const mark = m.markOk ? m.mark : undefined;
  const indexValue = m.indexOk ? m.indexPrice : undefined;
  return {
    market,
    index: indexValue === undefined ? undefined : { value: indexValue, updatedAt: m.indexUpdatedAt },
    mark,
    liquidationMark: m.liquidationMarkOk ? m.liquidationMark : undefined,
    indexMark: now < m.params.expiry ? indexValue : mark,
  };
}

export function toContext(c: LensContext): ClearinghouseContext {
  return {
    collateralScale: c.collateralScale,
    insuranceFeeShare: c.insuranceFeeShare,
    liquidatorShare: c.liquidatorShare,
    insuranceFund: c.insuranceFund,
    globalPaused: c.globalPaused,
    timestamp: c.timestamp,
    blockNumber: c.blockNumber,
  };
}
