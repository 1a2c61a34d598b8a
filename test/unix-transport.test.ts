import { expect } from 'chai';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { CannotListenError, ConnectionAborted, ConnectionDone, ConnectionRefusedError, type Reactor, type UNIXAddress } from '@torsion/reactor';
import { Factory } from '@torsion/protocols';
import { Cleanup, Echo, Recorder, RecordingClientFactory, RecordingFactory, closed, newReactor, readAtLeast, readToEnd } from './support/tcp-helpers.js';

describe('UNIX-domain sockets', () => {
  let reactor: Reactor;
  let cleanup: Cleanup;
  let dir: string;
  beforeEach(() => {
    reactor = newReactor();
    cleanup = new Cleanup();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torsion-unix-'));
  });
  afterEach(async () => {
    await cleanup.run();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function rawUnix(p: string): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const s = cleanup.socket(net.connect({ path: p, allowHalfOpen: true }));
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
  }

  it('listens and echoes, with UNIX addresses', async () => {
    const sock = path.join(dir, 'echo.sock');
    const factory = new RecordingFactory(() => new Recorder());
    const port = cleanup.port(await reactor.listenUNIX(sock, factory));
    expect(port.getHost()).to.deep.equal({ type: 'UNIX', path: sock });
    const client = await rawUnix(sock);
    const p = await factory.nextProtocol(0);
    await p.made.promise;
    expect(p.transport.getHost()).to.deep.equal({ type: 'UNIX', path: sock });
    expect((p.transport.getPeer() as UNIXAddress).type).to.equal('UNIX');
    expect(p.transport.canWriteEof()).to.equal(true);
    const all = readToEnd(client);
    client.write('ping');
    await p.receivedAtLeast(4);
    p.transport.write('pong');
    p.transport.loseConnection();
    expect((await all).toString()).to.equal('pong');
    expect(await p.lost.promise).to.be.instanceOf(ConnectionDone);
  });

  it('connects a client factory, in the usual order', async () => {
    const sock = path.join(dir, 'srv.sock');
    cleanup.port(await reactor.listenUNIX(sock, Factory.forProtocol(Echo)));
    const factory = new RecordingClientFactory(() => new Recorder());
    const connector = reactor.connectUNIX(sock, factory);
    expect(connector.getDestination()).to.deep.equal({ type: 'UNIX', path: sock });
    while (factory.protocols.length === 0) await new Promise((r) => setImmediate(r));
    const p = factory.protocols[0]!;
    await p.made.promise;
    expect(p.transport.getPeer()).to.deep.equal({ type: 'UNIX', path: sock });
    p.transport.write('round trip');
    expect((await p.receivedAtLeast(10)).toString()).to.equal('round trip');
    connector.disconnect();
    await factory.stopped.promise;
    expect(factory.events).to.deep.equal(['startFactory', 'startedConnecting', 'buildProtocol', 'clientConnectionLost', 'stopFactory']);
  });

  it('abortConnection() drops buffered data and reports ConnectionAborted; UNIX sockets have no reset, so the peer sees an end', async () => {
    const sock = path.join(dir, 'abort.sock');
    const factory = new RecordingFactory(() => new Recorder());
    cleanup.port(await reactor.listenUNIX(sock, factory));
    const client = await rawUnix(sock);
    const all = readToEnd(client);
    const p = await factory.nextProtocol(0);
    await p.made.promise;
    p.transport.write('never sent');
    p.transport.abortConnection();
    p.transport.abortConnection();
    expect(await p.lost.promise).to.be.instanceOf(ConnectionAborted);
    expect((await all).toString()).to.equal('');
    expect(p.events).to.deep.equal(['connectionMade', 'connectionLost']);
  });

  it('loseConnection() right after a large write delivers every byte before closing', async () => {
    const sock = path.join(dir, 'big.sock');
    const big = Buffer.alloc(4 * 1024 * 1024, 7);
    class Sender extends Recorder {
      override connectionMade(): void {
        super.connectionMade();
        this.transport.write(big);
        this.transport.write('end');
        this.transport.loseConnection();
      }
    }
    cleanup.port(await reactor.listenUNIX(sock, new RecordingFactory(() => new Sender())));
    const got = await readToEnd(await rawUnix(sock));
    expect(got.equals(Buffer.concat([big, Buffer.from('end')]))).to.equal(true);
  });

  it('fails to connect where nothing listens', async () => {
    const factory = new RecordingClientFactory(() => new Recorder());
    reactor.connectUNIX(path.join(dir, 'nobody.sock'), factory);
    expect(await factory.failed.promise).to.be.instanceOf(ConnectionRefusedError);
  });

  it('replaces a stale socket file but refuses to steal a live one', async () => {
    const sock = path.join(dir, 'stale.sock');
    // A server that died without unlinking leaves its socket file behind.
    const dead = net.createServer();
    await new Promise<void>((r) => dead.listen(sock, () => r()));
    // (closing a Node server unlinks its file, so move it aside and back to fake the crash)
    fs.renameSync(sock, sock + '.keep');
    await new Promise<void>((r) => dead.close(() => r()));
    fs.renameSync(sock + '.keep', sock);
    expect(fs.lstatSync(sock).isSocket()).to.equal(true);

    const port = cleanup.port(await reactor.listenUNIX(sock, Factory.forProtocol(Echo)));
    const client = await rawUnix(sock);
    const echoed = readAtLeast(client, 2);
    client.write('ok');
    expect((await echoed).toString()).to.equal('ok');

    let error: unknown;
    await reactor.listenUNIX(sock, Factory.forProtocol(Echo)).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(CannotListenError);
    expect((error as CannotListenError).port).to.equal(sock);
    expect((error as Error).message).to.contain('already listens');
    await port.stopListening();
    client.destroy();
    await closed(client);
  });
});
