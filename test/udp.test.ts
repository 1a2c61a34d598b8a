import { expect } from 'chai';
import dgram from 'node:dgram';
import { CannotListenError, ConnectFailedError, DNSLookupError, PortClosedError, Reactor, TorsionRangeError, TorsionTypeError, setLogObserver, type HostPort, type LogEvent } from '@torsion/reactor';
import { DatagramProtocol } from '@torsion/protocols';

class Recorder extends DatagramProtocol {
  readonly received: Array<{ data: string; from: HostPort }> = [];
  readonly events: string[] = [];
  #waiters: Array<() => void> = [];
  override startProtocol(): void { this.events.push('start'); }
  override stopProtocol(): void { this.events.push('stop'); }
  override connectionRefused(): void { this.events.push('refused'); this.#wake(); }
  override datagramReceived(data: Buffer, from: HostPort): void {
    this.received.push({ data: data.toString(), from });
    this.#wake();
  }
  #wake(): void { for (const w of this.#waiters.splice(0)) w(); }
  /** Resolves once `n` datagrams (or a refusal) have been seen. */
  async until(cond: () => boolean): Promise<void> {
    while (!cond()) await new Promise<void>((r) => this.#waiters.push(r));
  }
}

function portOf(addr: ReturnType<import('@torsion/reactor').UDPPort['getHost']>): number {
  if (addr.type !== 'UDP') throw new Error('not UDP');
  return addr.port;
}

describe('UDP ports', () => {
  const reactor = new Reactor({ installSignalHandlers: false });

  it('exchanges datagrams and reports the real port and the sender', async () => {
    const a = new Recorder();
    const b = new Recorder();
    const pa = await reactor.listenUDP(0, a, { interface: '127.0.0.1' });
    const pb = await reactor.listenUDP(0, b, { interface: '127.0.0.1' });
    try {
      expect(portOf(pa.getHost())).to.be.greaterThan(0);
      expect(a.events).to.deep.equal(['start']);
      a.transport.write('ping', { host: '127.0.0.1', port: portOf(pb.getHost()) });
      await b.until(() => b.received.length === 1);
      expect(b.received[0]).to.deep.equal({ data: 'ping', from: { host: '127.0.0.1', port: portOf(pa.getHost()) } });
      b.transport.writeSequence(['po', Buffer.from('ng')], b.received[0]!.from);
      await a.until(() => a.received.length === 1);
      expect(a.received[0]!.data).to.equal('pong');
    } finally {
      await pa.stopListening();
      await pb.stopListening();
    }
    expect(a.events).to.deep.equal(['start', 'stop']);
    await pa.stopListening(); // idempotent
  });

  it('still reports its address after stopListening(), as a TCP port does', async () => {
    let inStop: unknown;
    class Stopping extends Recorder {
      override stopProtocol(): void {
        inStop = this.transport.getHost();
      }
    }
    const port = await reactor.listenUDP(0, new Stopping(), { interface: '127.0.0.1' });
    const host = port.getHost();
    expect(portOf(host)).to.be.greaterThan(0);
    await port.stopListening();
    // Before the fix both were { type: 'UDP', host: '', port: 0 }: the socket no longer knew.
    expect(port.getHost()).to.deep.equal(host);
    expect(inStop).to.deep.equal(host);
  });

  it('refuses bad ports, interfaces, missing addresses and oversized datagrams with typed errors', async () => {
    const p = new Recorder();
    await expectReject(reactor.listenUDP(70000, p), TorsionRangeError);
    await expectReject(reactor.listenUDP(1.5, p), TorsionTypeError);
    await expectReject(reactor.listenUDP(0, p, { interface: 'localhost' }), TorsionTypeError);
    const port = await reactor.listenUDP(0, p, { interface: '127.0.0.1' });
    try {
      expect(() => port.write('x')).to.throw(TorsionTypeError, /needs the address/);
      expect(() => port.write(Buffer.alloc(70000), { host: '127.0.0.1', port: 9 })).to.throw(TorsionRangeError, /at most 65507/);
      expect(() => port.write('x', { host: '127.0.0.1', port: 0 })).to.throw(TorsionRangeError);
    } finally {
      await port.stopListening();
    }
    expect(() => port.write('x', { host: '127.0.0.1', port: 9 })).to.throw(PortClosedError);
  });

  it('rejects a connect() that Node refuses with a typed error', async () => {
    const port = await reactor.listenUDP(0, new Recorder(), { interface: '127.0.0.1' });
    try {
      await expectReject(port.connect('::1', 9), ConnectFailedError); // IPv6 on an IPv4 port
      await expectReject(port.connect('no-such-host.invalid', 9), DNSLookupError);
    } finally {
      await port.stopListening();
    }
  });

  it('fails with CannotListenError when the port is taken', async () => {
    const first = await reactor.listenUDP(0, new Recorder(), { interface: '127.0.0.1' });
    try {
      const err = await expectReject(reactor.listenUDP(portOf(first.getHost()), new Recorder(), { interface: '127.0.0.1' }), CannotListenError);
      expect(err.message).to.match(/in use/);
      expect((err as CannotListenError).port).to.equal(portOf(first.getHost()));
    } finally {
      await first.stopListening();
    }
  });

  it('tells a connected port that its peer refused a datagram', async () => {
    // Bind and close a socket to find a port nobody listens on.
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
    const deadPort = probe.address().port;
    await new Promise<void>((r) => probe.close(() => r()));
    const p = new Recorder();
    const port = await reactor.listenUDP(0, p, { interface: '127.0.0.1' });
    try {
      await port.connect('127.0.0.1', deadPort);
      expect(() => port.write('x', { host: '127.0.0.1', port: deadPort + 1 === 65536 ? 1 : deadPort + 1 })).to.throw(TorsionTypeError, /connected to/);
      // The ICMP "port unreachable" comes back asynchronously and is reported on the socket.
      port.write('hello?');
      await p.until(() => p.events.includes('refused'));
      expect(p.events).to.include('refused');
    } finally {
      await port.stopListening();
    }
  });

  it('logs a datagramReceived that throws and keeps serving', async () => {
    const seen: LogEvent[] = [];
    const previous = setLogObserver((e) => seen.push(e));
    class Fragile extends Recorder {
      override datagramReceived(data: Buffer, from: HostPort): void {
        if (data.toString() === 'boom') throw new Error('boom');
        super.datagramReceived(data, from);
      }
    }
    const p = new Fragile();
    const port = await reactor.listenUDP(0, p, { interface: '127.0.0.1' });
    const sender = dgram.createSocket('udp4');
    try {
      const to = portOf(port.getHost());
      sender.send('boom', to, '127.0.0.1');
      sender.send('fine', to, '127.0.0.1');
      await p.until(() => p.received.length === 1);
      expect(p.received[0]!.data).to.equal('fine');
      const errors = seen.filter((e) => e.level === 'error');
      expect(errors).to.have.length(1);
      expect(errors[0]!.message).to.match(/datagramReceived/);
      expect((errors[0]!.error as Error).message).to.equal('boom');
    } finally {
      setLogObserver(previous);
      sender.close();
      await port.stopListening();
    }
  });
});

async function expectReject(p: Promise<unknown>, type: new (...args: never[]) => Error): Promise<Error> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(type);
    return err as Error;
  }
  throw new Error(`expected a ${type.name}`);
}
