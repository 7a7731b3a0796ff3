/**
 * Configuration loading shared by every keeper: defaults < `--config` JSON file < environment < flags,
 * validated with zod once at start. A bad value stops the keeper with an error naming the field.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { z } from "zod";

import { loadAddressBook } from "../../sdk/core/addressBook.js";

/** A 0x-prefixed 20-byte address. */
export const addressSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x-prefixed 20-byte hex address")
  .transform((s) => s as `0x${string}`);

/** A 0x-prefixed 32-byte private key. */
export const privateKeySchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "expected a 0x-prefixed 32-byte hex private key")
  .transform((s) => s as `0x${string}`);

const positiveInt = z.coerce.number().int().positive();
/** `true`/`false`/`1`/`0` from the environment, or a real boolean. */
export const booleanish = z.preprocess(
  (v) => (v === "true" || v === "1" ? true : v === "false" || v === "0" ? false : v),
  z.boolean(),
);
const nonNegativeInt = z.coerce.number().int().nonnegative();

/** Options every keeper shares. */
export const commonConfigSchema = z.object({
  /** JSON-RPC endpoint of the chain. */
  rpcUrl: z.string().url().optional(),
  /** The key that signs and pays for transactions: from the environment or a config file, never a flag. */
  privateKey: privateKeySchema.optional(),
  /** An encrypted keystore (Web3 Secret Storage v3 JSON) holding that key. */
  keystore: z.string().min(1).optional(),
  /** A file whose first line is the keystore's password; without it the password is asked at a prompt. */
  keystorePasswordFile: z.string().min(1).optional(),
  /** A remote signer's JSON-RPC URL (Web3Signer, Clef) signing for `signerAddress`. */
  remoteSigner: z.string().url().optional(),
  /** The address the remote signer signs for. */
  signerAddress: addressSchema.optional(),
  /** Decide and simulate, never sign or send a transaction. */
  dryRun: booleanish.default(false),
  /** Host of the metrics / health server; loopback unless told otherwise. */
  httpHost: z.string().default("127.0.0.1"),
  /** Port of the metrics / health server (0 picks a free port); each keeper has its own default. */
  httpPort: nonNegativeInt.max(65_535).optional(),
  /** Milliseconds between two polls of the block number. */
  pollIntervalMs: positiveInt.default(4_000),
  /** `/healthz` answers 503 once the last completed tick is older than this. */
  healthStaleMs: positiveInt.default(120_000),
  /** Where the job store is persisted (JSON); in memory when absent. */
  jobStorePath: z.string().optional(),
  logLevel: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  /** RPC retries: attempts, first delay and cap (ms), per-call timeout (ms). */
  retryAttempts: positiveInt.max(20).default(5),
  retryBaseMs: positiveInt.default(250),
  retryMaxMs: positiveInt.default(10_000),
  rpcTimeoutMs: positiveInt.default(15_000),
  /** A sent transaction unmined after this long is replaced with higher fees. */
  stuckAfterMs: positiveInt.default(60_000),
  /** Percentage added to both fee fields on each replacement (nodes need at least 10). */
  feeBumpPercent: z.coerce.number().int().min(10).max(500).default(20),
  /** Replacements before a job is abandoned (it is retried on a later tick). */
  maxFeeBumps: nonNegativeInt.max(20).default(3),
});

export type CommonConfig = z.infer<typeof commonConfigSchema>;

/** Thrown when the configuration does not validate; `message` names every bad field. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`invalid keeper configuration:\n  ${issues.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

/** Where configuration values come from, lowest precedence first. */
export interface ConfigSources {
  /**
   * The address book (`--deployment`): a file path, or a network name read from
   * `<deploymentsDir>/<name>.json`. Lowest precedence: it only fills the contract addresses (and the
   * reporter's chain id) that nothing else gives.
   */
  deployment?: string;
  /** Where network names are looked up; `deployments` (relative to the working directory) by default. */
  deploymentsDir?: string;
  /** Path of a JSON object file (`--config`). */
  file?: string;
  /** Environment variables; `KEEPER_<FIELD_IN_SNAKE_CASE>` maps to a field (`KEEPER_RPC_URL` → `rpcUrl`). */
  env?: NodeJS.ProcessEnv;
  /** Command-line flags already parsed (undefined values are ignored). */
  flags?: Record<string, unknown>;
}

/** `rpcUrl` → `KEEPER_RPC_URL`. */
export function envNameOf(field: string): string {
  return `KEEPER_${field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/**
 * Merges the sources and validates them against `schema`.
 * @throws {ConfigError} naming each invalid or missing field.
 * @example const config = loadConfig(relayerConfigSchema, { file: opts.config, env: process.env, flags: opts });
 */
export function loadConfig<S extends z.ZodTypeAny>(schema: S, sources: ConfigSources): z.infer<S> {
  const fields = fieldsOf(schema);
  const deployment = sources.deployment ?? sources.env?.KEEPER_DEPLOYMENT;
  const merged: Record<string, unknown> =
    deployment === undefined || deployment === ""
      ? {}
      : deploymentFields(deployment, sources.deploymentsDir ?? "deployments", fields);
  if (sources.file !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(sources.file, "utf8"));
    } catch (e) {
      throw new ConfigError([`config file ${sources.file}: ${(e as Error).message}`]);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError([`config file ${sources.file}: expected a JSON object`]);
    }
    Object.assign(merged, parsed);
  }
  for (const field of fields) {
    const value = sources.env?.[envNameOf(field)];
    if (value !== undefined && value !== "") merged[field] = value;
  }
  for (const [field, value] of Object.entries(sources.flags ?? {})) {
    if (value !== undefined && fields.includes(field)) merged[field] = value;
  }
  const result = schema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const field = issue.path.join(".") || "(root)";
        const env = issue.path.length === 1 ? ` (flag or ${envNameOf(String(issue.path[0]))})` : "";
        return `${field}${env}: ${issue.message}`;
      }),
    );
  }
  return result.data;
}

/** Address book entry → configuration field. */
const BOOK_FIELDS = {
  indexOracle: "oracleAddress",
  exchange: "exchangeAddress",
  clearinghouse: "clearinghouseAddress",
  chainId: "chainId",
} as const;

/** The address book `deployment` (a file, or a network name in `dir`) as configuration fields. */
export function deploymentFields(
  deployment: string,
  dir: string,
  fields: readonly string[],
): Record<string, unknown> {
  const byName = !deployment.includes("/") && !deployment.endsWith(".json");
  const file = byName ? join(dir, `${deployment}.json`) : deployment;
  if (!existsSync(file)) {
    throw new ConfigError([
      byName
        ? `deployment: no address book for network "${deployment}" (${file} does not exist)`
        : `deployment: ${file} does not exist`,
    ]);
  }
  let book: Record<string, unknown>;
  try {
    book = loadAddressBook(JSON.parse(readFileSync(file, "utf8"))) as unknown as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError([`deployment ${file}: ${(e as Error).message.split("\n")[0]}`]);
  }
  const out: Record<string, unknown> = {};
  for (const [entry, field] of Object.entries(BOOK_FIELDS)) {
    if (book[entry] !== undefined && fields.includes(field)) out[field] = book[entry];
  }
  return out;
}

/** The field names of an object schema, looking through `.refine` wrappers. */
export function fieldsOf(schema: z.ZodTypeAny): string[] {
  let inner: z.ZodTypeAny = schema;
  while (inner instanceof z.ZodEffects) inner = inner.innerType();
  if (!(inner instanceof z.ZodObject)) throw new Error("config schema is not an object");
  return Object.keys(inner.shape as Record<string, unknown>);
}
