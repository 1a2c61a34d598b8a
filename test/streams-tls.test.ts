// TLS for streams over real sockets: openConnection/startServer with tls, and STARTTLS.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TCPAddress } from '@torsion/reactor';
import { openConnection, startServer, type Server, type StreamReader, type StreamWriter } from '@torsion/streams';

const HOST = '127.0.0.1';

function makeCert(): { key: Buffer; cert: Buffer } | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torsion-streams-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) };
  } catch {
    return null;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function echoLines(reader: StreamReader, writer: StreamWriter): Promise<void> {
  for await (const line of reader) {
    writer.write(line);
    await writer.drain();
  }
  writer.close();
}

describe('streams over TLS', function () {
  let creds: { key: Buffer; cert: Buffer } | null = null;
  let server: Server | null = null;

  before(function () {
    creds = makeCert();
    if (creds === null) this.skip(); // no openssl to make a certificate with
  });

  afterEach(async () => {
    if (server === null) return;
    await server.close();
    server.abortClients();
    await server.waitClosed();
    server = null;
  });

  it('openConnection with tls talks to startServer with tls', async () => {
    server = await startServer(echoLines, HOST, 0, { tls: { key: creds!.key, cert: creds!.cert } });
    const port = (server.ports[0]!.getHost() as TCPAddress).port;
    const [reader, writer] = await openConnection(HOST, port, { tls: { ca: creds!.cert, servername: 'localhost' } });
    writer.write('secret\n');
    expect((await reader.readLine()).toString()).to.equal('secret\n');
    expect(writer.getExtraInfo('cipher')).to.not.equal(undefined);
    writer.close();
    await writer.waitClosed();
  });

  it('startTls upgrades a plain connection on both sides (STARTTLS)', async () => {
    server = await startServer(async (reader, writer) => {
      const first = await reader.readLine();
      if (first.toString() !== 'STARTTLS\n') return writer.close();
      writer.write('GO\n');
      await writer.startTls({ key: creds!.key, cert: creds!.cert });
      await echoLines(reader, writer);
    }, HOST, 0);
    const port = (server.ports[0]!.getHost() as TCPAddress).port;
    const [reader, writer] = await openConnection(HOST, port);
    writer.write('STARTTLS\n');
    expect((await reader.readLine()).toString()).to.equal('GO\n');
    await writer.startTls({ ca: creds!.cert, servername: 'localhost' });
    writer.write('now encrypted\n');
    expect((await reader.readLine()).toString()).to.equal('now encrypted\n');
    expect((writer.getExtraInfo('socket') as { encrypted?: boolean }).encrypted).to.equal(true);
    writer.close();
    await writer.waitClosed();
  });
});
