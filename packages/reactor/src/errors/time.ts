/**
 * Time: cancelling or moving a delayed call that already ran or was cancelled.
 *
 * @module
 */
import { TorsionError } from './base.js';

/**
 * `cancel()` (or `reset()`/`delay()`) on a delayed call that already ran.
 *
 * @example
 * ```ts
 * const call = reactor.callLater(1, tick);
 * // ... later: cancel() on a call that already ran would throw AlreadyCalled
 * if (call.active()) call.cancel();
 * ```
 */
export class AlreadyCalled extends TorsionError {
  constructor(message = 'This delayed call has already run: check active() before cancelling or rescheduling it.') {
    super('ERR_ALREADY_CALLED', message);
  }
}

/**
 * `cancel()` (or `reset()`/`delay()`) on a delayed call that was cancelled.
 *
 * @example
 * ```ts
 * const call = reactor.callLater(1, tick);
 * call.cancel();
 * if (call.active()) call.reset(2);   // reset() on a cancelled call would throw AlreadyCancelled
 * ```
 */
export class AlreadyCancelled extends TorsionError {
  constructor(message = 'This delayed call was already cancelled: check active() before cancelling or rescheduling it.') {
    super('ERR_ALREADY_CANCELLED', message);
  }
}
