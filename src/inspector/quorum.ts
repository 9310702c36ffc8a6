// Quorum math. The policy's quorum is capped at the observers that exist for a host, so a host keeps
// being detectable in a small cluster or after some of its observers are gone; it never drops below 1.

export function effectiveQuorum(quorum: number, existingObservers: number): number {
  return Math.max(1, Math.min(quorum, existingObservers));
}
