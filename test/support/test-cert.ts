// A throwaway self-signed certificate for 127.0.0.1 (its own CA), made with the openssl CLI.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCert {
  key: Buffer;
  cert: Buffer;
  certPath: string;
}

/** Writes `<name>-key.pem` and `<name>-cert.pem` into `dir`. */
export function selfSignedCert(dir: string, name = 'server'): TestCert {
  const keyPath = join(dir, `${name}-key.pem`);
  const certPath = join(dir, `${name}-cert.pem`);
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore', timeout: 10_000 },
    );
  } catch (err) {
    throw new Error(
      `cannot make a test certificate with the openssl CLI; install it (apt-get install openssl): ${(err as Error).message}`,
      { cause: err },
    );
  }
  return { key: readFileSync(keyPath), cert: readFileSync(certPath), certPath };
}
