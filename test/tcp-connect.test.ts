import { expect } from 'chai';
import * as net from 'node:net';
import { Worker } from 'node:worker_threads';
import {
  ConnectingCancelledError,
  ConnectionDone,
  ConnectionRefusedError,
  Reactor,
  TimeoutError,
  TorsionRangeError,
  TorsionTypeError,
  type IConnector,
  type TCPAddress,
} from '@torsion/reactor';
import { ClientFactory, Factory } from '@torsion/protocols';
import { Cleanup, Echo, Recorder, RecordingClientFactory, deferred, newReactor } from './support/tcp-helpers.js';

/** A client protocol that says hello, waits for the echo, and closes. */
class Hello extends Recorder {
  declare factory: RecordingClientFactory<Hello>;
  override connectionMade(): void {
    super.connectionMade();
    this.factory.events.push('connectionMade');
    this.transport.write('hello');
  }
  override dataReceived(data: Buffer): void {
    super.dataReceived(data);
    if (this.received().length >= 5) this.transport.loseConnection();
  }
  override connectionLost(reason: Error): void {
    super.connectionLost(reason);
    this.factory.events.push('connectionLost');
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on (it listened a moment ago). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * A listener that never accepts, in a worker thread whose event loop is blocked in
 * `Atomics.wait` right after it starts listening. With backlog 1 the kernel queues two
 * connections and then (the queue being full) drops further SYNs, so once two fillers are in, a
 * connect there hangs until our timeout fires. Pure Node, loopback only, deterministic.
 */
const BLACK_HOLE = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const server = net.createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  Atomics.wait(new Int32Array(workerData), 0, 0); // blocks this thread's loop: nothing is accepted
  server.close();
});
`;

async function blackHole(cleanup: Cleanup): Promise<{ port: number; release(): Promise<void> }> {
  const gate = new SharedArrayBuffer(4);
  const worker = new Worker(BLACK_HOLE, { eval: true, workerData: gate });
  const exited = new Promise<void>((r) => worker.once('exit', () => r()));
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (p: number) => resolve(p));
    worker.once('error', reject);
  });
  // Backlog 1 holds two connections (Linux queues backlog + 1); these fill it.
  for (let i = 0; i < 2; i++) {
    const filler = cleanup.socket(net.connect(port, '127.0.0.1'));
    filler.on('error', () => {}); // reset when the listener closes
    await new Promise((r) => filler.once('connect', r));
  }
  return {
    port,
    async release() {
      const flag = new Int32Array(gate);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await exited;
    },
  };
}

describe('TCP connectTCP', () => {
  let reactor: Reactor;
  let cleanup: Cleanup;
  beforeEach(() => {
    reactor = newReactor();
    cleanup = new Cleanup();
  });
  afterEach(() => cleanup.run());

  async function echoServer(): Promise<number> {
    const port = cleanup.port(await reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: '127.0.0.1' }));
    return (port.getHost() as TCPAddress).port;
  }

  it('tells the client factory everything, in Twisted order', async () => {
    const port = await echoServer();
    const factory = new RecordingClientFactory(() => new Hello());
    const connector = cleanup.connector(reactor.connectTCP('127.0.0.1', port, factory));
    expect(connector.state).to.equal('connecting');
    expect(connector.getDestination()).to.deep.equal({ type: 'TCP', host: '127.0.0.1', port });
    await factory.stopped.promise;
    expect(factory.events).to.deep.equal([
      'startFactory',
      'startedConnecting',
      'buildProtocol',
      'connectionMade',
      'connectionLost',
      'clientConnectionLost',
      'stopFactory',
    ]);
    expect(await factory.lostReason.promise).to.be.instanceOf(ConnectionDone);
    expect(factory.protocols[0]!.received().toString()).to.equal('hello');
    expect(factory.protocols[0]!.transport.getPeer()).to.deep.equal({ type: 'TCP', host: '127.0.0.1', port });
    expect(connector.state).to.equal('disconnected');
  });

  it('fails with ConnectionRefusedError when nothing listens', async () => {
    const port = await closedPort();
    const factory = new RecordingClientFactory(() => new Hello());
    const connector = reactor.connectTCP('127.0.0.1', port, factory);
    const reason = await factory.failed.promise;
    expect(reason).to.be.instanceOf(ConnectionRefusedError);
    expect((reason.cause as { code?: string }).code).to.equal('ECONNREFUSED');
    expect(factory.events).to.deep.equal(['startFactory', 'startedConnecting', 'clientConnectionFailed', 'stopFactory']);
    expect(connector.state).to.equal('disconnected');
  });

  it('fails with ConnectingCancelledError on stopConnecting()', async () => {
    const port = await echoServer();
    const factory = new RecordingClientFactory(() => new Hello());
    const connector = reactor.connectTCP('127.0.0.1', port, factory);
    connector.stopConnecting();
    expect(await factory.failed.promise).to.be.instanceOf(ConnectingCancelledError);
    expect(factory.events).to.deep.equal(['startFactory', 'startedConnecting', 'clientConnectionFailed', 'stopFactory']);
    expect(factory.protocols).to.have.length(0);
  });

  it('fails with TimeoutError when the peer never answers within the timeout', async () => {
    const { port, release } = await blackHole(cleanup);
    try {
      const factory = new RecordingClientFactory(() => new Hello());
      const started = performance.now();
      const connector = reactor.connectTCP('127.0.0.1', port, factory, { timeout: 0.2 });
      const reason = await factory.failed.promise;
      expect(reason).to.be.instanceOf(TimeoutError);
      expect(reason.message).to.contain('0.2 s');
      expect(performance.now() - started).to.be.at.least(190);
      expect(connector.state).to.equal('disconnected');
      expect(reactor.getDelayedCalls()).to.have.length(0);
    } finally {
      await release();
    }
  });

  it('reactor.stop() abandons an attempt still in progress', async () => {
    const { port, release } = await blackHole(cleanup);
    try {
      const r = new Reactor({ installSignalHandlers: false });
      const running = r.run();
      const factory = new RecordingClientFactory(() => new Hello());
      r.connectTCP('127.0.0.1', port, factory, { timeout: 30 });
      await r.stop();
      await running;
      expect(await factory.failed.promise).to.be.instanceOf(ConnectingCancelledError);
      expect(r.getDelayedCalls()).to.have.length(0);
    } finally {
      await release();
    }
  });

  it('cancels the timeout once connected', async () => {
    const port = await echoServer();
    const factory = new RecordingClientFactory(() => new Recorder());
    cleanup.connector(reactor.connectTCP('127.0.0.1', port, factory, { timeout: 5 }));
    while (factory.protocols.length === 0) await new Promise((r) => setImmediate(r));
    await factory.protocols[0]!.made.promise;
    expect(reactor.getDelayedCalls()).to.have.length(0);
  });

  it('lets a factory reconnect from clientConnectionLost and clientConnectionFailed', async () => {
    const port = await echoServer();
    const events: string[] = [];
    const factory = new (class extends ClientFactory {
      lost = 0;
      failed = 0;
      done!: () => void;
      finished = new Promise<void>((r) => (this.done = r));
      override protocol = Hello as never;
      override startFactory(): void {
        events.push('startFactory');
      }
      override stopFactory(): void {
        events.push('stopFactory');
        this.done();
      }
      override buildProtocol(): Hello {
        const p = new Hello();
        p.factory = { events: [] } as unknown as RecordingClientFactory<Hello>;
        return p;
      }
      override clientConnectionLost(connector: IConnector): void {
        events.push('lost');
        if (++this.lost < 3) connector.connect();
      }
      override clientConnectionFailed(): void {
        events.push('failed');
      }
    })();
    reactor.connectTCP('127.0.0.1', port, factory);
    await factory.finished;
    expect(events).to.deep.equal(['startFactory', 'lost', 'lost', 'lost', 'stopFactory']);

    const refused = await closedPort();
    const tries: string[] = [];
    const retrying = new (class extends ClientFactory {
      n = 0;
      done!: () => void;
      finished = new Promise<void>((r) => (this.done = r));
      override stopFactory(): void {
        tries.push('stopFactory');
        this.done();
      }
      override clientConnectionFailed(connector: IConnector, reason: Error): void {
        tries.push(reason.name);
        if (++this.n < 3) connector.connect();
      }
    })();
    reactor.connectTCP('127.0.0.1', refused, retrying);
    await retrying.finished;
    expect(tries).to.deep.equal(['ConnectionRefusedError', 'ConnectionRefusedError', 'ConnectionRefusedError', 'stopFactory']);
  });

  it('disconnect() closes an established connection cleanly', async () => {
    const port = await echoServer();
    const factory = new RecordingClientFactory(() => new Recorder());
    const connector = reactor.connectTCP('127.0.0.1', port, factory);
    while (factory.protocols.length === 0) await new Promise((r) => setImmediate(r));
    await factory.protocols[0]!.made.promise;
    expect(connector.state).to.equal('connected');
    expect(() => connector.connect()).to.throw(/connected/);
    connector.disconnect();
    expect(await factory.lostReason.promise).to.be.instanceOf(ConnectionDone);
    await factory.stopped.promise;
  });

  it('binds the local address given as bindAddress', async () => {
    const port = await echoServer();
    const factory = new RecordingClientFactory(() => new Recorder());
    cleanup.connector(reactor.connectTCP('127.0.0.1', port, factory, { bindAddress: { host: '127.0.0.1', port: 0 } }));
    while (factory.protocols.length === 0) await new Promise((r) => setImmediate(r));
    const p = factory.protocols[0]!;
    await p.made.promise;
    expect((p.transport.getHost() as TCPAddress).host).to.equal('127.0.0.1');
  });

  it('drops a client connection whose protocol throws, and tells the factory why', async () => {
    const port = await echoServer();
    cleanup.captureLog();
    class Thrower extends Recorder {
      override connectionMade(): void {
        super.connectionMade();
        this.transport.write('x');
      }
      override dataReceived(): void {
        throw new RangeError('client protocol bug');
      }
    }
    const factory = new RecordingClientFactory(() => new Thrower());
    reactor.connectTCP('127.0.0.1', port, factory);
    const reason = await factory.lostReason.promise;
    expect(reason).to.be.instanceOf(RangeError);
    expect(await factory.protocols[0]!.lost.promise).to.equal(reason);
    await factory.stopped.promise;
    const errors = cleanup.logged.filter((e) => e.level === 'error');
    expect(errors).to.have.length(1);
    expect(errors[0]!.fields).to.include({ peer: `127.0.0.1:${port}` });
  });

  it('logs a clientConnectionFailed() that throws after buildProtocol refused, and stops the factory', async () => {
    const port = await echoServer();
    cleanup.captureLog();
    const events: string[] = [];
    const failed = new Promise<Error>((resolve) => {
      class Refusing extends ClientFactory {
        override buildProtocol(): null {
          return null;
        }
        override clientConnectionFailed(_c: IConnector, reason: Error): void {
          events.push('clientConnectionFailed');
          resolve(reason);
          throw new Error('factory bug');
        }
        override stopFactory(): void {
          events.push('stopFactory');
        }
      }
      reactor.connectTCP('127.0.0.1', port, new Refusing());
    });
    // Before the fix the throw escaped the socket's 'connect' event: an uncaught exception.
    expect((await failed).message).to.contain('refused to build a protocol');
    await new Promise((r) => setImmediate(r));
    expect(events).to.deep.equal(['clientConnectionFailed', 'stopFactory']);
    expect(cleanup.logged.filter((e) => e.level === 'error').map((e) => e.message).join()).to.contain('clientConnectionFailed() threw');
  });

  it('logs a clientConnectionLost() that throws, and still stops the factory', async () => {
    const port = await echoServer();
    cleanup.captureLog();
    const events: string[] = [];
    const stopped = deferred();
    class Leaving extends Recorder {
      override connectionMade(): void {
        super.connectionMade();
        this.transport.loseConnection();
      }
    }
    class Throwing extends ClientFactory {
      override protocol = Leaving;
      override clientConnectionLost(): void {
        events.push('clientConnectionLost');
        throw new Error('factory bug');
      }
      override stopFactory(): void {
        events.push('stopFactory');
        stopped.resolve();
      }
    }
    const factory = new Throwing();
    const connector = reactor.connectTCP('127.0.0.1', port, factory);
    // Before the fix the throw skipped doStop(): stopFactory never ran and numPorts stayed 1.
    await stopped.promise;
    expect(events).to.deep.equal(['clientConnectionLost', 'stopFactory']);
    expect(factory.numPorts).to.equal(0);
    expect(connector.state).to.equal('disconnected');
    expect(cleanup.logged.filter((e) => e.level === 'error').map((e) => e.message).join()).to.contain('clientConnectionLost() threw');
  });

  it('a startedConnecting() that throws fails connectTCP() with its error and leaves the factory stopped', async () => {
    const port = await echoServer();
    const boom = new Error('startedConnecting bug');
    const events: string[] = [];
    class Broken extends ClientFactory {
      override startFactory(): void {
        events.push('startFactory');
      }
      override stopFactory(): void {
        events.push('stopFactory');
      }
      override startedConnecting(): void {
        throw boom;
      }
    }
    const factory = new Broken();
    // Before the fix the factory stayed started (numPorts 1, no stopFactory) behind a connector
    // stuck in 'connecting' with no socket.
    expect(() => reactor.connectTCP('127.0.0.1', port, factory)).to.throw(boom);
    expect(events).to.deep.equal(['startFactory', 'stopFactory']);
    expect(factory.numPorts).to.equal(0);
  });

  it('a startFactory() that throws on a reconnect leaves the connector disconnected, not stuck connecting', async () => {
    const port = await closedPort();
    let starts = 0;
    const failed = deferred<IConnector>();
    class Flaky extends ClientFactory {
      override startFactory(): void {
        starts++;
        if (starts === 2) throw new Error('startFactory bug');
      }
      override clientConnectionFailed(connector: IConnector): void {
        failed.resolve(connector);
      }
    }
    const factory = new Flaky();
    reactor.connectTCP('127.0.0.1', port, factory);
    const connector = await failed.promise;
    await new Promise((r) => setImmediate(r)); // the factory is stopped after the failure
    expect(factory.numPorts).to.equal(0);
    // What a ReconnectingClientFactory's retry does: connect() again, which restarts the factory.
    expect(() => connector.connect()).to.throw('startFactory bug');
    expect(connector.state).to.equal('disconnected');
    expect(factory.numPorts).to.equal(0);
    // Before the fix it stayed 'connecting' with no socket, and every later connect() was refused.
    factory.startFactory = () => {};
    const again = deferred<IConnector>();
    factory.clientConnectionFailed = (c) => again.resolve(c);
    connector.connect();
    expect(await again.promise).to.equal(connector);
  });

  it('works over IPv6 loopback where the system has it', async function () {
    const factoryS = Factory.forProtocol(Echo);
    let port;
    try {
      port = cleanup.port(await reactor.listenTCP(0, factoryS, { interface: '::1' }));
    } catch {
      this.skip(); // no IPv6 loopback here
    }
    const host = port.getHost() as TCPAddress;
    expect(host.host).to.equal('::1');
    const factory = new RecordingClientFactory(() => new Hello());
    reactor.connectTCP('::1', host.port, factory);
    await factory.stopped.promise;
    expect(factory.protocols[0]!.received().toString()).to.equal('hello');
    expect(factory.protocols[0]!.transport.getPeer()).to.deep.equal({ type: 'TCP', host: '::1', port: host.port });
  });

  it('rejects bad arguments with typed errors', () => {
    const factory = new RecordingClientFactory(() => new Recorder());
    expect(() => reactor.connectTCP('127.0.0.1', 70000, factory)).to.throw(TorsionRangeError, /65535/);
    expect(() => reactor.connectTCP('127.0.0.1', 0, factory)).to.throw(TorsionRangeError);
    expect(() => reactor.connectTCP('127.0.0.1', '80' as unknown as number, factory)).to.throw(TorsionTypeError);
    expect(() => reactor.connectTCP('', 80, factory)).to.throw(TorsionTypeError);
    expect(() => reactor.connectTCP('127.0.0.1', 80, factory, { timeout: -1 })).to.throw(TorsionRangeError);
    expect(() => reactor.connectTCP('127.0.0.1', 80, {} as never)).to.throw(TorsionTypeError);
    // Before the fix Node's own TypeError escaped after startFactory, leaving the factory started
    // and the connector stuck 'connecting'.
    expect(() => reactor.connectTCP('127.0.0.1', 80, factory, { bindAddress: 'localhost' })).to.throw(TorsionTypeError, /IP address/);
    expect(() => reactor.connectTCP('127.0.0.1', 80, factory, { bindAddress: { host: 'nowhere', port: 0 } })).to.throw(TorsionTypeError, /bindAddress/);
    expect(factory.events).to.deep.equal([]);
  });
});
