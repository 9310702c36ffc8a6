// The configuration file the operator mounts from a ConfigMap. kubelet updates such a file by swapping a
// symlink, which inotify on the file itself does not see, so the content is polled (default every
// second) and a change is applied; an invalid new version is reported and the running one kept.
import { parseSettingsText, type ParsedSettings } from './config.js';

// A builtin comes from process.getBuiltinModule, not `import`, to keep the monitor small (http-post.ts says why).
// Synchronous reads: node:fs/promises loads 14 more internal modules (readline among them), some 2 MB of
// memory on every node, and a small local file read once a second does not need the thread pool.
const { readFileSync } = process.getBuiltinModule('node:fs');

export interface SettingsFileOptions {
  path: string;
  inspectorUrlOverride?: string;
  pollMs?: number;
  onChange: (parsed: ParsedSettings) => void;
  onError: (err: Error) => void;
}

export class SettingsFile {
  private lastText: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly options: SettingsFileOptions) {}

  /** First read, synchronous: the command cannot start without a valid configuration. */
  load(): ParsedSettings {
    let text: string;
    try {
      text = readFileSync(this.options.path, 'utf8');
    } catch (err) {
      throw new Error(`cannot read configuration ${this.options.path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const parsed = parseSettingsText(text, this.options.path, this.options.inspectorUrlOverride);
    this.lastText = text;
    return parsed;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => this.poll(), this.options.pollMs ?? 1000);
  }

  private poll(): void {
    try {
      const text = readFileSync(this.options.path, 'utf8');
      if (text !== this.lastText && this.running) {
        this.lastText = text;
        this.options.onChange(parseSettingsText(text, this.options.path, this.options.inspectorUrlOverride));
      }
    } catch (err) {
      this.options.onError(err as Error);
    }
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
