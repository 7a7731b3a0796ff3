import { InvalidDateError } from "./errors.js";

/**
 * Calendar dates are `YYYY-MM-DD` strings in UTC. Internally a date is its day number (days
 * since 1970-01-01), so date arithmetic is integer arithmetic.
 */
export type IsoDate = string;

const SECONDS_PER_DAY = 86_400n;
const MS_PER_DAY = 86_400_000;
/** 9999-12-31T23:59:59Z, the last second a `YYYY-MM-DD` date can name. */
const MAX_TIMESTAMP = 253_402_300_799n;
const DATE_PATTERN = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

/**
 * The day number (days since 1970-01-01 UTC) of a `YYYY-MM-DD` date.
 *
 * @throws {InvalidDateError} when the text is not a real calendar date (e.g. `2025-02-30`).
 */
export function dayNumber(date: IsoDate): number {
  const match = DATE_PATTERN.exec(date);
  if (match === null) throw new InvalidDateError(date, "expected YYYY-MM-DD");
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1970) throw new InvalidDateError(date, "year before 1970");
  if (month < 1 || month > 12) throw new InvalidDateError(date, "month out of range");
  if (day < 1 || day > daysInMonth(year, month)) throw new InvalidDateError(date, "day out of range");
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}

/** The `YYYY-MM-DD` date of a day number. */
export function isoFromDayNumber(day: number): IsoDate {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Throws unless `date` is a real `YYYY-MM-DD` date; returns it unchanged. */
export function assertIsoDate(date: IsoDate): IsoDate {
  dayNumber(date);
  return date;
}

/** Days in a month of the proleptic Gregorian calendar (`month` is 1-based). */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Adds whole calendar months to a date, clamping the day to the end of a shorter month
 * (`2024-01-31` + 1 month = `2024-02-29`; `2024-03-31` + 12 months = `2025-03-31`).
 */
export function addMonths(date: IsoDate, months: number): IsoDate {
  dayNumber(date);
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  const total = year * 12 + (month - 1) + months;
  const newYear = Math.floor(total / 12);
  const newMonth = (total % 12) + 1;
  const newDay = Math.min(day, daysInMonth(newYear, newMonth));
  return `${String(newYear).padStart(4, "0")}-${String(newMonth).padStart(2, "0")}-${String(newDay).padStart(2, "0")}`;
}

/** Adds whole days to a date. */
export function addDays(date: IsoDate, days: number): IsoDate {
  return isoFromDayNumber(dayNumber(date) + days);
}

/** The Unix timestamp (seconds) of 00:00:00 UTC on `date`. */
export function startOfDay(date: IsoDate): bigint {
  return BigInt(dayNumber(date)) * SECONDS_PER_DAY;
}

/** The UTC date that contains the Unix timestamp `seconds`. */
export function dateOfTimestamp(seconds: bigint): IsoDate {
  if (seconds < 0n) throw new InvalidDateError(seconds.toString(), "negative timestamp");
  if (seconds > MAX_TIMESTAMP) throw new InvalidDateError(seconds.toString(), "timestamp after 9999-12-31");
  return isoFromDayNumber(Number(seconds / SECONDS_PER_DAY));
}
