// The sample consumer's side of planned maintenance: on maintenance.scheduled (Aodh traits or a
// CloudEvent) it answers ACK_PLANNED_MAINTENANCE or NACK_PLANNED_MAINTENANCE for that server at the
// notification's reply URL, after a configurable delay, signed with its key like the notification was.
// "none" never answers (a consumer that stays silent). Replies are bounded in time and in number.
import { randomUUID } from 'node:crypto';
import { signWebhook } from '../notify/signature.js';
import type { Logger } from '../observability/logger.js';
import { httpRequest } from '../util/http-client.js';
import { errorText } from '../util/error-text.js';

export type AnswerMode = 'ack' | 'nack' | 'none';

export interface AnswererOptions {
  mode: AnswerMode;
  delayMs: number;
  /** Servers (ids) to NACK even when mode is ack. */
  nackServers?: string[];
  hmacKey?: Buffer;
  logger: Logger;
}

export interface ScheduledMaintenance {
  sessionId: string;
  serverId: string;
  replyUrl: string;
}

const maxPending = 10_000;

/** The maintenance.scheduled fields of a notification body in either format, or undefined. */
export function scheduledMaintenance(body: unknown): ScheduledMaintenance | undefined {
  const b = body as {
    type?: unknown;
    data?: { sessionId?: unknown; server?: { id?: unknown }; replyUrl?: unknown };
    reason_data?: { event?: { event_type?: unknown; traits?: unknown } };
  };
  if (b?.type === 'io.doctor.maintenance.scheduled') {
    const { sessionId, server, replyUrl } = b.data ?? {};
    if (typeof sessionId === 'string' && typeof server?.id === 'string' && typeof replyUrl === 'string')
      return { sessionId, serverId: server.id, replyUrl };
    return undefined;
  }
  const event = b?.reason_data?.event;
  if (event?.event_type !== 'maintenance.scheduled' || !Array.isArray(event.traits)) return undefined;
  const traits = new Map<string, string>();
  for (const trait of event.traits as unknown[]) {
    if (Array.isArray(trait) && typeof trait[0] === 'string' && typeof trait[2] === 'string')
      traits.set(trait[0], trait[2]);
  }
  const sessionId = traits.get('session_id');
  const serverId = traits.get('instance_ids');
  const replyUrl = traits.get('reply_url');
  return sessionId && serverId && replyUrl ? { sessionId, serverId, replyUrl } : undefined;
}

export class MaintenanceAnswerer {
  private pending = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: AnswererOptions) {}

  /** Schedules the answer to a notification body when it is a maintenance.scheduled one. */
  handle(body: unknown): void {
    const scheduled = scheduledMaintenance(body);
    if (scheduled === undefined || this.options.mode === 'none') return;
    if (!/^https?:\/\//.test(scheduled.replyUrl) || this.pending >= maxPending) return;
    this.pending++;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.answer(scheduled).finally(() => this.pending--);
    }, this.options.delayMs);
    this.timers.add(timer);
  }

  private async answer(scheduled: ScheduledMaintenance): Promise<void> {
    const nack =
      this.options.mode === 'nack' || (this.options.nackServers ?? []).includes(scheduled.serverId);
    const body = JSON.stringify({
      session_id: scheduled.sessionId,
      state: nack ? 'NACK_PLANNED_MAINTENANCE' : 'ACK_PLANNED_MAINTENANCE',
      instance_ids: [scheduled.serverId],
    });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...(this.options.hmacKey !== undefined
        ? signWebhook(randomUUID(), Date.now() / 1000, body, this.options.hmacKey)
        : {}),
    };
    try {
      const res = await httpRequest({
        method: 'PUT',
        url: scheduled.replyUrl,
        headers,
        body,
        timeoutMs: 5000,
        maxResponseBytes: 16 * 1024,
      });
      this.options.logger.info('maintenance answered', {
        server: scheduled.serverId,
        answer: nack ? 'NACK' : 'ACK',
        status: res.status,
        ...(res.status >= 300 ? { response: res.body.slice(0, 200) } : {}),
      });
    } catch (err) {
      this.options.logger.warn('maintenance answer failed', {
        server: scheduled.serverId,
        error: errorText(err),
      });
    }
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
