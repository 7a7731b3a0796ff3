/**
 * History rows in words: the relay indexer's liquidation, settlement, deleveraging and claim events, with
 * every amount of collateral in dollars (as everywhere in the app) and prices in dollars per index unit.
 */
import { collateralUsd, contracts, usdPrice } from "./format.js";

/**
 * One event of `accountHistory` as a sentence; an event of a kind it does not know, or missing a field,
 * is listed field by field rather than dropped.
 * @example describeEvent("claim", { amount: "164400000" }, 6) // "claim paid $164.40"
 */
export function describeEvent(kind: string, data: Record<string, string>, decimals: number): string {
  const n = (k: string) => (data[k] === undefined ? undefined : BigInt(data[k]));
  const parts = Object.entries(data).map(([k, v]) => `${k} ${v}`);
  if (kind === "liquidation" && n("size") !== undefined && n("mark") !== undefined) {
    const penalty = n("penalty");
    return `liquidated: ${contracts(n("size")!)} taken over at the mark ${usdPrice(n("mark")!)}${penalty !== undefined ? `, penalty ${collateralUsd(penalty, decimals)}` : ""}`;
  }
  if (kind === "settlement" && n("pnl") !== undefined) {
    const pnl = n("pnl")!;
    return `closed ${n("size") !== undefined ? contracts(n("size")!) : ""} at the final price; ${pnl < 0n ? "loss debited" : "gain recorded as a claim"} ${collateralUsd(pnl < 0n ? -pnl : pnl, decimals)}`;
  }
  if (kind === "deleverage" && n("size") !== undefined && n("bankruptcyPrice") !== undefined) {
    return `deleveraged: ${contracts(n("size")!)} closed at the bankruptcy price ${usdPrice(n("bankruptcyPrice")!)}`;
  }
  if (kind === "claim" && n("amount") !== undefined)
    return `claim paid ${collateralUsd(n("amount"), decimals)}`;
  return parts.join(", ");
}
