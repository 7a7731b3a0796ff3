/**
 * Local nonce tracking for one sending account: the first use reads the pending count from the chain,
 * later ones count locally (no round trip, no race between two transactions of the same tick), and a
 * nonce error makes the next use read the chain again.
 */
import type { Address } from "viem";

export interface NonceSource {
  getTransactionCount(args: { address: Address; blockTag: "pending" }): Promise<number>;
}

export class NonceManager {
  private nextNonce?: number;
  constructor(
    private readonly client: NonceSource,
    readonly address: Address,
  ) {}

  /** The nonce to use for the next new transaction (reserve it with `commit`). */
  async peek(): Promise<number> {
    if (this.nextNonce === undefined) {
      this.nextNonce = await this.client.getTransactionCount({ address: this.address, blockTag: "pending" });
    }
    return this.nextNonce;
  }

  /** Marks `nonce` as used by a broadcast transaction. */
  commit(nonce: number): void {
    if (this.nextNonce === undefined || nonce >= this.nextNonce) this.nextNonce = nonce + 1;
  }

  /** Forgets the local count; the next `peek` reads the chain. */
  resync(): void {
    this.nextNonce = undefined;
  }
}

/** Whether a send failed because of the nonce (too low, too high, already used). */
export function isNonceError(error: unknown): boolean {
  const text = errorText(error);
  return /nonce too low|nonce too high|nonce has already been used|invalid nonce|NonceTooLow|NonceTooHigh|expected nonce/i.test(
    text,
  );
}

/** Whether the node already has this exact transaction. */
export function isAlreadyKnown(error: unknown): boolean {
  return /already known|known transaction|already imported/i.test(errorText(error));
}

function errorText(error: unknown): string {
  const parts: string[] = [];
  let e = error as { message?: string; details?: string; shortMessage?: string; cause?: unknown } | undefined;
  for (let depth = 0; e !== undefined && e !== null && depth < 6; depth++) {
    parts.push(e.message ?? "", e.details ?? "", e.shortMessage ?? "");
    e = e.cause as typeof e;
  }
  return parts.join(" | ");
}
