// Certificates for one control-plane run: a CA, the API server's serving certificate, an admin client
// certificate (group system:masters) and the service-account signing key pair. Generated with the
// openssl CLI (Node's crypto can make keys but not X.509 certificates). EC P-256 keeps it fast.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runChecked } from './exec.js';

export interface ClusterCerts {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

const openssl = 'openssl';

async function newKey(path: string): Promise<void> {
  await runChecked(openssl, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', path]);
}

async function signLeaf(
  dir: string,
  name: string,
  subject: string,
  extensions: string[],
  ca: { cert: string; key: string },
): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  await newKey(key);
  await runChecked(openssl, ['req', '-new', '-key', key, '-subj', subject, '-out', csr]);
  await writeFile(ext, extensions.join('\n') + '\n');
  await runChecked(openssl, [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-days',
    '365',
    '-sha256',
    '-out',
    cert,
    '-extfile',
    ext,
  ]);
  return { cert, key };
}

export async function generateClusterCerts(dir: string, serviceIp: string): Promise<ClusterCerts> {
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  await newKey(caKey);
  await runChecked(openssl, [
    'req',
    '-x509',
    '-new',
    '-key',
    caKey,
    '-subj',
    '/CN=doctor-operator-test-ca',
    '-days',
    '3650',
    '-sha256',
    '-out',
    caCert,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  const ca = { cert: caCert, key: caKey };
  const sans = [
    'IP:127.0.0.1',
    `IP:${serviceIp}`,
    'DNS:localhost',
    'DNS:kubernetes',
    'DNS:kubernetes.default',
    'DNS:kubernetes.default.svc',
    'DNS:kubernetes.default.svc.cluster.local',
  ];
  const server = await signLeaf(
    dir,
    'apiserver',
    '/CN=kube-apiserver',
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${sans.join(',')}`,
    ],
    ca,
  );
  const admin = await signLeaf(
    dir,
    'admin',
    '/O=system:masters/CN=doctor-admin',
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=clientAuth',
    ],
    ca,
  );
  const serviceAccountKey = join(dir, 'sa.key');
  const serviceAccountPub = join(dir, 'sa.pub');
  await newKey(serviceAccountKey);
  await runChecked(openssl, ['ec', '-in', serviceAccountKey, '-pubout', '-out', serviceAccountPub]);
  return {
    dir,
    caCert,
    caKey,
    serverCert: server.cert,
    serverKey: server.key,
    adminCert: admin.cert,
    adminKey: admin.key,
    serviceAccountKey,
    serviceAccountPub,
  };
}
