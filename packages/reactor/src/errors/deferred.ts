/**
 * Deferred and task helpers: firing a Deferred twice, cancellation, `gatherResults()` failures and
 * `LoopingCall` started or stopped in the wrong state.
 *
 * @module
 */
import { TorsionError, type TorsionErrorOptions } from './base.js';

/**
 * `callback()` or `errback()` on a Deferred that has already been fired.
 *
 * @example
 * ```ts
 * const d = new Deferred<number>();
 * d.callback(1);
 * d.callback(2);   // throws DeferredAlreadyCalled
 * ```
 */
export class DeferredAlreadyCalled extends TorsionError {
  constructor(
    message = 'This Deferred has already been fired: callback()/errback() may be called once; add callbacks to act on its result instead.',
  ) {
    super('ERR_DEFERRED_ALREADY_CALLED', message);
  }
}

/**
 * The reason a Deferred fails when it is cancelled (and its canceller did not fire it).
 *
 * @example
 * ```ts
 * const d = deferLater(reactor, 10, () => 'done');
 * d.addErrback((err) => {
 *   if (!(err instanceof CancelledError)) throw err;
 *   return 'cancelled';
 * });
 * d.cancel();
 * ```
 */
export class CancelledError extends TorsionError {
  constructor(message = 'The operation was cancelled.', options?: TorsionErrorOptions) {
    super('ERR_CANCELLED', message, options);
  }
}

/**
 * `gatherResults()` failed because one of its Deferreds did: `cause` is that failure.
 *
 * @example
 * ```ts
 * try {
 *   await gatherResults([fetchA(), fetchB()]);
 * } catch (err) {
 *   if (err instanceof FirstError) console.error(`input #${err.index} failed:`, err.cause);
 * }
 * ```
 */
export class FirstError extends TorsionError {
  /** The position of the failed Deferred in the list given to `gatherResults()`. */
  readonly index: number;

  constructor(cause: unknown, index = -1, message?: string) {
    super(
      'ERR_FIRST_ERROR',
      message ?? `Deferred #${index} of the gathered list failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.index = index;
  }
}

/**
 * `LoopingCall.start()` while it is already running.
 *
 * @example
 * ```ts
 * if (!heartbeat.running) heartbeat.start(30);   // start() while running throws LoopingCallAlreadyRunning
 * ```
 */
export class LoopingCallAlreadyRunning extends TorsionError {
  constructor(message = 'This LoopingCall is already running: stop() it before starting it again.') {
    super('ERR_LOOPING_CALL_RUNNING', message);
  }
}

/**
 * `LoopingCall.stop()` (or `reset()`) while it is not running.
 *
 * @example
 * ```ts
 * if (heartbeat.running) heartbeat.stop();   // stop() while not running throws LoopingCallNotRunning
 * ```
 */
export class LoopingCallNotRunning extends TorsionError {
  constructor(message = 'This LoopingCall is not running: check its running field before stopping it.') {
    super('ERR_LOOPING_CALL_NOT_RUNNING', message);
  }
}
