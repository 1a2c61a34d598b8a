import { expect } from 'chai';
import { ConnectingCancelledError, ConnectionLost, ConnectionRefusedError, setLogObserver } from '@torsion/reactor';
import type { Address, IConnector, LogEvent } from '@torsion/reactor';
import { Clock, MemoryReactorClock } from '@torsion/reactor/testing';
import { NoConnectorToRetryError, Protocol, ReconnectingClientFactory } from '@torsion/protocols';

const ADDR: Address = { type: 'TCP', host: '127.0.0.1', port: 9 };
const E = 2.7182818284590451;

/** A connector whose attempts the test decides: it records connect() calls and reports to the factory. */
class FakeConnector implements IConnector {
  state: 'disconnected' | 'connecting' | 'connected' = 'disconnected';
  attempts = 0;
  stopped = 0;
  constructor(readonly factory: ReconnectingClientFactory) {}
  getDestination(): Address {
    return ADDR;
  }
  connect(): void {
    this.attempts += 1;
    this.state = 'connecting';
    this.factory.startedConnecting(this);
  }
  stopConnecting(): void {
    this.stopped += 1;
    this.fail(new ConnectingCancelledError());
  }
  disconnect(): void {
    if (this.state === 'connected') this.lose();
    else if (this.state === 'connecting') this.stopConnecting();
  }
  fail(reason: Error = new ConnectionRefusedError()): void {
    this.state = 'disconnected';
    this.factory.clientConnectionFailed(this, reason);
  }
  succeed(): Protocol | null {
    this.state = 'connected';
    return this.factory.buildProtocol(ADDR);
  }
  lose(reason: Error = new ConnectionLost()): void {
    this.state = 'disconnected';
    this.factory.clientConnectionLost(this, reason);
  }
}

class Client extends Protocol {}

function setup(configure?: (f: ReconnectingClientFactory) => void): { f: ReconnectingClientFactory; c: FakeConnector; clock: Clock } {
  const f = ReconnectingClientFactory.forProtocol(Client);
  const clock = new Clock();
  f.clock = clock;
  f.jitter = 0;
  configure?.(f);
  const c = new FakeConnector(f);
  c.connect();
  return { f, c, clock };
}

function pendingDelay(clock: Clock): number {
  const calls = clock.getDelayedCalls();
  expect(calls).to.have.length(1);
  return calls[0]!.getTime() - clock.seconds();
}

describe('ReconnectingClientFactory', () => {
  it("has Twisted's defaults", () => {
    const f = new ReconnectingClientFactory();
    expect(f.initialDelay).to.equal(1.0);
    expect(f.factor).to.equal(E);
    expect(f.maxDelay).to.equal(3600);
    expect(f.jitter).to.equal(0.11962656472);
    expect(f.maxRetries).to.equal(undefined);
    expect(f.delay).to.equal(1.0);
    expect(f.retries).to.equal(0);
    expect(f.continueTrying).to.equal(true);
  });

  it('backs off by factor after each failure and caps at maxDelay', () => {
    const { f, c, clock } = setup();
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) {
      c.fail();
      const d = pendingDelay(clock);
      seen.push(d);
      clock.advance(d);
      expect(c.attempts).to.equal(i + 2);
    }
    const expected: number[] = [];
    for (let i = 1; i <= 12; i++) expected.push(Math.min(E ** i, 3600));
    expect(seen.length).to.equal(12);
    seen.forEach((d, i) => expect(d).to.be.closeTo(expected[i]!, 1e-6));
    expect(seen[8]).to.equal(3600); // e^9 > 3600: capped from the 9th retry on
    expect(f.retries).to.equal(12);
  });

  it('reads its fields when a retry is scheduled (subclass overrides apply)', () => {
    class Quick extends ReconnectingClientFactory {
      override protocol = Client;
      override initialDelay = 0.5;
      override factor = 2;
      override maxDelay = 3;
      override jitter = 0;
    }
    const f = new Quick();
    const clock = new Clock();
    f.clock = clock;
    const c = new FakeConnector(f);
    c.connect();
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      c.fail();
      const d = pendingDelay(clock);
      seen.push(d);
      clock.advance(d);
    }
    expect(seen).to.deep.equal([1, 2, 3, 3]);
  });

  it('spreads delays with jitter from an injected random source, never beyond the cap', () => {
    const { f, c, clock } = setup((f) => {
      f.jitter = 0.11962656472;
      f.random = () => 0.5; // u1 = 0.5, u2 = 0.5: z = -sqrt(2 ln 2)
    });
    c.fail();
    const z = -Math.sqrt(-2 * Math.log(0.5));
    expect(pendingDelay(clock)).to.be.closeTo(E * (1 + 0.11962656472 * z), 1e-9);
    expect(f.delay).to.be.closeTo(E * (1 + 0.11962656472 * z), 1e-9);
    // Draws far in the tails (z = ±8.57) are clipped to [initialDelay, maxDelay].
    const tail = (u2: number) => {
      const draws = [1 - 2 ** -53, u2];
      return () => draws.shift() ?? 0;
    };
    f.stopTrying();
    f.continueTrying = true;
    f.delay = 3600;
    f.random = tail(0); // cos(0) = 1: far above the mean
    c.fail();
    expect(pendingDelay(clock)).to.equal(3600);
    f.stopTrying();
    f.continueTrying = true;
    f.random = tail(0.5); // cos(pi) = -1: below zero
    c.fail();
    expect(pendingDelay(clock)).to.equal(1);
  });

  it('a jitter draw below zero does not leave the backoff stuck at zero delay', () => {
    const { f, c, clock } = setup((f) => {
      f.jitter = 0.5;
      // One draw far below the mean (z = -8.57), then draws at the mean (cos(pi/2) = 0).
      const draws = [1 - 2 ** -53, 0.5];
      f.random = () => draws.shift() ?? 0.25;
    });
    c.fail();
    expect(pendingDelay(clock)).to.equal(1);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const wait = pendingDelay(clock);
      waits.push(wait);
      clock.advance(wait);
      c.fail();
    }
    expect(waits[0]).to.equal(1);
    expect(waits[1]).to.be.closeTo(E, 1e-9);
    expect(waits[2]).to.be.closeTo(E * E, 1e-9);
  });

  it('a successful connection resets the delay and retry count by default', () => {
    const { f, c, clock } = setup();
    c.fail();
    clock.advance(pendingDelay(clock));
    c.fail();
    expect(f.retries).to.equal(2);
    clock.advance(pendingDelay(clock));
    expect(c.succeed()).to.be.instanceOf(Client);
    expect(f.retries).to.equal(0);
    expect(f.delay).to.equal(1);
    c.lose();
    expect(pendingDelay(clock)).to.be.closeTo(E, 1e-9);
  });

  it('resetDelayOnConnect = false keeps the backoff until resetDelay() is called', () => {
    const { f, c, clock } = setup((f) => (f.resetDelayOnConnect = false));
    c.fail();
    clock.advance(pendingDelay(clock));
    c.succeed();
    expect(f.retries).to.equal(1);
    c.lose();
    expect(pendingDelay(clock)).to.be.closeTo(E ** 2, 1e-9);
    clock.advance(pendingDelay(clock));
    c.succeed();
    f.resetDelay();
    c.lose();
    expect(pendingDelay(clock)).to.be.closeTo(E, 1e-9);
  });

  it('stopTrying() cancels a pending retry', () => {
    const { f, c, clock } = setup();
    c.fail();
    expect(clock.getDelayedCalls()).to.have.length(1);
    f.stopTrying();
    expect(clock.getDelayedCalls()).to.deep.equal([]);
    clock.advance(10_000);
    expect(c.attempts).to.equal(1);
  });

  it('stopTrying() abandons an attempt in progress, which leads to no further attempt', () => {
    const { f, c, clock } = setup();
    expect(c.state).to.equal('connecting');
    f.stopTrying();
    expect(c.stopped).to.equal(1);
    expect(clock.getDelayedCalls()).to.deep.equal([]);
    clock.advance(10_000);
    expect(c.attempts).to.equal(1);
  });

  it('after stopTrying(), a connection that completes anyway is not replaced when lost', () => {
    const { f, c, clock } = setup();
    c.fail();
    clock.advance(pendingDelay(clock));
    // The attempt races stopTrying(): the connector reports success regardless.
    c.stopConnecting = () => {};
    f.stopTrying();
    c.succeed(); // resets the delay, but must not revive trying
    expect(f.continueTrying).to.equal(false);
    c.lose();
    expect(clock.getDelayedCalls()).to.deep.equal([]);
    f.resetDelay();
    c.fail();
    expect(clock.getDelayedCalls()).to.deep.equal([]);
  });

  it('a retry cancelled before it runs never connects, even if stopTrying comes from elsewhere', () => {
    const { f, c, clock } = setup();
    c.fail();
    f.continueTrying = false; // set directly, as Twisted code sometimes does
    clock.advance(pendingDelay(clock));
    expect(c.attempts).to.equal(1);
  });

  it('does not start a second attempt when the connector was reconnected by hand meanwhile', () => {
    const { c, clock } = setup();
    c.fail();
    c.connect(); // by hand, before the retry is due
    clock.advance(pendingDelay(clock));
    expect(c.attempts).to.equal(2);
  });

  it('gives up after maxRetries, with a log line', () => {
    const events: LogEvent[] = [];
    const previous = setLogObserver((e) => events.push(e));
    try {
      const { f, c, clock } = setup((f) => (f.maxRetries = 2));
      c.fail();
      clock.advance(pendingDelay(clock));
      c.fail();
      clock.advance(pendingDelay(clock));
      c.fail();
      expect(clock.getDelayedCalls()).to.deep.equal([]);
      expect(c.attempts).to.equal(3);
      expect(f.retries).to.equal(3);
      expect(events.some((e) => /Abandoning reconnection after 2 retries/.test(e.message))).to.equal(true);
    } finally {
      setLogObserver(previous);
    }
  });

  it('never schedules two retries at once', () => {
    const { f, c, clock } = setup();
    c.fail();
    f.retry();
    f.retry(c);
    expect(clock.getDelayedCalls()).to.have.length(1);
    expect(f.retries).to.equal(1);
  });

  it('retry() without any connector seen is a typed error', () => {
    const f = new ReconnectingClientFactory();
    f.clock = new Clock();
    expect(() => f.retry()).to.throw(NoConnectorToRetryError).with.property('code', 'ERR_NO_CONNECTOR_TO_RETRY');
  });

  it('rejects bad settings with a RangeError when it starts or retries', () => {
    const cases: Array<[keyof ReconnectingClientFactory, unknown, RegExp]> = [
      ['initialDelay', 0, /initialDelay must be a finite number of seconds above zero, got 0/],
      ['factor', 0.5, /factor must be a finite number of at least 1/],
      ['maxDelay', -1, /maxDelay/],
      ['jitter', Number.NaN, /jitter/],
      ['maxRetries', -1, /maxRetries/],
    ];
    for (const [name, value, message] of cases) {
      const f = ReconnectingClientFactory.forProtocol(Client);
      (f as unknown as Record<string, unknown>)[name] = value;
      expect(() => f.doStart(), name).to.throw(RangeError, message);
      const c = new FakeConnector(f);
      f.clock = new Clock();
      c.connect();
      expect(() => c.fail(), name).to.throw(RangeError, message);
      expect(f.clock.getDelayedCalls()).to.deep.equal([]);
    }
    const ok = ReconnectingClientFactory.forProtocol(Client);
    ok.maxDelay = Infinity;
    ok.maxRetries = 0;
    expect(() => ok.doStart()).not.to.throw();
  });

  describe('with MemoryReactorClock', () => {
    it('retries through the reactor, resets on success, and stops for good', () => {
      const reactor = new MemoryReactorClock();
      const f = ReconnectingClientFactory.forProtocol(Client);
      f.clock = reactor;
      f.jitter = 0;
      const connector = reactor.connectTCP('127.0.0.1', 8023, f, { timeout: 1000 });
      expect(f.connector).to.equal(connector);
      connector.fail();
      reactor.advance(E - 1e-6);
      expect(connector.state).to.equal('disconnected');
      reactor.advance(1e-6);
      expect(connector.calls).to.deep.equal(['connect']);
      expect(connector.state).to.equal('connecting');
      connector.fail();
      reactor.advance(E ** 2);
      const conn = connector.succeed();
      expect(conn!.protocol).to.be.instanceOf(Client);
      expect(f.retries).to.equal(0);
      conn!.transport.loseConnection(); // lost: the next wait starts from the beginning again
      reactor.advance(E);
      expect(connector.calls).to.deep.equal(['connect', 'connect', 'connect']);
      f.stopTrying(); // the attempt in progress is abandoned...
      expect(connector.calls.at(-1)).to.equal('stopConnecting');
      expect(connector.state).to.equal('disconnected');
      reactor.advance(10_000); // ...and nothing follows it
      expect(connector.calls).to.deep.equal(['connect', 'connect', 'connect', 'stopConnecting']);
      expect(reactor.getDelayedCalls()).to.deep.equal([]);
    });
  });
});
