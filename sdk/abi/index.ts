/**
 * viem ABIs of the protocol contracts (`as const`, so reads and writes are fully typed), generated
 * from the compiled artifacts by `npm run gen:abi` into `./generated/`.
 *
 * @module abi
 */
export * from "./generated/index.js";
