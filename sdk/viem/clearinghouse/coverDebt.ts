import type { Address } from "viem";

import { clearinghouseAbi } from "../../abi/generated/clearinghouse.js";
import {
  simulateAndSend,
  type WriteClient,
  type WriteResult,
  type ActionErrorType,
} from "../internal/send.js";
import type { ClearinghouseCoverDebtRevert } from "../../core/errors/reverts.js";

/** Parameters of `coverDebt`. */
export interface CoverDebtParameters {
  /** The Clearinghouse. */
  address: Address;
  /** An account with no open market and a negative balance (a residual debt). */
  account: Address;
}

/** The transaction hash. */
export type CoverDebtReturnType = WriteResult<void>;

/**
 * What `coverDebt` throws: the typed reverts of the contract function it calls
 * (`ClearinghouseCoverDebtRevert`), or `ActionErrorType`.
 */
export type CoverDebtErrorType = ClearinghouseCoverDebtRevert | ActionErrorType;

/**
 * Has the insurance fund pay, as far as it goes, the residual debt of an account with no open market left
 * (`coverDebt`; anyone may call it once the fund holds tokens again). Typed reverts: `NoDebtToCoverError`
 * (no debt, or markets still open that back it), `InsuranceFundEmptyError`.
 * Simulates first and throws the typed error without sending.
 * @example
 * await coverDebt(keeper, { address: book.clearinghouse, account });
 */
export async function coverDebt(
  client: WriteClient,
  params: CoverDebtParameters,
): Promise<CoverDebtReturnType> {
  return simulateAndSend(client, {
    address: params.address,
    abi: clearinghouseAbi,
    functionName: "coverDebt",
    args: [params.account],
  });
}
