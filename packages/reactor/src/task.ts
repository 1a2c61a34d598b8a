/**
 * Helpers that run code on a schedule: {@link deferLater} (one call, as a Deferred) and
 * {@link LoopingCall} (a call repeated at an interval). Both take their time from a clock — the
 * global reactor unless told otherwise — so tests drive them with the testing `Clock`.
 *
 * @module
 */
import { LoopingCallAlreadyRunning, LoopingCallNotRunning, TorsionRangeError } from './errors.js';
import { Deferred } from './deferred.js';
import type { IDelayedCall, IReactorTime } from './interfaces.js';
import { reactor } from './reactor.js';

/**
 * A Deferred that fires with `fn(...args)` (awaited if it returns a promise or Deferred) after
 * `delay` seconds on `clock`, or with `undefined` when no function is given. Cancelling it
 * cancels the scheduled call and fails it with `CancelledError`.
 *
 * @example
 * ```ts
 * import { deferLater, reactor } from '@torsion/reactor';
 * const answer = await deferLater(reactor, 0.5, () => 42); // half a second later
 * ```
 */
export function deferLater<R, A extends unknown[]>(
  clock: IReactorTime,
  delay: number,
  fn?: (...args: A) => R | PromiseLike<R>,
  ...args: A
): Deferred<Awaited<R>> {
  let call: IDelayedCall | undefined = undefined;
  const d = new Deferred<Awaited<R>>(() => {
    if (call?.active() === true) call.cancel();
  });
  call = clock.callLater(delay, () => {
    d.callback(undefined as Awaited<R>);
  });
  if (fn === undefined) return d;
  return d.addCallback(() => fn(...args));
}

/**
 * Call a function every `interval` seconds, with Twisted's semantics.
 *
 * `start(interval, now = true)` returns a Deferred that fires with the LoopingCall itself when
 * `stop()` is called, or fails with the error if the function throws (or its promise rejects),
 * which also stops the loop. If the function returns a promise or Deferred, the next call is
 * scheduled once it settles. Calls stay on the grid of the start time: when a call runs late
 * (a busy process, a slow function, a test clock advanced by several intervals), the missed
 * intervals are skipped, not run in a burst.
 *
 * Time comes from the `clock` field (the global reactor by default), read each time a call is
 * scheduled: assign a testing `Clock` to it before `start()`.
 *
 * @example
 * ```ts
 * import { LoopingCall } from '@torsion/reactor';
 * const heartbeat = new LoopingCall(() => console.log('still here'));
 * heartbeat.start(30).addErrback((err) => console.error('heartbeat failed', err));
 * // ...later
 * heartbeat.stop();
 * ```
 */
export class LoopingCall<A extends unknown[] = []> {
  /** Where time comes from; read whenever a call is scheduled. */
  clock: IReactorTime = reactor;
  /** True from `start()` until `stop()` or a failure. */
  running = false;
  /** The interval in seconds, once started. */
  interval: number | undefined = undefined;
  /** The pending scheduled call, if any. */
  call: IDelayedCall | null = null;
  /** When the loop was (re)started, in the clock's time. */
  starttime: number | undefined = undefined;
  readonly f: (...args: A) => unknown;
  readonly args: A;
  #deferred: Deferred<LoopingCall<A>> | undefined = undefined;

  constructor(f: (...args: A) => unknown, ...args: A) {
    this.f = f;
    this.args = args;
  }

  /**
   * Start calling every `interval` seconds (0 means on every turn of the loop); the first call
   * runs now when `now` is true, else after one interval. Throws `LoopingCallAlreadyRunning` if
   * running, `TorsionRangeError` for a negative or non-finite interval.
   */
  start(interval: number, now = true): Deferred<LoopingCall<A>> {
    if (this.running) throw new LoopingCallAlreadyRunning();
    if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0) {
      throw new TorsionRangeError(
        `LoopingCall interval must be a finite number of seconds >= 0; got ${String(interval)}.`,
      );
    }
    this.running = true;
    const d = new Deferred<LoopingCall<A>>();
    this.#deferred = d;
    this.starttime = this.clock.seconds();
    this.interval = interval;
    if (now) this.#tick();
    else this.#scheduleFrom(this.starttime);
    return d;
  }

  /**
   * Stop the loop; the Deferred from `start()` fires with this LoopingCall (at once, or when a
   * call in progress finishes). Throws `LoopingCallNotRunning` if not running.
   */
  stop(): void {
    if (!this.running) throw new LoopingCallNotRunning();
    this.running = false;
    if (this.call !== null) {
      this.call.cancel();
      this.call = null;
      this.#finish();
    }
  }

  /** Restart the interval grid from now: the next call is one interval from now. */
  reset(): void {
    if (!this.running) throw new LoopingCallNotRunning('This LoopingCall is not running, so there is nothing to reset(): start() it, or check its running field first.');
    if (this.call !== null) {
      this.call.cancel();
      this.call = null;
      this.starttime = this.clock.seconds();
      this.#scheduleFrom(this.starttime);
    }
  }

  readonly #tick = (): void => {
    this.call = null;
    // The run this call belongs to: a stop() and start() while it is in progress begin another.
    const run = this.#deferred;
    const done = (): void => this.#done(run);
    let result: unknown;
    try {
      result = this.f(...this.args);
    } catch (error) {
      this.#fail(error, run);
      return;
    }
    if (result instanceof Deferred) {
      // Synchronously, as Twisted does: a Deferred that has fired moves the loop on at once.
      result.addCallbacks(done, (error: unknown) => this.#fail(error, run));
    } else if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<unknown>).then(done, (error: unknown) => this.#fail(error, run));
    } else {
      done();
    }
  };

  #done(run: Deferred<LoopingCall<A>> | undefined): void {
    if (run !== this.#deferred) run?.callback(this); // a stopped run, restarted since: it ends here
    else if (this.running) this.#scheduleFrom(this.clock.seconds());
    else this.#finish();
  }

  #fail(error: unknown, run: Deferred<LoopingCall<A>> | undefined): void {
    if (run !== this.#deferred) {
      run?.errback(error);
      return;
    }
    this.running = false;
    this.#deferred = undefined;
    run?.errback(error);
  }

  #finish(): void {
    const d = this.#deferred;
    this.#deferred = undefined;
    d?.callback(this);
  }

  #scheduleFrom(when: number): void {
    const interval = this.interval!;
    let delay: number;
    if (interval === 0) {
      delay = 0;
    } else {
      const runningFor = when - this.starttime!;
      const untilNext = interval - (runningFor % interval);
      // On the grid already (or so close that floats cannot tell): wait a whole interval.
      delay = when === when + untilNext ? interval : untilNext;
    }
    this.call = this.clock.callLater(delay, this.#tick);
  }
}
