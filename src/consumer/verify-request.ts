// The sample consumer's authenticity check of one POST: the Standard Webhooks signature over id,
// timestamp and body, the timestamp within the tolerance, and the unsigned X-Doctor-Notification-Id (when
// sent) equal to the signed webhook-id, so a changed id header cannot slip a replay past de-duplication.
import {
  notificationIdHeader,
  webhookIdHeader,
  webhookSignatureHeader,
  webhookTimestampHeader,
} from '../notify/headers.js';
import { verifyWebhook, type WebhookVerdict } from '../notify/signature.js';

export interface RequestHeaders {
  get(name: string): string | undefined;
}

export function verifyRequest(
  headers: RequestHeaders,
  body: Buffer,
  key: Buffer,
  toleranceSeconds: number,
  nowMs: number,
): WebhookVerdict {
  const verdict = verifyWebhook({
    id: headers.get(webhookIdHeader),
    timestamp: headers.get(webhookTimestampHeader),
    signature: headers.get(webhookSignatureHeader),
    body,
    key,
    nowSeconds: nowMs / 1000,
    toleranceSeconds,
  });
  if (!verdict.ok) return verdict;
  const plainId = headers.get(notificationIdHeader);
  if (plainId !== undefined && plainId !== verdict.id)
    return { ok: false, reason: `${notificationIdHeader} differs from the signed ${webhookIdHeader}` };
  return verdict;
}
