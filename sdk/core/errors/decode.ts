/**
 * Turning any revert (a viem error chain, an ethers error, raw revert data) into the typed error class
 * of the protocol custom error it carries.
 */
import { BaseError, ContractFunctionRevertedError, decodeErrorResult, isHex, slice, type Hex } from "viem";

import { ProtocolContractError, UnknownContractError } from "./contract.js";
import { protocolErrorClasses, protocolErrorsAbi, type ProtocolCustomError } from "./generated.js";

type ErrorClass = (typeof protocolErrorClasses)[keyof typeof protocolErrorClasses];

/**
 * Decodes ABI-encoded revert data (`selector ‖ args`) into the protocol error class it encodes, or
 * `undefined` when the selector is not a protocol custom error.
 * @example
 * const data = encodeErrorResult({ abi: indexOracleAbi, errorName: "NoRounds", args: [id] });
 * decodeErrorData(data); // NoRoundsError { args: { indexId: id } }
 */
export function decodeErrorData(
  data: Hex,
  options: { cause?: unknown } = {},
): ProtocolCustomError | undefined {
  if (data.length < 10) return undefined;
  const selector = slice(data, 0, 4).toLowerCase() as keyof typeof protocolErrorClasses;
  const Class: ErrorClass | undefined = protocolErrorClasses[selector];
  if (!Class) return undefined;
  const decoded = decodeErrorResult({ abi: protocolErrorsAbi, data });
  const list = (decoded.args ?? []) as readonly unknown[];
  const args = Object.fromEntries(Class.argNames.map((name, i) => [name, list[i]]));
  // The class matches the selector, so `args` has exactly the fields its constructor declares.
  return new Class(args as never, options);
}

/** Revert data found on an error object: viem's `raw`/`data`, ethers' `data`, or nested `error.data`. */
function rawData(err: unknown): Hex | undefined {
  if (err instanceof ContractFunctionRevertedError) return err.raw;
  if (typeof err !== "object" || err === null) return undefined;
  const record = err as { data?: unknown; error?: { data?: unknown } };
  if (typeof record.data === "string" && isHex(record.data)) return record.data;
  if (typeof record.data === "object" && record.data !== null) {
    const nested = (record.data as { data?: unknown }).data;
    if (typeof nested === "string" && isHex(nested)) return nested;
  }
  if (typeof record.error?.data === "string" && isHex(record.error.data)) return record.error.data;
  return undefined;
}

/**
 * The typed protocol error behind `err`, which may be a viem error (the chain is walked down to its
 * `ContractFunctionRevertedError`), an ethers `CallExceptionError` (its `data`), or raw revert data.
 * Returns `UnknownContractError` for a revert the protocol ABIs do not describe (a `require` string, a
 * panic, a foreign contract), and `undefined` when `err` is not a revert at all (a network failure).
 * @example
 * try {
 *   await submitReports(client, { address, indexId, reports })
 * } catch (err) {
 *   const e = decodeContractError(err);
 *   if (e instanceof QuorumNotMetError) console.log(e.args.signers, e.args.quorum);
 * }
 */
export function decodeContractError(err: unknown): ProtocolCustomError | UnknownContractError | undefined {
  // Already decoded (what every SDK action throws): returned unchanged.
  if (err instanceof ProtocolContractError) return err as ProtocolCustomError;
  if (err instanceof UnknownContractError) return err;
  if (typeof err === "string" && isHex(err))
    return decodeErrorData(err) ?? new UnknownContractError(err, undefined);
  if (err instanceof BaseError) {
    const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError) {
      const raw = reverted.raw;
      const typed = raw ? decodeErrorData(raw, { cause: err }) : undefined;
      return typed ?? new UnknownContractError(raw, reverted.reason, { cause: err });
    }
    const withData = err.walk((e) => rawData(e) !== undefined);
    const raw = withData ? rawData(withData) : undefined;
    if (raw)
      return decodeErrorData(raw, { cause: err }) ?? new UnknownContractError(raw, undefined, { cause: err });
    return undefined;
  }
  const raw = rawData(err);
  if (raw)
    return decodeErrorData(raw, { cause: err }) ?? new UnknownContractError(raw, undefined, { cause: err });
  return undefined;
}
