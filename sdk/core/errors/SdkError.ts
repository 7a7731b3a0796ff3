/**
 * The SDK's error hierarchy. Every error the SDK throws extends `SdkError`, which carries a one-line
 * `shortMessage`, optional `details`, and typed `data` a caller can branch on without parsing text.
 */

/** Options every `SdkError` accepts. */
export interface SdkErrorOptions<TData> {
  /** Longer explanation, appended to `message`. */
  details?: string | undefined;
  /** Machine-readable payload of the error. */
  data: TData;
  /** The error that caused this one. */
  cause?: unknown;
}

/**
 * Base class of every SDK error.
 * @example
 * try { loadAddressBook(json) } catch (e) { if (e instanceof SdkError) console.log(e.shortMessage, e.data) }
 */
export class SdkError<TData = unknown> extends Error {
  override name = "SdkError";
  /** One-line summary, without details. */
  readonly shortMessage: string;
  /** Longer explanation, or `undefined`. */
  readonly details: string | undefined;
  /** Typed payload. */
  readonly data: TData;

  constructor(shortMessage: string, options: SdkErrorOptions<TData>) {
    super(options.details ? `${shortMessage}\n\nDetails: ${options.details}` : shortMessage, {
      cause: options.cause,
    });
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.data = options.data;
  }
}

/** JSON with bigints written as `123n`, for messages. */
function stringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)) ?? String(value);
}

/**
 * A caller passed a value the SDK rejects before anything is sent (wrong length, out of range).
 * @example throw new InvalidArgumentError("indexId", "0x12", "a 32-byte hex string")
 */
export class InvalidArgumentError extends SdkError<{ argument: string; value: unknown; expected: string }> {
  override name = "InvalidArgumentError";

  constructor(argument: string, value: unknown, expected: string) {
    super(`Invalid ${argument}: expected ${expected}.`, {
      details: `Got ${stringify(value)}.`,
      data: { argument, value, expected },
    });
  }
}

/**
 * An address book (deployment JSON) that is missing a contract or holds a malformed address.
 * @example new AddressBookError("exchange missing", ["exchange: Required"])
 */
export class AddressBookError extends SdkError<{ issues: readonly string[] }> {
  override name = "AddressBookError";

  constructor(shortMessage: string, issues: readonly string[]) {
    super(shortMessage, { details: issues.join("; "), data: { issues } });
  }
}

/**
 * A transaction the SDK sent was mined but reverted (for instance a token's `approve` before a deposit, after
 * its simulation had passed): `data.action` names the step, `data.hash` the transaction.
 * @example if (e instanceof TransactionRevertedError) console.log(e.data.action, e.data.hash)
 */
export class TransactionRevertedError extends SdkError<{ action: string; hash: `0x${string}` }> {
  override name = "TransactionRevertedError";

  constructor(action: string, hash: `0x${string}`) {
    super(`The ${action} transaction was mined but reverted.`, {
      details: `Transaction ${hash}; nothing after it was sent.`,
      data: { action, hash },
    });
  }
}
