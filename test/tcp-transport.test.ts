import { expect } from 'chai';
import * as net from 'node:net';
import {
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
  TorsionRangeError,
  TorsionTypeError,
  WriteAfterCloseError,
  WriteAfterEofError,
  type IListeningPort,
  type Reactor,
  type Address,
  type TCPAddress,
} from '@torsion/reactor';
import { Factory, Protocol } from '@torsion/protocols';
import {
  Cleanup,
  Echo,
  Recorder,
  RecordingClientFactory,
  RecordingFactory,
  closed,
  deferred,
  newReactor,
  pattern,
  rawConnect,
  readAtLeast,
  readToEnd,
} from './support/tcp-helpers.js';

describe('TCP transport over real sockets', () => {
  let reactor: Reactor;
  let cleanup: Cleanup;

  beforeEach(() => {
    reactor = newReactor();
    cleanup = new Cleanup();
  });
  afterEach(() => cleanup.run());

  async function serve<P extends Protocol>(make: () => P): Promise<{ port: IListeningPort; factory: RecordingFactory<P>; portNumber: number }> {
    const factory = new RecordingFactory(make);
    const port = cleanup.port(await reactor.listenTCP(0, factory, { interface: '127.0.0.1' }));
    return { port, factory, portNumber: (port.getHost() as TCPAddress).port };
  }

  async function firstProtocol<P extends Protocol>(factory: RecordingClientFactory<P>): Promise<P> {
    while (factory.protocols.length === 0) {
      const failed = await Promise.race([factory.failed.promise, new Promise<undefined>((r) => setImmediate(() => r(undefined)))]);
      if (failed !== undefined) throw failed;
    }
    return factory.protocols[0]!;
  }

  it('echoes bytes back over a real connection', async () => {
    const { portNumber } = await serve(() => new Echo());
    const client = await rawConnect(portNumber, cleanup);
    const got = readAtLeast(client, 11);
    client.write('hello world');
    expect((await got).toString()).to.equal('hello world');
  });

  it('reports the real port, and TCP addresses for host and peer', async () => {
    const { port, factory, portNumber } = await serve(() => new Recorder());
    expect(port.getHost()).to.deep.equal({ type: 'TCP', host: '127.0.0.1', port: portNumber });
    expect(portNumber).to.be.greaterThan(0);
    const client = await rawConnect(portNumber, cleanup);
    const p = await factory.nextProtocol(0);
    await p.made.promise;
    expect(p.transport.getHost()).to.deep.equal({ type: 'TCP', host: '127.0.0.1', port: portNumber });
    expect(p.transport.getPeer()).to.deep.equal({ type: 'TCP', host: '127.0.0.1', port: client.localPort });
    expect(p.transport.getExtraInfo('peername')).to.deep.equal(p.transport.getPeer());
    expect(p.transport.getExtraInfo('sockname')).to.deep.equal(p.transport.getHost());
    expect(p.transport.getExtraInfo('socket')).to.be.an('object');
    expect(p.transport.getExtraInfo('cipher')).to.equal(undefined);
  });

  it('delivers several MiB written at once intact and in order', async () => {
    const payload = pattern(5 * 1024 * 1024 + 17, 7);
    const { portNumber } = await serve(
      () =>
        new (class extends Protocol {
          override connectionMade(): void {
            // Many chunks of odd sizes in one turn, then close: the peer must see all of it.
            for (let off = 0; off < payload.length; off += 65_521) this.transport.write(payload.subarray(off, off + 65_521));
            this.transport.loseConnection();
          }
        })(),
    );
    const client = await rawConnect(portNumber, cleanup);
    const got = await readToEnd(client);
    expect(got.length).to.equal(payload.length);
    expect(got.equals(payload)).to.equal(true);
  });

  it('sends writes issued in one turn of the loop with a single socket write', async () => {
    const { factory, portNumber } = await serve(() => new Recorder());
    const client = await rawConnect(portNumber, cleanup);
    const p = await factory.nextProtocol(0);
    await p.made.promise;
    const socket = p.transport.getExtraInfo('socket') as net.Socket;
    const original = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    let calls = 0;
    (socket as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
      calls++;
      return original(...args);
    };
    const got = readAtLeast(client, 100 * 3 + 6);
    for (let i = 0; i < 100; i++) p.transport.write(String(i % 10).repeat(3));
    p.transport.writeSequence(['ab', Buffer.from('cd'), new Uint8Array([0x65, 0x66])]);
    const all = await got;
    expect(calls).to.equal(1);
    expect(all.toString()).to.equal(Array.from({ length: 100 }, (_, i) => String(i % 10).repeat(3)).join('') + 'abcdef');
  });

  it('sends what other connections broadcast to one member within one turn of the loop in a single socket write', async () => {
    // Two senders' input handled in the same turn (as when both sockets are readable at once):
    // each dataReceived writes to the member; the member's writes leave together at the end of
    // the turn, not once per sender.
    class Broadcaster extends Recorder {
      static member: Recorder | undefined;
      override dataReceived(data: Buffer): void {
        super.dataReceived(data);
        Broadcaster.member?.transport.write(data);
      }
    }
    const { factory, portNumber } = await serve(() => new Broadcaster());
    const memberClient = await rawConnect(portNumber, cleanup);
    const member = await factory.nextProtocol(0);
    const a = await rawConnect(portNumber, cleanup);
    const pa = await factory.nextProtocol(1);
    const b = await rawConnect(portNumber, cleanup);
    const pb = await factory.nextProtocol(2);
    await Promise.all([member.made.promise, pa.made.promise, pb.made.promise]);
    void a;
    void b;
    Broadcaster.member = member;
    const socket = member.transport.getExtraInfo('socket') as net.Socket;
    const original = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    let calls = 0;
    (socket as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
      calls++;
      return original(...args);
    };
    const got = readAtLeast(memberClient, 6);
    // Two I/O callbacks of one turn: separate macrotasks of the same check phase.
    const sa = pa.transport.getExtraInfo('socket') as net.Socket;
    const sb = pb.transport.getExtraInfo('socket') as net.Socket;
    setImmediate(() => sa.emit('data', Buffer.from('one')));
    setImmediate(() => sb.emit('data', Buffer.from('two')));
    expect((await got).toString()).to.equal('onetwo');
    expect(calls).to.equal(1);
  });

  it('encodes strings as UTF-8', async () => {
    const { factory, portNumber } = await serve(() => new Recorder());
    const client = await rawConnect(portNumber, cleanup);
    const p = await factory.nextProtocol(0);
    await p.made.promise;
    const got = readAtLeast(client, Buffer.byteLength('héllo ☃'));
    p.transport.write('héllo ☃');
    expect((await got).toString('utf8')).to.equal('héllo ☃');
  });

  it('write() of a value that is not bytes or a string throws TorsionTypeError at the call and the connection keeps working', async () => {
    const { factory, portNumber } = await serve(() => new Recorder());
    const client = await rawConnect(portNumber, cleanup);
    const p = await factory.nextProtocol(0);
    await p.made.promise;
    const got = readAtLeast(client, 4);
    for (const bad of [123, {}, null, undefined]) {
      // Before the fix, 123 and {} were queued and blew up in the next tick's flush, outside any
      // callback: an uncaught exception that took the whole process down.
      expect(() => p.transport.write(bad as unknown as string)).to.throw(TorsionTypeError, /Uint8Array|string/);
    }
    p.transport.write('good');
    expect((await got).toString()).to.equal('good');
    expect(p.transport.disconnecting).to.equal(false);
  });

  it('loseConnection() flushes pending data, then closes with ConnectionDone; later writes are dropped', async () => {
    const { factory, portNumber } = await serve(() => new Recorder());
    const client = await rawConnect(portNumber, cleanup);
    const p = await factory.nextProtocol(0);
    await p.made.promise;
    const all = readToEnd(client);
    const big = pattern(1024 * 1024, 3);
    p.transport.write(big);
    p.transport.write('tail');
    p.transport.loseConnection();
    expect(p.transport.disconnecting).to.equal(true);
    p.transport.write('dropped'); // silently ignored, as Twisted does
    const got = await all;
    expect(got.equals(Buffer.concat([big, Buffer.from('tail')]))).to.equal(true);
    const reason = await p.lost.promise;
    expect(reason).to.be.instanceOf(ConnectionDone);
    expect(p.connected).to.equal(false);
    // Once connectionLost has run, a write is a stale reference: a typed error says so.
    expect(() => p.transport.write('too late')).to.throw(WriteAfterCloseError, /127\.0\.0\.1:\d+.*connectionLost\(\) has run/);
  });

  it('abortConnection() drops buffered data, resets the connection, and reports ConnectionAborted', async () => {
    const { factory, portNumber } = await serve(() => new Recorder());
    const client = await rawConnect(portNumber, cleanup);
    const received: Buffer[] = [];
    const errors: Error[] = [];
    let ended = false;
    client.on('data', (c: Buffer) => received.push(c));
    client.on('error', (err: Error) => errors.push(err));
    client.on('end', () => (ended = true));
    const p = await factory.nextProtocol(0);
    await p.made.promise;
    p.transport.write('never sent');
    p.transport.abortConnection();
    expect(p.events).to.deep.equal(['connectionMade']); // connectionLost comes later, not from inside the call
    const reason = await p.lost.promise;
    expect(reason).to.be.instanceOf(ConnectionAborted);
    await closed(client);
    expect(Buffer.concat(received).toString()).to.equal('');
    // A reset, not an end of stream: the peer can tell the stream was cut off.
    expect(ended).to.equal(false);
    expect(errors.map((e) => (e as { code?: string }).code)).to.deep.equal(['ECONNRESET']);
    expect(p.events).to.deep.equal(['connectionMade', 'connectionLost']);
  });

  it('abortConnection() right after writeEof() or loseConnection() has sent everything still ends the connection', async () => {
    // A reset is impossible while the FIN is in flight (Node would leave the socket open for
    // good); the abort then closes normally.
    for (const first of ['writeEof', 'loseConnection'] as const) {
      for (const wait of [false, true]) {
        const { factory, portNumber } = await serve(() => new Recorder());
        const client = await rawConnect(portNumber, cleanup);
        client.on('error', () => {});
        const p = await factory.nextProtocol(0);
        await p.made.promise;
        p.transport.write('all of it');
        p.transport[first]();
        if (wait) await new Promise((r) => setImmediate(r));
        p.transport.abortConnection(); // before connectionLost has run: it is the reason
        expect(await p.lost.promise).to.be.instanceOf(ConnectionAborted);
        await closed(client);
      }
    }
  });

  for (const aborter of ['server', 'client'] as const) {
    it(`a ${aborter} abortConnection() is ConnectionLost at the other end (reactor on both ends), ConnectionAborted at its own`, async () => {
      const { factory, portNumber } = await serve(() => new Recorder());
      const client = new RecordingClientFactory(() => new Recorder());
      cleanup.connector(reactor.connectTCP('127.0.0.1', portNumber, client));
      const s = await factory.nextProtocol(0);
      const c = await firstProtocol(client);
      await c.made.promise;
      await s.made.promise;
      const [self, other] = aborter === 'server' ? [s, c] : [c, s];
      self.transport.write(Buffer.alloc(1024 * 1024)); // dropped, and nothing may pass for a complete stream
      self.transport.abortConnection();
      self.transport.abortConnection();
      expect(await self.lost.promise).to.be.instanceOf(ConnectionAborted);
      const reason = await other.lost.promise;
      expect(reason).to.be.instanceOf(ConnectionLost);
      expect((reason.cause as { code?: string }).code).to.equal('ECONNRESET');
      await new Promise((r) => setImmediate(r));
      expect(self.events.filter((e) => e === 'connectionLost')).to.have.length(1);
      expect(other.events.filter((e) => e === 'connectionLost')).to.have.length(1);
      if (aborter === 'client') expect(await client.lostReason.promise).to.be.instanceOf(ConnectionAborted);
      else expect(await client.lostReason.promise).to.be.instanceOf(ConnectionLost);
    });
  }

  it('calls connectionLost once, after dataReceived returns, when aborting from inside it', async () => {
    const order: string[] = [];
    const { factory, portNumber } = await serve(
      () =>
        new (class extends Recorder {
          override dataReceived(data: Buffer): void {
            order.push('dataReceived:start');
            this.transport.abortConnection();
            this.transport.abortConnection();
            this.transport.loseConnection();
            order.push('dataReceived:end');
            super.dataReceived(data);
          }
          override connectionLost(reason: Error): void {
            order.push('connectionLost');
            super.connectionLost(reason);
          }
        })(),
    );
    const client = await rawConnect(portNumber, cleanup);
    client.on('error', () => {});
    client.write('x');
    const p = await factory.nextProtocol(0);
    await p.lost.promise;
    await new Promise((r) => setImmediate(r));
    expect(order).to.deep.equal(['dataReceived:start', 'dataReceived:end', 'connectionLost']);
  });

  describe('connectionLost exactly once, never re-entrantly, whoever closes and from where', () => {
    type Close = (t: Protocol['transport']) => void;
    const lose: Close = (t) => t.loseConnection();
    const abort: Close = (t) => t.abortConnection();
    const cases: Array<[string, 'connectionMade' | 'dataReceived', Close[], new (...a: never[]) => Error]> = [
      ['loseConnection twice in connectionMade', 'connectionMade', [lose, lose], ConnectionDone],
      ['abortConnection twice in connectionMade', 'connectionMade', [abort, abort], ConnectionAborted],
      ['loseConnection then abortConnection in dataReceived', 'dataReceived', [lose, abort], ConnectionAborted],
      ['abortConnection then loseConnection in dataReceived', 'dataReceived', [abort, lose], ConnectionAborted],
    ];
    for (const [title, where, closes, reasonClass] of cases) {
      it(title, async () => {
        let inside = false;
        let reentrant = false;
        const reasons: Error[] = [];
        class Closer extends Protocol {
          override connectionMade(): void {
            if (where === 'connectionMade') this.#close();
          }
          override dataReceived(): void {
            if (where === 'dataReceived') this.#close();
          }
          override connectionLost(reason: Error): void {
            if (inside) reentrant = true;
            reasons.push(reason);
            lostOnce.resolve();
          }
          #close(): void {
            inside = true;
            for (const c of closes) c(this.transport);
            this.transport.write('dropped');
            inside = false;
          }
        }
        const lostOnce = deferred();
        const { portNumber } = await serve(() => new Closer());
        // An abort resets the connection, possibly before the client's connect() completes.
        const client = cleanup.socket(net.connect(portNumber, '127.0.0.1'));
        client.on('error', () => {});
        client.write('x');
        await lostOnce.promise;
        await closed(client);
        await new Promise((r) => setImmediate(r));
        expect(reentrant).to.equal(false);
        expect(reasons).to.have.length(1);
        expect(reasons[0]).to.be.instanceOf(reasonClass);
      });
    }

    it("abortConnection() from another connection's callback", async () => {
      const built: Recorder[] = [];
      let reentrant = false;
      let insideOther = false;
      class Other extends Recorder {
        override connectionMade(): void {
          super.connectionMade();
          built.push(this);
          if (built.length === 2) {
            insideOther = true;
            built[0]!.transport.abortConnection();
            built[0]!.transport.loseConnection();
            insideOther = false;
          }
        }
        override connectionLost(reason: Error): void {
          if (insideOther) reentrant = true;
          super.connectionLost(reason);
        }
      }
      const { factory, portNumber } = await serve(() => new Other());
      const first = await rawConnect(portNumber, cleanup);
      first.on('error', () => {});
      await (await factory.nextProtocol(0)).made.promise;
      await rawConnect(portNumber, cleanup);
      const reason = await built[0]!.lost.promise;
      expect(reason).to.be.instanceOf(ConnectionAborted);
      expect(reentrant).to.equal(false);
      expect(built[0]!.events.filter((e) => e === 'connectionLost')).to.have.length(1);
      expect(built[1]!.connected).to.equal(true);
    });
  });

  it('half-closes: writeEof() sends EOF but keeps reading; write() afterwards throws', async () => {
    const { factory, portNumber } = await serve(() => new Recorder());
    const client = await rawConnect(portNumber, cleanup);
    const p = await factory.nextProtocol(0);
    await p.made.promise;
    expect(p.transport.canWriteEof()).to.equal(true);
    const fromServer = readToEnd(client);
    p.transport.write('last words');
    p.transport.writeEof();
    expect(() => p.transport.write('more')).to.throw(WriteAfterEofError);
    expect((await fromServer).toString()).to.equal('last words');
    // The read side still works after our EOF.
    client.end('reply after eof');
    await p.eof.promise;
    expect(p.received().toString()).to.equal('reply after eof');
    expect(await p.lost.promise).to.be.instanceOf(ConnectionDone);
  });

  it('half-closes from the peer: eofReceived() returning true keeps the write side open', async () => {
    const { factory, portNumber } = await serve(() => {
      const r = new Recorder();
      r.keepOpenOnEof = true;
      return r;
    });
    const client = await rawConnect(portNumber, cleanup);
    const fromServer = readToEnd(client);
    client.end('question');
    const p = await factory.nextProtocol(0);
    await p.eof.promise;
    expect(p.connected).to.equal(true);
    p.transport.write(`answer to ${p.received().toString()}`);
    p.transport.loseConnection();
    expect((await fromServer).toString()).to.equal('answer to question');
    expect(await p.lost.promise).to.be.instanceOf(ConnectionDone);
  });

  it('closes after the peer EOF when eofReceived() does not keep the connection, flushing what is buffered', async () => {
    const { factory, portNumber } = await serve(
      () =>
        new (class extends Recorder {
          override eofReceived(): boolean {
            this.transport.write('bye');
            return super.eofReceived();
          }
        })(),
    );
    const client = await rawConnect(portNumber, cleanup);
    const fromServer = readToEnd(client);
    client.end();
    const p = await factory.nextProtocol(0);
    expect(await p.lost.promise).to.be.instanceOf(ConnectionDone);
    expect((await fromServer).toString()).to.equal('bye');
    expect(p.events).to.deep.equal(['connectionMade', 'eofReceived', 'connectionLost']);
  });

  it('reports the peer vanishing abruptly as ConnectionLost with the cause kept', async () => {
    const { factory, portNumber } = await serve(() => new Recorder());
    const client = await rawConnect(portNumber, cleanup);
    const p = await factory.nextProtocol(0);
    await p.made.promise;
    client.resetAndDestroy();
    const reason = await p.lost.promise;
    expect(reason.name).to.equal('ConnectionLost');
    expect((reason.cause as { code?: string }).code).to.equal('ECONNRESET');
  });

  it('still knows the peer after the peer reset the connection (and buildProtocol was given the same)', async () => {
    const addrs: unknown[] = [];
    const factory = new (class extends RecordingFactory<Recorder> {
      override buildProtocol(addr?: Address): Recorder {
        addrs.push(addr);
        return super.buildProtocol();
      }
    })(() => new Recorder());
    const port = cleanup.port(await reactor.listenTCP(0, factory, { interface: '127.0.0.1' }));
    const client = await rawConnect((port.getHost() as TCPAddress).port, cleanup);
    const expected = { type: 'TCP', host: '127.0.0.1', port: client.localPort };
    const p = await factory.nextProtocol(0);
    await p.made.promise;
    client.resetAndDestroy();
    await p.lost.promise;
    expect(p.transport.getPeer()).to.deep.equal(expected);
    expect(addrs).to.deep.equal([expected]);
  });

  it('still knows its own address after the close on a port bound to every interface', async () => {
    const factory = new RecordingFactory(() => new Recorder());
    const port = cleanup.port(await reactor.listenTCP(0, factory)); // '::': per-connection host
    const client = await rawConnect((port.getHost() as TCPAddress).port, cleanup);
    const p = await factory.nextProtocol(0);
    await p.made.promise;
    const host = p.transport.getHost();
    expect(host).to.include({ type: 'TCP', port: (port.getHost() as TCPAddress).port });
    expect((host as TCPAddress).host).to.match(/127\.0\.0\.1$/);
    client.resetAndDestroy();
    await p.lost.promise;
    expect(p.transport.getHost()).to.deep.equal(host);
    expect(p.transport.getExtraInfo('sockname')).to.deep.equal(host);
  });

  it('leaves a socket that allows half-open connections one end listener, and still hears the end', async () => {
    const { factory, portNumber } = await serve(() => new Recorder());
    const client = await rawConnect(portNumber, cleanup);
    const p = await factory.nextProtocol(0);
    await p.made.promise;
    const socket = p.transport.getExtraInfo('socket') as net.Socket;
    expect(socket.allowHalfOpen).to.equal(true);
    expect(socket.listenerCount('end')).to.equal(1);
    client.end();
    expect(await p.lost.promise).to.be.instanceOf(ConnectionDone);
    expect(p.events).to.deep.equal(['connectionMade', 'eofReceived', 'connectionLost']);
  });

  it('validates setWriteBufferLimits()', async () => {
    const { factory, portNumber } = await serve(() => new Recorder());
    await rawConnect(portNumber, cleanup);
    const p = await factory.nextProtocol(0);
    await p.made.promise;
    expect(() => p.transport.setWriteBufferLimits(10, 20)).to.throw(TorsionRangeError);
    expect(() => p.transport.setWriteBufferLimits(-1)).to.throw(TorsionRangeError);
    expect(() => p.transport.setWriteBufferLimits(1.5)).to.throw(TorsionRangeError);
    p.transport.setWriteBufferLimits(1000, 100);
    expect(p.transport.getWriteBufferSize()).to.equal(0);
    p.transport.write('12345');
    expect(p.transport.getWriteBufferSize()).to.equal(5);
  });

  it('sets TCP options without complaint', async () => {
    const { factory, portNumber } = await serve(() => new Recorder());
    await rawConnect(portNumber, cleanup);
    const p = await factory.nextProtocol(0);
    await p.made.promise;
    const t = p.transport as unknown as { setTcpNoDelay(on: boolean): void; setTcpKeepAlive(on: boolean, s?: number): void };
    t.setTcpNoDelay(false);
    t.setTcpNoDelay(true);
    t.setTcpKeepAlive(true, 30);
    t.setTcpKeepAlive(false);
  });

  it('serves many connections at once', async () => {
    const { portNumber } = await serve(() => new Echo());
    const clients = await Promise.all(Array.from({ length: 20 }, () => rawConnect(portNumber, cleanup)));
    const replies = clients.map((c, i) => {
      const r = readAtLeast(c, 4 * 1024);
      c.write(pattern(4 * 1024, i + 1));
      return r;
    });
    const got = await Promise.all(replies);
    got.forEach((g, i) => expect(g.equals(pattern(4 * 1024, i + 1))).to.equal(true));
  });

  it('refuses a connection when buildProtocol returns null', async () => {
    const factory = new (class extends Factory {
      override buildProtocol(): null {
        return null;
      }
    })();
    const port = cleanup.port(await reactor.listenTCP(0, factory, { interface: '127.0.0.1' }));
    const client = await rawConnect((port.getHost() as TCPAddress).port, cleanup);
    client.on('error', () => {});
    client.resume();
    await closed(client);
  });
});
