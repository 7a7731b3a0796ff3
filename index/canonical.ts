import { keccak256, toBytes, type Hex } from "viem";

import { CanonicalJsonError } from "./errors.js";

/**
 * A value with a canonical JSON form: strings, bigints (written as decimal strings), booleans,
 * null, arrays, and plain objects of these. JavaScript numbers are refused on purpose: every
 * quantity in round inputs is an exact integer and travels as a bigint.
 */
export type CanonicalValue =
  string | bigint | boolean | null | readonly CanonicalValue[] | { readonly [key: string]: CanonicalValue };

/**
 * Serialises `value` as canonical JSON:
 * - object keys sorted by UTF-16 code unit (byte order for the ASCII keys used here), recursively;
 * - no whitespace between tokens;
 * - bigints as JSON strings of their decimal digits (`12n` → `"12"`), never as JSON numbers;
 * - strings escaped exactly as `JSON.stringify` escapes them;
 * - array order preserved (callers sort their arrays by a documented key first).
 *
 * @example canonicalJson({ b: 1n, a: ["x", true] }) // '{"a":["x",true],"b":"1"}'
 * @throws {CanonicalJsonError} on numbers, undefined, functions, symbols or non-plain objects.
 */
export function canonicalJson(value: CanonicalValue): string {
  return write(value, "$");
}

function write(value: unknown, path: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "bigint":
      return `"${value.toString(10)}"`;
    case "boolean":
      return value ? "true" : "false";
    case "number":
      throw new CanonicalJsonError(path, "numbers are not allowed; use a bigint");
    case "object":
      break;
    default:
      throw new CanonicalJsonError(path, `unsupported type ${typeof value}`);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item, i) => write(item, `${path}[${i}]`)).join(",")}]`;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw new CanonicalJsonError(path, "only plain objects are allowed");
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${write(record[k], `${path}.${k}`)}`).join(",")}}`;
}

/**
 * `keccak256(utf8(json))`: the hash committed on chain as a round's `inputsHash` (and, over the
 * rules object, as an index's methodology hash).
 *
 * @example hashCanonicalJson('{"a":"1"}')
 */
export function hashCanonicalJson(json: string): Hex {
  return keccak256(toBytes(json));
}

/** `hashCanonicalJson(canonicalJson(value))`. */
export function hashCanonical(value: CanonicalValue): Hex {
  return hashCanonicalJson(canonicalJson(value));
}

/**
 * Parses a JSON text and checks that it is canonical: it contains no JSON numbers and
 * re-serialising the parsed value gives back exactly the same text (so key order, whitespace and
 * escapes are the canonical ones). Bigints come back as decimal strings.
 *
 * @throws {CanonicalJsonError} when the text is not JSON or not in canonical form.
 */
export function parseCanonicalJson(json: string): CanonicalValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new CanonicalJsonError("$", `not JSON: ${(e as Error).message}`);
  }
  const again = write(parsed, "$");
  if (again !== json) throw new CanonicalJsonError("$", "not in canonical form");
  return parsed as CanonicalValue;
}
