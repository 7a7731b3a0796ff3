/**
 * The order relay's client (`createRelayClient`), its wire types and `RelayError`.
 *
 * @module relay
 */
export * from "./client.js";
