import { expect } from 'chai';
import { ConnectionLost, ConnectionRefusedError, TimeoutError } from '@torsion/reactor';
import type { IConnector, IDelayedCall, IReactorTime } from '@torsion/reactor';
import { Clock, MemoryReactorClock } from '@torsion/reactor/testing';
import { ClientFactory, Protocol } from '@torsion/protocols';

/** A minimal reconnecting factory: retries `delay` seconds after each failure or loss, read from its clock. */
class Retrying extends ClientFactory {
  override protocol = Protocol;
  clock!: IReactorTime;
  delay = 2;
  reasons: Error[] = [];
  pending: IDelayedCall | undefined;
  override clientConnectionFailed(c: IConnector, reason: Error): void {
    this.reasons.push(reason);
    this.pending = this.clock.callLater(this.delay, () => c.connect());
  }
  override clientConnectionLost(c: IConnector, reason: Error): void {
    this.clientConnectionFailed(c, reason);
  }
}

describe('MemoryReactorClock', () => {
  it('tells time with its clock and still records connections', () => {
    const reactor = new MemoryReactorClock();
    expect(reactor.seconds()).to.equal(0);
    const seen: number[] = [];
    const call = reactor.callLater(1.5, (x: number) => seen.push(x), 7);
    expect(reactor.getDelayedCalls()).to.deep.equal([call]);
    reactor.advance(1);
    expect(seen).to.deep.equal([]);
    reactor.pump([0.25, 0.25]);
    expect(seen).to.deep.equal([7]);
    expect(reactor.seconds()).to.equal(1.5);
    expect(reactor.clock.seconds()).to.equal(1.5);
    expect(reactor.getDelayedCalls()).to.deep.equal([]);
  });

  it('can share a clock given to it', () => {
    const clock = new Clock();
    const reactor = new MemoryReactorClock(clock);
    clock.advance(3);
    expect(reactor.seconds()).to.equal(3);
  });

  it('drives a reconnecting client through failures, a connection and its loss', () => {
    const reactor = new MemoryReactorClock();
    const factory = new Retrying();
    factory.clock = reactor;
    const connector = reactor.connectTCP('127.0.0.1', 8023, factory);
    connector.fail();
    expect(factory.reasons[0]).to.be.instanceOf(ConnectionRefusedError);
    expect(connector.state).to.equal('disconnected');
    reactor.advance(1.9);
    expect(connector.calls).to.deep.equal([]);
    reactor.advance(0.1);
    expect(connector.calls).to.deep.equal(['connect']);
    expect(connector.state).to.equal('connecting');
    const { transport } = connector.succeed()!;
    transport.lose();
    expect(factory.reasons[1]).to.be.instanceOf(ConnectionLost);
    reactor.advance(2);
    expect(connector.calls).to.deep.equal(['connect', 'connect']);
    expect(connector.attempts).to.equal(3);
    expect(reactor.tcpClients).to.have.length(1);
  });

  it('times out an attempt still connecting when the clock passes its timeout', () => {
    const reactor = new MemoryReactorClock();
    const factory = new Retrying();
    factory.clock = reactor;
    factory.delay = 100;
    const connector = reactor.connectTCP('127.0.0.1', 8023, factory, { timeout: 5 });
    reactor.advance(4.9);
    expect(connector.state).to.equal('connecting');
    reactor.advance(0.1);
    expect(connector.state).to.equal('disconnected');
    expect(factory.reasons[0]).to.be.instanceOf(TimeoutError);
    // A settled attempt leaves no timer behind: only the factory's retry is pending.
    reactor.advance(100);
    connector.succeed();
    expect(reactor.getDelayedCalls()).to.deep.equal([]);
    const unix = reactor.connectUNIX('/tmp/s.sock', factory);
    reactor.advance(29);
    unix.fail();
    expect(factory.reasons.at(-1)).to.be.instanceOf(ConnectionRefusedError);
    factory.pending!.cancel();
    expect(reactor.getDelayedCalls()).to.deep.equal([]);
  });
});
