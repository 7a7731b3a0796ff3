/**
 * CLI failures and their exit codes: 0 ok, 1 a transaction or call failed (a revert, a network
 * error), 2 bad input (flags, amounts, files, a missing key).
 */
import { BaseError, decodeErrorResult, parseAbi, type Hex } from "viem";

import { ProtocolContractError, SdkError, UnknownContractError } from "../sdk/core/errors/index.js";

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

/** The collateral token's units, for amounts in its errors (known once the command read the chain). */
export interface ErrorUnits {
  decimals?: number;
  symbol?: string;
}

/** OpenZeppelin 5's ERC-20 errors (IERC20Errors), which the collateral token reverts with. */
const ERC20_ERRORS = parseAbi([
  "error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
  "error ERC20InvalidSender(address sender)",
  "error ERC20InvalidReceiver(address receiver)",
  "error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
  "error ERC20InvalidApprover(address approver)",
  "error ERC20InvalidSpender(address spender)",
]);

/** viem errors that mean the user's input was malformed (an address, a number out of range). */
const INPUT_ERRORS = new Set([
  "InvalidAddressError",
  "IntegerOutOfRangeError",
  "InvalidDecimalNumberError",
  "SizeOverflowError",
  "InvalidBytesLengthError",
]);

function tokens(value: bigint, units: ErrorUnits): string {
  if (units.decimals === undefined) return `${value} units`;
  const base = 10n ** BigInt(units.decimals);
  const fraction = (value % base).toString().padStart(units.decimals, "0").replace(/0+$/, "");
  return `${value / base}${fraction === "" ? "" : `.${fraction}`} ${units.symbol ?? "tokens"}`;
}

/** A wad as dollars with up to 18 decimals. */
function dollars(wad: bigint): string {
  const negative = wad < 0n;
  const abs = negative ? -wad : wad;
  const fraction = (abs % 10n ** 18n).toString().padStart(18, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}$${abs / 10n ** 18n}${fraction === "" ? "" : `.${fraction}`}`;
}

/** One decoded argument in the market's units: dates for times, dollars for prices, tokens for amounts. */
export function formatErrorArg(name: string, value: unknown, units: ErrorUnits): string {
  if (typeof value !== "bigint") return String(value);
  if (
    /expiry|deadline|time|At$|^at$|until|since/i.test(name) &&
    value > 1_000_000_000n &&
    value < 10_000_000_000n
  ) {
    return `${new Date(Number(value) * 1000).toISOString()} (${value})`;
  }
  if (/price|mark|index|value/i.test(name)) return dollars(value);
  if (/balance|amount|needed|allowance|collateral|fee/i.test(name)) return tokens(value, units);
  return value.toString();
}

/** The raw revert data somewhere in `err`'s chain. */
function revertData(err: unknown): Hex | undefined {
  if (err instanceof UnknownContractError) return err.data.raw;
  if (err instanceof BaseError) {
    let found: Hex | undefined;
    err.walk((e) => {
      const data = (e as { data?: unknown; raw?: unknown }).raw ?? (e as { data?: unknown }).data;
      if (found === undefined && typeof data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(data))
        found = data as Hex;
      return false;
    });
    return found;
  }
  return undefined;
}

/** The readable lines for `err` and its exit code. */
export function describeError(err: unknown, units: ErrorUnits = {}): { code: number; lines: string[] } {
  if (err instanceof InputError) return { code: EXIT_BAD_INPUT, lines: [`error: ${err.message}`] };
  const raw = err instanceof ProtocolContractError ? undefined : revertData(err);
  if (raw !== undefined) {
    try {
      const decoded = decodeErrorResult({ abi: ERC20_ERRORS, data: raw });
      const inputs = ERC20_ERRORS.find((e) => e.name === decoded.errorName)?.inputs ?? [];
      const args = (decoded.args ?? []).map(
        (v, i) => `${inputs[i]?.name ?? i} = ${formatErrorArg(inputs[i]?.name ?? "", v, units)}`,
      );
      return {
        code: EXIT_FAILED,
        lines: [`error: the collateral token refused: ${decoded.errorName}`, `  ${args.join(", ")}`],
      };
    } catch {
      // not one of the token's errors: described below
    }
  }
  if (err instanceof ProtocolContractError) {
    const args = Object.entries(err.args as Record<string, unknown>).map(
      ([k, v]) => `${k} = ${formatErrorArg(k, v, units)}`,
    );
    return {
      code: EXIT_FAILED,
      lines: [`error: ${err.shortMessage}`, ...(args.length > 0 ? [`  ${args.join(", ")}`] : [])],
    };
  }
  if (err instanceof BaseError && INPUT_ERRORS.has(err.name)) {
    return { code: EXIT_BAD_INPUT, lines: [`error: ${err.shortMessage}`] };
  }
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
