// What the reports about one host amount to at a given moment. A down verdict is "fresh" while its
// observer asserted it (first report or a heartbeat repeating it) within windowMilliseconds; a host
// qualifies as Down when fresh downs meet the effective quorum. Reports from observers that cannot see
// (isolated), that have an open fault themselves or that are in maintenance are not evidence at all, and
// such observers do not count among the observers that exist (so they cannot block detection either).
import { effectiveQuorum } from './quorum.js';
import type { NicRecord, VerdictRecord } from './reports.js';

export interface EvidenceContext {
  now: number;
  windowMilliseconds: number;
  quorum: number;
  /** Observers whose reports are not evidence right now: isolated, or themselves Down. */
  ineligible: { has(observer: string): boolean };
  /** Observers the assignment says watch this host. */
  assigned: readonly string[];
  /** Observers heard from at all (any event); an assigned observer counts only once it has spoken. */
  heardFrom: ReadonlySet<string>;
  nicDownMeansHostDown: boolean;
}

export interface EvidenceSummary {
  /** Eligible observers watching the host (reported about it, or assigned and heard from). */
  existingObservers: number;
  effectiveQuorum: number;
  /** Eligible observers whose latest verdict is down and fresh, sorted by observer. */
  freshDown: VerdictRecord[];
  /** Eligible observers whose latest verdict is down, however old. */
  heldDown: VerdictRecord[];
  /** Eligible observers whose latest verdict is up. */
  up: VerdictRecord[];
  /** Interfaces whose latest report is link down. */
  nicDown: NicRecord[];
  /** Interfaces whose latest report is link up. */
  nicUp: NicRecord[];
  /** Fresh downs meet the effective quorum. */
  quorumDown: boolean;
  /** The host would be Down (quorum, or a NIC down when that counts). */
  qualifiesDown: boolean;
  /** Some eligible observer has an up or down verdict. */
  observed: boolean;
}

export function summarizeEvidence(
  verdicts: ReadonlyMap<string, VerdictRecord>,
  nics: ReadonlyMap<string, NicRecord>,
  context: EvidenceContext,
): EvidenceSummary {
  const eligible = [...verdicts.values()]
    .filter((record) => !context.ineligible.has(record.observer))
    .sort((a, b) => compareText(a.observer, b.observer));
  const existing = new Set(eligible.map((record) => record.observer));
  for (const observer of context.assigned) {
    if (context.heardFrom.has(observer) && !context.ineligible.has(observer)) existing.add(observer);
  }
  const quorum = effectiveQuorum(context.quorum, existing.size);
  const heldDown = eligible.filter((record) => record.verdict === 'down');
  const freshDown = heldDown.filter((record) => isFresh(record, context));
  const up = eligible.filter((record) => record.verdict === 'up');
  const links = [...nics.values()].sort((a, b) => compareText(a.interface, b.interface));
  const nicDown = links.filter((record) => record.down);
  const quorumDown = freshDown.length >= quorum;
  return {
    existingObservers: existing.size,
    effectiveQuorum: quorum,
    freshDown,
    heldDown,
    up,
    nicDown,
    nicUp: links.filter((record) => !record.down),
    quorumDown,
    qualifiesDown: quorumDown || (context.nicDownMeansHostDown && nicDown.length > 0),
    observed: heldDown.length > 0 || up.length > 0,
  };
}

export function isFresh(
  record: VerdictRecord,
  context: { now: number; windowMilliseconds: number },
): boolean {
  return record.restored !== true && context.now - record.assertedAt <= context.windowMilliseconds;
}

/** Code-unit order, so results never depend on the process locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
