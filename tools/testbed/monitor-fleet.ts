// Runs the real monitor (`doctor monitor`, with the DaemonSet's node flags) in chosen hosts of a test bed, one process per host
// started with `ip netns exec`, each with its own config file and token file in a temporary directory.
// Captures every process's JSON log lines; stop() sends SIGTERM and escalates to SIGKILL (bounded).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MonitorConfigFile } from '../../src/api/monitor-config.js';
import { monitorNodeFlags } from '../../src/monitor/node-flags.js';
import type { Testbed } from './testbed.js';

/** The `doctor` command's script: monitors start as the DaemonSet starts them, `node <flags> cli.js monitor`. */
export const doctorCli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

/** The monitor configuration every monitor of the fleet shares (the file adds the policy and the hosts). */
export type FleetSettings = Omit<MonitorConfigFile, 'policy' | 'hosts'>;

export interface MonitorProcess {
  host: string;
  child: ChildProcess;
  /** Parsed JSON log lines (winston), in arrival order. */
  logs: Array<Record<string, unknown>>;
  /** Output lines that were not JSON (crashes, ping errors). */
  rawOutput: string[];
  configPath: string;
  exit: Promise<number | null>;
}

export class MonitorFleet {
  readonly dir = mkdtempSync(join(tmpdir(), 'doctor-monitor-'));
  readonly tokenFile = join(this.dir, 'token');
  readonly monitors = new Map<string, MonitorProcess>();
  private settings: FleetSettings;

  constructor(
    private readonly bed: Testbed,
    settings: FleetSettings,
    readonly token = `test-token-${bed.suffix}`,
  ) {
    this.settings = { ...settings };
    writeFileSync(this.tokenFile, `${token}\n`);
  }

  private configFor(): string {
    return JSON.stringify({
      policy: 'test-policy',
      ...this.settings,
      hosts: this.bed.hosts.map((h) => ({ name: h.name, address: h.address })),
    });
  }

  private writeConfig(path: string): void {
    // Atomic replace, as kubelet does for ConfigMap volumes.
    writeFileSync(`${path}.tmp`, this.configFor());
    renameSync(`${path}.tmp`, path);
  }

  /** Starts the monitor of each named host (all hosts when omitted). */
  start(hosts: string[] = this.bed.hosts.map((h) => h.name), extraEnv: Record<string, string> = {}): void {
    for (const host of hosts) {
      const configPath = join(this.dir, `${host}.json`);
      this.writeConfig(configPath);
      const args = [...monitorNodeFlags, doctorCli, 'monitor', '--config', configPath];
      const child = this.bed.spawnIn(host, process.execPath, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          NODE_NAME: host,
          DOCTOR_TOKEN_FILE: this.tokenFile,
          DOCTOR_LOG_LEVEL: 'info',
          ...extraEnv,
        },
      });
      const proc: MonitorProcess = {
        host,
        child,
        logs: [],
        rawOutput: [],
        configPath,
        exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
      };
      const collect = (chunk: Buffer): void => {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (!line.trim()) continue;
          try {
            proc.logs.push(JSON.parse(line) as Record<string, unknown>);
          } catch {
            proc.rawOutput.push(line);
          }
        }
      };
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      this.monitors.set(host, proc);
    }
  }

  /** Rewrites every running monitor's config with changed settings (they poll it every second). */
  update(patch: Partial<FleetSettings>): void {
    this.settings = { ...this.settings, ...patch };
    for (const proc of this.monitors.values()) this.writeConfig(proc.configPath);
  }

  /** Waits (bounded) until every started monitor logged "monitor started". */
  async waitStarted(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const proc of this.monitors.values()) {
      while (!proc.logs.some((l) => l.message === 'monitor started')) {
        if (Date.now() > deadline || proc.child.exitCode !== null) {
          throw new Error(`monitor on ${proc.host} did not start: ${proc.rawOutput.slice(-5).join(' | ')}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** SIGTERM every monitor, SIGKILL after `graceMs`; resolves when all exited. */
  async stop(graceMs = 5000): Promise<void> {
    await Promise.all(
      [...this.monitors.values()].map(async (proc) => {
        if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
        proc.child.kill('SIGTERM');
        const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
        await proc.exit;
        clearTimeout(timer);
      }),
    );
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
