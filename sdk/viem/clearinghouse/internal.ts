/**
 * Turns the lens's decoded structs into entities. Shared by `fetchMarket` and `fetchAccount`.
 */
import { Market } from "../../core/entities/Market.js";
import { asMarketId, type MarketId } from "../../core/ids.js";
import type { ContractFunctionReturnType } from "viem";

import type { clearinghouseLensAbi } from "./lens.generated.js";

type LensMarket = ContractFunctionReturnType<typeof clearinghouseLensAbi, "view", "loadMarket">[0];
type LensContext = ContractFunctionReturnType<typeof clearinghouseLensAbi, "view", "loadMarket">[1];

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

export function toMarket(m: LensMarket): { market: Market; index: IndexPrice | undefined } {
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
    },
  });
  if (market.id !== (asMarketId(m.id) as MarketId))
    throw new Error(`lens returned market ${m.id} for ${market.id}`);
  return { market, index: m.indexOk ? { value: m.indexPrice, updatedAt: m.indexUpdatedAt } : undefined };
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
