// Whether a watch event brings anything new. A resource's version changes with every write, including
// writes of fields a cache drops (a kubelet's status heartbeat, when the Node cache keeps only labels
// and addresses): once trimmed, such an object is the cached one again, and handing it on would only
// replace a long-lived cached object (garbage for a full collection later) and wake handlers for nothing.

type Json = unknown;

/** Deep equality of two parsed JSON values. */
export function sameJson(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  return sameMembers(a as Record<string, Json>, b as Record<string, Json>, undefined);
}

function sameMembers(a: Record<string, Json>, b: Record<string, Json>, ignored: string | undefined): boolean {
  let count = 0;
  for (const key in a) {
    if (!Object.hasOwn(a, key) || key === ignored) continue;
    count++;
    if (!Object.hasOwn(b, key) || !sameJson(a[key], b[key])) return false;
  }
  for (const key in b) if (Object.hasOwn(b, key) && key !== ignored) count--;
  return count === 0;
}

/** Two versions of an object hold the same content: equal but for metadata.resourceVersion. */
export function sameContent(a: object, b: object): boolean {
  const x = a as Record<string, Json>;
  const y = b as Record<string, Json>;
  for (const key in x) {
    if (!Object.hasOwn(x, key)) continue;
    if (!Object.hasOwn(y, key)) return false;
    if (key === 'metadata') {
      const [m, n] = [x[key], y[key]];
      if (typeof m !== 'object' || typeof n !== 'object' || m === null || n === null) {
        if (m !== n) return false;
      } else if (!sameMembers(m as Record<string, Json>, n as Record<string, Json>, 'resourceVersion')) {
        return false;
      }
    } else if (!sameJson(x[key], y[key])) return false;
  }
  for (const key in y) if (Object.hasOwn(y, key) && !Object.hasOwn(x, key)) return false;
  return true;
}
