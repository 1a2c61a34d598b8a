import { expect } from 'chai';
import {
  ConnectFailedError, ConnectingCancelledError, ConnectionAborted, ConnectionDone, ConnectionLost, ConnectionRefusedError, ConnectorStateError,
  NotListeningError, ReactorNotRunning, TorsionRangeError,
} from '@torsion/reactor';
import type { Address, IConnector } from '@torsion/reactor';
import { MemoryReactor } from '@torsion/reactor/testing';
import { ClientFactory, Factory, Protocol } from '@torsion/protocols';

class Greeter extends Protocol {
  override connectionMade(): void {
    this.transport.write('hello\r\n');
  }
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

class CountingFactory extends Factory {
  override protocol = Greeter;
  events: string[] = [];
  override startFactory(): void {
    this.events.push('start');
  }
  override stopFactory(): void {
    this.events.push('stop');
  }
}

/** Records what a client factory hears, and reconnects a fixed number of times from its callbacks. */
class Recorder extends ClientFactory {
  override protocol = Greeter;
  events: string[] = [];
  reasons: Error[] = [];
  retries = 0;
  override startFactory(): void {
    this.events.push('startFactory');
  }
  override stopFactory(): void {
    this.events.push('stopFactory');
  }
  override startedConnecting(_c: IConnector): void {
    this.events.push('startedConnecting');
  }
  override buildProtocol(addr: Address): Protocol | null {
    this.events.push('buildProtocol');
    return super.buildProtocol(addr);
  }
  override clientConnectionFailed(c: IConnector, reason: Error): void {
    this.events.push('clientConnectionFailed');
    this.reasons.push(reason);
    this.#retry(c);
  }
  override clientConnectionLost(c: IConnector, reason: Error): void {
    this.events.push('clientConnectionLost');
    this.reasons.push(reason);
    this.#retry(c);
  }
  #retry(c: IConnector): void {
    if (this.retries > 0) {
      this.retries -= 1;
      c.connect();
    }
  }
}

describe('MemoryReactor', () => {
  it('records listenTCP calls and resolves to a port reporting its address', async () => {
    const reactor = new MemoryReactor();
    const factory = new CountingFactory();
    const port = await reactor.listenTCP(8023, factory, { interface: '127.0.0.1', backlog: 5 });
    expect(reactor.tcpServers).to.have.length(1);
    const [rec] = reactor.tcpServers;
    expect(rec!.port).to.equal(8023);
    expect(rec!.factory).to.equal(factory);
    expect(rec!.options).to.deep.equal({ interface: '127.0.0.1', backlog: 5 });
    expect(rec!.listeningPort).to.equal(port);
    expect(port.getHost()).to.deep.equal({ type: 'TCP', host: '127.0.0.1', port: 8023 });
    expect(factory.events).to.deep.equal(['start']);
    await port.stopListening();
    await port.stopListening();
    expect(port.listening).to.equal(false);
    expect(factory.events).to.deep.equal(['start', 'stop']);
  });

  it('gives a port asked for 0 a real-looking port number, and rejects bad ones', async () => {
    const reactor = new MemoryReactor();
    const a = await reactor.listenTCP(0, new CountingFactory());
    const b = await reactor.listenTCP(0, new CountingFactory());
    const pa = (a.getHost() as { port: number }).port;
    const pb = (b.getHost() as { port: number }).port;
    expect(pa).to.be.greaterThan(0);
    expect(pb).to.not.equal(pa);
    let caught: unknown;
    await reactor.listenTCP(70000, new CountingFactory()).catch((e: unknown) => { caught = e; });
    expect(caught).to.be.instanceOf(TorsionRangeError);
    expect(() => reactor.connectTCP('127.0.0.1', 0, new Recorder())).to.throw(TorsionRangeError, /connectTCP/);
  });

  it('hands a listening factory a connection over an in-memory transport', async () => {
    const reactor = new MemoryReactor();
    const port = await reactor.listenTCP(8023, Factory.forProtocol(Greeter), { interface: '0.0.0.0' });
    const conn = port.accept<Greeter>()!;
    expect(conn.protocol).to.be.instanceOf(Greeter);
    expect(conn.protocol.connected).to.equal(true);
    expect(conn.transport.value().toString()).to.equal('hello\r\n');
    expect(conn.transport.getHost()).to.deep.equal({ type: 'TCP', host: '127.0.0.1', port: 8023 });
    const peer = conn.transport.getPeer() as { type: string; host: string; port: number };
    expect(peer.type).to.equal('TCP');
    expect(peer.port).to.be.greaterThan(0);
    conn.transport.clear();
    conn.protocol.dataReceived(Buffer.from('ping'));
    expect(conn.transport.value().toString()).to.equal('ping');
    conn.transport.loseConnection();
    expect(conn.protocol.connected).to.equal(false);
    expect(port.connections).to.deep.equal([conn]);
    await port.stopListening();
    expect(() => port.accept()).to.throw(NotListeningError);
  });

  it('returns null when the factory refuses a connection', async () => {
    class Refusing extends Factory {
      override buildProtocol(): Protocol | null {
        return null;
      }
    }
    const reactor = new MemoryReactor();
    const port = await reactor.listenTCP(1, new Refusing());
    expect(port.accept()).to.equal(null);
    expect(port.connections).to.deep.equal([]);
  });

  it('records UNIX, TLS and UDP listeners with their addresses', async () => {
    const reactor = new MemoryReactor();
    const f = new CountingFactory();
    const unix = await reactor.listenUNIX('/tmp/x.sock', f);
    const tls = await reactor.listenSSL(443, f, { cert: 'c', key: 'k' });
    const datagram = { datagramReceived(): void {} };
    const udp = await reactor.listenUDP(0, datagram, { interface: '127.0.0.1' });
    expect(unix.getHost()).to.deep.equal({ type: 'UNIX', path: '/tmp/x.sock' });
    expect(tls.getHost()).to.deep.equal({ type: 'TLS', host: '0.0.0.0', port: 443 });
    expect(udp.getHost()).to.include({ type: 'UDP', host: '127.0.0.1' });
    expect(reactor.unixServers[0]!.path).to.equal('/tmp/x.sock');
    expect(reactor.sslServers[0]!.tlsOptions).to.deep.equal({ cert: 'c', key: 'k' });
    expect(reactor.udpServers[0]!.protocol).to.equal(datagram);
    expect(() => udp.accept()).to.throw(NotListeningError, /UDP/);
    // One factory on two ports starts once and stops after the last.
    expect(f.events).to.deep.equal(['start']);
    await unix.stopListening();
    expect(f.events).to.deep.equal(['start']);
    await tls.stopListening();
    expect(f.events).to.deep.equal(['start', 'stop']);
    const conn = (await reactor.listenUNIX('/tmp/y.sock', f)).accept()!;
    expect(conn.transport.getHost()).to.deep.equal({ type: 'UNIX', path: '/tmp/y.sock' });
  });

  it('records connectTCP calls and starts the attempt as a reactor would', () => {
    const reactor = new MemoryReactor();
    const factory = new Recorder();
    const connector = reactor.connectTCP('127.0.0.1', 8023, factory, { timeout: 5 });
    expect(reactor.tcpClients).to.have.length(1);
    expect(reactor.tcpClients[0]).to.include({ host: '127.0.0.1', port: 8023, factory, connector });
    expect(reactor.tcpClients[0]!.options).to.deep.equal({ timeout: 5 });
    expect(connector.getDestination()).to.deep.equal({ type: 'TCP', host: '127.0.0.1', port: 8023 });
    expect(connector.state).to.equal('connecting');
    expect(connector.calls).to.deep.equal([]);
    expect(factory.events).to.deep.equal(['startFactory', 'startedConnecting']);
  });

  it('follows a client connection through the factory callbacks in order', () => {
    const reactor = new MemoryReactor();
    const factory = new Recorder();
    const connector = reactor.connectTCP('10.1.2.3', 8023, factory);
    const conn = connector.succeed<Greeter>()!;
    expect(connector.state).to.equal('connected');
    expect(conn.transport.getPeer()).to.deep.equal({ type: 'TCP', host: '10.1.2.3', port: 8023 });
    expect(conn.transport.value().toString()).to.equal('hello\r\n');
    conn.transport.lose();
    expect(connector.state).to.equal('disconnected');
    expect(factory.events).to.deep.equal([
      'startFactory', 'startedConnecting', 'buildProtocol', 'clientConnectionLost', 'stopFactory',
    ]);
    expect(factory.reasons[0]).to.be.instanceOf(ConnectionLost);
    expect(conn.protocol.connected).to.equal(false);
  });

  it('lets the test fail an attempt, and a factory retry from its callback', () => {
    const reactor = new MemoryReactor();
    const factory = new Recorder();
    factory.retries = 1;
    const connector = reactor.connectTCP('127.0.0.1', 8023, factory);
    connector.fail();
    expect(factory.reasons[0]).to.be.instanceOf(ConnectionRefusedError);
    expect(connector.calls).to.deep.equal(['connect']);
    expect(connector.state).to.equal('connecting');
    expect(connector.attempts).to.equal(2);
    connector.fail(new ConnectionAborted());
    expect(factory.reasons[1]).to.be.instanceOf(ConnectionAborted);
    expect(connector.state).to.equal('disconnected');
    // The factory kept running across the retry and stopped once, at the end.
    expect(factory.events.filter((e) => e === 'startFactory')).to.have.length(1);
    expect(factory.events.at(-1)).to.equal('stopFactory');
  });

  it('records stopConnecting and disconnect, with the reasons a real connector gives', () => {
    const reactor = new MemoryReactor();
    const factory = new Recorder();
    const connector = reactor.connectTCP('127.0.0.1', 8023, factory);
    connector.stopConnecting();
    expect(factory.reasons[0]).to.be.instanceOf(ConnectingCancelledError);
    connector.stopConnecting(); // not connecting: nothing happens, as with a real connector
    expect(factory.reasons).to.have.length(1);
    connector.connect();
    const conn = connector.succeed()!;
    connector.disconnect();
    expect(factory.reasons[1]).to.be.instanceOf(ConnectionDone);
    expect(conn.transport.disconnecting).to.equal(true);
    connector.disconnect();
    expect(connector.calls).to.deep.equal(['stopConnecting', 'stopConnecting', 'connect', 'disconnect', 'disconnect']);
  });

  it('a client factory that refuses a connection hears clientConnectionFailed(ConnectFailedError), as from a real connector', () => {
    const reactor = new MemoryReactor();
    class Refusing extends Recorder {
      override buildProtocol(addr: Address): Protocol | null {
        super.buildProtocol(addr);
        return null;
      }
    }
    const factory = new Refusing();
    const connector = reactor.connectTCP('127.0.0.1', 8023, factory);
    expect(connector.succeed()).to.equal(null);
    // Before the fix: clientConnectionLost(ConnectionDone), which the real connector never says here.
    expect(factory.events).to.deep.equal(['startFactory', 'startedConnecting', 'buildProtocol', 'clientConnectionFailed', 'stopFactory']);
    expect(factory.reasons[0]).to.be.instanceOf(ConnectFailedError);
    expect(factory.reasons[0]!.message).to.contain('buildProtocol returned null');
    expect(connector.state).to.equal('disconnected');
  });

  it('refuses to drive a connector from the wrong state', () => {
    const reactor = new MemoryReactor();
    const connector = reactor.connectUNIX('/tmp/s.sock', new Recorder());
    expect(connector.getDestination()).to.deep.equal({ type: 'UNIX', path: '/tmp/s.sock' });
    connector.succeed();
    expect(() => connector.succeed()).to.throw(ConnectorStateError, /connected/);
    expect(() => connector.fail()).to.throw(ConnectorStateError);
    expect(() => connector.connect()).to.throw(ConnectFailedError, /connected/);
    expect(reactor.unixClients[0]!.connector).to.equal(connector);
  });

  it('records connectSSL with its TLS options', () => {
    const reactor = new MemoryReactor();
    const c = reactor.connectSSL('127.0.0.1', 443, new Recorder(), { servername: 'x.test' });
    expect(reactor.sslClients[0]!.tlsOptions).to.deep.equal({ servername: 'x.test' });
    expect(c.getDestination()).to.deep.equal({ type: 'TLS', host: '127.0.0.1', port: 443 });
  });

  it('runs callWhenRunning calls and shutdown triggers in phase order', async () => {
    const reactor = new MemoryReactor();
    const seen: string[] = [];
    reactor.callWhenRunning((x: string) => seen.push(x), 'running');
    reactor.addSystemEventTrigger('after', 'shutdown', () => seen.push('after'));
    const removed = reactor.addSystemEventTrigger('during', 'shutdown', () => seen.push('removed'));
    reactor.addSystemEventTrigger('before', 'shutdown', async () => {
      await Promise.resolve();
      seen.push('before');
    });
    reactor.removeSystemEventTrigger(removed);
    let stopErr: unknown;
    await reactor.stop().catch((e: unknown) => { stopErr = e; });
    expect(stopErr).to.be.instanceOf(ReactorNotRunning);
    const ran = reactor.run();
    expect(reactor.running).to.equal(true);
    expect(seen).to.deep.equal(['running']);
    await reactor.stop();
    await ran;
    expect(seen).to.deep.equal(['running', 'before', 'after']);
    expect(reactor.running).to.equal(false);
    expect(reactor.hasStopped).to.equal(true);
  });
});
