// Before the monitor starts: can fping probe the way the prober runs it? One probe of 127.0.0.1 with the
// prober's burst option (-i 0, which fping allows only to root) tells a missing binary, a missing NET_RAW
// capability or a non-root user apart, each with what to do.

// A builtin comes from process.getBuiltinModule, not `import`, to keep the monitor small (http-post.ts says why).
const { spawn } = process.getBuiltinModule('node:child_process');

const checkTimeoutMs = 5000;
const maxOutput = 4096;

export async function checkFping(command = 'fping'): Promise<string | undefined> {
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, ['-c', '1', '-i', '0', '-t', '1000', '127.0.0.1'], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, LANG: 'C', LC_ALL: 'C' },
      });
    } catch (err) {
      // Node throws EPERM at once (no 'error' event) when exec is refused: fping carries the file
      // capability cap_net_raw, which a container without NET_RAW in its bounding set may not gain.
      resolve(spawnRefused(command, err as NodeJS.ErrnoException));
      return;
    }
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < maxOutput) stderr += chunk.toString('latin1');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), checkTimeoutMs);
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(
        err.code === 'ENOENT'
          ? `cannot run ${command}: install fping in the image`
          : `cannot run ${command}: ${err.message}`,
      );
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(undefined);
      const said = stderr.trim().split('\n')[0] ?? '';
      if (/mere mortals/i.test(said)) {
        resolve(`${command} refuses its probe burst (-i 0) to a non-root user: run the monitor as user 0`);
      } else if (/permitted|permission|can't create socket/i.test(said)) {
        resolve(
          `${command} is not permitted to send ICMP: the container needs the NET_RAW capability (${said})`,
        );
      } else {
        resolve(`${command} cannot probe 127.0.0.1 (${signal ?? `exit ${code}`}): ${said || 'no output'}`);
      }
    });
  });
}

function spawnRefused(command: string, err: NodeJS.ErrnoException): string {
  return err.code === 'EPERM'
    ? `${command} may not be executed: the container needs the NET_RAW capability (${err.message})`
    : `cannot run ${command}: ${err.message}`;
}
