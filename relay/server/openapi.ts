/** The OpenAPI 3.1 document served at `/openapi.json`. Integers are decimal strings throughout. */
import { MARKET_STATUSES } from "../../sdk/core/entities/Market.js";

const uint = { type: "string", pattern: "^[0-9]+$" };
const hex = (bytes: number) => ({ type: "string", pattern: `^0x[0-9a-fA-F]{${bytes * 2}}$` });
const refusal = {
  description:
    "Refused: the error name (the contract's where the chain would refuse the same way) and its arguments",
  content: { "application/json": { schema: { $ref: "#/components/schemas/Refusal" } } },
};
/** A 429: the IP's or the trader's bucket is empty; Retry-After says in how many seconds to try again. */
const rateLimited = {
  ...refusal,
  description: "RateLimited (scope ip or trader, retryAfterSeconds)",
  headers: {
    "Retry-After": { description: "seconds until a request is allowed again", schema: { type: "integer" } },
  },
};
const ok = (schema: unknown) => ({ description: "OK", content: { "application/json": { schema } } });
const marketParam = { name: "marketId", in: "path", required: true, schema: hex(32) };
const accountParam = { name: "address", in: "path", required: true, schema: hex(20) };
const limitParam = { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000 } };

export const OPENAPI = {
  openapi: "3.1.0",
  info: {
    title: "AI Token Futures order relay",
    version: "1",
    description:
      "Signed orders in, matched on chain through Exchange.matchOrders. WebSocket at /ws: send " +
      '{"op":"subscribe","channel":"book","marketId":"0x…"} for a depth snapshot then updates with consecutive ' +
      '`seq` (a gap means resubscribe), "trades" (marketId) or "orders" (account).',
  },
  paths: {
    "/healthz": {
      get: {
        summary: "Liveness and chain status",
        responses: { "200": ok({ type: "object" }), "503": ok({ type: "object" }) },
      },
    },
    "/openapi.json": { get: { summary: "This document", responses: { "200": ok({ type: "object" }) } } },
    "/markets": {
      get: {
        summary: "Markets with index, mark, basis, expiry and state",
        responses: { "200": ok({ type: "array", items: { $ref: "#/components/schemas/Market" } }) },
      },
    },
    "/markets/{marketId}/book": {
      get: {
        summary: "Depth snapshot with its sequence number",
        parameters: [
          marketParam,
          { name: "levels", in: "query", schema: { type: "integer", minimum: 1, maximum: 500 } },
        ],
        responses: { "200": ok({ $ref: "#/components/schemas/Depth" }) },
      },
    },
    "/markets/{marketId}/trades": {
      get: {
        summary: "Recent fills, newest first",
        parameters: [marketParam, limitParam],
        responses: { "200": ok({ type: "array" }) },
      },
    },
    "/markets/{marketId}/candles": {
      get: {
        summary: "OHLC candles by chain time",
        parameters: [
          marketParam,
          { name: "interval", in: "query", schema: { type: "integer", minimum: 1 } },
          { name: "from", in: "query", schema: { type: "integer", minimum: 0 } },
        ],
        responses: { "200": ok({ type: "array" }) },
      },
    },
    "/orders": {
      post: {
        summary: "Place a signed order",
        requestBody: {
          required: true,
          content: { "application/json": { schema: { $ref: "#/components/schemas/SignedOrder" } } },
        },
        responses: {
          "201": ok({ $ref: "#/components/schemas/RelayOrder" }),
          "400": refusal,
          "409": refusal,
          "413": refusal,
          "422": refusal,
          "429": rateLimited,
        },
      },
    },
    "/orders/{hash}": {
      get: {
        summary: "One order with its state and reason",
        parameters: [{ name: "hash", in: "path", required: true, schema: hex(32) }],
        responses: { "200": ok({ $ref: "#/components/schemas/RelayOrder" }), "404": refusal },
      },
      delete: {
        summary: "Take an order off the relay (EIP-191 signature of `Cancel order <hash>` by its trader)",
        parameters: [{ name: "hash", in: "path", required: true, schema: hex(32) }],
        requestBody: {
          required: true,
          content: {
            "application/json": { schema: { type: "object", properties: { signature: { type: "string" } } } },
          },
        },
        responses: {
          "200": ok({ $ref: "#/components/schemas/RelayOrder" }),
          "403": refusal,
          "404": refusal,
          "409": refusal,
          "429": rateLimited,
        },
      },
    },
    "/accounts/{address}/orders": {
      get: {
        summary: "An account's orders, newest first (`?state=live` for open ones only)",
        parameters: [
          accountParam,
          limitParam,
          { name: "state", in: "query", schema: { enum: ["live", "all"] } },
        ],
        responses: { "200": ok({ type: "array", items: { $ref: "#/components/schemas/RelayOrder" } }) },
      },
    },
    "/accounts/{address}/history": {
      get: {
        summary: "An account's fills, liquidations, deleverages, settlements and claims",
        parameters: [accountParam, limitParam],
        responses: { "200": ok({ type: "object" }) },
      },
    },
    "/indexes/rounds": {
      get: {
        summary: "Accepted index rounds with their inputsHash",
        parameters: [{ name: "indexId", in: "query", schema: hex(32) }, limitParam],
        responses: { "200": ok({ type: "array" }) },
      },
    },
  },
  components: {
    schemas: {
      Refusal: {
        type: "object",
        required: ["error", "args", "message"],
        properties: {
          error: { type: "string" },
          args: { type: "object", additionalProperties: { type: "string" } },
          message: { type: "string" },
        },
      },
      Order: {
        type: "object",
        required: ["trader", "marketId", "isBuy", "size", "limitPrice", "expiry", "nonce", "salt", "flags"],
        properties: {
          trader: hex(20),
          marketId: hex(32),
          isBuy: { type: "boolean" },
          size: uint,
          limitPrice: uint,
          expiry: uint,
          nonce: uint,
          salt: uint,
          flags: { type: "integer", minimum: 0, maximum: 255 },
        },
      },
      SignedOrder: {
        type: "object",
        required: ["order", "signature"],
        properties: { order: { $ref: "#/components/schemas/Order" }, signature: { type: "string" } },
      },
      RelayOrder: {
        type: "object",
        properties: {
          hash: hex(32),
          order: { $ref: "#/components/schemas/Order" },
          state: {
            enum: ["open", "partially_filled", "filled", "cancelled", "expired", "rejected", "voided"],
          },
          filled: uint,
          remaining: uint,
          reason: { type: ["string", "null"] },
          seq: { type: "integer" },
        },
      },
      Depth: {
        type: "object",
        properties: {
          marketId: hex(32),
          seq: { type: "integer" },
          bids: { type: "array", items: { type: "array", items: uint } },
          asks: { type: "array", items: { type: "array", items: uint } },
        },
      },
      Market: {
        type: "object",
        properties: {
          marketId: { type: "string", description: "bytes32, 0x-hex" },
          indexId: { type: "string", description: "bytes32, 0x-hex" },
          expiry: { type: "string", description: "unix seconds" },
          contractSize: { type: "string", description: "wad index units per contract" },
          tickSize: { type: "string", description: "wad dollars" },
          minSize: { type: "string", description: "contracts" },
          status: { type: "string", enum: [...MARKET_STATUSES] },
          paused: { type: "boolean" },
          index: { type: ["string", "null"], description: "index value, wad dollars; null when stale" },
          indexUpdatedAt: { type: ["string", "null"], description: "unix seconds" },
          mark: { type: ["string", "null"], description: "mark price, wad dollars; null without an index" },
          basisRate: { type: "string", description: "annualised basis EMA, wad, signed" },
          bestBid: { type: ["string", "null"] },
          bestAsk: { type: ["string", "null"] },
        },
      },
    },
  },
} as const;
