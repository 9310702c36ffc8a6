// The monitor's liveness: while its event loop turns it rewrites a small file with the time, and the
// kubelet's exec probe (`doctor monitor --check-alive FILE`) checks that the time is recent. A file rather
// than a port: the monitor runs on the host network, where any port may be taken.
// A builtin comes from process.getBuiltinModule, not `import`, to keep the monitor small (http-post.ts says why).
const { readFile, rename, writeFile } = process.getBuiltinModule('node:fs/promises');

export const aliveIntervalMs = 5_000;
/** Older than this, the monitor is taken for hung (six missed refreshes). */
export const aliveMaxAgeMs = 30_000;

export interface AliveFile {
  stop(): void;
}

async function writeAlive(path: string, now: number): Promise<void> {
  // Written aside and renamed, so the probe never reads a half-written file.
  await writeFile(`${path}.tmp`, `${now}\n`);
  await rename(`${path}.tmp`, path);
}

/** Writes the file now and every `intervalMs`; the first write's failure is thrown (a wrong path or a
 * read-only folder is a configuration error), later ones are passed to `onError`. */
export async function startAliveFile(
  path: string,
  onError: (err: Error) => void,
  intervalMs = aliveIntervalMs,
  clock: () => number = Date.now,
): Promise<AliveFile> {
  await writeAlive(path, clock());
  const timer = setInterval(() => {
    writeAlive(path, clock()).catch((err: unknown) => onError(err as Error));
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Undefined when the file holds a time at most `maxAgeMs` old; otherwise what is wrong, in words. */
export async function checkAlive(
  path: string,
  now = Date.now(),
  maxAgeMs = aliveMaxAgeMs,
): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
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
