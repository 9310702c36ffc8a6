// Where the operator listens: --health-probe-bind-address, --metrics-bind-address and
// --inspector-bind-address, and the older --*-host / --*-port pairs they replace.
import { formatBindAddress, parseBindAddress, type BindAddress } from './bind-address.js';

export interface Listeners {
  probes: BindAddress;
  /** Absent: /metrics on the probes' listener. */
  metrics?: BindAddress | 'off';
  inspector: BindAddress;
}

type Values = Record<string, string | boolean | undefined>;

function port(flag: string, raw: string): number {
  const value = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || value > 65535)
    throw new Error(`--${flag} must be a port 0..65535, got '${raw}'`);
  return value;
}

/** The new flag, else the deprecated host/port pair (a warning each), else the default port. */
function address(
  values: Values,
  flag: string,
  legacy: [host: string, port: string],
  defaultPort: number,
  warnings: string[],
): BindAddress {
  const [hostFlag, portFlag] = legacy;
  const host = values[hostFlag] as string | undefined;
  const portText = values[portFlag] as string | undefined;
  const given = values[flag] as string | undefined;
  for (const [old, value] of [
    [hostFlag, host],
    [portFlag, portText],
  ] as const) {
    if (value === undefined) continue;
    if (given !== undefined) throw new Error(`--${old} and --${flag} both given: use --${flag} only`);
    warnings.push(`--${old} is deprecated: use --${flag}`);
  }
  if (given !== undefined) return parseBindAddress(flag, given);
  const chosen: BindAddress = { port: portText === undefined ? defaultPort : port(portFlag, portText) };
  if (host !== undefined) chosen.host = host;
  return chosen;
}

function sameHost(a: BindAddress, b: BindAddress): boolean {
  return (a.host ?? '') === (b.host ?? '');
}

/** Two listeners on one port work only as one listener: say so before the second bind fails. */
function checkApart(a: [string, BindAddress], b: [string, BindAddress]): void {
  const [[nameA, addrA], [nameB, addrB]] = [a, b];
  if (addrA.port === 0 || addrA.port !== addrB.port) return;
  throw new Error(
    `--${nameA} ${formatBindAddress(addrA)} and --${nameB} ${formatBindAddress(addrB)} use the same port`,
  );
}

export function parseListeners(values: Values, warnings: string[]): Listeners {
  const probes = address(values, 'health-probe-bind-address', ['health-host', 'health-port'], 8081, warnings);
  const inspector = address(
    values,
    'inspector-bind-address',
    ['inspector-host', 'inspector-port'],
    12345,
    warnings,
  );
  checkApart(['health-probe-bind-address', probes], ['inspector-bind-address', inspector]);
  const listeners: Listeners = { probes, inspector };
  const metricsText = values['metrics-bind-address'] as string | undefined;
  if (metricsText === '0') listeners.metrics = 'off';
  else if (metricsText !== undefined) {
    const metrics = parseBindAddress('metrics-bind-address', metricsText);
    // The same address as the probes: one listener serves both, as by default.
    if (!(sameHost(metrics, probes) && metrics.port === probes.port)) {
      checkApart(['metrics-bind-address', metrics], ['health-probe-bind-address', probes]);
      checkApart(['metrics-bind-address', metrics], ['inspector-bind-address', inspector]);
      listeners.metrics = metrics;
    }
  }
  return listeners;
}
