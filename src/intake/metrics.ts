// Metrics of the /events endpoint: reports accepted, and reports refused by a reason from a fixed list
// (never a client-supplied string), so the label set stays bounded whatever a client sends.
import { Counter, Registry } from 'prom-client';

export const refusalReasons = [
  'method',
  'busy',
  'unauthenticated',
  'forbidden',
  'rate_limited',
  'not_leader',
  'malformed',
  'too_large',
  'misattributed',
  'not_recorded',
  'error',
] as const;
export type RefusalReason = (typeof refusalReasons)[number];

export interface IntakeMetrics {
  accepted: Counter;
  refused: Counter<'reason'>;
}

export function createIntakeMetrics(registry: Registry = new Registry()): IntakeMetrics {
  const refused = new Counter({
    name: 'doctor_reports_refused_total',
    help: 'Monitor reports (requests to /events) refused, by reason.',
    labelNames: ['reason'],
    registers: [registry],
  });
  // Every reason is exported from the start: an alert on a rate never sees a missing series.
  for (const reason of refusalReasons) refused.inc({ reason }, 0);
  return {
    accepted: new Counter({
      name: 'doctor_reports_accepted_total',
      help: 'Monitor reports (requests to /events) accepted and applied.',
      registers: [registry],
    }),
    refused,
  };
}

/** The refusal reason of an answer's HTTP status, for answers not given by a named check. */
export function reasonOfStatus(status: number): RefusalReason {
  switch (status) {
    case 400:
      return 'malformed';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 405:
      return 'method';
    case 413:
      return 'too_large';
    case 429:
      return 'rate_limited';
    default:
      return status >= 500 ? 'error' : 'malformed';
  }
}
