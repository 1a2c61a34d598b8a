// A throwaway self-signed certificate for 'localhost' / 127.0.0.1, made with the openssl CLI at
// test time into a temporary directory (nothing secret is committed).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TestCertificate {
  key: Buffer;
  cert: Buffer;
  dispose(): void;
}

export function makeTestCertificate(): TestCertificate {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torsion-tls-'));
  const keyPath = path.join(dir, 'key.pem');
  const certPath = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const key = fs.readFileSync(keyPath);
  const cert = fs.readFileSync(certPath);
  return { key, cert, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
