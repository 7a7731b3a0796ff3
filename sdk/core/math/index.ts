/**
 * The Clearinghouse math mirror: pure bigint functions returning exactly what the contracts return,
 * each with its rounding in its name or as an argument (`"Up" | "Down"`).
 *
 * @module math
 */
export * from "./wad.js";
export * from "./market.js";
export * from "./position.js";
export * from "./margin.js";
export * from "./fees.js";
export * from "./settlement.js";
