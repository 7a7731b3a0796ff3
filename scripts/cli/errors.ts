/**
 * CLI failures and their exit codes: 0 ok, 1 a transaction or call failed (a revert, a network
 * error), 2 bad input (flags, amounts, files, a missing key).
 */
import { SdkError } from "../../sdk/core/errors/index.js";

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** Bad input from the user: exit code 2, the message printed as is. */
export class InputError extends Error {
  override readonly name = "InputError";
}

/** A failure the CLI detected itself (nothing to fill, an unmined transaction): exit code 1. */
export class CommandFailedError extends Error {
  override readonly name = "CommandFailedError";
}

/** The readable lines for `err` and its exit code. */
export function describeError(err: unknown): { code: number; lines: string[] } {
  if (err instanceof InputError) return { code: EXIT_BAD_INPUT, lines: [`error: ${err.message}`] };
  if (err instanceof SdkError) {
    const lines = [`error: ${err.shortMessage}`];
    if (err.details !== undefined && err.details !== "") lines.push(`  ${err.details}`);
    return { code: EXIT_FAILED, lines };
  }
  if (err instanceof Error) {
    const short = (err as { shortMessage?: unknown }).shortMessage;
    return { code: EXIT_FAILED, lines: [`error: ${typeof short === "string" ? short : err.message}`] };
  }
  return { code: EXIT_FAILED, lines: [`error: ${String(err)}`] };
}
