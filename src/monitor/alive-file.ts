// The monitor's liveness: while its event loop turns it rewrites a small file with the time, and the
// kubelet's exec probe (`doctor monitor --check-alive FILE`) checks that the time is recent. A file rather
// than a port: the monitor runs on the host network, where any port may be taken.
// A builtin comes from process.getBuiltinModule, not `import`, to keep the monitor small (http-post.ts says why).
// Synchronous calls on a tiny local file (settings-file.ts says why node:fs/promises is not used).
const { readFileSync, renameSync, writeFileSync } = process.getBuiltinModule('node:fs');

export const aliveIntervalMs = 5_000;
/** Older than this, the monitor is taken for hung (six missed refreshes). */
export const aliveMaxAgeMs = 30_000;

export interface AliveFile {
  stop(): void;
}

function writeAlive(path: string, now: number): void {
  // Written aside and renamed, so the probe never reads a half-written file.
  writeFileSync(`${path}.tmp`, `${now}\n`);
  renameSync(`${path}.tmp`, path);
}

/** Writes the file now and every `intervalMs`; the first write's failure is thrown (a wrong path or a
 * read-only folder is a configuration error), later ones are passed to `onError`. */
export function startAliveFile(
  path: string,
  onError: (err: Error) => void,
  intervalMs = aliveIntervalMs,
  clock: () => number = Date.now,
): AliveFile {
  writeAlive(path, clock());
  const timer = setInterval(() => {
    try {
      writeAlive(path, clock());
    } catch (err) {
      onError(err as Error);
    }
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Undefined when the file holds a time at most `maxAgeMs` old; otherwise what is wrong, in words. */
export function checkAlive(path: string, now = Date.now(), maxAgeMs = aliveMaxAgeMs): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
  }
  const written = Number(text.slice(0, 32).trim());
  if (!Number.isFinite(written) || written <= 0) return `${path} holds no time`;
  const age = now - written;
  if (age > maxAgeMs)
    return `${path} was last refreshed ${Math.round(age / 1000)} s ago (limit ${maxAgeMs / 1000} s)`;
  return undefined;
}
