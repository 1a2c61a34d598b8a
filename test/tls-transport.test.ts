import { expect } from 'chai';
import { once } from 'node:events';
import { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import {
  ConnectFailedError,
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
  NotSupportedError,
  TLSHandshakeError,
  type ITCPTransport,
  type Reactor,
  type TLSAddress,
  type TCPAddress,
} from '@torsion/reactor';
import { Factory, Protocol } from '@torsion/protocols';
import { Cleanup, Echo, Recorder, RecordingClientFactory, RecordingFactory, closed, newReactor, pattern, rawConnect } from './support/tcp-helpers.js';
import { makeTestCertificate, type TestCertificate } from './support/tls-fixtures.js';

describe('TLS transports', () => {
  let reactor: Reactor;
  let cleanup: Cleanup;
  let cert: TestCertificate;
  before(() => {
    cert = makeTestCertificate();
  });
  after(() => cert.dispose());
  beforeEach(() => {
    reactor = newReactor();
    cleanup = new Cleanup();
  });
  afterEach(() => cleanup.run());

  async function firstProtocol<P extends Protocol>(factory: RecordingClientFactory<P>): Promise<P> {
    while (factory.protocols.length === 0) {
      const failed = await Promise.race([factory.failed.promise, new Promise<undefined>((r) => setImmediate(() => r(undefined)))]);
      if (failed !== undefined) throw failed;
    }
    return factory.protocols[0]!;
  }

  it('listenSSL and connectSSL carry bytes, and expose TLS details', async () => {
    const server = new RecordingFactory(() => new Recorder());
    const port = cleanup.port(
      await reactor.listenSSL(0, server, { key: cert.key, cert: cert.cert, ALPNProtocols: ['x-torsion'] }, { interface: '127.0.0.1' }),
    );
    const host = port.getHost() as TLSAddress;
    expect(host.type).to.equal('TLS');
    const client = new RecordingClientFactory(() => new Recorder());
    cleanup.connector(
      reactor.connectSSL('127.0.0.1', host.port, client, { ca: cert.cert, servername: 'localhost', ALPNProtocols: ['x-torsion'] }, { timeout: 5 }),
    );
    const c = await firstProtocol(client);
    await c.made.promise;
    const s = await server.nextProtocol(0);
    await s.made.promise;

    expect(c.transport.getPeer()).to.deep.equal({ type: 'TLS', host: '127.0.0.1', port: host.port });
    expect(c.transport.getExtraInfo('authorized')).to.equal(true);
    expect(c.transport.getExtraInfo('protocol')).to.match(/^TLSv1\.[23]$/);
    expect((c.transport.getExtraInfo('cipher') as { name: string }).name).to.be.a('string');
    expect(c.transport.getExtraInfo('alpnProtocol')).to.equal('x-torsion');
    expect((c.transport.getExtraInfo('peercert') as { subject: { CN: string } }).subject.CN).to.equal('localhost');
    expect(s.transport.getExtraInfo('peercert')).to.equal(undefined); // no client certificate asked
    expect(c.transport.canWriteEof()).to.equal(false);
    expect(() => c.transport.writeEof()).to.throw(NotSupportedError);

    const big = pattern(3 * 1024 * 1024, 4);
    c.transport.write('hello ');
    c.transport.write(big);
    await s.receivedAtLeast(6 + big.length);
    expect(s.received().equals(Buffer.concat([Buffer.from('hello '), big]))).to.equal(true);
    s.transport.write('bye');
    s.transport.loseConnection();
    expect((await c.receivedAtLeast(3)).toString()).to.equal('bye');
    expect(await c.lost.promise).to.be.instanceOf(ConnectionDone);
    expect(await s.lost.promise).to.be.instanceOf(ConnectionDone);
    await client.stopped.promise;
  });

  it('loseConnection() right after a large write delivers every byte before closing', async () => {
    const big = pattern(4 * 1024 * 1024, 9);
    class Sender extends Protocol {
      override connectionMade(): void {
        this.transport.write(big);
        this.transport.write('end');
        this.transport.loseConnection();
      }
    }
    const port = cleanup.port(await reactor.listenSSL(0, Factory.forProtocol(Sender), { key: cert.key, cert: cert.cert }, { interface: '127.0.0.1' }));
    const client = new RecordingClientFactory(() => new Recorder());
    cleanup.connector(reactor.connectSSL('127.0.0.1', (port.getHost() as TLSAddress).port, client, { ca: cert.cert, servername: 'localhost' }));
    const c = await firstProtocol(client);
    expect(await c.lost.promise).to.be.instanceOf(ConnectionDone);
    expect(c.received().equals(Buffer.concat([big, Buffer.from('end')]))).to.equal(true);
  });

  it('fails to connect when the server certificate is not trusted', async () => {
    const port = cleanup.port(await reactor.listenSSL(0, Factory.forProtocol(Echo), { key: cert.key, cert: cert.cert }, { interface: '127.0.0.1' }));
    cleanup.captureLog();
    const client = new RecordingClientFactory(() => new Recorder());
    reactor.connectSSL('127.0.0.1', (port.getHost() as TLSAddress).port, client, { servername: 'localhost' });
    const reason = await client.failed.promise;
    expect(reason).to.be.instanceOf(ConnectFailedError);
    expect(String((reason.cause as { code?: string }).code)).to.match(/SELF_SIGNED|UNABLE_TO_VERIFY/);
    expect(client.protocols).to.have.length(0);
  });

  async function tlsPair(): Promise<{ s: Recorder; c: Recorder; client: RecordingClientFactory<Recorder> }> {
    const server = new RecordingFactory(() => new Recorder());
    const port = cleanup.port(await reactor.listenSSL(0, server, { key: cert.key, cert: cert.cert }, { interface: '127.0.0.1' }));
    const client = new RecordingClientFactory(() => new Recorder());
    cleanup.connector(reactor.connectSSL('127.0.0.1', (port.getHost() as TLSAddress).port, client, { ca: cert.cert, servername: 'localhost' }));
    const c = await firstProtocol(client);
    await c.made.promise;
    const s = await server.nextProtocol(0);
    await s.made.promise;
    return { s, c, client };
  }

  for (const aborter of ['server', 'client'] as const) {
    it(`a ${aborter} abortConnection() resets the TCP connection under TLS: ConnectionLost at the other end`, async () => {
      const { s, c, client } = await tlsPair();
      // Data through first, so the reset is not confused with a failed handshake.
      c.transport.write('ping');
      await s.receivedAtLeast(4);
      const [self, other] = aborter === 'server' ? [s, c] : [c, s];
      self.transport.write('dropped');
      self.transport.abortConnection();
      expect(await self.lost.promise).to.be.instanceOf(ConnectionAborted);
      const reason = await other.lost.promise;
      expect(reason).to.be.instanceOf(ConnectionLost);
      expect((reason.cause as { code?: string }).code).to.equal('ECONNRESET');
      expect(other.received().toString()).to.equal(aborter === 'server' ? '' : 'ping');
      await client.stopped.promise;
      expect(self.events.filter((e) => e === 'connectionLost')).to.have.length(1);
    });
  }

  /**
   * A client whose handshake stops half-way: its ClientHello reaches the server, which answers,
   * but the answer is never fed back to it. Resolves once the server has answered (so the server
   * has accepted the TCP connection and is in the middle of the handshake).
   */
  async function stuckInHandshake(port: number): Promise<{ raw: import('node:net').Socket; client: tls.TLSSocket }> {
    const raw = await rawConnect(port, cleanup);
    const tunnel = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        raw.write(chunk, callback);
      },
    });
    const client = tls.connect({ socket: tunnel, servername: 'localhost', ca: cert.cert });
    client.on('error', () => {});
    await once(raw, 'data');
    return { raw, client };
  }

  for (const how of ['port.stopListening()', 'reactor.stop()'] as const) {
    it(`${how} closes a client still in its TLS handshake, and builds no protocol for it`, async () => {
      cleanup.captureLog();
      const server = new RecordingFactory(() => new Recorder());
      const port = cleanup.port(await reactor.listenSSL(0, server, { key: cert.key, cert: cert.cert }, { interface: '127.0.0.1' }));
      const { raw, client } = await stuckInHandshake((port.getHost() as TLSAddress).port);
      try {
        if (how === 'reactor.stop()') {
          void reactor.run();
          await reactor.stop();
        } else {
          await port.stopListening();
        }
        // Before: the server kept the socket until the handshake timed out (120 s), keeping the
        // process alive after stop(), and a handshake completed later built a protocol.
        let timer: NodeJS.Timeout | undefined;
        const outcome = await Promise.race([
          closed(raw).then(() => 'closed'),
          new Promise<string>((r) => (timer = setTimeout(() => r('still open after 3 s'), 3000))),
        ]);
        clearTimeout(timer);
        expect(outcome).to.equal('closed');
        expect(server.built).to.have.length(0);
      } finally {
        client.destroy();
      }
    });
  }

  it('abortConnection() right after loseConnection() ends a TLS connection too', async () => {
    for (const wait of [false, true]) {
      const { s, c } = await tlsPair();
      s.transport.write('bye');
      s.transport.loseConnection();
      if (wait) await new Promise((r) => setImmediate(r));
      s.transport.abortConnection();
      expect(await s.lost.promise).to.be.instanceOf(ConnectionAborted);
      expect(await c.lost.promise).to.be.instanceOf(Error);
    }
  });

  for (const side of ['server', 'client'] as const) {
    it(`a ${side} aborting in connectionMade, straight from the handshake, resets without crashing`, async () => {
      cleanup.captureLog();
      class AbortAtOnce extends Recorder {
        override connectionMade(): void {
          super.connectionMade();
          this.transport.abortConnection();
        }
      }
      const server = new RecordingFactory(() => (side === 'server' ? new AbortAtOnce() : new Recorder()));
      const port = cleanup.port(await reactor.listenSSL(0, server, { key: cert.key, cert: cert.cert }, { interface: '127.0.0.1' }));
      const client = new RecordingClientFactory(() => (side === 'client' ? new AbortAtOnce() : new Recorder()));
      cleanup.connector(reactor.connectSSL('127.0.0.1', (port.getHost() as TLSAddress).port, client, { ca: cert.cert, servername: 'localhost' }));
      const c = await firstProtocol(client);
      expect(await c.lost.promise).to.be.instanceOf(side === 'client' ? ConnectionAborted : ConnectionLost);
      // (A client's reset usually reaches the server before its side of the handshake is done:
      // the server then logs a failed handshake and builds no protocol.)
      if (side === 'server') expect(await (await server.nextProtocol(0)).lost.promise).to.be.instanceOf(ConnectionAborted);
    });
  }

  it('startTLS() upgrades a TCP connection in place, sending earlier writes in clear first', async () => {
    class StartTLSServer extends Recorder {
      upgraded = false;
      override dataReceived(data: Buffer): void {
        super.dataReceived(data);
        if (!this.upgraded && this.received().toString() === 'STARTTLS\n') {
          this.upgraded = true;
          // Written in the same turn as startTLS(): must leave in clear, before the handshake.
          this.transport.write('GO\n');
          (this.transport as ITCPTransport).startTLS({ key: cert.key, cert: cert.cert });
        } else if (this.upgraded) {
          this.transport.write(data);
        }
      }
    }
    class StartTLSClient extends Recorder {
      upgraded = false;
      override connectionMade(): void {
        super.connectionMade();
        this.transport.write('STARTTLS\n');
      }
      override dataReceived(data: Buffer): void {
        super.dataReceived(data);
        if (!this.upgraded && this.received().toString() === 'GO\n') {
          this.upgraded = true;
          (this.transport as ITCPTransport).startTLS({ ca: cert.cert, servername: 'localhost' });
          this.transport.write('secret');
        }
      }
    }
    const server = new RecordingFactory(() => new StartTLSServer());
    const port = cleanup.port(await reactor.listenTCP(0, server, { interface: '127.0.0.1' }));
    const client = new RecordingClientFactory(() => new StartTLSClient());
    cleanup.connector(reactor.connectTCP('127.0.0.1', (port.getHost() as TCPAddress).port, client));
    const c = await firstProtocol(client);
    expect((await c.receivedAtLeast(3 + 6)).toString()).to.equal('GO\nsecret');
    expect(c.transport.getExtraInfo('protocol')).to.match(/^TLSv1\.[23]$/);
    expect(c.transport.getExtraInfo('authorized')).to.equal(true);
    const s = await server.nextProtocol(0);
    expect(s.received().toString()).to.equal('STARTTLS\nsecret');
    expect(s.transport.getExtraInfo('cipher')).to.not.equal(undefined);
    c.transport.loseConnection();
    expect(await s.lost.promise).to.be.instanceOf(ConnectionDone);
    expect(await c.lost.promise).to.be.instanceOf(ConnectionDone);
  });

  describe('startTLS() completion', () => {
    /** A plain TCP connection with the reactor on both ends, ready to be upgraded. */
    async function plainPair(): Promise<{ s: Recorder; c: Recorder; st: ITCPTransport; ct: ITCPTransport }> {
      const server = new RecordingFactory(() => new Recorder());
      const port = cleanup.port(await reactor.listenTCP(0, server, { interface: '127.0.0.1' }));
      const client = new RecordingClientFactory(() => new Recorder());
      cleanup.connector(reactor.connectTCP('127.0.0.1', (port.getHost() as TCPAddress).port, client));
      const c = await firstProtocol(client);
      await c.made.promise;
      const s = await server.nextProtocol(0);
      await s.made.promise;
      return { s, c, st: s.transport as ITCPTransport, ct: c.transport as ITCPTransport };
    }

    it('resolves on both sides once the handshake has completed, and not before', async () => {
      const { s, c, st, ct } = await plainPair();
      const peers = { server: st.getPeer(), client: ct.getPeer() };
      const cipherName = (t: ITCPTransport): string => String((t.getExtraInfo('cipher') as { name?: string } | undefined)?.name);
      const seen: string[] = [];
      const serverDone = st.startTLS({ key: cert.key, cert: cert.cert }).then(() => {
        seen.push(`server cipher=${cipherName(st)}`);
      });
      expect(cipherName(st)).to.equal('undefined'); // nothing negotiated yet
      const clientDone = ct.startTLS({ ca: cert.cert, servername: 'localhost' }).then(() => {
        seen.push(`client cipher=${cipherName(ct)} authorized=${String(ct.getExtraInfo('authorized'))}`);
      });
      expect(seen).to.deep.equal([]);
      await Promise.all([serverDone, clientDone]);
      // What each side saw when its promise resolved: the handshake was already complete.
      expect(cipherName(ct)).to.match(/^TLS_/);
      expect(seen.sort()).to.deep.equal([`client cipher=${cipherName(ct)} authorized=true`, `server cipher=${cipherName(st)}`]);
      expect(ct.getExtraInfo('protocol')).to.match(/^TLSv1\.[23]$/);
      // The upgraded connection carries data, and an abort still resets it.
      ct.write('over tls');
      expect((await s.receivedAtLeast(8)).toString()).to.equal('over tls');
      ct.abortConnection();
      expect(await c.lost.promise).to.be.instanceOf(ConnectionAborted);
      expect(await s.lost.promise).to.be.instanceOf(ConnectionLost);
      // Each side still knows the other after the upgrade and the loss.
      expect({ server: st.getPeer(), client: ct.getPeer() }).to.deep.equal(peers);
      expect(peers.server).to.include({ type: 'TCP', host: '127.0.0.1' });
    });

    it('rejects with TLSHandshakeError when the certificate is not trusted, and drops the connection with it', async () => {
      const { s, c, st, ct } = await plainPair();
      const serverDone = st.startTLS({ key: cert.key, cert: cert.cert });
      const clientErr = await ct.startTLS({ servername: 'localhost' }).then(
        () => null,
        (err: Error) => err,
      ); // no ca: the self-signed certificate is not trusted
      expect(clientErr).to.be.instanceOf(TLSHandshakeError);
      expect(clientErr).to.be.instanceOf(ConnectionLost);
      expect((clientErr as TLSHandshakeError).code).to.equal('ERR_TLS_HANDSHAKE');
      expect(String((clientErr!.cause as { code?: string }).code)).to.match(/SELF_SIGNED|UNABLE_TO_VERIFY/);
      expect(await c.lost.promise).to.equal(clientErr);
      // The server's handshake fails too: the client went away in the middle of it.
      const serverErr = await serverDone.then(() => null, (err: Error) => err);
      expect(serverErr).to.be.instanceOf(TLSHandshakeError);
      expect(await s.lost.promise).to.equal(serverErr);
    });

    for (const clientCert of ['none', 'untrusted'] as const) {
      it(`a server that requires a client certificate refuses a client with ${clientCert === 'none' ? 'none' : 'an untrusted one'}`, async () => {
        const other = makeTestCertificate();
        try {
          const { s, c, st, ct } = await plainPair();
          const serverDone = st.startTLS({ key: cert.key, cert: cert.cert, requestCert: true, rejectUnauthorized: true, ca: cert.cert });
          const mine = clientCert === 'none' ? {} : { key: other.key, cert: other.cert };
          const clientDone = ct.startTLS({ ...mine, ca: cert.cert, servername: 'localhost' });
          const serverErr = await serverDone.then(() => null, (err: Error) => err);
          expect(serverErr).to.be.instanceOf(TLSHandshakeError);
          expect(await s.lost.promise).to.equal(serverErr);
          // The client may have finished its side before the server refused it; either way its
          // connection ends uncleanly.
          await clientDone.catch(() => undefined);
          expect(await c.lost.promise).to.be.instanceOf(ConnectionLost);
        } finally {
          other.dispose();
        }
      });
    }

    it('an abort straight from the handshake completing resets the connection (regression: Node crashed)', async () => {
      const { s, c, st, ct } = await plainPair();
      // The continuation runs while Node is still inside the TLS handshake callback.
      const serverAborted = st.startTLS({ key: cert.key, cert: cert.cert }).then(() => st.abortConnection());
      await ct.startTLS({ ca: cert.cert, servername: 'localhost' }).catch(() => undefined);
      await serverAborted;
      expect(await s.lost.promise).to.be.instanceOf(ConnectionAborted);
      expect(await c.lost.promise).to.be.instanceOf(ConnectionLost);
    });

    it('rejects at once on a connection that is already closing', async () => {
      const { st } = await plainPair();
      st.loseConnection();
      const err = await st.startTLS({ key: cert.key, cert: cert.cert }).then(() => null, (e: Error) => e);
      expect(err).to.be.instanceOf(TLSHandshakeError);
      expect(err!.message).to.contain('closing or closed');
    });
  });
});
