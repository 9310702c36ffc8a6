// Resets many servers through any NovaApi, a bounded number at a time, and reports each outcome without
// throwing: lets tests drive the Nova client (and the simulator's faults) with many resets at once. The
// product resets through remediation's ServerResets, which also retries and notifies per server.
import { mapWithConcurrency } from '../../src/util/concurrency.js';
import { isRetryableError, type NovaApi } from '../../src/openstack/index.js';
import { errorText } from '../../src/util/error-text.js';

export interface ResetOutcome {
  id: string;
  ok: boolean;
  error?: string;
  /** The failure may go away (5xx, timeout, connection). */
  retryable?: boolean;
}

export function resetServersToError(
  nova: Pick<NovaApi, 'resetServerToError'>,
  ids: readonly string[],
  concurrency: number,
): Promise<ResetOutcome[]> {
  return mapWithConcurrency(ids, concurrency, async (id): Promise<ResetOutcome> => {
    try {
      await nova.resetServerToError(id);
      return { id, ok: true };
    } catch (err) {
      const error = errorText(err);
      return { id, ok: false, error, retryable: isRetryableError(err) };
    }
  });
}
