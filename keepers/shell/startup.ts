/**
 * Checks made once at start, before the loop: the RPC answers, each configured contract has code and
 * answers as the contract it is said to be, each configured market exists, the metrics port is free.
 * A failure is a `StartupError`: the command prints its one-line message and exits 2, instead of a
 * stack trace, or a loop failing every poll interval forever.
 */
import { BaseError, type Address, type PublicClient } from "viem";

/** A start-up failure an operator fixes in the configuration or the environment. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartupError";
  }
}

/** viem's short message, or the error's message, on one line. */
export function shortError(error: unknown): string {
  const text =
    error instanceof BaseError ? error.shortMessage : error instanceof Error ? error.message : String(error);
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .join(" ");
}

/** The chain id of the endpoint; an unreachable endpoint is a `StartupError`. */
export async function probeRpc(client: PublicClient, url: string): Promise<number> {
  try {
    return await client.getChainId();
  } catch (error) {
    throw new StartupError(`cannot reach the JSON-RPC endpoint ${url}: ${shortError(error)}`);
  }
}

/**
 * `address` has code and `identify` (a read only the expected contract answers) succeeds; `what` names
 * the contract and the option in the message.
 */
export async function requireContract(
  client: PublicClient,
  address: Address,
  what: string,
  identify: () => Promise<unknown>,
): Promise<void> {
  let code: string | undefined;
  try {
    code = await client.getCode({ address });
  } catch (error) {
    throw new StartupError(`cannot read the code at ${what} ${address}: ${shortError(error)}`);
  }
  if (code === undefined || code === "0x") {
    throw new StartupError(`${what} ${address} has no code on this chain (wrong address or wrong network?)`);
  }
  try {
    await identify();
  } catch (error) {
    throw new StartupError(`${what} ${address} does not answer as one: ${shortError(error)}`);
  }
}

/** A listen error as a `StartupError` (a port in use, a host that is not local). */
export function listenError(error: unknown, host: string, port: number): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EADDRINUSE") {
    return new StartupError(
      `metrics port ${port} on ${host} is already in use (another keeper?): choose another with --http-port`,
    );
  }
  if (code === "EADDRNOTAVAIL" || code === "EACCES") {
    return new StartupError(`cannot listen on ${host}:${port} (${code}): check --http-host and --http-port`);
  }
  return error as Error;
}
