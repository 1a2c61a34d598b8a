import { expect } from 'chai';
import {
  ConnectionAborted, ConnectionDone, NotSupportedError, ProducerAlreadyRegistered, TorsionRangeError, TorsionTypeError, WriteAfterCloseError, WriteAfterEofError,
} from '@torsion/reactor';
import type { IProtocol, IPushProducer, ITransport } from '@torsion/reactor';
import { StringTransport, StringTransportWithDisconnection } from '@torsion/reactor/testing';
import { Protocol } from '@torsion/protocols';

class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

/**
 * Holds items it has not delivered yet while its transport is paused, like a framing would.
 * Written against IProtocol directly (not Protocol) so that it owns readingResumed whatever the
 * base class declares.
 */
class Held implements IProtocol {
  transport!: ITransport;
  connected = false;
  readonly pending: string[] = [];
  readonly seen: string[] = [];
  resumed = 0;
  lost: Error[] = [];
  makeConnection(transport: ITransport): void {
    this.transport = transport;
    this.connected = true;
  }
  dataReceived(data: Buffer): void {
    this.pending.push(...data.toString().split(','));
    this.deliver();
  }
  readingResumed(): void {
    this.resumed += 1;
    this.deliver();
  }
  connectionLost(reason: Error): void {
    this.connected = false;
    this.lost.push(reason);
  }
  deliver(): void {
    while (this.pending.length > 0 && this.transport.isReading()) {
      const item = this.pending.shift()!;
      this.seen.push(item);
      if (item === 'pause') this.transport.pauseProducing();
    }
  }
}

class Producer implements IPushProducer {
  pauseProducing(): void {}
  resumeProducing(): void {}
  stopProducing(): void {}
}

describe('StringTransport', () => {
  it('records writes and writeSequence as bytes, strings as UTF-8', () => {
    const t = new StringTransport();
    const echo = new Echo();
    t.connect(echo);
    expect(echo.transport).to.equal(t);
    expect(echo.connected).to.equal(true);
    echo.dataReceived(Buffer.from('ab'));
    t.write('é');
    t.writeSequence([Buffer.from('c'), new Uint8Array([0x64]), 'e']);
    expect(t.value()).to.deep.equal(Buffer.concat([Buffer.from('ab'), Buffer.from('é', 'utf8'), Buffer.from('cde')]));
    expect(t.value().toString()).to.equal('abécde');
  });

  it('writeSequence() with a part that is not bytes throws before recording any, as a socket transport does', () => {
    const t = new StringTransport();
    // Before the fix the parts before the bad one were recorded already.
    expect(() => t.writeSequence(['a', 42 as unknown as string, 'b'])).to.throw(TorsionTypeError);
    expect(t.value().length).to.equal(0);
  });

  it('copies written bytes so the writer may reuse its buffer', () => {
    const t = new StringTransport();
    const buf = Buffer.from('xyz');
    t.write(buf);
    buf.fill(0);
    expect(t.value().toString()).to.equal('xyz');
  });

  it('clear() forgets what was written', () => {
    const t = new StringTransport();
    t.write('one');
    expect(t.value().toString()).to.equal('one');
    t.clear();
    expect(t.value().length).to.equal(0);
    t.write('two');
    expect(t.value().toString()).to.equal('two');
  });

  it('rejects values that are not bytes or strings with a typed error', () => {
    const t = new StringTransport();
    expect(() => t.write(42 as unknown as string)).to.throw(TorsionTypeError, /Uint8Array/);
  });

  it('loseConnection() sets disconnecting, drops later writes, and calls no connectionLost', () => {
    const t = new StringTransport();
    const p = new Held();
    t.connect(p);
    t.write('before');
    t.loseConnection();
    expect(t.disconnecting).to.equal(true);
    expect(t.aborted).to.equal(false);
    t.write('after');
    expect(t.value().toString()).to.equal('before');
    expect(p.lost).to.deep.equal([]);
  });

  it('abortConnection() sets disconnecting and aborted', () => {
    const t = new StringTransport();
    t.abortConnection();
    expect(t.disconnecting).to.equal(true);
    expect(t.aborted).to.equal(true);
  });

  it('writeEof() makes later writes throw WriteAfterEofError', () => {
    const t = new StringTransport();
    expect(t.canWriteEof()).to.equal(true);
    t.write('x');
    t.writeEof();
    expect(t.eofWritten).to.equal(true);
    expect(() => t.write('y')).to.throw(WriteAfterEofError);
    expect(() => t.writeSequence(['y'])).to.throw(WriteAfterEofError);
    expect(t.value().toString()).to.equal('x');
    const tls = new StringTransport({ canWriteEof: false });
    expect(tls.canWriteEof()).to.equal(false);
    expect(() => tls.writeEof()).to.throw(NotSupportedError, /loseConnection/);
    expect(tls.eofWritten).to.equal(false);
  });

  it('registers one producer at a time', () => {
    const t = new StringTransport();
    const p = new Producer();
    t.registerProducer(p, true);
    expect(t.producer).to.equal(p);
    expect(t.streaming).to.equal(true);
    expect(() => t.registerProducer(new Producer(), false)).to.throw(ProducerAlreadyRegistered);
    t.unregisterProducer();
    expect(t.producer).to.equal(undefined);
    expect(t.streaming).to.equal(false);
    t.registerProducer(p, false);
    expect(t.streaming).to.equal(false);
  });

  it('tracks its read side and tells the protocol synchronously when reading resumes', () => {
    const t = new StringTransport();
    const p = new Held();
    t.connect(p);
    expect(t.producerState).to.equal('producing');
    expect(t.isReading()).to.equal(true);
    p.dataReceived(Buffer.from('a,pause,b,c'));
    expect(p.seen).to.deep.equal(['a', 'pause']);
    expect(t.producerState).to.equal('paused');
    expect(t.isReading()).to.equal(false);
    t.resumeProducing();
    expect(p.resumed).to.equal(1);
    expect(p.seen).to.deep.equal(['a', 'pause', 'b', 'c']);
    // Resuming a transport that is not paused is not a resumption.
    t.resumeProducing();
    expect(p.resumed).to.equal(1);
    t.stopProducing();
    expect(t.producerState).to.equal('stopped');
    t.pauseProducing();
    t.resumeProducing();
    expect(t.producerState).to.equal('stopped');
    expect(t.isReading()).to.equal(false);
    expect(p.resumed).to.equal(1);
  });

  it('learns its protocol from the constructor option too', () => {
    const p = new Held();
    const t = new StringTransport({ protocol: p });
    t.pauseProducing();
    t.resumeProducing();
    expect(p.resumed).to.equal(1);
  });

  it('reports loopback addresses by default, configurable ones otherwise', () => {
    const t = new StringTransport();
    expect(t.getHost()).to.deep.equal({ type: 'TCP', host: '127.0.0.1', port: 1234 });
    expect(t.getPeer()).to.deep.equal({ type: 'TCP', host: '127.0.0.1', port: 12345 });
    expect(t.getExtraInfo('peername')).to.deep.equal(t.getPeer());
    expect(t.getExtraInfo('sockname')).to.deep.equal(t.getHost());
    expect(t.getExtraInfo('cipher')).to.equal(undefined);
    const u = new StringTransport({
      peer: { type: 'UNIX', path: '/tmp/peer.sock' },
      host: { type: 'TCP', host: '::1', port: 80 },
      extraInfo: { cipher: 'TLS_AES_128_GCM_SHA256' },
    });
    expect(u.getPeer()).to.deep.equal({ type: 'UNIX', path: '/tmp/peer.sock' });
    expect(u.getHost()).to.deep.equal({ type: 'TCP', host: '::1', port: 80 });
    expect(u.getExtraInfo('cipher')).to.equal('TLS_AES_128_GCM_SHA256');
  });

  it('records buffer limits and TCP options; the write buffer is empty unless set', () => {
    const t = new StringTransport();
    expect(t.getWriteBufferSize()).to.equal(0);
    expect([t.writeBufferHigh, t.writeBufferLow]).to.deep.equal([65536, 16384]);
    t.setWriteBufferLimits(100, 10);
    expect([t.writeBufferHigh, t.writeBufferLow]).to.deep.equal([100, 10]);
    t.writeBufferSize = 500;
    expect(t.getWriteBufferSize()).to.equal(500);
    t.setTcpNoDelay(true);
    t.setTcpKeepAlive(false, 10);
    expect(t.startTLS({ servername: 'example.test' })).to.be.instanceOf(Promise); // resolved at once
    expect(t.tcpNoDelay).to.equal(true);
    expect(t.tcpKeepAlive).to.equal(false);
    expect(t.tlsOptions).to.deep.equal({ servername: 'example.test' });
  });
});

describe('StringTransport.startTLS', () => {
  it('resolves at once (there is no handshake in memory)', async () => {
    const t = new StringTransport();
    let resolved = false;
    void t.startTLS({}).then(() => (resolved = true));
    await Promise.resolve();
    expect(resolved).to.equal(true);
  });
});

describe('StringTransportWithDisconnection', () => {
  it('loseConnection() delivers connectionLost(ConnectionDone) once', () => {
    const t = new StringTransportWithDisconnection();
    const p = new Held();
    t.connect(p);
    t.write('bye');
    t.loseConnection();
    t.loseConnection();
    t.abortConnection();
    expect(p.lost).to.have.length(1);
    expect(p.lost[0]).to.be.instanceOf(ConnectionDone);
    expect(p.connected).to.equal(false);
    expect(t.value().toString()).to.equal('bye');
    expect(t.lostReason).to.equal(p.lost[0]);
  });

  it('abortConnection() delivers connectionLost(ConnectionAborted) once', () => {
    const t = new StringTransportWithDisconnection();
    const p = new Held();
    t.connect(p);
    t.abortConnection();
    t.loseConnection();
    expect(p.lost).to.have.length(1);
    expect(p.lost[0]).to.be.instanceOf(ConnectionAborted);
    expect(t.aborted).to.equal(true);
  });

  it('refuses a write once connectionLost has run, as a real transport does', () => {
    const t = new StringTransportWithDisconnection();
    t.connect(new Held());
    t.loseConnection();
    expect(() => t.write('late')).to.throw(WriteAfterCloseError);
    // A plain StringTransport never delivers connectionLost, so it only drops the write.
    const plain = new StringTransport();
    plain.loseConnection();
    plain.write('dropped');
    expect(plain.value().length).to.equal(0);
  });
});

describe('StringTransport, aligned with the socket transports', () => {
  it('derives a missing water mark as the reactor does and rejects bad ones', () => {
    const t = new StringTransport();
    t.setWriteBufferLimits(1000);
    expect([t.writeBufferHigh, t.writeBufferLow]).to.deep.equal([1000, 250]);
    t.setWriteBufferLimits(undefined, 100);
    expect([t.writeBufferHigh, t.writeBufferLow]).to.deep.equal([65536, 100]);
    expect(() => t.setWriteBufferLimits(10, 20)).to.throw(TorsionRangeError, /low/);
    expect(() => t.setWriteBufferLimits(1.5)).to.throw(TorsionRangeError);
    // The low mark it worked out is named, not "undefined".
    expect(() => t.setWriteBufferLimits(10.5)).to.throw(TorsionRangeError, /high \(10\.5\) and low \(2, from high \/ 4\)/);
  });

  it('once disconnecting: writes are dropped even after writeEof, producers are stopped, reading stays off', () => {
    const t = new StringTransport();
    const p = new Held();
    t.connect(p);
    t.pauseProducing();
    t.writeEof();
    t.loseConnection();
    expect(() => t.write('late')).to.not.throw();
    expect(t.value().length).to.equal(0);
    const stopped: string[] = [];
    t.registerProducer({ stopProducing: () => stopped.push('stop'), resumeProducing: () => {} }, false);
    expect(stopped).to.deep.equal(['stop']);
    expect(t.producer).to.equal(undefined);
    t.resumeProducing();
    expect(p.resumed).to.equal(0);
  });
});

