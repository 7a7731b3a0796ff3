/** JSON logs (pino), one line per event, with the keeper's name on every line. */
import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger } from "pino";

/** A pino logger for `keeper` at `level`, writing to stdout unless a destination is given. */
export function createLogger(keeper: string, level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { keeper },
    timestamp: pino.stdTimeFunctions.isoTime,
    // bigints are not JSON: log them as decimal strings
    formatters: {
      log: (object: Record<string, unknown>) => stringifyBigints(object) as Record<string, unknown>,
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

function stringifyBigints(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(stringifyBigints);
  if (value !== null && typeof value === "object" && !(value instanceof Error)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringifyBigints(v)]));
  }
  return value;
}
