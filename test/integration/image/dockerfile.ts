// Just enough of a Dockerfile reader to compare the Dockerfile's runtime stage with the image that
// tools/image/build.sh assembles: global ARG defaults, and per stage its instructions in order.
import { posix } from 'node:path';

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Dockerfile {
  /** ARG defaults declared before the first FROM. */
  globalArgs: Record<string, string>;
  stages: Array<{ from: string; name?: string; instructions: Instruction[] }>;
}

export function parseDockerfile(text: string): Dockerfile {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const result: Dockerfile = { globalArgs: {}, stages: [] };
  for (const line of lines) {
    const match = /^(\w+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`cannot read Dockerfile line: ${line}`);
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!.trim();
    if (keyword === 'FROM') {
      const [from, as, name] = args.split(/\s+/);
      result.stages.push({ from: from!, ...(as?.toUpperCase() === 'AS' ? { name } : {}), instructions: [] });
    } else if (result.stages.length === 0) {
      if (keyword !== 'ARG') throw new Error(`only ARG may come before FROM, found ${keyword}`);
      const [key, value] = args.split('=');
      result.globalArgs[key!] = value ?? '';
    } else {
      result.stages.at(-1)!.instructions.push({ keyword, args });
    }
  }
  return result;
}

/** What the runtime (last) stage gives the image: config fields and the paths it puts files at. */
export interface RuntimeStage {
  user?: string;
  workdir?: string;
  entrypoint?: string[];
  cmd?: string[];
  env: string[];
  /** Absolute paths written by COPY, and symlinks made with `ln -s`. */
  paths: string[];
  /** Debian packages installed with apt-get install. */
  aptPackages: string[];
}

export function runtimeStage(dockerfile: Dockerfile): RuntimeStage {
  const stage = dockerfile.stages.at(-1);
  if (!stage) throw new Error('the Dockerfile has no FROM');
  const result: RuntimeStage = { env: [], paths: [], aptPackages: [] };
  let workdir = '/';
  for (const { keyword, args } of stage.instructions) {
    switch (keyword) {
      case 'USER':
        result.user = args;
        break;
      case 'WORKDIR':
        workdir = posix.resolve(workdir, args);
        result.workdir = workdir;
        break;
      case 'ENTRYPOINT':
        result.entrypoint = JSON.parse(args) as string[];
        break;
      case 'CMD':
        result.cmd = JSON.parse(args) as string[];
        break;
      case 'ENV':
        result.env.push(...args.split(/\s+/));
        break;
      case 'COPY': {
        const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
        result.paths.push(posix.resolve(workdir, words.at(-1)!));
        break;
      }
      case 'RUN': {
        for (const link of args.matchAll(/ln -s \S+ (\S+)/g)) result.paths.push(link[1]!);
        const install = /apt-get install ((?:-\S+\s+)*)([^&]+)/.exec(args);
        if (install) result.aptPackages.push(...install[2]!.trim().split(/\s+/));
        break;
      }
    }
  }
  return result;
}
