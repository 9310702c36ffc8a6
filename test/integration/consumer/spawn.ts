// Runs the sample consumer as a real child process (node dist/src/consumer/main.js) and finds its URL in
// the "listening" log line. Tests stop it in afterEach, whatever happened.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const consumerMain = fileURLToPath(new URL('../../../src/consumer/main.js', import.meta.url));

export interface ConsumerProcess {
  child: ChildProcess;
  /** http://127.0.0.1:PORT (no path). */
  url: string;
  stdout: string[];
  stderr: string[];
  /** Sends SIGTERM and resolves with the exit code (SIGKILL after 5 s). */
  stop(): Promise<number | null>;
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export async function spawnConsumer(args: string[]): Promise<ConsumerProcess> {
  const child = spawn(process.execPath, [consumerMain, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stderr
    .setEncoding('utf8')
    .on('data', (chunk: string) => stderr.push(...chunk.split('\n').filter(Boolean)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`consumer did not start within 10 s: ${stderr.join('\n')}`));
    }, 10_000);
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        stdout.push(line);
        const match = /"url":"(http:\/\/[^"]+)\/failure"/.exec(line);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`consumer exited with ${code} before listening: ${stderr.join('\n')}`));
    });
  });
  return {
    child,
    url,
    stdout,
    stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const done = exited(child);
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await done;
      clearTimeout(killer);
      return code;
    },
  };
}

/** Runs the consumer to completion (for argument errors) and returns its exit code and stderr. */
export async function runConsumerToExit(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [consumerMain, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await exited(child);
  clearTimeout(killer);
  return { code, stdout, stderr };
}
