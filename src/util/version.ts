// The product version, read once from package.json so `doctor --version` and the Helm chart agree.
import { readFileSync } from 'node:fs';

interface PackageJson {
  version: string;
}

const packageJsonUrl = new URL('../../../package.json', import.meta.url);

export const version: string = (JSON.parse(readFileSync(packageJsonUrl, 'utf8')) as PackageJson).version;
