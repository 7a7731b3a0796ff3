/**
 * Immutable entities over the math mirror: `Market`, `Account`, `LimitOrder`.
 *
 * @module entities
 */
export * from "./Market.js";
export * from "./Account.js";
export * from "./LimitOrder.js";
