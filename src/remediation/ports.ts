// What remediation needs from Kubernetes, as small interfaces: the operator implements them with the API
// (status subresource, Secrets in its own namespace, Node patches, Events); tests use plain fakes.
import type { EventTarget, EventType } from '../runtime/event-recorder.js';
import type { NovaApi } from '../openstack/index.js';
import type { RemediationStatusPatch, RemediationView } from './status.js';

export interface HostHealthStatusWriter {
  /**
   * Applies `patch` as a JSON merge patch to `.status` of HostHealth `name` through the status
   * subresource (body `{"status": patch}`, content type application/merge-patch+json). Nulls delete.
   * Throws on failure; the caller retries.
   */
  patchStatus(name: string, patch: RemediationStatusPatch): Promise<void>;
}

export interface HostHealthStatusReader {
  /** The current status of HostHealth `name`, or undefined when it has none (or does not exist). */
  readStatus(name: string): Promise<RemediationView | undefined>;
}

export interface SecretReader {
  /**
   * The value of `key` in Secret `name` of the operator's namespace, decoded from base64 to UTF-8 text.
   * Throws an Error naming the Secret and key when either is missing.
   */
  read(name: string, key: string): Promise<string>;
  /** Every key of Secret `name`, decoded; for Secrets that spread credentials over keys (OS_*). */
  readAll?(name: string): Promise<Record<string, string>>;
  /** The value of `key` in ConfigMap `name` of the same namespace (public data such as CA bundles). */
  readConfigMap?(name: string, key: string): Promise<string>;
}

export interface NodeTaint {
  key: string;
  value: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodeTainter {
  /**
   * Makes the Node carry `taint` (same key and effect; the value updated if it differs). Returns what it
   * did; "present" means the Node was not written. Throws when the Node cannot be read or patched.
   */
  ensureTaint(node: string, taint: NodeTaint): Promise<'added' | 'updated' | 'present'>;
  /** Removes every taint with `key` and `effect`; "absent" means there was none (or no Node). */
  removeTaint(node: string, key: string, effect: NodeTaint['effect']): Promise<'removed' | 'absent'>;
}

/** EventRecorder from src/operator/event-recorder.ts satisfies this. Must never throw. */
export interface EventSink {
  record(target: EventTarget, type: EventType, reason: string, message: string): Promise<void>;
}

/** A Nova client built from one clouds.yaml; `close` releases its connections. */
export interface NovaHandle {
  nova: NovaApi;
  /** Authenticates and negotiates the microversion ahead of the first fault. */
  warmUp?(): Promise<void>;
  close(): void;
}

export type NovaFactory = (cloudsYaml: string, cloud: string) => Promise<NovaHandle>;
