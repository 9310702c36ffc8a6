// Event times on the wire are ISO-8601. Doctor's monitors send Python's isoformat() without a zone and
// with microseconds ("2017-05-08T13:50:39.710436"); a missing zone means UTC. JavaScript's Date.parse
// reads a zoneless time as LOCAL time and is lenient about impossible dates, so we parse by hand.

const isoDateTime =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/**
 * Milliseconds since the epoch of an ISO-8601 date-time, or undefined when the text is not one.
 * Digits below the millisecond are truncated (not rounded), so ordering by the result never reverses
 * the order of two times with the same millisecond.
 */
export function parseEventTime(text: string): number | undefined {
  const match = isoDateTime.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, , sign, offsetHours, offsetMinutes] = match;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  // Date.UTC maps years 0-99 to 1900-1999; no monitor clock legitimately reads before 1900.
  if (y < 1900) return undefined;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  // Second 60 is a leap second (RFC 3339 allows it); Date.UTC rolls it into the next minute.
  if (h > 23 || mi > 59 || s > 60) return undefined;
  const milliseconds = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  let offset = 0;
  if (sign !== undefined) {
    const oh = Number(offsetHours);
    const om = Number(offsetMinutes);
    if (oh > 23 || om > 59) return undefined;
    offset = (sign === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const result = Date.UTC(y, mo - 1, d, h, mi, s, milliseconds) - offset;
  // A leap second or an offset can carry a time past year 9999, which RFC 3339 (and so status) cannot hold.
  return Number.isFinite(result) && result <= latestTime ? result : undefined;
}

/** 9999-12-31T23:59:59.999Z, the last instant a four-digit year can write. */
const latestTime = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Arithmetic, not a Date: every event time of every report is checked with it. */
function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : monthDays[month - 1]!;
}

/** RFC 3339 in UTC with milliseconds, the form HostHealth status uses. */
export function isoTime(milliseconds: number): string {
  return new Date(milliseconds).toISOString();
}
