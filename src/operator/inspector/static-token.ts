// The static token for external Doctor monitors, read from a Secret in the operator's namespace and
// re-read every 30 s so rotating the Secret needs no restart.
import type * as k8s from '@kubernetes/client-node';
import type { Logger } from '../../observability/logger.js';
import { describeApiError } from '../api-errors.js';

export class StaticTokenSource {
  private token: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly core: k8s.CoreV1Api,
    private readonly namespace: string,
    private readonly secretName: string,
    private readonly log: Logger,
    private readonly key = 'token',
  ) {}

  current(): string | undefined {
    return this.token;
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), 30_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    try {
      const secret = await this.core.readNamespacedSecret({
        name: this.secretName,
        namespace: this.namespace,
      });
      const encoded = secret.data?.[this.key];
      this.token = encoded ? Buffer.from(encoded, 'base64').toString('utf8').trim() : undefined;
      if (!this.token)
        this.log.warn('static inspector token Secret has no key', { secret: this.secretName, key: this.key });
    } catch (err) {
      this.log.warn('could not read the static inspector token Secret', {
        secret: this.secretName,
        error: describeApiError(err),
      });
    }
  }
}
