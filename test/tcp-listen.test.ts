import { expect } from 'chai';
import type * as net from 'node:net';
import {
  CannotListenError,
  ConnectionAborted,
  ConnectionDone,
  Reactor,
  TorsionRangeError,
  TorsionTypeError,
  type TCPAddress,
} from '@torsion/reactor';
import { Factory, Protocol } from '@torsion/protocols';
import { Cleanup, Echo, Recorder, RecordingFactory, closed, newReactor, pattern, rawConnect, readAtLeast, readToEnd } from './support/tcp-helpers.js';

describe('TCP listenTCP and shutdown', () => {
  let reactor: Reactor;
  let cleanup: Cleanup;
  beforeEach(() => {
    reactor = newReactor();
    cleanup = new Cleanup();
  });
  afterEach(() => cleanup.run());

  it('fails with CannotListenError, saying what to do, when the port is in use', async () => {
    const first = cleanup.port(await reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: '127.0.0.1' }));
    const port = first.getHost().port;
    const factory = Factory.forProtocol(Echo);
    let error: unknown;
    try {
      cleanup.port(await reactor.listenTCP(port, factory, { interface: '127.0.0.1' }));
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(CannotListenError);
    const e = error as CannotListenError;
    expect(e.code).to.equal('ERR_CANNOT_LISTEN');
    expect(e.interface).to.equal('127.0.0.1');
    expect(e.port).to.equal(port);
    expect((e.cause as { code?: string }).code).to.equal('EADDRINUSE');
    expect(e.message).to.contain(`127.0.0.1:${port}`).and.contain('in use').and.contain('choose another port');
    expect(factory.numPorts).to.equal(0); // never started
  });

  it('rejects bad ports and options with typed errors', async () => {
    const f = Factory.forProtocol(Echo);
    const rejects = async (p: Promise<unknown>, cls: new (...a: never[]) => Error): Promise<void> => {
      let err: unknown;
      await p.catch((e: unknown) => (err = e));
      expect(err).to.be.instanceOf(cls);
    };
    await rejects(reactor.listenTCP(-1, f), TorsionRangeError);
    await rejects(reactor.listenTCP(65536, f), TorsionRangeError);
    await rejects(reactor.listenTCP(1.5, f), TorsionRangeError);
    await rejects(reactor.listenTCP('80' as unknown as number, f), TorsionTypeError);
    await rejects(reactor.listenTCP(0, f, { backlog: -3 }), TorsionRangeError);
    await rejects(reactor.listenTCP(0, null as never), TorsionTypeError);
  });

  it('rejects listenTCP() with the error of a startFactory() that throws, and frees the port', async () => {
    const boom = new Error('startFactory failed');
    class Failing extends Factory {
      override protocol = Echo;
      override startFactory(): void {
        throw boom;
      }
    }
    const factory = new Failing();
    // Before the fix this threw out of the 'listening' event (an uncaught exception) and the
    // promise never settled, leaving the port bound.
    let error: unknown;
    await reactor.listenTCP(0, factory, { interface: '127.0.0.1' }).then(
      (p) => cleanup.port(p),
      (err: unknown) => (error = err),
    );
    expect(error).to.equal(boom);
    expect(factory.numPorts).to.equal(0);
    // Nothing is left listening: a reactor stop has no port to close, and the same factory can
    // listen once it is fixed.
    factory.startFactory = () => {};
    cleanup.port(await reactor.listenTCP(0, factory, { interface: '127.0.0.1' }));
    expect(factory.numPorts).to.equal(1);
  });

  it('starts the factory when listening and stops it after stopListening(); connections stay up', async () => {
    const events: string[] = [];
    const factory = new (class extends RecordingFactory<Recorder> {
      override startFactory(): void {
        events.push('start');
      }
      override stopFactory(): void {
        events.push('stop');
      }
    })(() => new Echo() as unknown as Recorder);
    const port = await reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
    expect(events).to.deep.equal(['start']);
    const portNumber = port.getHost().port;
    const client = await rawConnect(portNumber, cleanup);
    await factory.nextProtocol(0);
    await port.stopListening();
    await port.stopListening(); // idempotent
    expect(events).to.deep.equal(['start', 'stop']);
    // The established connection still echoes; new ones are refused.
    const echoed = readAtLeast(client, 3);
    client.write('abc');
    expect((await echoed).toString()).to.equal('abc');
    let refused: unknown;
    await rawConnect(portNumber, cleanup).catch((e: unknown) => (refused = e));
    expect((refused as { code?: string }).code).to.equal('ECONNREFUSED');
  });

  it('listens on all interfaces by default', async () => {
    const port = cleanup.port(await reactor.listenTCP(0, Factory.forProtocol(Echo)));
    const client = await rawConnect(port.getHost().port, cleanup);
    const echoed = readAtLeast(client, 2);
    client.write('hi');
    expect((await echoed).toString()).to.equal('hi');
  });

  it('reactor.stop() stops listening and closes connections after flushing what they wrote', async () => {
    const r = new Reactor({ installSignalHandlers: false });
    const running = r.run();
    const payload = pattern(2 * 1024 * 1024, 9);
    const factory = new RecordingFactory(() => new Recorder());
    const port = await r.listenTCP(0, factory, { interface: '127.0.0.1' });
    const portNumber = port.getHost().port;
    const client = await rawConnect(portNumber, cleanup);
    const p = await factory.nextProtocol(0);
    await p.made.promise;
    const all = readToEnd(client);
    p.transport.write(payload);
    await r.stop();
    await running;
    expect((await all).equals(payload)).to.equal(true);
    expect(await p.lost.promise).to.be.instanceOf(ConnectionDone);
    let refused: unknown;
    await rawConnect(portNumber, cleanup).catch((e: unknown) => (refused = e));
    expect((refused as { code?: string }).code).to.equal('ECONNREFUSED');
  });

  it('reactor.stop() closes every connection still open, after some left on their own in any order', async () => {
    const r = new Reactor({ installSignalHandlers: false });
    const running = r.run();
    const factory = new RecordingFactory(() => new Recorder());
    const port = await r.listenTCP(0, factory, { interface: '127.0.0.1' });
    const portNumber = port.getHost().port;
    const clients: net.Socket[] = [];
    const protocols: Recorder[] = [];
    for (let i = 0; i < 6; i++) {
      const client = await rawConnect(portNumber, cleanup);
      const p = await factory.nextProtocol(i);
      await p.made.promise;
      clients.push(client);
      protocols.push(p);
    }
    // The first, a middle one and the last to arrive leave before the reactor stops.
    for (const i of [0, 3, 5]) {
      protocols[i]!.transport.loseConnection();
      expect(await protocols[i]!.lost.promise).to.be.instanceOf(ConnectionDone);
    }
    const ends = [1, 2, 4].map((i) => readToEnd(clients[i]!));
    await r.stop();
    await running;
    for (const i of [1, 2, 4]) expect(await protocols[i]!.lost.promise).to.be.instanceOf(ConnectionDone);
    await Promise.all(ends);
  });

  it('reactor.stop() aborts a connection whose peer does not read once the grace period ends', async () => {
    cleanup.captureLog();
    const r = new Reactor({ installSignalHandlers: false, shutdownGracePeriod: 0.2 });
    const running = r.run();
    const factory = new RecordingFactory(() => new Recorder());
    const port = await r.listenTCP(0, factory, { interface: '127.0.0.1' });
    const client = await rawConnect(port.getHost().port, cleanup);
    client.on('error', () => {});
    client.pause();
    const p = await factory.nextProtocol(0);
    await p.made.promise;
    p.transport.write(Buffer.alloc(32 * 1024 * 1024)); // more than loopback buffers hold
    await r.stop();
    await running;
    expect(await p.lost.promise).to.be.instanceOf(ConnectionAborted);
    await closed(client);
  });

  it('a Protocol that writes in connectionMade reaches a raw client', async () => {
    const port = cleanup.port(
      await reactor.listenTCP(
        0,
        Factory.forProtocol(
          class extends Protocol {
            override connectionMade(): void {
              this.transport.write('220 ready\r\n');
            }
          },
        ),
        { interface: '127.0.0.1' },
      ),
    );
    const client = await rawConnect(port.getHost().port, cleanup);
    expect((await readAtLeast(client, 11)).toString()).to.equal('220 ready\r\n');
  });
});
