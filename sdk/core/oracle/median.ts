/**
 * The oracle's median, as `MedianLib` computes it.
 */
import { InvalidArgumentError } from "../errors/SdkError.js";

/**
 * Position of the lower median in a sorted array of `n > 0` values: `⌊(n − 1) / 2⌋`
 * (`MedianLib.lowerMedianPosition`).
 * @example lowerMedianPosition(4) // 1
 */
export function lowerMedianPosition(n: number): number {
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("n", n, "a positive integer");
  return (n - 1) >> 1;
}

/**
 * The lower median the oracle stores for a round's values: the `⌊(k − 1) / 2⌋`-th smallest of `k`, so
 * always one of the inputs, never a mean of two.
 * @example lowerMedian([3n, 1n, 2n, 4n]) // 2n
 */
export function lowerMedian(values: readonly bigint[]): bigint {
  if (values.length === 0) throw new InvalidArgumentError("values", [], "at least one value");
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted[lowerMedianPosition(sorted.length)];
}
