// Routes monitor reports to the leader: the leader labels its own Pod and the inspector Service selects
// that label, so every replica can be Ready (readiness is not leadership) while reports reach the one
// that acts. The label is put on when this replica starts leading (retried until it lands or leadership
// ends), removed when it stops, and a new leader removes it from any other Pod a crashed leader left it on.
import * as k8s from '@kubernetes/client-node';
import type { Logger } from '../observability/logger.js';
import { exponentialDelay } from '../util/backoff.js';
import { describeApiError, isNotFound } from './api-errors.js';

export const leaderLabel = 'doctor.io/inspector-leader';

const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

export interface LeaderLabelOptions {
  namespace: string;
  podName: string;
  retryBaseMs?: number;
  retryCapMs?: number;
}

export class LeaderPodLabel {
  /** Whether the label should be on our Pod now; a retry loop stops as soon as this changes. */
  private wanted = false;
  private generation = 0;

  constructor(
    private readonly core: k8s.CoreV1Api,
    private readonly options: LeaderLabelOptions,
    private readonly log: Logger,
  ) {}

  /** Starts leading: label our Pod, then clear the label from any other Pod. */
  mark(): void {
    this.wanted = true;
    const generation = ++this.generation;
    void this.retrying(generation, async () => {
      await this.setOn(this.options.podName, 'true');
      await this.clearOthers();
    });
  }

  /** Stops leading (or shuts down): remove the label from our Pod; gives up after `timeoutMs`. */
  async unmark(timeoutMs: number): Promise<void> {
    this.wanted = false;
    const generation = ++this.generation;
    const deadline = Date.now() + timeoutMs;
    await this.retrying(generation, () => this.setOn(this.options.podName, null), deadline);
  }

  private async clearOthers(): Promise<void> {
    const pods = await this.core.listNamespacedPod({
      namespace: this.options.namespace,
      labelSelector: `${leaderLabel}=true`,
    });
    for (const pod of pods.items) {
      const name = pod.metadata?.name;
      if (name && name !== this.options.podName) {
        await this.setOn(name, null);
        this.log.info('removed the inspector leader label from a former leader Pod', { pod: name });
      }
    }
  }

  private async setOn(pod: string, value: 'true' | null): Promise<void> {
    try {
      await this.core.patchNamespacedPod(
        {
          name: pod,
          namespace: this.options.namespace,
          body: { metadata: { labels: { [leaderLabel]: value } } },
        },
        mergePatch,
      );
    } catch (err) {
      // A Pod that is gone carries no label; nothing to undo.
      if (value === null && isNotFound(err)) return;
      throw err;
    }
  }

  private async retrying(generation: number, work: () => Promise<void>, deadline = Infinity): Promise<void> {
    const base = this.options.retryBaseMs ?? 200;
    const cap = this.options.retryCapMs ?? 5_000;
    for (let attempt = 1; generation === this.generation && Date.now() < deadline; attempt++) {
      try {
        await work();
        return;
      } catch (err) {
        if (attempt === 1 || attempt % 10 === 0)
          this.log.warn('could not update the inspector leader label of this Pod; retrying', {
            pod: this.options.podName,
            leading: this.wanted,
            attempt,
            error: describeApiError(err),
          });
        const delay = Math.min(exponentialDelay(attempt, base, cap), Math.max(0, deadline - Date.now()));
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
