// The product version, read once from package.json so `doctor --version` and the Helm chart agree.
// node:fs via process.getBuiltinModule: an ES import of it would load some 37 more internal modules
// (streams, readline) into every process that reads the version, the per-node monitor included.
const { readFileSync } = process.getBuiltinModule('node:fs');

interface PackageJson {
  version: string;
}

const packageJsonUrl = new URL('../../../package.json', import.meta.url);

export const version: string = (JSON.parse(readFileSync(packageJsonUrl, 'utf8')) as PackageJson).version;
