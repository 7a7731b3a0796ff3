/**
 * The `…ErrorType` exported beside each viem action: compile-time checks (run by `tsc --noEmit`, which
 * `npm run lint:ts` includes) that each union holds exactly the contract errors its function reverts
 * with, and a runtime check that an action's thrown error is an instance of a member of its union.
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { Address, BaseError } from "viem";

import {
  ExchangeInvalidSignatureError,
  InsufficientBalanceError,
  InsufficientMarginError,
  IndexNotCachedError,
  InvalidArgumentError,
  NoRoundsError,
  OrderExpiredError,
  QuorumNotMetError,
  SafeERC20FailedOperationError,
  StaleIndexError,
  UnknownContractError,
  UnknownIndexError,
  UnknownMarketError,
  ZeroAmountError,
  InsufficientCoverageError,
  InvalidWindowError,
  TimestampOutOfRangeError,
  TooManyRoundsInWindowError,
  WindowInFutureError,
  WindowNotCoveredError,
  withdraw,
  type ActionErrorType,
  type ClearinghouseWithdrawRevert,
  type FetchMarketErrorType,
  type FillOrderErrorType,
  type ReadLatestErrorType,
  type SignOrderErrorType,
  type SubmitReportsErrorType,
  type WithdrawErrorType,
} from "../../../sdk/index.js";
import { deployClearinghouse } from "../helpers/clearinghouseFixture.js";

/** `true` exactly when `A` and `B` are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** `true` when every member of `A` is assignable to `B`. */
type Within<A, B> = [A] extends [B] ? true : false;

/** The classes `withdraw` can revert with, one by one, as a caller would list them for `instanceof`. */
const withdrawReverts = [
  ZeroAmountError,
  InsufficientBalanceError,
  InsufficientMarginError,
  SafeERC20FailedOperationError,
  IndexNotCachedError,
  StaleIndexError,
  UnknownIndexError,
  NoRoundsError,
  InvalidWindowError,
  WindowInFutureError,
  TimestampOutOfRangeError,
  WindowNotCoveredError,
  TooManyRoundsInWindowError,
  InsufficientCoverageError,
] as const;

// ---- compile-time checks: a wrong union fails `tsc --noEmit`

// `withdraw`'s reverts are exactly the list above (its own checks, the margin check's oracle reads).
const withdrawExact: Equal<
  ClearinghouseWithdrawRevert,
  InstanceType<(typeof withdrawReverts)[number]>
> = true;
// Every action's union holds the shared part: unknown reverts and viem's errors.
const withdrawShared: Within<ActionErrorType, WithdrawErrorType> = true;
const readLatestExact: Equal<
  ReadLatestErrorType,
  UnknownIndexError | NoRoundsError | StaleIndexError | UnknownContractError | BaseError
> = true;
const fetchMarketExact: Equal<FetchMarketErrorType, UnknownMarketError | UnknownContractError | BaseError> =
  true;
// A fill can revert with the order's own checks and, through `trade`, with the Clearinghouse's.
const fillOrderHas: Within<
  OrderExpiredError | ExchangeInvalidSignatureError | InsufficientMarginError,
  FillOrderErrorType
> = true;
const submitHas: Within<QuorumNotMetError, SubmitReportsErrorType> = true;
const signOrderExact: Equal<SignOrderErrorType, InvalidArgumentError | BaseError> = true;
// An error the function cannot revert with is not in its union.
// @ts-expect-error `withdraw` never checks an order's expiry
const withdrawNoOrder: Within<OrderExpiredError, WithdrawErrorType> = true;
// @ts-expect-error `readLatest` does not read a window
const readLatestNoWindow: Within<InvalidWindowError, ReadLatestErrorType> = true;

const { ethers, viem, networkHelpers } = await network.create();

describe("sdk/viem …ErrorType", function () {
  it("test_errorTypes_compileTimeChecksHold", function () {
    // The checks above are types; their values only show they compiled.
    expect([
      withdrawExact,
      withdrawShared,
      readLatestExact,
      fetchMarketExact,
      fillOrderHas,
      submitHas,
      signOrderExact,
      withdrawNoOrder,
      readLatestNoWindow,
    ]).to.deep.equal(Array(9).fill(true));
  });

  it("test_withdraw_throwsAMemberOfWithdrawErrorType", async function () {
    const f = await deployClearinghouse(ethers, networkHelpers, 6);
    const [, , alice] = await viem.getWalletClients();
    const address = (await f.ch.getAddress()) as Address;
    await f.fund(f.alice, "100");

    let caught: unknown;
    try {
      await withdraw(alice, { address, amount: 100_000_001n });
    } catch (err) {
      caught = err;
    }
    expect(withdrawReverts.some((Class) => caught instanceof Class)).to.equal(true);
    const e = caught as WithdrawErrorType;
    expect(e.name).to.equal("InsufficientBalanceError");
    if (!(e instanceof InsufficientBalanceError)) expect.fail("expected InsufficientBalanceError");
    expect(e.args.amount).to.equal(100_000_001n);
    expect(e.args.balance).to.equal(100_000_000n);
  });
});
