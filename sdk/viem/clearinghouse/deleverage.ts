import type { Address } from "viem";

import { clearinghouseAbi } from "../../abi/generated/clearinghouse.js";
import type { MarketId } from "../../core/ids.js";
import {
  simulateAndSend,
  type WriteClient,
  type WriteResult,
  type ActionErrorType,
} from "../internal/send.js";
import type { ClearinghouseDeleverageRevert } from "../../core/errors/reverts.js";

/** Parameters of `deleverage`. */
export interface DeleverageParameters {
  /** The Clearinghouse. */
  address: Address;
  /** The bankrupt account. */
  account: Address;
  marketId: MarketId;
  /** Opposite, profitable positions to close against, most profitable first. */
  counterparties: readonly Address[];
}

/** The transaction hash. */
export type DeleverageReturnType = WriteResult<void>;

/**
 * What `deleverage` throws: the typed reverts of the contract function it calls
 * (`ClearinghouseDeleverageRevert`), or `ActionErrorType`.
 */
export type DeleverageErrorType = ClearinghouseDeleverageRevert | ActionErrorType;

/**
 * Auto-deleverages a bankrupt account's position in `marketId` against `counterparties` at the
 * bankruptcy price (`deleverage`). Typed reverts: `NotBankruptError`, `InsuranceCanCoverError`,
 * `CounterpartyNotOppositeError`, `CounterpartyNotProfitableError`, …
 * Simulates first and throws the typed error without sending.
 * @example
 * await deleverage(keeper, { address, account, marketId, counterparties: [winner] });
 */
export async function deleverage(
  client: WriteClient,
  params: DeleverageParameters,
): Promise<DeleverageReturnType> {
  return simulateAndSend(client, {
    address: params.address,
    abi: clearinghouseAbi,
    functionName: "deleverage",
    args: [params.account, params.marketId, params.counterparties],
  });
}
