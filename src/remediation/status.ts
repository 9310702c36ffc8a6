// The part of HostHealth status that remediation owns, and the merge patches it writes. The notification
// entries and step records extend src/api/types.ts with the fields resuming needs (see hosthealth.ts).
import type { FaultTimeline, HostHealthStatus, NotificationStatus, ServersStatus } from '../api/types.js';
import type { NotificationKind } from '../notify/index.js';

export type StepState = 'Running' | 'Done' | 'Failed' | 'Skipped';

export interface StepStatus {
  state: StepState;
  attempts?: number;
  message?: string;
  time?: string;
}

/** A step record as written: absent fields are nulled, since a merge patch would keep the old ones. */
export interface StepPatch {
  state: StepState;
  attempts: number | null;
  message: string | null;
  time: string | null;
}

export function stepPatch(record: StepStatus): StepPatch {
  return {
    state: record.state,
    attempts: record.attempts ?? null,
    message: record.message ?? null,
    time: record.time ?? null,
  };
}

export const downSteps = ['forceDown', 'resetServers', 'taint', 'notify'] as const;
export const upSteps = ['unforce', 'untaint', 'notifyUp'] as const;
export type DownStep = (typeof downSteps)[number];
export type UpStep = (typeof upSteps)[number];
export type StepName = DownStep | UpStep;

export interface RemediationStatus extends Partial<Record<StepName, StepStatus>> {
  faultId?: string;
}

/** One (consumer, notification) pair. `server`/`project` let a restarted operator rebuild the body. */
export interface NotificationEntry extends NotificationStatus {
  kind: NotificationKind;
  server?: string;
  project?: string;
  abandoned?: boolean;
}

/** HostHealth status as remediation reads it. */
export interface RemediationView extends Omit<HostHealthStatus, 'notifications'> {
  notifications?: NotificationEntry[];
  remediation?: RemediationStatus;
}

/** A JSON merge patch (RFC 7386) of status: null deletes a field, objects merge, arrays replace. */
export interface RemediationStatusPatch {
  novaHost?: string;
  novaServiceId?: string | null;
  timeline?: { [K in keyof FaultTimeline]?: FaultTimeline[K] | null };
  servers?: ServersStatus;
  notifications?: NotificationEntry[];
  remediation?: { faultId?: string } & { [K in StepName]?: StepPatch | null };
}

export const timelinePoints = ['T00', 'T01', 'T02', 'T03', 'T04', 'T05', 'T06', 'T07', 'T08'] as const;
export type TimelinePoint = (typeof timelinePoints)[number];

/** RFC 3339 with milliseconds, UTC: how every time in status is written. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
