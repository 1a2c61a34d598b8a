import { expect } from 'chai';
import { ConnectionDone, TorsionRangeError, TorsionTypeError } from '@torsion/reactor';
import type { Address, IPullProducer, IPushProducer } from '@torsion/reactor';
import { Clock, StringTransport, StringTransportWithDisconnection } from '@torsion/reactor/testing';
import { Factory, Protocol, ThrottlingFactory, ThrottlingProtocol } from '@torsion/protocols';
import type { ProtocolWrapper, ThrottlingOptions } from '@torsion/protocols';

const ADDR: Address = { type: 'TCP', host: '10.0.0.1', port: 5000 };

class Sink extends Protocol {
  received: string[] = [];
  writePaused = false;
  resumedReading = 0;
  override dataReceived(data: Buffer): void {
    this.received.push(data.toString());
  }
  override pauseWriting(): void {
    this.writePaused = true;
  }
  override resumeWriting(): void {
    this.writePaused = false;
  }
  readingResumed(): void {
    this.resumedReading += 1;
  }
}

class Push implements IPushProducer {
  state: 'producing' | 'paused' | 'stopped' = 'producing';
  pauseProducing(): void { this.state = 'paused'; }
  resumeProducing(): void { this.state = 'producing'; }
  stopProducing(): void { this.state = 'stopped'; }
}

interface Conn { w: ProtocolWrapper; p: Sink; t: StringTransportWithDisconnection }

function make(options: ThrottlingOptions): { f: ThrottlingFactory; clock: Clock; connect: () => Conn } {
  const f = new ThrottlingFactory(Factory.forProtocol(Sink), options);
  const clock = new Clock();
  f.clock = clock;
  const connect = (): Conn => {
    const w = f.buildProtocol(ADDR)!;
    const t = new StringTransportWithDisconnection({ peer: ADDR });
    void t.connect(w);
    return { w, p: w.wrappedProtocol as Sink, t };
  };
  return { f, clock, connect };
}

function feed(c: Conn, text: string): void {
  void c.w.dataReceived(Buffer.from(text));
}

describe('ThrottlingFactory', () => {
  it('pauses reading on every connection once the read budget is spent, and resumes after a second', () => {
    const { f, clock, connect } = make({ readLimit: 10 });
    const a = connect();
    const b = connect();
    expect(a.w).to.be.instanceOf(ThrottlingProtocol);
    feed(a, '123456');
    expect(a.t.producerState).to.equal('producing');
    feed(b, '7890');
    expect(f.readThrottled).to.equal(true);
    expect([a.t.producerState, b.t.producerState]).to.deep.equal(['paused', 'paused']);
    expect(a.p.transport.isReading()).to.equal(false);
    // Nothing is lost: the chunk that crossed the limit was delivered.
    expect(b.p.received).to.deep.equal(['7890']);
    clock.advance(0.999);
    expect(a.t.producerState).to.equal('paused');
    clock.advance(0.001);
    expect([a.t.producerState, b.t.producerState]).to.deep.equal(['producing', 'producing']);
    expect(a.p.resumedReading).to.equal(1);
    expect(f.readThrottled).to.equal(false);
    expect(clock.getDelayedCalls()).to.deep.equal([]); // no debt left: no more windows
  });

  it('keeps reading paused for as many seconds as a burst overspent', () => {
    const { f, clock, connect } = make({ readLimit: 10 });
    const a = connect();
    feed(a, 'x'.repeat(25));
    expect(a.t.producerState).to.equal('paused');
    clock.advance(1); // owes 15
    expect(a.t.producerState).to.equal('paused');
    clock.advance(1); // owes 5: under a window's budget
    expect(a.t.producerState).to.equal('producing');
    expect(f.readThisSecond).to.equal(5);
    feed(a, '12345'); // the 5 left in this window
    expect(a.t.producerState).to.equal('paused');
    clock.advance(1);
    expect(a.t.producerState).to.equal('producing');
  });

  it('never resumes reading that the wrapped protocol paused itself', () => {
    const { clock, connect } = make({ readLimit: 10 });
    const a = connect();
    a.p.transport.pauseProducing();
    feed(a, 'x'.repeat(10));
    clock.advance(1);
    expect(a.t.producerState).to.equal('paused');
    feed(a, 'x'.repeat(10)); // throttled again
    a.p.transport.resumeProducing(); // the protocol is ready, the budget is not
    expect(a.t.producerState).to.equal('paused');
    clock.advance(1);
    expect(a.t.producerState).to.equal('producing');
  });

  it('pauses producers and the protocol’s writing once the write budget is spent; data still goes out', () => {
    const { f, clock, connect } = make({ writeLimit: 8 });
    const a = connect();
    const producer = new Push();
    a.p.transport.registerProducer(producer, true);
    a.p.transport.write('abcd');
    expect(producer.state).to.equal('producing');
    a.p.transport.writeSequence(['ef', Buffer.from('gh')]);
    expect(f.writeThrottled).to.equal(true);
    expect(producer.state).to.equal('paused');
    expect(a.p.writePaused).to.equal(true);
    expect(a.t.value().toString()).to.equal('abcdefgh');
    clock.advance(1);
    expect(producer.state).to.equal('producing');
    expect(a.p.writePaused).to.equal(false);
  });

  it('counts string writes in UTF-8 bytes', () => {
    const { f, connect } = make({ writeLimit: 100 });
    const a = connect();
    a.p.transport.write('é€');
    expect(f.writtenThisSecond).to.equal(5);
  });

  it('holds a producer the transport paused even when the throttle lifts', () => {
    const { clock, connect } = make({ writeLimit: 4 });
    const a = connect();
    const producer = new Push();
    a.p.transport.registerProducer(producer, true);
    const gate = a.t.producer as IPushProducer;
    a.p.transport.write('1234');
    gate.pauseProducing(); // the real transport's high-water mark
    clock.advance(1); // the throttle lifts
    expect(producer.state).to.equal('paused');
    gate.resumeProducing(); // the buffer drained
    expect(producer.state).to.equal('producing');
    // And the other way round: the transport resuming does not lift the throttle.
    a.p.transport.write('1234');
    expect(producer.state).to.equal('paused');
    gate.pauseProducing();
    gate.resumeProducing();
    expect(producer.state).to.equal('paused');
    clock.advance(1);
    expect(producer.state).to.equal('producing');
    gate.stopProducing();
    expect(producer.state).to.equal('stopped');
  });

  it('delays a pull producer’s next chunk until the write budget returns', () => {
    const { clock, connect } = make({ writeLimit: 4 });
    const a = connect();
    let pulls = 0;
    const producer: IPullProducer = { resumeProducing: () => { pulls += 1; }, stopProducing() {} };
    a.p.transport.registerProducer(producer, false);
    const gate = a.t.producer as IPullProducer;
    gate.resumeProducing();
    expect(pulls).to.equal(1);
    a.p.transport.write('1234');
    gate.resumeProducing();
    expect(pulls).to.equal(1);
    clock.advance(1);
    expect(pulls).to.equal(2);
    a.p.transport.unregisterProducer();
    expect(a.t.producer).to.equal(undefined);
  });

  it('starts a connection made while throttled in the throttled state', () => {
    const { connect } = make({ readLimit: 5, writeLimit: 5 });
    const a = connect();
    feed(a, '12345');
    a.p.transport.write('12345');
    const b = connect();
    expect(b.t.producerState).to.equal('paused');
    expect(b.p.writePaused).to.equal(true);
  });

  it('refuses connections beyond maxConnectionCount until one closes', () => {
    const { f, connect } = make({ maxConnectionCount: 2 });
    const a = connect();
    connect();
    expect(f.connectionCount).to.equal(2);
    expect(f.buildProtocol(ADDR)).to.equal(null);
    a.t.loseConnection();
    expect(f.connectionCount).to.equal(1);
    expect(f.buildProtocol(ADDR)).to.be.instanceOf(ThrottlingProtocol);
  });

  it('leaves no timer and clears its counters when the last connection closes', () => {
    const { f, clock, connect } = make({ readLimit: 10, writeLimit: 10 });
    const a = connect();
    const b = connect();
    feed(a, 'x'.repeat(30));
    b.p.transport.write('y'.repeat(30));
    expect(clock.getDelayedCalls()).to.have.length(1);
    a.t.loseConnection();
    expect(clock.getDelayedCalls()).to.have.length(1);
    b.t.abortConnection();
    expect(clock.getDelayedCalls()).to.deep.equal([]);
    expect([f.readThisSecond, f.writtenThisSecond, f.readThrottled, f.writeThrottled]).to.deep.equal([0, 0, false, false]);
  });

  it('does not count bytes written after the connection was lost (they are never sent)', () => {
    // A late reply (an async handler finishing after the peer left) must not arm a window on an
    // idle factory, nor make the next connection start throttled.
    const { f, clock } = make({ writeLimit: 10 });
    const w = f.buildProtocol(ADDR)!;
    const t = new StringTransport({ peer: ADDR });
    void t.connect(w);
    void w.connectionLost(new ConnectionDone());
    (w.wrappedProtocol as Sink).transport.write('y'.repeat(30));
    expect(clock.getDelayedCalls()).to.deep.equal([]);
    expect([f.writtenThisSecond, f.writeThrottled]).to.deep.equal([0, false]);
  });

  it('schedules nothing without limits or traffic', () => {
    const { clock, connect } = make({ readLimit: 10 });
    connect();
    expect(clock.getDelayedCalls()).to.deep.equal([]);
    const { clock: c2, connect: connect2 } = make({});
    const a = connect2();
    feed(a, 'x'.repeat(1000));
    a.p.transport.write('x'.repeat(1000));
    expect(c2.getDelayedCalls()).to.deep.equal([]);
    expect(a.t.producerState).to.equal('producing');
  });

  it('rejects zero, negative and non-numeric limits with a RangeError that says what to do', () => {
    const inner = Factory.forProtocol(Sink);
    for (const bad of [0, -5, Number.NaN, Infinity]) {
      expect(() => new ThrottlingFactory(inner, { readLimit: bad })).to.throw(RangeError, /readLimit must be a finite number above zero/);
      expect(() => new ThrottlingFactory(inner, { writeLimit: bad })).to.throw(TorsionRangeError, /writeLimit/);
    }
    expect(() => new ThrottlingFactory(inner, { maxConnectionCount: 0 })).to.throw(RangeError, /maxConnectionCount/);
    expect(() => new ThrottlingFactory(inner, { maxConnectionCount: 1.5 })).to.throw(RangeError, /whole number/);
    // Not a number at all: a TypeError, as everywhere else, quoting a string as a string.
    expect(() => new ThrottlingFactory(inner, { readLimit: '5' as unknown as number })).to.throw(TorsionTypeError, /readLimit must be a number, got "5"/);
    expect(() => new ThrottlingFactory(inner, { maxConnectionCount: '2' as unknown as number })).to.throw(TorsionTypeError, /maxConnectionCount must be a number/);
    const f = new ThrottlingFactory(inner);
    f.readLimit = -1; // set as a field: caught when the factory starts
    expect(() => f.doStart()).to.throw(RangeError, /readLimit/);
    expect(f.numPorts).to.equal(0);
  });
});
