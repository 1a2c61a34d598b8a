import { TorsionRangeError, TorsionTypeError } from '../errors.js';
import type { IReactorTime } from '../interfaces.js';
import { log } from '../log.js';
import type { DelayedCall } from '../time/delayed-call.js';
import { TimerQueue } from '../time/timer-queue.js';

/**
 * A manual clock for tests: an `IReactorTime` whose time moves only when you call
 * {@link advance} or {@link pump}. Give it to anything with a `clock` field (`LoopingCall`,
 * `TimeoutMixin`, `ReconnectingClientFactory`, `deferLater`) and check what happens at each
 * instant, without real time passing.
 *
 * Its time starts at 0. Calls due at the same time run in the order they were scheduled; a call
 * scheduled *during* an advance for a time already reached (`callLater(0, ...)` from inside a
 * call, say) runs within that same advance.
 *
 * Unlike the reactor, which logs an exception thrown by a delayed call, the clock lets it
 * propagate out of `advance()` so the test sees it. Time has then already moved; calls still
 * due stay pending and run on the next `advance()` (`advance(0)` will do). A call that returns
 * a promise which rejects (an `async` function that throws) cannot throw out of `advance()`,
 * since the rejection is only known later: it is reported with `log.error`, as the reactor
 * does (watch it with `setLogObserver`), never left as an unhandled rejection.
 *
 * @example
 * ```ts
 * import { Clock } from '@torsion/reactor/testing';
 * const clock = new Clock();
 * const seen: number[] = [];
 * clock.callLater(1.5, () => seen.push(clock.seconds()));
 * clock.advance(1);   // nothing yet
 * clock.advance(0.5); // seen = [1.5]
 * ```
 */
export class Clock implements IReactorTime {
  #now = 0;
  readonly #queue = new TimerQueue(() => this.#now);

  /** The clock's current time in seconds (starts at 0). */
  seconds(): number {
    return this.#now;
  }

  /** Schedule `fn(...args)` `delay` seconds from the clock's now. */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): DelayedCall {
    return this.#queue.schedule(delay, fn, args);
  }

  /** The calls still pending, in no particular order. */
  getDelayedCalls(): DelayedCall[] {
    return this.#queue.pending();
  }

  /**
   * Move time forward by `amount` seconds and run every call due by then, including calls
   * scheduled for a time already reached while this advance runs.
   */
  advance(amount: number): void {
    if (typeof amount !== 'number') {
      throw new TorsionTypeError(`Clock.advance() needs a number of seconds; got ${typeof amount}.`);
    }
    if (!Number.isFinite(amount) || amount < 0) {
      throw new TorsionRangeError(`Clock.advance() needs a finite number of seconds >= 0; got ${String(amount)}.`);
    }
    this.#now += amount;
    this.#queue.runDue(this.#now, Infinity, rethrow, logRejection);
  }

  /** Advance by each amount in turn: `pump([1, 1, 1])` is three one-second steps. */
  pump(timings: Iterable<number>): void {
    for (const amount of timings) this.advance(amount);
  }
}

function rethrow(error: unknown): never {
  throw error;
}

function logRejection(error: unknown, call: DelayedCall): void {
  log.error('A delayed call of a test Clock returned a promise that rejected', error, { call: String(call) });
}
