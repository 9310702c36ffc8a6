// Kubernetes Events with stable reasons. A repeat of the same event (object, reason, message) within
// ten minutes bumps the count of the existing Event instead of creating another, as kubelet does, so
// a failing reconcile loop cannot flood the API server.
import * as k8s from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../observability/logger.js';
import { describeApiError } from './api-errors.js';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

export type EventType = 'Normal' | 'Warning';

const repeatWindowMs = 10 * 60_000;
const maxRemembered = 4096;

export class EventRecorder {
  private readonly recent = new Map<string, { name: string; namespace: string; count: number; at: number }>();

  constructor(
    private readonly core: k8s.CoreV1Api,
    private readonly component: string,
    private readonly instance: string,
    private readonly log: Logger,
  ) {}

  /** Records an Event; never throws (an Event is worth less than the work that caused it). */
  async record(target: EventTarget, type: EventType, reason: string, message: string): Promise<void> {
    // Events of cluster-scoped objects live in "default", where kubectl describe looks for them.
    const namespace = target.namespace ?? 'default';
    const key = `${target.kind}/${target.namespace ?? ''}/${target.name}/${target.uid ?? ''}/${reason}/${message}`;
    const now = new Date();
    const seen = this.recent.get(key);
    try {
      if (seen && now.getTime() - seen.at < repeatWindowMs) {
        seen.count++;
        seen.at = now.getTime();
        await this.core.patchNamespacedEvent(
          {
            name: seen.name,
            namespace: seen.namespace,
            body: { count: seen.count, lastTimestamp: now.toISOString() },
          },
          k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
        );
        return;
      }
      const name = `${target.name}.${randomBytes(8).toString('hex')}`;
      await this.core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { name, namespace },
          involvedObject: {
            apiVersion: target.apiVersion,
            kind: target.kind,
            name: target.name,
            namespace: target.namespace,
            uid: target.uid,
          },
          type,
          reason,
          message: message.slice(0, 1024),
          source: { component: this.component },
          reportingComponent: `doctor.io/${this.component}`,
          reportingInstance: this.instance,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
      this.remember(key, { name, namespace, count: 1, at: now.getTime() });
    } catch (err) {
      this.recent.delete(key);
      this.log.warn('could not record an Event', {
        reason,
        object: target.name,
        error: describeApiError(err),
      });
    }
  }

  private remember(key: string, entry: { name: string; namespace: string; count: number; at: number }): void {
    if (this.recent.size >= maxRemembered) {
      const oldest = this.recent.keys().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
    this.recent.set(key, entry);
  }
}
