/**
 * Contract reverts as typed errors. The concrete class of every protocol custom error is generated
 * from the ABIs into `generated.ts` (`npm run gen:abi`); this file holds their base class and the
 * revert data they share.
 */
import type { Hex } from "viem";

import { SdkError } from "./SdkError.js";

/** What a decoded custom error carries in `data`. */
export interface ContractErrorData<TName extends string, TArgs> {
  /** The Solidity error name, e.g. `"StaleReport"`. */
  errorName: TName;
  /** Canonical signature, e.g. `"StaleReport(uint256,uint256)"`. */
  signature: string;
  /** 4-byte selector. */
  selector: Hex;
  /** The protocol contracts whose ABI has this error. */
  contracts: readonly string[];
  /** The NatSpec `@notice` of the declaration, when there is one. */
  notice: string | undefined;
  /** The error's arguments by name, as viem decodes them (`uint256` → bigint, `uint8` → number). */
  args: TArgs;
}

function formatArg(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(formatArg).join(", ")}]`;
  return String(value);
}

/**
 * `"Thrown when X."` → `"X."`, capitalised, for a message that reads as a statement; other notices
 * (`"Thrown by latest when …"`, `"Thrown while …"`) are kept whole.
 */
function statement(notice: string): string {
  const text = notice.replace(/^Thrown\s+(when|if)\s+/i, "");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Base class of the generated per-error classes: a revert of a protocol contract with a known custom
 * error. `shortMessage` is `"<ErrorName>: <notice>"`, `details` lists the arguments.
 * @example
 * const e = decodeContractError(err);
 * if (e instanceof StaleReportError) console.log(e.data.args.observedAt);
 */
export abstract class ProtocolContractError<
  TName extends string = string,
  TArgs = Record<string, unknown>,
> extends SdkError<ContractErrorData<TName, TArgs>> {
  override name = "ProtocolContractError";

  constructor(data: ContractErrorData<TName, TArgs>, options: { cause?: unknown } = {}) {
    const args = Object.entries(data.args as Record<string, unknown>);
    super(
      data.notice
        ? `${data.errorName}: ${statement(data.notice)}`
        : `${data.errorName}: the contract reverted.`,
      {
        details: args.length === 0 ? undefined : args.map(([k, v]) => `${k} = ${formatArg(v)}`).join(", "),
        data,
        cause: options.cause,
      },
    );
  }

  /** The Solidity error name. */
  get errorName(): TName {
    return this.data.errorName;
  }

  /** The decoded arguments by name. */
  get args(): TArgs {
    return this.data.args;
  }
}

/**
 * A revert whose data is not a protocol custom error: a `require` string, a panic, an error of a
 * contract outside the protocol, or no data at all. `data.raw` is the revert data when there was any.
 * @example if (e instanceof UnknownContractError) console.log(e.data.raw)
 */
export class UnknownContractError extends SdkError<{ raw: Hex | undefined; reason: string | undefined }> {
  override name = "UnknownContractError";

  constructor(raw: Hex | undefined, reason: string | undefined, options: { cause?: unknown } = {}) {
    super(reason ? `The contract reverted: ${reason}` : "The contract reverted with unrecognised data.", {
      details: raw ? `Revert data: ${raw}` : undefined,
      data: { raw, reason },
      cause: options.cause,
    });
  }
}
