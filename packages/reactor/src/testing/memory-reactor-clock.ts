import type { IReactorTime } from '../interfaces.js';
import type { DelayedCall } from '../time/delayed-call.js';
import { Clock } from './clock.js';
import { MemoryReactor } from './memory-reactor.js';

/**
 * A {@link MemoryReactor} that also tells time with a manual {@link Clock}: hand it to code that
 * takes one object as its reactor and its clock (a reconnecting client, a service with timeouts),
 * then move time with {@link advance}. Connection attempts still connecting after their timeout
 * (`options.timeout`, default 30 s) fail with `TimeoutError` as the clock passes it.
 *
 * @example
 * ```ts
 * const reactor = new MemoryReactorClock();
 * const factory = new MyReconnectingFactory();
 * factory.clock = reactor;
 * const connector = reactor.connectTCP('127.0.0.1', 8023, factory);
 * connector.fail();
 * reactor.advance(1.5);            // the retry timer fires
 * connector.state;                 // 'connecting'
 * ```
 */
export class MemoryReactorClock extends MemoryReactor implements IReactorTime {
  /** The clock every time method delegates to. */
  readonly clock: Clock;

  /** Use `clock` (a fresh one at time 0 by default), e.g. to share it with other test doubles. */
  constructor(clock: Clock = new Clock()) {
    super({ clock });
    this.clock = clock;
  }

  seconds(): number {
    return this.clock.seconds();
  }

  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): DelayedCall {
    return this.clock.callLater(delay, fn, ...args);
  }

  getDelayedCalls(): DelayedCall[] {
    return this.clock.getDelayedCalls();
  }

  /** Move time forward by `amount` seconds, running the calls due (see {@link Clock.advance}). */
  advance(amount: number): void {
    this.clock.advance(amount);
  }

  /** Advance by each amount in turn (see {@link Clock.pump}). */
  pump(timings: Iterable<number>): void {
    this.clock.pump(timings);
  }
}
