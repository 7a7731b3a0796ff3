/**
 * Where a keeper's keys come from, as operators keep them: the environment (`KEEPER_PRIVATE_KEY`), an
 * encrypted keystore file (Web3 Secret Storage v3 JSON as geth, ethers and Foundry write it; the
 * password from a file or typed at a prompt), or a remote signer over JSON-RPC (Web3Signer or Clef:
 * `eth_signTransaction`, `eth_signTypedData_v4`) that never hands the key out. A private key is never
 * accepted as a command-line flag: it would show in the process list.
 */
import { createDecipheriv, pbkdf2Sync, scryptSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { Writable } from "node:stream";

import {
  bytesToHex,
  concat,
  getAddress,
  getTypesForEIP712Domain,
  keccak256,
  numberToHex,
  serializeTypedData,
  type Address,
  type Hex,
  type LocalAccount,
  type TransactionSerializable,
} from "viem";
import { privateKeyToAccount, toAccount } from "viem/accounts";

/** A key that cannot be loaded; the message names the source and what is wrong. */
export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyError";
  }
}

interface KeystoreCrypto {
  cipher: string;
  cipherparams: { iv: string };
  ciphertext: string;
  kdf: string;
  kdfparams: Record<string, unknown>;
  mac: string;
}

const strip = (hex: string) => (hex.startsWith("0x") ? hex.slice(2) : hex);
const buf = (hex: string) => Buffer.from(strip(hex), "hex");

function num(params: Record<string, unknown>, name: string): number {
  const v = params[name];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0) {
    throw new KeyError(`keystore: kdfparams.${name} is not a positive integer`);
  }
  return v;
}

/**
 * Decrypts a Web3 Secret Storage v3 keystore (scrypt or pbkdf2-hmac-sha256, aes-128-ctr) with
 * `password`; returns the private key. A wrong password fails the MAC check.
 */
export function decryptKeystore(json: string, password: string): Hex {
  let parsed: { version?: unknown; crypto?: KeystoreCrypto; Crypto?: KeystoreCrypto };
  try {
    parsed = JSON.parse(json) as typeof parsed;
  } catch (e) {
    throw new KeyError(`keystore: not JSON (${(e as Error).message})`);
  }
  const c = parsed.crypto ?? parsed.Crypto;
  if (parsed.version !== 3 || c === undefined) throw new KeyError("keystore: not a version 3 keystore");
  if (c.cipher !== "aes-128-ctr") throw new KeyError(`keystore: unsupported cipher ${c.cipher}`);
  const p = c.kdfparams;
  const salt = buf(String(p.salt));
  const dklen = num(p, "dklen");
  let derived: Buffer;
  if (c.kdf === "scrypt") {
    const N = num(p, "n");
    const r = num(p, "r");
    derived = scryptSync(password.normalize("NFKC"), salt, dklen, {
      N,
      r,
      p: num(p, "p"),
      maxmem: 256 * N * r + 1024 * 1024,
    });
  } else if (c.kdf === "pbkdf2") {
    if (p.prf !== "hmac-sha256") throw new KeyError(`keystore: unsupported pbkdf2 prf ${String(p.prf)}`);
    derived = pbkdf2Sync(password.normalize("NFKC"), salt, num(p, "c"), dklen, "sha256");
  } else throw new KeyError(`keystore: unsupported kdf ${c.kdf}`);
  const ciphertext = buf(c.ciphertext);
  const mac = keccak256(concat([bytesToHex(derived.subarray(16, 32)), bytesToHex(ciphertext)]));
  if (strip(mac).toLowerCase() !== strip(c.mac).toLowerCase()) {
    throw new KeyError("keystore: wrong password (MAC mismatch)");
  }
  const decipher = createDecipheriv("aes-128-ctr", derived.subarray(0, 16), buf(c.cipherparams.iv));
  const key = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  return bytesToHex(key);
}

/** Reads a password typed at the terminal without echoing it. */
export async function promptPassword(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new KeyError(
      "keystore: no password file given and no terminal to ask on (set --keystore-password-file)",
    );
  }
  let muted = false;
  const output = new Writable({
    write: (chunk: Buffer, _enc, done) => {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    return await new Promise<string>((resolve) => {
      rl.question(question, (answer) => {
        process.stderr.write("\n");
        resolve(answer);
      });
      muted = true;
    });
  } finally {
    rl.close();
  }
}

/** An account from a keystore file; the password from `passwordFile` (first line) or `prompt`. */
export async function keystoreAccount(
  file: string,
  passwordFile: string | undefined,
  prompt: (question: string) => Promise<string> = promptPassword,
): Promise<LocalAccount> {
  let json: string;
  try {
    json = readFileSync(file, "utf8");
  } catch (e) {
    throw new KeyError(`keystore ${file}: ${(e as Error).message}`);
  }
  let password: string;
  if (passwordFile === undefined) password = await prompt(`password of ${file}: `);
  else {
    try {
      password = readFileSync(passwordFile, "utf8").split(/\r?\n/)[0];
    } catch (e) {
      throw new KeyError(`keystore password file ${passwordFile}: ${(e as Error).message}`);
    }
  }
  try {
    return privateKeyToAccount(decryptKeystore(json, password));
  } catch (e) {
    throw e instanceof KeyError ? new KeyError(`${file}: ${e.message}`) : e;
  }
}

/** One JSON-RPC call to `url`. */
async function rpc(url: string, method: string, params: unknown[], timeoutMs: number): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new KeyError(`remote signer ${url}: ${method} failed: ${(e as Error).message}`);
  }
  if (!response.ok) throw new KeyError(`remote signer ${url}: ${method}: HTTP ${response.status}`);
  const body = (await response.json()) as { result?: unknown; error?: { code?: number; message?: string } };
  if (body.error !== undefined) {
    throw new KeyError(
      `remote signer ${url}: ${method}: ${body.error.message ?? "error"} (${body.error.code ?? "?"})`,
    );
  }
  return body.result;
}

const q = (v: bigint | number | undefined) => (v === undefined ? undefined : numberToHex(v));

/** The JSON-RPC transaction object of `eth_signTransaction`. */
export function rpcTransaction(from: Address, tx: TransactionSerializable): Record<string, unknown> {
  const t = tx as TransactionSerializable & {
    maxFeePerGas?: bigint;
    maxPriorityFeePerGas?: bigint;
    gasPrice?: bigint;
  };
  const out: Record<string, unknown> = {
    from,
    to: t.to ?? undefined,
    data: t.data,
    gas: q(t.gas),
    value: q(t.value ?? 0n),
    nonce: q(t.nonce),
    chainId: q(t.chainId),
    maxFeePerGas: q(t.maxFeePerGas),
    maxPriorityFeePerGas: q(t.maxPriorityFeePerGas),
    gasPrice: q(t.gasPrice),
    type: t.maxFeePerGas !== undefined ? "0x2" : undefined,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

/**
 * An account whose signatures come from a remote signer at `url` for `address`: transactions through
 * `eth_signTransaction` (the answer is the raw signed transaction, or Clef's `{ raw }`), typed data
 * through `eth_signTypedData_v4`, messages through `personal_sign`.
 */
export function remoteSignerAccount(url: string, address: Address, timeoutMs = 15_000): LocalAccount {
  const from = getAddress(address);
  return toAccount({
    address: from,
    signMessage: async ({ message }) => {
      const data = typeof message === "string" ? bytesToHex(new TextEncoder().encode(message)) : message.raw;
      const hex = typeof data === "string" ? data : bytesToHex(data);
      return (await rpc(url, "personal_sign", [hex, from], timeoutMs)) as Hex;
    },
    signTransaction: async (tx) => {
      const result = await rpc(url, "eth_signTransaction", [rpcTransaction(from, tx)], timeoutMs);
      const raw = typeof result === "string" ? result : (result as { raw?: unknown } | null)?.raw;
      if (typeof raw !== "string" || !/^0x[0-9a-fA-F]+$/.test(raw)) {
        throw new KeyError(`remote signer ${url}: eth_signTransaction returned no raw transaction`);
      }
      return raw as Hex;
    },
    signTypedData: async (typedData) => {
      // eth_signTypedData_v4 wants the domain's own type listed; viem serialises the domain only then
      const t = typedData as { domain?: Record<string, unknown>; types: Record<string, unknown> };
      const types = { EIP712Domain: getTypesForEIP712Domain({ domain: t.domain as never }), ...t.types };
      const json = serializeTypedData({ ...typedData, types } as never);
      return (await rpc(url, "eth_signTypedData_v4", [from, json], timeoutMs)) as Hex;
    },
  }) as LocalAccount;
}

/** How one key is configured (field names of the keeper configuration). */
export interface KeySpec {
  privateKey?: Hex;
  keystore?: string;
  keystorePasswordFile?: string;
  remoteSigner?: string;
  signerAddress?: Address;
}

/** The account `spec` describes, or undefined when it describes none. */
export async function accountOf(
  spec: KeySpec,
  prompt?: (question: string) => Promise<string>,
): Promise<LocalAccount | undefined> {
  const given = [spec.privateKey, spec.keystore, spec.remoteSigner].filter((v) => v !== undefined).length;
  if (given > 1)
    throw new KeyError("give one key source: the environment key, --keystore or --remote-signer");
  if (spec.privateKey !== undefined) return privateKeyToAccount(spec.privateKey);
  if (spec.keystore !== undefined) return keystoreAccount(spec.keystore, spec.keystorePasswordFile, prompt);
  if (spec.remoteSigner !== undefined) {
    if (spec.signerAddress === undefined) throw new KeyError("--remote-signer needs --signer-address");
    return remoteSignerAccount(spec.remoteSigner, spec.signerAddress);
  }
  return undefined;
}
