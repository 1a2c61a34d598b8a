// The policies of @torsion/protocols over real sockets on 127.0.0.1: a reconnecting client
// against a real connector, throttling real transports, per-peer limits and idle timeouts.
import { expect } from 'chai';
import { ConnectionAborted, ConnectingCancelledError, ConnectionRefusedError, type IConnector, type Reactor, type TCPAddress } from '@torsion/reactor';
import { Clock } from '@torsion/reactor/testing';
import { Factory, LimitConnectionsByPeer, Protocol, ReconnectingClientFactory, ThrottlingFactory, TimeoutMixin } from '@torsion/protocols';
import type { ProtocolWrapper } from '@torsion/protocols';
import { Cleanup, Echo, Recorder, RecordingFactory, closed, deferred, newReactor, pattern, rawConnect, readAtLeast, type Deferred } from './support/tcp-helpers.js';

const E = 2.7182818284590451;

/** A reconnecting factory whose steps a test can await. */
class WatchedReconnecting extends ReconnectingClientFactory {
  override protocol = Recorder;
  override jitter = 0;
  failures: Error[] = [];
  #waiters: Array<Deferred<Error>> = [];
  lost = deferred<Error>();
  made = deferred<Recorder>();
  override buildProtocol(addr: TCPAddress): Recorder | null {
    const p = super.buildProtocol(addr) as Recorder | null;
    if (p !== null) void p.made.promise.then(() => this.made.resolve(p));
    return p;
  }
  override clientConnectionFailed(connector: IConnector, reason: Error): void {
    this.failures.push(reason);
    super.clientConnectionFailed(connector, reason);
    this.#waiters.shift()?.resolve(reason);
  }
  override clientConnectionLost(connector: IConnector, reason: Error): void {
    super.clientConnectionLost(connector, reason);
    this.lost.resolve(reason);
  }
  nextFailure(): Promise<Error> {
    const d = deferred<Error>();
    this.#waiters.push(d);
    return d.promise;
  }
}

describe('policies over real TCP', () => {
  let reactor: Reactor;
  let cleanup: Cleanup;

  beforeEach(() => {
    reactor = newReactor();
    cleanup = new Cleanup();
  });
  afterEach(() => cleanup.run());

  async function freePort(): Promise<number> {
    const p = await reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: '127.0.0.1' });
    const port = (p.getHost() as TCPAddress).port;
    await p.stopListening();
    return port;
  }

  it('ReconnectingClientFactory backs off on refusals, connects once a server listens, and stopTrying is final', async () => {
    const port = await freePort();
    const clock = new Clock();
    const factory = new WatchedReconnecting();
    factory.clock = clock;
    let failure = factory.nextFailure();
    const connector = cleanup.connector(reactor.connectTCP('127.0.0.1', port, factory));
    expect(await failure).to.be.instanceOf(ConnectionRefusedError);
    expect(clock.getDelayedCalls()[0]!.getTime()).to.be.closeTo(E, 1e-9);

    failure = factory.nextFailure();
    clock.advance(E);
    expect(connector.state).to.equal('connecting');
    expect(await failure).to.be.instanceOf(ConnectionRefusedError);
    expect(clock.getDelayedCalls()[0]!.getTime() - clock.seconds()).to.be.closeTo(E ** 2, 1e-9);

    const server = new RecordingFactory(() => new Recorder());
    cleanup.port(await reactor.listenTCP(port, server, { interface: '127.0.0.1' }));
    clock.advance(E ** 2);
    const client = await factory.made.promise;
    expect(connector.state).to.equal('connected');
    expect(factory.retries).to.equal(0); // reset by the successful connection
    expect(factory.delay).to.equal(1);

    factory.stopTrying();
    const serverSide = await server.nextProtocol(0);
    serverSide.transport.loseConnection();
    await client.lost.promise;
    await factory.lost.promise;
    expect(clock.getDelayedCalls()).to.deep.equal([]);
    expect(connector.state).to.equal('disconnected');
    expect(factory.failures).to.have.length(2);
  });

  it('stopTrying() during a real attempt abandons it and schedules nothing', async () => {
    const clock = new Clock();
    const factory = new WatchedReconnecting();
    factory.clock = clock;
    const server = new RecordingFactory(() => new Recorder());
    const port = cleanup.port(await reactor.listenTCP(0, server, { interface: '127.0.0.1' }));
    const failure = factory.nextFailure();
    const connector = cleanup.connector(reactor.connectTCP('127.0.0.1', (port.getHost() as TCPAddress).port, factory));
    expect(connector.state).to.equal('connecting');
    factory.stopTrying();
    expect(await failure).to.be.instanceOf(ConnectingCancelledError);
    expect(connector.state).to.equal('disconnected');
    expect(clock.getDelayedCalls()).to.deep.equal([]);
    expect(factory.numPorts).to.equal(0); // the connector stopped the factory
  });

  it('ThrottlingFactory pauses a real transport past the read budget and lets the rest through window by window', async () => {
    const clock = new Clock();
    const server = new RecordingFactory(() => new Recorder());
    const throttled = new ThrottlingFactory(server, { readLimit: 4096 });
    throttled.clock = clock;
    const port = cleanup.port(await reactor.listenTCP(0, throttled, { interface: '127.0.0.1' }));
    const client = await rawConnect((port.getHost() as TCPAddress).port, cleanup);
    // Large enough to arrive in several reads (a socket read is at most 64 KiB).
    const limit = 4096;
    const data = pattern(256 * 1024);
    client.write(data);
    const p = await server.nextProtocol(0);
    await p.receivedAtLeast(limit);
    expect(throttled.readThrottled).to.equal(true);
    expect(p.transport.isReading()).to.equal(false);
    const wrapper = p.transport as ProtocolWrapper;
    expect(wrapper.transport.isReading()).to.equal(false); // the real TCP transport is paused
    let windows = 0;
    while (p.received().length < data.length) {
      expect(windows).to.be.lessThan(200);
      if (throttled.readThrottled) {
        clock.advance(1);
        windows += 1;
      } else {
        await p.receivedAtLeast(p.received().length + 1);
      }
    }
    expect(p.received().equals(data)).to.equal(true);
    // Each window lets `limit` bytes more through, plus at most one read's overshoot.
    expect(windows).to.be.at.least((data.length - 64 * 1024) / limit - 1);
    // The last window may leave the transport throttled (paused), and a paused transport does
    // not see the peer leave: close it here.
    p.transport.loseConnection();
  });

  it('LimitConnectionsByPeer refuses a second connection from the same host and serves the first', async () => {
    const limited = new LimitConnectionsByPeer(Factory.forProtocol(Echo), { maxConnectionsPerPeer: 1 });
    const port = cleanup.port(await reactor.listenTCP(0, limited, { interface: '127.0.0.1' }));
    const portNumber = (port.getHost() as TCPAddress).port;
    const first = await rawConnect(portNumber, cleanup);
    const echoed = readAtLeast(first, 4);
    first.write('ping');
    expect((await echoed).toString()).to.equal('ping');
    const second = await rawConnect(portNumber, cleanup);
    await closed(second);
    expect(limited.peerConnections.get('127.0.0.1')).to.equal(1);
    first.end();
    await closed(first);
  });

  it('TimeoutMixin aborts an idle real connection on the reactor clock', async () => {
    class Idle extends TimeoutMixin(Recorder) {
      override connectionMade(): void {
        super.connectionMade();
        this.setTimeout(0.05);
      }
    }
    const server = new RecordingFactory(() => {
      const p = new Idle();
      p.clock = reactor;
      return p;
    });
    const port = cleanup.port(await reactor.listenTCP(0, server, { interface: '127.0.0.1' }));
    const client = await rawConnect((port.getHost() as TCPAddress).port, cleanup);
    const p = await server.nextProtocol(0);
    expect(await p.lost.promise).to.be.instanceOf(ConnectionAborted);
    await closed(client);
    expect(reactor.getDelayedCalls()).to.deep.equal([]);
  });
});
