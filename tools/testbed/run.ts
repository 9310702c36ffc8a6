// Runs one host command (ip, sysctl) with a timeout and turns a failure into an error that quotes the
// command and its stderr, so a test bed that cannot be built says exactly why.
import { execFile } from 'node:child_process';

export interface RunResult {
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly stderr: string,
    readonly exitCode: number | string | null,
  ) {
    super(`'${command}' failed (exit ${String(exitCode)}): ${stderr.trim() || '(no stderr)'}`);
    this.name = 'CommandError';
  }
}

export function run(file: string, args: string[], timeoutMs = 10_000): Promise<RunResult> {
  const command = [file, ...args].join(' ');
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException & { code?: number | string }).code ?? null;
        reject(new CommandError(command, stderr || err.message, code));
        return;
      }
      resolve({ stdout, stderr });
    });
  });
}

/** Like run, but an error whose stderr matches `ignore` (e.g. "Cannot find device") is not an error. */
export async function runIgnoring(file: string, args: string[], ignore: RegExp): Promise<void> {
  try {
    await run(file, args);
  } catch (err) {
    if (err instanceof CommandError && ignore.test(err.stderr)) return;
    throw err;
  }
}
