import { expect } from 'chai';
import { ConnectionAborted, ConnectionDone, TorsionRangeError, TorsionTypeError, setLogObserver, type LogEvent } from '@torsion/reactor';
import { Clock, StringTransport, StringTransportWithDisconnection } from '@torsion/reactor/testing';
import { LineReceiver, Protocol, TimeoutMixin } from '@torsion/protocols';

/** A small base protocol with constructor arguments of its own, to check the mixin keeps them. */
class Greeter extends Protocol {
  lost: Error[] = [];
  constructor(readonly greeting: string, readonly times = 1) {
    super();
  }
  override connectionMade(): void {
    this.transport.write(this.greeting.repeat(this.times));
  }
  override connectionLost(reason: Error): void {
    this.lost.push(reason);
    super.connectionLost(reason);
  }
}

class IdleGreeter extends TimeoutMixin(Greeter) {
  override clock = new Clock();
  timedOut = 0;
  override connectionMade(): void {
    super.connectionMade();
    this.setTimeout(10);
  }
  override dataReceived(_data: Buffer): void {
    this.resetTimeout();
  }
  override timeoutConnection(): void {
    this.timedOut += 1;
    super.timeoutConnection();
  }
}

function connect(): { p: IdleGreeter; t: StringTransportWithDisconnection; clock: Clock } {
  const p = new IdleGreeter('hi', 2);
  const t = new StringTransportWithDisconnection();
  void t.connect(p);
  return { p, t, clock: p.clock };
}

describe('TimeoutMixin', () => {
  it('keeps the base class constructor arguments and behaviour', () => {
    const { p, t } = connect();
    expect(p.greeting).to.equal('hi');
    expect(p.times).to.equal(2);
    expect(t.value().toString()).to.equal('hihi');
    expect(p).to.be.instanceOf(Greeter);
    expect(p).to.be.instanceOf(Protocol);
  });

  it('fires at exactly the timeout and aborts the connection', () => {
    const { p, t, clock } = connect();
    clock.advance(9.999);
    expect(p.timedOut).to.equal(0);
    expect(t.disconnecting).to.equal(false);
    clock.advance(0.001);
    expect(p.timedOut).to.equal(1);
    expect(t.aborted).to.equal(true);
    expect(p.lost).to.have.length(1);
    expect(p.lost[0]).to.be.instanceOf(ConnectionAborted);
    expect(clock.getDelayedCalls()).to.deep.equal([]);
  });

  it('resetTimeout pushes the deadline a full timeout from now', () => {
    const { p, clock } = connect();
    clock.advance(8);
    void p.dataReceived(Buffer.from('x'));
    clock.advance(9);
    expect(p.timedOut).to.equal(0);
    clock.advance(1);
    expect(p.timedOut).to.equal(1);
  });

  it('connectionLost clears the timer', () => {
    const { p, t, clock } = connect();
    expect(clock.getDelayedCalls()).to.have.length(1);
    t.loseConnection();
    expect(p.lost[0]).to.be.instanceOf(ConnectionDone);
    expect(clock.getDelayedCalls()).to.deep.equal([]);
    clock.advance(100);
    expect(p.timedOut).to.equal(0);
  });

  it('clears the timer even when a subclass overrides connectionLost without calling super', () => {
    class Careless extends TimeoutMixin(Protocol) {
      override clock = new Clock();
      override connectionMade(): void {
        this.setTimeout(5);
      }
      override connectionLost(_reason: Error): void {}
    }
    const p = new Careless();
    const t = new StringTransportWithDisconnection();
    void t.connect(p);
    expect(p.clock.getDelayedCalls()).to.have.length(1);
    t.loseConnection();
    expect(p.clock.getDelayedCalls()).to.deep.equal([]);
  });

  it('schedules nothing when setTimeout() is called after the connection was lost', () => {
    const { p, t, clock } = connect();
    t.loseConnection();
    expect(p.setTimeout(5)).to.equal(10);
    expect(p.timeOut).to.equal(5);
    expect(clock.getDelayedCalls()).to.deep.equal([]);
    p.resetTimeout();
    expect(clock.getDelayedCalls()).to.deep.equal([]);
  });

  it('logs a timeoutConnection() that throws and aborts the connection', () => {
    class Broken extends TimeoutMixin(Protocol) {
      override clock = new Clock();
      override connectionMade(): void {
        this.setTimeout(5);
      }
      override timeoutConnection(): void {
        throw new Error('farewell failed');
      }
    }
    const events: LogEvent[] = [];
    const previous = setLogObserver((e) => events.push(e));
    try {
      const p = new Broken();
      const t = new StringTransportWithDisconnection();
      void t.connect(p);
      p.clock.advance(5);
      expect(t.disconnecting).to.equal(true);
      expect(events.some((e) => e.level === 'error' && /timeoutConnection\(\) threw/.test(e.message) && (e.error as Error).message === 'farewell failed')).to.equal(true);
    } finally {
      setLogObserver(previous);
    }
  });

  it('setTimeout returns the previous value, reschedules, and null cancels', () => {
    const { p, clock } = connect();
    expect(p.timeOut).to.equal(10);
    expect(p.setTimeout(3)).to.equal(10);
    expect(p.timeOut).to.equal(3);
    expect(clock.getDelayedCalls()).to.have.length(1);
    clock.advance(2);
    expect(p.setTimeout(null)).to.equal(3);
    expect(clock.getDelayedCalls()).to.deep.equal([]);
    p.resetTimeout(); // no timer: nothing to reset
    expect(clock.getDelayedCalls()).to.deep.equal([]);
    clock.advance(20);
    expect(p.timedOut).to.equal(0);
    expect(p.setTimeout(4)).to.equal(null);
    clock.advance(4);
    expect(p.timedOut).to.equal(1);
  });

  it('fires once, and timeoutConnection may arm a new timer', () => {
    class Nagging extends TimeoutMixin(Protocol) {
      override clock = new Clock();
      nags = 0;
      override connectionMade(): void {
        this.setTimeout(1);
      }
      override timeoutConnection(): void {
        this.nags += 1;
        this.transport.write('still there?\n');
        if (this.nags < 3) this.setTimeout(1);
      }
    }
    const p = new Nagging();
    const t = new StringTransport();
    void t.connect(p);
    p.clock.pump([1, 1, 1, 1, 1]);
    expect(p.nags).to.equal(3);
    expect(t.value().toString()).to.equal('still there?\n'.repeat(3));
    expect(p.clock.getDelayedCalls()).to.deep.equal([]);
  });

  it('reads the clock when scheduling, so it can be assigned after construction', () => {
    class Plain extends TimeoutMixin(Protocol) {}
    const p = new Plain();
    const clock = new Clock();
    p.clock = clock;
    const t = new StringTransport();
    void t.connect(p);
    p.setTimeout(2);
    clock.advance(2);
    expect(t.aborted).to.equal(true);
  });

  it('rejects a timeout that is not a positive finite number', () => {
    const { p } = connect();
    for (const bad of [0, -1, Number.NaN, Infinity]) {
      expect(() => p.setTimeout(bad)).to.throw(TorsionRangeError, /pass null to setTimeout\(\) to cancel/);
    }
    expect(() => p.setTimeout('5' as unknown as number)).to.throw(TorsionTypeError, /number of seconds, got "5"/);
    expect(p.timeOut).to.equal(10);
  });

  it('takes the timeout from a subclass field, Twisted style, and resetTimeout follows changes to it', () => {
    class Configured extends TimeoutMixin(Protocol) {
      override clock = new Clock();
      override timeOut: number | null = 60;
      override connectionMade(): void {
        this.setTimeout(this.timeOut);
      }
    }
    const p = new Configured();
    const t = new StringTransport();
    void t.connect(p);
    p.clock.advance(59);
    p.timeOut = 5;
    p.resetTimeout();
    p.clock.advance(4.5);
    expect(t.aborted).to.equal(false);
    p.clock.advance(0.5);
    expect(t.aborted).to.equal(true);
  });

  it('resetTimeout with timeOut set to null cancels, and with a bad value throws', () => {
    const { p, clock } = connect();
    p.timeOut = -1;
    expect(() => p.resetTimeout()).to.throw(RangeError, /above zero/);
    p.timeOut = null;
    p.resetTimeout();
    expect(clock.getDelayedCalls()).to.deep.equal([]);
  });

  it('does not fail when the timer fires before a connection is made', () => {
    class Early extends TimeoutMixin(Protocol) {
      override clock = new Clock();
    }
    const p = new Early();
    p.setTimeout(1);
    expect(() => p.clock.advance(1)).not.to.throw();
  });
});

describe('TimeoutMixin over LineReceiver (DESIGN.md usage)', () => {
  class IdleLines extends TimeoutMixin(LineReceiver) {
    override clock = new Clock();
    override delimiter = '\n';
    override MAX_LENGTH = 8;
    lines: string[] = [];
    override connectionMade(): void {
      this.setTimeout(5);
    }
    override lineReceived(line: Buffer): void {
      this.resetTimeout();
      this.lines.push(line.toString());
      this.sendLine(line);
    }
  }

  it('compiles as class P extends TimeoutMixin(LineReceiver) and keeps line framing and the timer working together', () => {
    const p = new IdleLines();
    const t = new StringTransportWithDisconnection();
    void t.connect(p);
    p.dataReceived(Buffer.from('a\nb'));
    p.clock.advance(4);
    p.dataReceived(Buffer.from('\n'));
    p.clock.advance(4);
    expect(p.lines).to.deep.equal(['a', 'b']);
    expect(t.value().toString()).to.equal('a\nb\n');
    expect(t.disconnecting).to.equal(false);
    p.clock.advance(1);
    expect(t.aborted).to.equal(true);
    expect(p.clock.getDelayedCalls()).to.deep.equal([]);
  });

  it('clears the timer when LineReceiver drops an over-long line', () => {
    const p = new IdleLines();
    const t = new StringTransportWithDisconnection();
    void t.connect(p);
    p.dataReceived(Buffer.from('123456789\n'));
    expect(t.disconnecting).to.equal(true);
    expect(t.lostReason).to.be.instanceOf(ConnectionDone);
    expect(p.clock.getDelayedCalls()).to.deep.equal([]);
  });
});
