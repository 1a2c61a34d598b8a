import { expect } from 'chai';
import { ConnectionDone, ConnectionRefusedError, NotSupportedError } from '@torsion/reactor';
import type { Address, IConnector, IPushProducer, ITransport } from '@torsion/reactor';
import { StringTransport, StringTransportWithDisconnection } from '@torsion/reactor/testing';
import { ClientFactory, Factory, Protocol, ProtocolWrapper, WrappingFactory } from '@torsion/protocols';

const ADDR: Address = { type: 'TCP', host: '10.0.0.1', port: 5000 };

/** Records every callback it receives. */
class Recorder extends Protocol {
  events: string[] = [];
  keepOpenOnEof = true;
  override connectionMade(): void {
    this.events.push('made');
  }
  override dataReceived(data: Buffer): void {
    this.events.push(`data:${data.toString()}`);
  }
  override eofReceived(): boolean {
    this.events.push('eof');
    return this.keepOpenOnEof;
  }
  override connectionLost(reason: Error): void {
    this.events.push(`lost:${reason.name}`);
    super.connectionLost(reason);
  }
  override pauseWriting(): void {
    this.events.push('pauseWriting');
  }
  override resumeWriting(): void {
    this.events.push('resumeWriting');
  }
  readingResumed(): void {
    this.events.push('readingResumed');
  }
}

function wrap(): { f: WrappingFactory; inner: Factory; w: ProtocolWrapper; p: Recorder; t: StringTransportWithDisconnection } {
  const inner = Factory.forProtocol(Recorder);
  const f = new WrappingFactory(inner);
  const w = f.buildProtocol(ADDR)!;
  const t = new StringTransportWithDisconnection({ peer: ADDR });
  void t.connect(w);
  return { f, inner, w, p: w.wrappedProtocol as Recorder, t };
}

describe('WrappingFactory / ProtocolWrapper', () => {
  it('builds a wrapper around the wrapped factory’s protocol and presents itself as its transport', () => {
    const { f, inner, w, p, t } = wrap();
    expect(w).to.be.instanceOf(ProtocolWrapper);
    expect(p).to.be.instanceOf(Recorder);
    expect(p.factory).to.equal(inner);
    expect(w.factory).to.equal(f);
    expect(w.transport).to.equal(t);
    expect(p.transport).to.equal(w);
    expect(p.events).to.deep.equal(['made']);
    expect(f.protocols.has(w)).to.equal(true);
  });

  it('forwards every protocol callback, including eofReceived’s answer', () => {
    const { w, p } = wrap();
    void w.dataReceived(Buffer.from('abc'));
    expect(w.eofReceived()).to.equal(true);
    p.keepOpenOnEof = false;
    expect(w.eofReceived()).to.equal(false);
    w.pauseWriting();
    w.resumeWriting();
    expect(p.events).to.deep.equal(['made', 'data:abc', 'eof', 'eof', 'pauseWriting', 'resumeWriting']);
  });

  it('forwards transport calls to the real transport', () => {
    const { w, p, t } = wrap();
    p.transport.write('one ');
    p.transport.writeSequence(['two ', Buffer.from('three')]);
    expect(t.value().toString()).to.equal('one two three');
    expect(p.transport.getPeer()).to.deep.equal(ADDR);
    expect(p.transport.getHost()).to.equal(t.getHost());
    expect(p.transport.getExtraInfo('peername')).to.deep.equal(ADDR);
    p.transport.setWriteBufferLimits(100, 10);
    expect([t.writeBufferHigh, t.writeBufferLow]).to.deep.equal([100, 10]);
    t.writeBufferSize = 42;
    expect(p.transport.getWriteBufferSize()).to.equal(42);
    expect(p.transport.canWriteEof()).to.equal(true);
    w.setTcpNoDelay(true);
    w.setTcpKeepAlive(true);
    expect([t.tcpNoDelay, t.tcpKeepAlive]).to.deep.equal([true, true]);
    const producer: IPushProducer = { pauseProducing() {}, resumeProducing() {}, stopProducing() {} };
    p.transport.registerProducer(producer, true);
    expect(t.producer).to.equal(producer);
    expect(t.streaming).to.equal(true);
    p.transport.unregisterProducer();
    expect(t.producer).to.equal(undefined);
    p.transport.writeEof();
    expect(t.eofWritten).to.equal(true);
  });

  it('forwards pause/resume of reading and isReading, and relays readingResumed', () => {
    const { p, t } = wrap();
    expect(p.transport.isReading()).to.equal(true);
    p.transport.pauseProducing();
    expect(t.producerState).to.equal('paused');
    expect(p.transport.isReading()).to.equal(false);
    p.transport.resumeProducing();
    expect(t.producerState).to.equal('producing');
    expect(p.events).to.include('readingResumed');
    p.transport.stopProducing();
    expect(t.producerState).to.equal('stopped');
  });

  it('loseConnection goes through, sets disconnecting, and connectionLost unregisters', () => {
    const { f, w, p, t } = wrap();
    expect(w.disconnecting).to.equal(false);
    p.transport.loseConnection();
    expect(w.disconnecting).to.equal(true);
    expect(t.lostReason).to.be.instanceOf(ConnectionDone);
    expect(p.events.at(-1)).to.equal('lost:ConnectionDone');
    expect(p.connected).to.equal(false);
    expect(f.protocols.size).to.equal(0);
  });

  it('abortConnection goes through', () => {
    const { p, t } = wrap();
    p.transport.abortConnection();
    expect(t.aborted).to.equal(true);
    expect(p.events.at(-1)).to.equal('lost:ConnectionAborted');
  });

  it('refuses the connection when the wrapped factory does', () => {
    class Picky extends Factory {
      override buildProtocol(): Protocol | null {
        return null;
      }
    }
    expect(new WrappingFactory(new Picky()).buildProtocol(ADDR)).to.equal(null);
  });

  it('passes start, stop and client notifications to the wrapped factory', () => {
    const calls: string[] = [];
    class Inner extends ClientFactory {
      override protocol = Recorder;
      override startFactory(): void { calls.push('start'); }
      override stopFactory(): void { calls.push('stop'); }
      override startedConnecting(): void { calls.push('started'); }
      override clientConnectionFailed(_c: IConnector, r: Error): void { calls.push(`failed:${r.name}`); }
      override clientConnectionLost(_c: IConnector, r: Error): void { calls.push(`lost:${r.name}`); }
    }
    const f = new WrappingFactory(new Inner());
    const connector = {} as IConnector;
    f.doStart();
    f.startedConnecting(connector);
    f.clientConnectionFailed(connector, new ConnectionRefusedError());
    f.clientConnectionLost(connector, new ConnectionDone());
    f.doStop();
    expect(calls).to.deep.equal(['start', 'started', 'failed:ConnectionRefusedError', 'lost:ConnectionDone', 'stop']);
    expect(f.numPorts).to.equal(0);
    // A plain (server) factory has no client callbacks: they are skipped.
    const g = new WrappingFactory(Factory.forProtocol(Recorder));
    expect(() => g.clientConnectionLost(connector, new ConnectionDone())).not.to.throw();
  });

  it('a wrapper subclass can intercept writes and reads', () => {
    const order: string[] = [];
    class Upper extends ProtocolWrapper {
      override connectionMade(): void {
        order.push(`wrapper made, inner connected: ${String((this.wrappedProtocol as Recorder).connected)}`);
      }
      override write(data: string | Uint8Array): void {
        super.write(Buffer.from(data).toString().toUpperCase());
      }
      override dataReceived(data: Buffer) {
        return super.dataReceived(Buffer.from(data.toString().toLowerCase()));
      }
    }
    class UpperFactory extends WrappingFactory {
      override protocol = Upper;
    }
    const f = new UpperFactory(Factory.forProtocol(Recorder));
    const w = f.buildProtocol(ADDR)!;
    const t = new StringTransport();
    void t.connect(w);
    const p = w.wrappedProtocol as Recorder;
    p.transport.write('hello');
    void w.dataReceived(Buffer.from('WORLD'));
    expect(t.value().toString()).to.equal('HELLO');
    expect(p.events).to.deep.equal(['made', 'data:world']);
    expect(order).to.deep.equal(['wrapper made, inner connected: false']);
  });

  it('startTLS() is forwarded to a TCP transport, and so is its promise', async () => {
    const { w } = wrap();
    const handshake = Promise.resolve();
    let got: unknown;
    const tcp = Object.assign(new StringTransport(), {
      startTLS: (options: unknown): Promise<void> => {
        got = options;
        return handshake;
      },
    });
    w.transport = tcp;
    const p = w.startTLS({ servername: 'example.test' });
    expect(p).to.equal(handshake);
    expect(got).to.deep.equal({ servername: 'example.test' });
    await p;
  });

  it('TCP-only calls over a transport without them are a NotSupportedError', () => {
    const { w } = wrap();
    const bare = { ...new StringTransport() } as unknown as ITransport; // no methods at all
    w.transport = bare;
    expect(() => w.setTcpNoDelay(true)).to.throw(NotSupportedError, /only works over TCP/);
  });
});
