// The latest report of each observer about a host, and of each NIC of a host. "Latest" is the largest
// (event time, event id): event times come from the reporter's own clock, so they order one reporter's
// reports correctly even when retries arrive out of order, and the id breaks ties. Keeping the maximum
// makes applying reports order-independent and replay-proof: a report seen twice changes nothing.
// Freshness, in contrast, is judged on the operator's clock (receivedAt): a monitor's clock may be off
// (Doctor's sample event is from 2017) and must not make evidence look old or new.

export type Verdict = 'down' | 'up' | 'unknown';

export interface Ordered {
  eventTime: number;
  eventId: string;
}

export interface VerdictRecord extends Ordered {
  observer: string;
  verdict: Verdict;
  /** Reporter-clock time at which this verdict began: the detection time (T01) of a down. */
  sinceEventTime: number;
  /** Operator-clock time the verdict began (T02 of a down). */
  sinceReceivedAt: number;
  /** Operator-clock time of the latest report that repeated this verdict. */
  assertedAt: number;
  rttMilliseconds?: number;
  /** Seeded from a previous operator's status: shows the observer exists, never fresh evidence. */
  restored?: boolean;
}

export interface VerdictReport extends Ordered {
  observer: string;
  verdict: Verdict;
  receivedAt: number;
  rttMilliseconds?: number;
}

export interface NicRecord extends Ordered {
  interface: string;
  down: boolean;
  reporter: string;
  sinceEventTime: number;
  sinceReceivedAt: number;
}

export interface NicReport extends Ordered {
  interface: string;
  down: boolean;
  reporter: string;
  receivedAt: number;
}

type Began = Pick<NicRecord, 'sinceEventTime' | 'sinceReceivedAt'>;

export interface IsolationRecord extends Ordered {
  isolated: boolean;
}

/** True when `report` is later than `current` (or there is no current). */
export function supersedes(report: Ordered, current: Ordered | undefined): boolean {
  if (current === undefined) return true;
  if (report.eventTime !== current.eventTime) return report.eventTime > current.eventTime;
  return report.eventId > current.eventId;
}

/** Stores the report if it is the observer's latest; returns whether anything changed. */
export function applyVerdict(verdicts: Map<string, VerdictRecord>, report: VerdictReport): boolean {
  const current = verdicts.get(report.observer);
  if (!supersedes(report, current)) return false;
  const continues = current !== undefined && current.verdict === report.verdict;
  const record: VerdictRecord = {
    observer: report.observer,
    verdict: report.verdict,
    eventTime: report.eventTime,
    eventId: report.eventId,
    ...since(report, continues ? current : undefined),
    assertedAt: report.receivedAt,
  };
  const rtt = report.rttMilliseconds ?? (continues ? current.rttMilliseconds : undefined);
  if (rtt !== undefined) record.rttMilliseconds = rtt;
  verdicts.set(report.observer, record);
  return true;
}

export function applyNic(nics: Map<string, NicRecord>, report: NicReport): boolean {
  const current = nics.get(report.interface);
  if (!supersedes(report, current)) return false;
  const continues = current !== undefined && current.down === report.down;
  nics.set(report.interface, {
    interface: report.interface,
    down: report.down,
    reporter: report.reporter,
    eventTime: report.eventTime,
    eventId: report.eventId,
    ...since(report, continues ? current : undefined),
  });
  return true;
}

/** When the reported condition began: kept from the record a report merely continues, else the report. */
function since(report: { eventTime: number; receivedAt: number }, continued: Began | undefined): Began {
  return continued
    ? { sinceEventTime: continued.sinceEventTime, sinceReceivedAt: continued.sinceReceivedAt }
    : { sinceEventTime: report.eventTime, sinceReceivedAt: report.receivedAt };
}

export function applyIsolation(
  isolation: Map<string, IsolationRecord>,
  observer: string,
  report: IsolationRecord,
): boolean {
  if (!supersedes(report, isolation.get(observer))) return false;
  isolation.set(observer, { ...report });
  return true;
}
