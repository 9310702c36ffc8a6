// Sends one round of maintenance notifications: each (consumer, notification) tried a bounded number of
// times with growing pauses while the failure may pass (timeouts, 5xx), a bounded number in flight.
// Returns how many were delivered and the failures, so the step records them instead of hiding them.
import type { NotifyTarget } from '../api/types.js';
import type { PreparedNotification } from '../notify/index.js';
import { mapWithConcurrency } from '../util/concurrency.js';
import type { Pause } from './pause.js';
import type { MaintenancePorts, MaintenanceTiming } from './ports.js';

/** Whether a consumer limited to `projects` (none: every project) is told about a server of `project`. */
export const targetWants = (projects: string[], project: string) =>
  projects.length === 0 || projects.includes(project);

export interface Outgoing {
  target: NotifyTarget;
  notification: PreparedNotification;
}

export interface RoundResult {
  delivered: number;
  failures: string[];
}

export async function sendAll(
  ports: MaintenancePorts,
  timing: MaintenanceTiming,
  pause: Pause,
  outgoing: Outgoing[],
  cancelled: () => boolean,
): Promise<RoundResult> {
  const result: RoundResult = { delivered: 0, failures: [] };
  await mapWithConcurrency(outgoing, timing.deliveryConcurrency, async ({ target, notification }) => {
    let lastError = '';
    for (let attempt = 1; attempt <= timing.deliveryAttempts && !cancelled(); attempt++) {
      const outcome = await ports.deliver(target, notification);
      if (outcome.ok) {
        result.delivered++;
        return;
      }
      lastError = outcome.error ?? 'refused';
      if (!outcome.retryable) break;
      await pause.sleep(timing.retryBaseMs * 2 ** (attempt - 1));
    }
    result.failures.push(`${target.name}: ${lastError}`);
  });
  return result;
}

/** "3 delivered" or "3 delivered, 1 failed (vnfm: consumer answered HTTP 500)". */
export function roundMessage(round: RoundResult): string {
  if (round.failures.length === 0) return `${round.delivered} delivered`;
  return `${round.delivered} delivered, ${round.failures.length} failed (${round.failures.slice(0, 3).join('; ')})`.slice(
    0,
    1024,
  );
}
