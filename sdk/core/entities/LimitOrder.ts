/**
 * `LimitOrder`: an immutable wrapper of a signed EIP-712 order with its fill state. Named so because
 * `Order` is the struct type of `../eip712/orders.ts`.
 */
import type { Hex } from "viem";

import { hashOrder, type ExchangeDomain, type Order } from "../eip712/orders.js";
import { InvalidArgumentError } from "../errors/SdkError.js";
import type { OrderHash } from "../ids.js";

/**
 * A signed order and how much of it is filled.
 * @example
 * const order = LimitOrder.from(signed.order, signed.signature);
 * const next = order.withFill(4n); // next.remaining === order.remaining - 4n
 */
export class LimitOrder {
  readonly order: Readonly<Order>;
  readonly signature: Hex | undefined;
  /** Contracts filled so far (`Exchange.filled`). */
  readonly filled: bigint;
  readonly cancelled: boolean;

  private constructor(order: Order, signature: Hex | undefined, filled: bigint, cancelled: boolean) {
    this.order = Object.freeze({ ...order });
    this.signature = signature;
    this.filled = filled;
    this.cancelled = cancelled;
    Object.freeze(this);
  }

  /**
   * Wraps an order (filled and cancelled state from `readFilled` when known).
   * @example LimitOrder.from(order, signature, { filled: 3n })
   */
  static from(
    order: Order,
    signature?: Hex,
    state: { filled?: bigint; cancelled?: boolean } = {},
  ): LimitOrder {
    const filled = state.filled ?? 0n;
    if (filled < 0n || filled > order.size) {
      throw new InvalidArgumentError("filled", filled.toString(), `between 0 and the size ${order.size}`);
    }
    return new LimitOrder(order, signature, filled, state.cancelled ?? false);
  }

  /** Contracts still fillable by size (0 once cancelled). */
  get remaining(): bigint {
    return this.cancelled ? 0n : this.order.size - this.filled;
  }

  /** The size signed from the trader's side: `+size` for a buy, `−size` for a sell. */
  get signedSize(): bigint {
    return this.order.isBuy ? this.order.size : -this.order.size;
  }

  /**
   * Whether it can still be filled at `now` (not cancelled, not expired, something left).
   * @example order.isOpenAt(now)
   */
  isOpenAt(now: bigint): boolean {
    return this.remaining > 0n && now < this.order.expiry;
  }

  /**
   * Whether `price` satisfies the limit (a buy at or below, a sell at or above).
   * @example order.acceptsPrice(price)
   */
  acceptsPrice(price: bigint): boolean {
    return this.order.isBuy ? price <= this.order.limitPrice : price >= this.order.limitPrice;
  }

  /**
   * The order after `size` more contracts fill. Throws when that exceeds what remains.
   * @example order.withFill(2n)
   */
  withFill(size: bigint): LimitOrder {
    if (size <= 0n || size > this.remaining) {
      throw new InvalidArgumentError(
        "size",
        size.toString(),
        `between 1 and the remaining ${this.remaining}`,
      );
    }
    return new LimitOrder(this.order, this.signature, this.filled + size, this.cancelled);
  }

  /**
   * The order after a cancellation.
   * @example order.withCancel().remaining // 0n
   */
  withCancel(): LimitOrder {
    return new LimitOrder(this.order, this.signature, this.filled, true);
  }

  /**
   * The EIP-712 order hash under `domain`.
   * @example order.hash(exchangeDomain(chainId, exchange))
   */
  hash(domain: ExchangeDomain): OrderHash {
    return hashOrder(domain, this.order);
  }
}
