/**
 * The relay's reads from the chain, cached per block: the head (number, hash, timestamp: the relay's
 * `now`), market snapshots through the SDK's one-request `fetchMarket`, accounts through `fetchAccount`,
 * nonces, delegates, contract code and EIP-1271 checks through `eth_call`.
 */
import { parseAbi, toFunctionSelector, type Address, type Hex, type PublicClient } from "viem";

import { Exchange__factory } from "../../typechain-types/index.js";
import { fetchAccount } from "../../sdk/viem/clearinghouse/fetchAccount.js";
import { fetchMarket } from "../../sdk/viem/clearinghouse/fetchMarket.js";
import type { Account, MarkedMarket } from "../../sdk/core/entities/Account.js";
import type { MarketId } from "../../sdk/core/ids.js";
import type { Clock } from "../../keepers/shell/clock.js";
import type { MarketSnapshot, ValidationChain } from "../validate/checks.js";

const EXCHANGE_ABI = Exchange__factory.abi;
const ERC1271_ABI = parseAbi([
  "function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)",
]);
const ERC1271_MAGIC = "0x1626ba7e";
const IS_NONCE_USED = toFunctionSelector("function isNonceUsed(address trader, uint256 nonce)");

/** Calldata of `isNonceUsed(trader, nonce)`: the selector and two words. */
function encodeIsNonceUsed(trader: Address, nonce: bigint): Hex {
  return `${IS_NONCE_USED}${trader.slice(2).toLowerCase().padStart(64, "0")}${nonce.toString(16).padStart(64, "0")}`;
}

/** A `bool` return value (one 32-byte word, 0 or 1). */
function decodeBool(result: Hex, what: string): boolean {
  if (!/^0x0{63}[01]$/.test(result)) throw new Error(`${what} returned ${result}, not a bool`);
  return result.endsWith("1");
}

export interface Head {
  number: bigint;
  hash: Hex;
  timestamp: bigint;
}

export interface RelayAddresses {
  exchange: Address;
  clearinghouse: Address;
  indexOracle: Address;
}

/** Per-block memo: entries are dropped when the head moves. */
class BlockCache {
  private block?: bigint;
  private readonly entries = new Map<string, Promise<unknown>>();
  get<T>(block: bigint, key: string, load: () => Promise<T>): Promise<T> {
    if (this.block !== block) {
      this.entries.clear();
      this.block = block;
    }
    let hit = this.entries.get(key) as Promise<T> | undefined;
    if (hit === undefined) {
      hit = load();
      // a failed read is not remembered
      hit.catch(() => this.entries.delete(key));
      this.entries.set(key, hit);
    }
    return hit;
  }
}

export class RelayChain implements ValidationChain {
  private head?: Head;
  private headAtMs = 0;
  private readonly cache = new BlockCache();

  /**
   * `headMaxAgeMs`: how old (by `clock`) the head may be when an order is validated before it is read
   * again; the loop refreshes it every tick too.
   */
  constructor(
    readonly client: PublicClient,
    readonly addresses: RelayAddresses,
    private readonly clock: Clock,
    private readonly headMaxAgeMs: number,
  ) {}

  /** Reads the latest block and makes it the head every cached read refers to. */
  async refreshHead(): Promise<Head> {
    const block = await this.client.getBlock({ blockTag: "latest" });
    this.head = { number: block.number, hash: block.hash, timestamp: block.timestamp };
    this.headAtMs = this.clock.nowMs();
    return this.head;
  }

  async currentHead(): Promise<Head> {
    return this.head ?? (await this.refreshHead());
  }

  async now(): Promise<bigint> {
    if (this.head === undefined || this.clock.nowMs() - this.headAtMs >= this.headMaxAgeMs) {
      return (await this.refreshHead()).timestamp;
    }
    return this.head.timestamp;
  }

  private async cached<T>(key: string, load: (block: bigint) => Promise<T>): Promise<T> {
    const head = await this.currentHead();
    return this.cache.get(head.number, key, () => load(head.number));
  }

  market(marketId: Hex): Promise<MarketSnapshot | undefined> {
    return this.cached(`market:${marketId.toLowerCase()}`, async (blockNumber) => {
      try {
        const { market, mark, index, context } = await fetchMarket(this.client, {
          address: this.addresses.clearinghouse,
          marketId: marketId as MarketId,
          blockNumber,
        });
        return {
          market,
          mark,
          index,
          status: market.statusAt(context.timestamp),
          paused: market.state.paused || context.globalPaused,
        };
      } catch (error) {
        if ((error as { name?: string }).name === "UnknownMarketError") return undefined;
        throw error;
      }
    });
  }

  minNonce(trader: Address): Promise<bigint> {
    return this.cached(`min:${trader.toLowerCase()}`, (blockNumber) =>
      this.client.readContract({
        address: this.addresses.exchange,
        abi: EXCHANGE_ABI,
        functionName: "minNonce",
        args: [trader],
        blockNumber,
      }),
    );
  }

  /** `isNonceUsed` reads waiting for the next batch, and whether a batch is being read now. */
  private nonceReads: {
    trader: Address;
    nonce: bigint;
    resolve: (used: boolean) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private readingNonces = false;

  /**
   * `isNonceUsed(trader, nonce)` at the latest block. One batch is read at a time: the reads asked for
   * while one is in flight (the orders being validated meanwhile) go out together as the next one, in
   * one `eth_call` (viem's deployless multicall: no contract needed on the chain), so the busier the
   * relay the larger the batches. A batch of one is a plain `eth_call` encoded here.
   */
  nonceUsed(trader: Address, nonce: bigint): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.nonceReads.push({ trader, nonce, resolve, reject });
      if (!this.readingNonces) {
        this.readingNonces = true;
        setImmediate(() => void this.readNonces());
      }
    });
  }

  private async readNonces(): Promise<void> {
    while (this.nonceReads.length > 0) {
      const batch = this.nonceReads;
      this.nonceReads = [];
      try {
        const used = await this.isNonceUsed(batch);
        batch.forEach((b, i) => b.resolve(used[i]));
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.readingNonces = false;
  }

  private async isNonceUsed(batch: readonly { trader: Address; nonce: bigint }[]): Promise<boolean[]> {
    if (batch.length === 1) {
      const [{ trader, nonce }] = batch;
      const result = await this.client.request({
        method: "eth_call",
        params: [{ to: this.addresses.exchange, data: encodeIsNonceUsed(trader, nonce) }, "latest"],
      });
      return [decodeBool(result, "isNonceUsed")];
    }
    return this.client.multicall({
      contracts: batch.map((b) => ({
        address: this.addresses.exchange,
        abi: EXCHANGE_ABI,
        functionName: "isNonceUsed" as const,
        args: [b.trader, b.nonce] as const,
      })),
      allowFailure: false,
      deployless: true,
    });
  }

  async nonce(trader: Address, nonce: bigint): Promise<{ used: boolean; minNonce: bigint }> {
    const [used, minNonce] = await Promise.all([this.nonceUsed(trader, nonce), this.minNonce(trader)]);
    return { used, minNonce };
  }

  async filled(hash: Hex): Promise<bigint> {
    return this.client.readContract({
      address: this.addresses.exchange,
      abi: EXCHANGE_ABI,
      functionName: "filled",
      args: [hash],
    });
  }

  position(trader: Address, marketId: Hex): Promise<bigint> {
    return this.cached(`pos:${trader.toLowerCase()}:${marketId.toLowerCase()}`, async () => {
      const { account } = await this.account(trader);
      return account.positionIn(marketId as MarketId).size;
    });
  }

  isDelegate(trader: Address, signer: Address): Promise<boolean> {
    return this.client.readContract({
      address: this.addresses.exchange,
      abi: EXCHANGE_ABI,
      functionName: "isDelegate",
      args: [trader, signer],
    });
  }

  hasCode(address: Address): Promise<boolean> {
    return this.cached(`code:${address.toLowerCase()}`, async (blockNumber) => {
      const code = await this.client.getCode({ address, blockNumber });
      return code !== undefined && code !== "0x";
    });
  }

  async isValidContractSignature(trader: Address, hash: Hex, signature: Hex): Promise<boolean> {
    try {
      const magic = await this.client.readContract({
        address: trader,
        abi: ERC1271_ABI,
        functionName: "isValidSignature",
        args: [hash, signature],
      });
      return magic.toLowerCase() === ERC1271_MAGIC;
    } catch {
      return false;
    }
  }

  account(trader: Address): Promise<{ account: Account; marks: ReadonlyMap<MarketId, MarkedMarket> }> {
    return this.cached(`acct:${trader.toLowerCase()}`, async (blockNumber) => {
      const { account, marks } = await fetchAccount(this.client, {
        address: this.addresses.clearinghouse,
        account: trader,
        blockNumber,
      });
      return { account, marks };
    });
  }

  /** Whether the Exchange has code at the head (a restarted chain may not have it yet). */
  async deployed(): Promise<boolean> {
    const code = await this.client.getCode({ address: this.addresses.exchange });
    return code !== undefined && code !== "0x";
  }
}
