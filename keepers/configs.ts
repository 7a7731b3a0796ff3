/** The validated configuration of each keeper command (shared options in `shell/config.ts`). */
import { z } from "zod";

import { INDEX_SPECS } from "../index/index.js";
import { WAD } from "../sdk/core/math/wad.js";
import { addressSchema, commonConfigSchema, privateKeySchema } from "./shell/config.js";

const positiveInt = z.coerce.number().int().positive();

/**
 * Default metrics / health ports, one per keeper kind so that one of each runs on a host without
 * flags; above the range `npm start` uses (9460 and the following dozen).
 */
export const DEFAULT_HTTP_PORTS = {
  reporter: 9480,
  relayer: 9481,
  matcher: 9482,
  liquidator: 9483,
  settler: 9484,
} as const;
const httpPort = (kind: keyof typeof DEFAULT_HTTP_PORTS) =>
  z.coerce.number().int().nonnegative().max(65_535).default(DEFAULT_HTTP_PORTS[kind]);
const indexName = z.string().refine((n) => n in INDEX_SPECS, {
  message: `unknown index; one of ${Object.keys(INDEX_SPECS).join(", ")}`,
});
/** A list of `item` from a JSON array or a comma-separated flag / environment value. */
const commaList = <T extends z.ZodTypeAny>(item: T) =>
  z.preprocess(
    (v) =>
      typeof v === "string"
        ? v
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s !== "")
        : v,
    z.array(item),
  );
const urlList = commaList(z.string().url());

interface KeySources {
  privateKey?: string;
  keystore?: string;
  remoteSigner?: string;
  dryRun: boolean;
}
const hasKey = (c: KeySources) =>
  c.privateKey !== undefined || c.keystore !== undefined || c.remoteSigner !== undefined;
const needsKey = (c: KeySources) => c.dryRun || hasKey(c);
const keyIssue = {
  message: "required unless --dry-run: KEEPER_PRIVATE_KEY, --keystore or --remote-signer",
  path: ["privateKey"],
};
const signerAddressIssue = { message: "required with remoteSigner", path: ["signerAddress"] };
const hasSignerAddress = (c: { remoteSigner?: string; signerAddress?: string }) =>
  c.remoteSigner === undefined || c.signerAddress !== undefined;

export const reporterConfigSchema = commonConfigSchema
  .extend({
    httpPort: httpPort("reporter"),
    indexName,
    /** A CSV file path or an http(s) URL serving it (ATPI 1.0.0 and GPU indices). */
    source: z.string().min(1).optional(),
    /** genai-prices data for ATPI 2.0.0 indices: `bundled`, a `data.json` / snapshot CSV path, or a URL. */
    prices: z.string().min(1).optional(),
    periodSeconds: positiveInt.default(3_600),
    oracleAddress: addressSchema,
    /** Chain id of the oracle's EIP-712 domain; read from `rpcUrl` when absent. */
    chainId: positiveInt.optional(),
    reportDir: z.string().optional(),
    /**
     * The report-signing key when it differs from the keeper's key (which pays gas elsewhere): from
     * the environment (`KEEPER_REPORT_SIGNING_KEY`), a keystore, or a remote signer.
     */
    reportSigningKey: privateKeySchema.optional(),
    reportKeystore: z.string().min(1).optional(),
    reportKeystorePasswordFile: z.string().min(1).optional(),
    reportRemoteSigner: z.string().url().optional(),
    reportSignerAddress: addressSchema.optional(),
  })
  .strict()
  .refine(
    (c) =>
      c.dryRun ||
      hasKey(c) ||
      c.reportSigningKey !== undefined ||
      c.reportKeystore !== undefined ||
      c.reportRemoteSigner !== undefined,
    {
      message:
        "required unless --dry-run: KEEPER_REPORT_SIGNING_KEY, --report-keystore, --report-remote-signer or the keeper's key",
      path: ["reportSigningKey"],
    },
  )
  .refine((c) => c.reportRemoteSigner === undefined || c.reportSignerAddress !== undefined, {
    message: "required with reportRemoteSigner",
    path: ["reportSignerAddress"],
  })
  .refine(hasSignerAddress, signerAddressIssue)
  .refine((c) => INDEX_SPECS[c.indexName]?.kind === "atpi-list" || c.source !== undefined, {
    message: "required for this index (a price CSV path or URL)",
    path: ["source"],
  })
  .refine((c) => INDEX_SPECS[c.indexName]?.kind === "atpi-list" || c.prices === undefined, {
    message: "only for the ATPI 2.0.0 indices (genai-prices data); use source",
    path: ["prices"],
  })
  .refine((c) => c.chainId !== undefined || c.rpcUrl !== undefined, {
    message: "chainId or rpcUrl is required (the report's EIP-712 domain needs the chain id)",
    path: ["chainId"],
  });

export const relayerConfigSchema = commonConfigSchema
  .extend({
    httpPort: httpPort("relayer"),
    indexName,
    oracleAddress: addressSchema,
    reporterUrls: urlList.default([]),
    reportDir: z.string().optional(),
    heartbeatSeconds: positiveInt.default(3_600),
    /** Submit when the agreed value moved at least this many basis points. */
    deviationBps: positiveInt.max(100_000).default(50),
    /** Reports within this many basis points of the median agree. */
    agreementBps: z.coerce.number().int().nonnegative().max(10_000).default(10),
    freshnessMarginSeconds: z.coerce.number().int().nonnegative().default(30),
  })
  .strict()
  .refine(needsKey, keyIssue)
  .refine(hasSignerAddress, signerAddressIssue)
  .refine((c) => c.rpcUrl !== undefined, { message: "required", path: ["rpcUrl"] })
  .refine((c) => c.reporterUrls.length > 0 || c.reportDir !== undefined, {
    message: "give reporterUrls and/or reportDir",
    path: ["reporterUrls"],
  });

export const matcherConfigSchema = commonConfigSchema
  .extend({
    httpPort: httpPort("matcher"),
    exchangeAddress: addressSchema,
    /** JSON file of `[{ order, signature }]`, re-read every tick. */
    ordersFile: z.string().min(1),
    maxMakers: positiveInt.max(64).default(8),
    expiryMarginSeconds: z.coerce.number().int().nonnegative().default(10),
  })
  .strict()
  .refine(needsKey, keyIssue)
  .refine(hasSignerAddress, signerAddressIssue)
  .refine((c) => c.rpcUrl !== undefined, { message: "required", path: ["rpcUrl"] });

/** An integer given as a decimal string (or a JSON number), as a bigint. */
const bigintString = z.preprocess(
  (v) => (typeof v === "number" ? String(v) : v),
  z
    .string()
    .regex(/^-?[0-9]+$/, "expected an integer (decimal digits)")
    .transform((s) => BigInt(s)),
);
const blockNumber = bigintString.refine((b) => b >= 0n, "expected a block number (≥ 0)");
/** A decimal amount of dollars, as a wad bigint. */
const dollars = z.preprocess(
  (v) => (typeof v === "number" ? String(v) : v),
  z
    .string()
    .regex(/^[0-9]+(\.[0-9]{1,18})?$/, "expected a non-negative decimal number of dollars")
    .transform((s) => {
      const [whole, fraction = ""] = s.split(".");
      return BigInt(whole) * WAD + BigInt(fraction.padEnd(18, "0"));
    }),
);
/** A list of 32-byte market ids (lower-cased). */
const marketIdList = commaList(
  z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, "expected 0x-prefixed 32-byte market ids")
    .transform((s) => s.toLowerCase() as `0x${string}`),
);
const clearinghouseEvents = {
  clearinghouseAddress: addressSchema,
  /** First block of the event backfill (the Clearinghouse's deployment block). */
  fromBlock: blockNumber.default("0"),
  /** Blocks per `eth_getLogs` page. */
  logChunkSize: positiveInt.max(1_000_000).default(2_000),
};

export const liquidatorConfigSchema = commonConfigSchema
  .extend({
    ...clearinghouseEvents,
    httpPort: httpPort("liquidator"),
    /** Smallest `reward − gas cost` worth a liquidation, collateral units (may be negative). */
    minProfit: bigintString.default("0"),
    /** Gas one liquidation is assumed to use. */
    gasUnits: positiveInt.default(250_000),
    /** Dollars per native token, for the gas cost in collateral. */
    nativeTokenPriceUsd: dollars.default("3000"),
    /** Price limit slack beyond the mark, basis points. */
    slippageBps: z.coerce.number().int().nonnegative().max(5_000).default(50),
    expiryMarginSeconds: z.coerce.number().int().nonnegative().default(60),
    /** Keep equity ≥ initial margin × (1 + this) after taking positions over, basis points. */
    marginBufferBps: z.coerce.number().int().nonnegative().max(100_000).default(1_000),
    maxCounterparties: positiveInt.max(64).default(8),
    /**
     * Dry run without a key: the collateral (whole tokens, decimals allowed) the keeper's account is
     * assumed to hold, so the evaluation shows what a funded keeper would take.
     */
    dryRunMargin: dollars.default("100000"),
  })
  .strict()
  .refine(needsKey, keyIssue)
  .refine(hasSignerAddress, signerAddressIssue)
  .refine((c) => c.rpcUrl !== undefined, { message: "required", path: ["rpcUrl"] });

export const settlerConfigSchema = commonConfigSchema
  .extend({
    ...clearinghouseEvents,
    httpPort: httpPort("settler"),
    /** Markets to walk; every market of the Clearinghouse when empty. */
    markets: marketIdList.default([]),
    /** Accounts per `settleMany`. */
    batchSize: positiveInt.max(500).default(50),
    maxBatchesPerTick: positiveInt.max(100).default(4),
    /** Seconds after expiry that positions and claims are left to their traders before the settler settles them. */
    traderGraceSeconds: z.coerce
      .number()
      .int()
      .min(0)
      .max(365 * 86_400)
      .default(0),
  })
  .strict()
  .refine(needsKey, keyIssue)
  .refine(hasSignerAddress, signerAddressIssue)
  .refine((c) => c.rpcUrl !== undefined, { message: "required", path: ["rpcUrl"] });

export type ReporterConfigInput = z.infer<typeof reporterConfigSchema>;
export type RelayerConfigInput = z.infer<typeof relayerConfigSchema>;
export type MatcherConfigInput = z.infer<typeof matcherConfigSchema>;
export type LiquidatorConfigInput = z.infer<typeof liquidatorConfigSchema>;
export type SettlerConfigInput = z.infer<typeof settlerConfigSchema>;
