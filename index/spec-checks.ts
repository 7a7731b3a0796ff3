/**
 * The field checks the index specs' validators share (`validateAtpiSpec`, `validateAtpiListSpec`,
 * `validateComputeSpec`): each failure is an {@link InvalidSpecError} naming the field.
 */
import { InvalidSpecError } from "./errors.js";

/**
 * @throws {InvalidSpecError} `empty`, naming the first of `fields` (in the order given) that is `""`.
 */
export function requireFilled<S extends object>(spec: S, fields: readonly (keyof S & string)[]): void {
  for (const field of fields) {
    if (spec[field] === "") throw new InvalidSpecError(field, "empty");
  }
}

/**
 * @throws {InvalidSpecError} `must be a whole number[ of <unit>], at least <min>` unless `value` is
 *   a safe integer of at least `min`.
 */
export function requireWholeNumber(field: string, value: number, min: number, unit?: string): void {
  if (!Number.isSafeInteger(value) || value < min) {
    const of = unit === undefined ? "" : ` of ${unit}`;
    throw new InvalidSpecError(field, `must be a whole number${of}, at least ${min}`);
  }
}
