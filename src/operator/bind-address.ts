// Listen addresses in controller-runtime's form: ":8081" (every interface), "127.0.0.1:8081",
// "[::1]:8081", and "0" where a listener may be switched off.
import { isIP } from 'node:net';

export interface BindAddress {
  /** Absent: every interface; Node listens on :: where IPv6 is available and on 0.0.0.0 otherwise. */
  host?: string;
  port: number;
}

const hostName = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;

function parsePort(flag: string, raw: string, text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new Error(`--${flag}: '${raw}' has no port 0..65535 (use HOST:PORT or :PORT, e.g. :8081)`);
  }
  return Number(text);
}

export function parseBindAddress(flag: string, raw: string): BindAddress {
  const bracketed = /^\[([^\]]*)\]:(.*)$/.exec(raw);
  if (bracketed) {
    const host = bracketed[1] ?? '';
    if (isIP(host) !== 6) throw new Error(`--${flag}: '${host}' in '${raw}' is not an IPv6 address`);
    return { host, port: parsePort(flag, raw, bracketed[2] ?? '') };
  }
  const colon = raw.lastIndexOf(':');
  if (colon < 0) throw new Error(`--${flag}: '${raw}' is not HOST:PORT or :PORT (e.g. :8081)`);
  const host = raw.slice(0, colon);
  const port = parsePort(flag, raw, raw.slice(colon + 1));
  if (host === '') return { port };
  if (host.includes(':'))
    throw new Error(`--${flag}: put the IPv6 address of '${raw}' in brackets: [::1]:8081`);
  if (isIP(host) === 0 && (host.length > 253 || !hostName.test(host))) {
    throw new Error(`--${flag}: '${host}' in '${raw}' is neither an IP address nor a host name`);
  }
  return { host, port };
}

/** For logs and errors: the address as the flag would spell it. */
export function formatBindAddress(address: BindAddress): string {
  if (address.host === undefined) return `:${address.port}`;
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
