// TLS for streams over real sockets: openConnection/startServer with tls, and STARTTLS.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TLSHandshakeError, type TCPAddress } from '@torsion/reactor';
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

  it('startTls resolves only once the handshake has completed', async () => {
    let serverCipher: unknown = 'not yet';
    server = await startServer(async (reader, writer) => {
      await reader.readLine();
      writer.write('GO\n');
      await writer.startTls({ key: creds!.key, cert: creds!.cert });
      serverCipher = writer.getExtraInfo('cipher');
      await echoLines(reader, writer);
    }, HOST, 0);
    const port = (server.ports[0]!.getHost() as TCPAddress).port;
    const [reader, writer] = await openConnection(HOST, port);
    writer.write('STARTTLS\n');
    await reader.readLine();
    await writer.startTls({ ca: creds!.cert, servername: 'localhost' });
    // Negotiated and verified by the time the promise resolved, before any byte was exchanged.
    expect(writer.getExtraInfo('authorized')).to.equal(true);
    expect(writer.getExtraInfo('protocol')).to.match(/^TLSv1\.[23]$/);
    expect((writer.getExtraInfo('cipher') as { name: string }).name).to.match(/^TLS_|^ECDHE/);
    writer.write('ping\n');
    expect((await reader.readLine()).toString()).to.equal('ping\n');
    expect((serverCipher as { name?: string } | undefined)?.name).to.be.a('string');
    writer.close();
    await writer.waitClosed();
  });

  it('a failed startTls handshake rejects with TLSHandshakeError and the connection is gone', async () => {
    let serverSide: Promise<unknown> | null = null;
    server = await startServer(async (reader, writer) => {
      await reader.readLine();
      writer.write('GO\n');
      serverSide = writer.startTls({ key: creds!.key, cert: creds!.cert }).catch((err: unknown) => err);
      await serverSide;
    }, HOST, 0);
    const port = (server.ports[0]!.getHost() as TCPAddress).port;
    const [reader, writer] = await openConnection(HOST, port);
    writer.write('STARTTLS\n');
    await reader.readLine();
    const err = await writer.startTls({ servername: 'localhost' }).then(() => null, (e: unknown) => e); // no ca: not trusted
    expect(err).to.be.instanceOf(TLSHandshakeError);
    expect((err as TLSHandshakeError).code).to.equal('ERR_TLS_HANDSHAKE');
    expect(await reader.read().then(() => null, (e: unknown) => e)).to.equal(err);
    await writer.waitClosed().catch(() => undefined);
    while (serverSide === null) await new Promise((r) => setImmediate(r));
    expect(await serverSide).to.be.instanceOf(TLSHandshakeError);
  });
});
