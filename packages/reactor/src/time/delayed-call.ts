import { AlreadyCalled, AlreadyCancelled, TorsionRangeError, TorsionTypeError } from '../errors.js';
import type { IDelayedCall } from '../interfaces.js';
import { checkDelay, type TimerEntry, type TimerQueue } from './timer-queue.js';

/**
 * A call scheduled with `callLater` on a reactor or a test `Clock`. It can be cancelled or moved
 * until it has run; after that, those methods throw `AlreadyCalled` (or `AlreadyCancelled`).
 *
 * @example
 * ```ts
 * import { reactor } from '@torsion/reactor';
 * const call = reactor.callLater(30, () => console.log('idle for 30 s'));
 * call.reset(30);               // activity: push the deadline back
 * if (call.active()) call.cancel();
 * ```
 */
export class DelayedCall implements IDelayedCall {
  readonly #entry: TimerEntry;
  readonly #queue: TimerQueue;

  /** @internal Made by the scheduler; use `callLater`. */
  constructor(entry: TimerEntry, queue: TimerQueue) {
    this.#entry = entry;
    this.#queue = queue;
  }

  /** The absolute time, in the scheduler's `seconds()`, at which the call runs (or ran). */
  getTime(): number {
    return this.#entry.time;
  }

  /** True until the call has run or been cancelled. */
  active(): boolean {
    return this.#entry.pending;
  }

  /** True once the call has run (it is then no longer active). */
  get called(): boolean {
    return this.#entry.called;
  }

  /** True once the call was cancelled. */
  get cancelled(): boolean {
    return !this.#entry.pending && !this.#entry.called;
  }

  /** Cancel the call. Throws `AlreadyCalled` or `AlreadyCancelled` if it is no longer pending. */
  cancel(): void {
    this.#checkPending();
    this.#queue.cancel(this.#entry);
  }

  /** Reschedule the call to run `seconds` from now (after calls already due at that time). */
  reset(seconds: number): void {
    this.#checkPending();
    checkDelay('reset() delay', seconds);
    this.#queue.reschedule(this.#entry, this.#queue.now() + seconds);
  }

  /**
   * Move the call `seconds` further into the future (a negative amount brings it closer, but
   * never before now).
   */
  delay(seconds: number): void {
    this.#checkPending();
    if (typeof seconds !== 'number') {
      throw new TorsionTypeError(`delay() needs a number of seconds; got ${typeof seconds} (${String(seconds)}).`);
    }
    if (!Number.isFinite(seconds)) {
      throw new TorsionRangeError(`delay() needs a finite number of seconds; got ${String(seconds)}.`);
    }
    const now = this.#queue.now();
    this.#queue.reschedule(this.#entry, Math.max(now, this.#entry.time + seconds));
  }

  toString(): string {
    const state = this.active() ? 'pending' : this.called ? 'called' : 'cancelled';
    const name = this.#entry.fn.name === '' ? 'anonymous function' : this.#entry.fn.name;
    return `DelayedCall(${name} at ${this.#entry.time.toFixed(3)} s, ${state})`;
  }

  #checkPending(): void {
    if (this.#entry.pending) return;
    if (this.#entry.called) throw new AlreadyCalled();
    throw new AlreadyCancelled();
  }
}
