import { CancelledError, DeferredAlreadyCalled, TorsionTypeError } from './errors.js';
import { log } from './log.js';

/** Any function: every function type is assignable to this one. */
type AnyFn = (...args: never) => unknown;
type StepFn = (result: unknown, ...args: unknown[]) => unknown;

type Step = {
  readonly callback: AnyFn | undefined;
  readonly errback: AnyFn | undefined;
  readonly args: readonly unknown[];
  /** Set on the step a waiting Deferred adds to the one it waits on: hand it our result. */
  readonly parent?: Deferred<unknown>;
};

/** What a Deferred's finalizer needs: never the Deferred itself (it would never be collected). */
interface UnhandledBox {
  failure: unknown;
  handled: boolean;
}

const unhandledRegistry = new FinalizationRegistry<UnhandledBox>((box) => {
  if (!box.handled) {
    log.error('Unhandled error in Deferred (it was garbage-collected with a failure no errback handled)', box.failure);
  }
});

/**
 * A result that is not there yet, with Twisted's callback chain: callbacks and errbacks are run
 * in order, each one's return value (or thrown error) feeding the next. A callback that returns
 * a Deferred or a promise pauses the chain until that settles. A Deferred is also a thenable, so
 * `await d` works and `await` sees the chain's current result.
 *
 * Unhandled failures: a Deferred whose chain ends in a failure no errback handled (and nobody
 * awaited) is reported with `log.error` when it is garbage-collected — the same moment Twisted
 * reports it. Add an errback (or `await` it) to handle it.
 *
 * @example
 * ```ts
 * import { Deferred, reactor } from '@torsion/reactor';
 * const d = new Deferred<number>();
 * d.addCallback((n) => n * 2).addCallback((n) => console.log('got', n));
 * reactor.callLater(0.1, () => d.callback(21)); // prints "got 42"
 * ```
 */
export class Deferred<T = unknown> implements PromiseLike<T> {
  readonly #canceller: ((d: Deferred<T>) => void) | undefined;
  #steps: Step[] = [];
  #next = 0;
  #called = false;
  #result: unknown = undefined;
  #failed = false;
  #paused = 0;
  #running = false;
  /** A cancel() before the source fired: the source's own later callback() is then ignored once. */
  #suppressAlreadyCalled = false;
  /** What the chain waits on (a callback returned it), so cancel() can reach it. */
  #waitingOn: Deferred<unknown> | (() => void) | undefined = undefined;
  #unhandled: UnhandledBox | undefined = undefined;

  /**
   * @param canceller Called by {@link cancel} before the Deferred has fired: stop the work
   *   (and, if you like, fire the Deferred yourself). If it does not fire it, the Deferred fails
   *   with `CancelledError`.
   */
  constructor(canceller?: (d: Deferred<T>) => void) {
    this.#canceller = canceller;
  }

  /** A Deferred that has already succeeded with `result`. */
  static succeed<R>(result: R): Deferred<R> {
    const d = new Deferred<R>();
    d.callback(result);
    return d;
  }

  /** A Deferred that has already failed with `error`. */
  static fail<R = never>(error: unknown): Deferred<R> {
    const d = new Deferred<R>();
    d.errback(error);
    return d;
  }

  /**
   * A Deferred that follows `promise`. Cancelling it fails it with `CancelledError` at once;
   * the promise's later outcome is then ignored (a promise cannot be stopped).
   */
  static fromPromise<R>(promise: PromiseLike<R>): Deferred<R> {
    const d = new Deferred<R>();
    promise.then(
      (value) => d.callback(value),
      (error: unknown) => d.errback(error),
    );
    return d;
  }

  /** Whether `callback()` or `errback()` has been called. */
  get called(): boolean {
    return this.#called;
  }

  /** Fire the chain with a successful result. Throws `DeferredAlreadyCalled` on a second call. */
  callback(result: T): void {
    if (result instanceof Deferred) {
      throw new TorsionTypeError('Deferred.callback() was given a Deferred: chain them with addCallback() instead.');
    }
    this.#start(result, false);
  }

  /** Fire the chain with a failure. Throws `DeferredAlreadyCalled` on a second call. */
  errback(error: unknown): void {
    this.#start(error, true);
  }

  /**
   * Add a callback and an errback as one step: exactly one of them runs, with the result of the
   * step before.
   */
  addCallbacks<U, V = never>(
    callback: ((result: T) => U | PromiseLike<U>) | null | undefined,
    errback?: ((error: unknown) => V | PromiseLike<V>) | null,
  ): Deferred<Awaited<U> | Awaited<V>> {
    this.#steps.push({
      callback: (callback ?? undefined) as AnyFn,
      errback: (errback ?? undefined) as AnyFn,
      args: [],
    });
    if (this.#called) this.#run();
    return this as unknown as Deferred<Awaited<U> | Awaited<V>>;
  }

  /** Add a step run on success, with `args` after the result; a failure skips it. */
  addCallback<U, A extends unknown[]>(fn: (result: T, ...args: A) => U | PromiseLike<U>, ...args: A): Deferred<Awaited<U>> {
    this.#steps.push({ callback: fn as AnyFn, errback: undefined, args });
    if (this.#called) this.#run();
    return this as unknown as Deferred<Awaited<U>>;
  }

  /**
   * Add a step run on failure, with `args` after the error. Return a value to recover; throw to
   * pass a failure on. A success skips it.
   */
  addErrback<U, A extends unknown[]>(fn: (error: unknown, ...args: A) => U | PromiseLike<U>, ...args: A): Deferred<T | Awaited<U>> {
    this.#steps.push({ callback: undefined, errback: fn as AnyFn, args });
    if (this.#called) this.#run();
    return this as unknown as Deferred<T | Awaited<U>>;
  }

  /** Add a step run on success and on failure alike (like `finally`, but it sees the result). */
  addBoth<U, A extends unknown[]>(fn: (resultOrError: unknown, ...args: A) => U | PromiseLike<U>, ...args: A): Deferred<Awaited<U>> {
    this.#steps.push({ callback: fn as AnyFn, errback: fn as AnyFn, args });
    if (this.#called) this.#run();
    return this as unknown as Deferred<Awaited<U>>;
  }

  /**
   * Cancel the work. Before the Deferred has fired, its canceller runs and, unless that fired
   * it, it fails with `CancelledError` (a later `callback()` from the original source is then
   * ignored once). If its chain is waiting on another Deferred, that one is cancelled; if it is
   * waiting on a promise, the chain goes on at once with `CancelledError`.
   */
  cancel(): void {
    if (!this.#called) {
      if (this.#canceller !== undefined) {
        try {
          this.#canceller(this);
        } catch (error) {
          log.error('A Deferred canceller threw', error);
        }
      }
      if (!this.#called) {
        this.errback(new CancelledError());
        this.#suppressAlreadyCalled = true;
      }
    } else if (this.#waitingOn instanceof Deferred) {
      this.#waitingOn.cancel();
    } else if (this.#waitingOn !== undefined) {
      this.#waitingOn();
    }
  }

  /** Stop running callbacks until {@link unpause} (calls nest). */
  pause(): void {
    this.#paused++;
  }

  /** Undo one {@link pause}; the chain goes on when none is left. */
  unpause(): void {
    if (this.#paused === 0) return;
    this.#paused--;
    if (this.#paused === 0 && this.#called) this.#run();
  }

  /**
   * Promise interop: `await d` gives the chain's current result, or throws its failure (which
   * counts as handled). The chain itself is left as it was, so several awaits see the same
   * outcome.
   */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return new Promise<T>((resolve, reject) => {
      this.addCallbacks(
        (result) => {
          resolve(result);
          return result;
        },
        (error: unknown) => {
          reject(error);
          this.#markHandled(error);
          throw error;
        },
      );
    }).then(onFulfilled, onRejected);
  }

  /** Promise interop: like `Promise.prototype.catch`. */
  catch<R = never>(onRejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onRejected);
  }

  /** Promise interop: like `Promise.prototype.finally`. */
  finally(onFinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onFinally);
  }

  /** A Promise that settles like this Deferred. */
  asPromise(): Promise<T> {
    return this.then();
  }

  toString(): string {
    if (!this.#called) return 'Deferred(pending)';
    const state = this.#paused > 0 ? 'waiting' : this.#failed ? 'failed' : 'succeeded';
    return `Deferred(${state})`;
  }

  #start(result: unknown, failed: boolean): void {
    if (this.#called) {
      if (this.#suppressAlreadyCalled) {
        this.#suppressAlreadyCalled = false;
        return;
      }
      throw new DeferredAlreadyCalled();
    }
    this.#called = true;
    this.#result = result;
    this.#failed = failed;
    this.#run();
  }

  #run(): void {
    // Reentrant calls (a callback adding callbacks, a chained Deferred resuming synchronously)
    // are picked up by the loop already running.
    if (this.#running || this.#paused > 0) return;
    // Deferreds waiting on one another are resumed from this loop, not by recursion, so a
    // long chain of them unwinds in constant stack depth.
    const chain: Deferred<unknown>[] = [this as Deferred<unknown>];
    while (chain.length > 0) {
      const current = chain[chain.length - 1]!;
      if (current.#running) {
        chain.pop();
        continue;
      }
      let finished = true;
      const steps = current.#steps;
      current.#running = true;
      try {
        while (current.#next < steps.length && current.#paused === 0) {
          const step = steps[current.#next++]!;
          if (step.parent !== undefined) {
            const parent = step.parent;
            if (parent.#waitingOn !== current) continue;
            parent.#waitingOn = undefined;
            parent.#result = current.#result;
            parent.#failed = current.#failed;
            parent.#paused--;
            // The waiting Deferred now owns the result (and reports its failure if unhandled).
            current.#result = undefined;
            current.#failed = false;
            chain.push(parent);
            finished = false;
            break;
          }
          const fn = current.#failed ? step.errback : step.callback;
          if (fn === undefined) continue;
          let value: unknown;
          try {
            value = (fn as StepFn)(current.#result, ...step.args);
          } catch (error) {
            current.#result = error;
            current.#failed = true;
            continue;
          }
          if (value === current) {
            current.#result = new TorsionTypeError('A Deferred callback returned its own Deferred: return a value or another Deferred.');
            current.#failed = true;
          } else if (value instanceof Deferred) {
            current.#chainTo(value);
          } else if (isThenable(value)) {
            current.#waitForPromise(value);
          } else {
            current.#result = value;
            current.#failed = false;
          }
        }
      } finally {
        current.#running = false;
      }
      if (finished) {
        if (current.#paused === 0) {
          steps.length = 0;
          current.#next = 0;
          current.#noteOutcome();
        }
        chain.pop();
      }
    }
  }

  /** A callback returned `inner`: take its result now if it has one, else wait for it. */
  #chainTo(inner: Deferred<unknown>): void {
    if (inner.#called && inner.#paused === 0 && !inner.#running && inner.#next >= inner.#steps.length) {
      this.#result = inner.#result;
      this.#failed = inner.#failed;
      inner.#result = undefined;
      inner.#failed = false;
      inner.#noteOutcome();
      return;
    }
    this.#paused++;
    this.#waitingOn = inner;
    inner.#steps.push({ callback: undefined, errback: undefined, args: [], parent: this as Deferred<unknown> });
    if (inner.#called) inner.#run();
  }

  #waitForPromise(promise: PromiseLike<unknown>): void {
    this.#paused++;
    const token = (): void => this.#resume(token, new CancelledError(), true);
    this.#waitingOn = token;
    promise.then(
      (result) => this.#resume(token, result, false),
      (error: unknown) => this.#resume(token, error, true),
    );
  }

  #resume(token: unknown, result: unknown, failed: boolean): void {
    if (this.#waitingOn !== token) return; // already resumed (cancelled while waiting)
    this.#waitingOn = undefined;
    this.#result = result;
    this.#failed = failed;
    this.#paused--;
    this.#run();
  }

  #markHandled(error: unknown): void {
    this.#handledFailure = error;
  }

  /** A failure `then()` has passed on to an awaiting caller. */
  #handledFailure: unknown = undefined;

  /** Remember whether the chain ended on a failure nobody handled, for the finalizer. */
  #noteOutcome(): void {
    if (!this.#failed || this.#result === this.#handledFailure) {
      if (this.#unhandled !== undefined) this.#unhandled.handled = true;
      return;
    }
    if (this.#unhandled === undefined) {
      this.#unhandled = { failure: this.#result, handled: false };
      unhandledRegistry.register(this, this.#unhandled);
    } else {
      this.#unhandled.failure = this.#result;
      this.#unhandled.handled = false;
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
