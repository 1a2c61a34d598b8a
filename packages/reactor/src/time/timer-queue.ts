/**
 * The scheduler shared by the reactor and the test `Clock`: a binary min-heap of pending calls
 * ordered by (target time, scheduling sequence), so calls due at the same time run in the order
 * they were scheduled.
 *
 * Rescheduling is cheap where it matters. A call moved *later* (what `TimeoutMixin` does on every
 * line) only records its new time: its heap key stays where it was, which is still a lower bound,
 * and the entry is re-keyed when it reaches the top. A call moved *earlier* is sifted up at once.
 * A cancelled call is removed from the heap at once, so cancelled calls never pile up.
 *
 * @internal
 * @module
 */
import { TorsionRangeError, TorsionTypeError } from '../errors.js';
import { DelayedCall } from './delayed-call.js';

const PENDING = 0;
const CALLED = 1;
const CANCELLED = 2;

/** One scheduled call, as the heap sees it. @internal */
export class TimerEntry {
  /** Where the call really runs; the heap key may lag behind (see the module comment). */
  time: number;
  seq: number;
  keyTime: number;
  keySeq: number;
  /** Position in the heap, -1 when not in it. */
  index = -1;
  state = PENDING;
  readonly fn: (...args: never[]) => unknown;
  readonly args: unknown[];
  readonly handle: DelayedCall;

  constructor(time: number, seq: number, fn: (...args: never[]) => unknown, args: unknown[], queue: TimerQueue) {
    this.time = this.keyTime = time;
    this.seq = this.keySeq = seq;
    this.fn = fn;
    this.args = args;
    this.handle = new DelayedCall(this, queue);
  }

  get pending(): boolean {
    return this.state === PENDING;
  }

  get called(): boolean {
    return this.state === CALLED;
  }
}

/**
 * Check a delay given by a user: a finite number of seconds, zero or more.
 *
 * @internal
 */
export function checkDelay(what: string, delay: unknown): number {
  if (typeof delay !== 'number') {
    throw new TorsionTypeError(`${what} must be a number of seconds; got ${typeof delay} (${String(delay)}).`);
  }
  if (!Number.isFinite(delay) || delay < 0) {
    throw new TorsionRangeError(
      `${what} must be a finite number of seconds >= 0; got ${String(delay)}. Delays are in seconds (0.5 is half a second).`,
    );
  }
  return delay;
}

function less(a: TimerEntry, b: TimerEntry): boolean {
  return a.keyTime < b.keyTime || (a.keyTime === b.keyTime && a.keySeq < b.keySeq);
}

/** @internal */
export class TimerQueue {
  readonly #heap: TimerEntry[] = [];
  #seq = 0;
  readonly #now: () => number;
  /** Told when the earliest key may have moved earlier, or the heap became empty. */
  readonly #onEarlier: (() => void) | undefined;

  constructor(now: () => number, onEarlier?: () => void) {
    this.#now = now;
    this.#onEarlier = onEarlier;
  }

  now(): number {
    return this.#now();
  }

  /** The next sequence number: calls scheduled from here on get this one or higher. */
  get sequence(): number {
    return this.#seq;
  }

  get size(): number {
    return this.#heap.length;
  }

  schedule<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, args: A): DelayedCall {
    checkDelay('callLater delay', delay);
    if (typeof fn !== 'function') {
      throw new TorsionTypeError(`callLater needs a function to call; got ${typeof fn}.`);
    }
    const entry = new TimerEntry(this.#now() + delay, this.#seq++, fn as (...args: never[]) => unknown, args, this);
    this.#push(entry);
    this.#onEarlier?.();
    return entry.handle;
  }

  /** Remove a pending entry for good. */
  cancel(entry: TimerEntry): void {
    entry.state = CANCELLED;
    this.#remove(entry);
    if (this.#heap.length === 0) this.#onEarlier?.();
  }

  /** Move a pending entry to `time`; it then runs after calls already due at that time. */
  reschedule(entry: TimerEntry, time: number): void {
    entry.time = time;
    entry.seq = this.#seq++;
    if (time < entry.keyTime) {
      entry.keyTime = time;
      entry.keySeq = entry.seq;
      this.#up(entry.index);
      this.#onEarlier?.();
    }
    // Later: leave the key alone; #settleTop re-keys it if it reaches the top.
  }

  /**
   * A lower bound of the earliest pending call's time (exact unless the top call was moved
   * later, in which case a wake-up at the bound finds nothing due and asks again), or undefined.
   */
  nextTime(): number | undefined {
    const top = this.#heap[0];
    return top === undefined ? undefined : top.keyTime;
  }

  /** The pending calls, in no particular order. */
  pending(): DelayedCall[] {
    return this.#heap.map((e) => e.handle);
  }

  /**
   * Run every call due at or before `now`, in (time, sequence) order. Calls scheduled while
   * running (sequence >= `seqLimit`) wait for the next pass, so a call that keeps rescheduling
   * itself for "now" cannot starve I/O. `onError` sees what a call throws; if it throws in
   * turn, the pass stops there and the rest stay pending. `onRejection` (default `onError`)
   * sees the rejection of a promise a call returned, later, outside the pass.
   */
  runDue(
    now: number,
    seqLimit: number,
    onError: (error: unknown, call: DelayedCall) => void,
    onRejection: (error: unknown, call: DelayedCall) => void = onError,
  ): void {
    const heap = this.#heap;
    for (;;) {
      const top = this.#settleTop();
      if (top === undefined || top.keyTime > now || top.keySeq >= seqLimit) return;
      this.#removeAt(0);
      top.state = CALLED;
      try {
        const result: unknown = top.fn(...(top.args as never[]));
        // An async function's rejection is an error of the call too, not an unhandled rejection.
        if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
          const handle = top.handle;
          (result as PromiseLike<unknown>).then(undefined, (error: unknown) => onRejection(error, handle));
        }
      } catch (error) {
        onError(error, top.handle);
      }
      if (heap.length === 0) return;
    }
  }

  /** Re-key top entries that were moved later until the top's key is its real time. */
  #settleTop(): TimerEntry | undefined {
    const heap = this.#heap;
    for (;;) {
      const top = heap[0];
      if (top === undefined) return undefined;
      if (top.keyTime === top.time && top.keySeq === top.seq) return top;
      top.keyTime = top.time;
      top.keySeq = top.seq;
      this.#down(0);
    }
  }

  #push(entry: TimerEntry): void {
    const heap = this.#heap;
    entry.index = heap.length;
    heap.push(entry);
    this.#up(entry.index);
  }

  #remove(entry: TimerEntry): void {
    if (entry.index >= 0) this.#removeAt(entry.index);
  }

  #removeAt(i: number): void {
    const heap = this.#heap;
    const entry = heap[i]!;
    const last = heap.pop()!;
    entry.index = -1;
    if (last === entry) return;
    heap[i] = last;
    last.index = i;
    if (i > 0 && less(last, heap[(i - 1) >> 1]!)) this.#up(i);
    else this.#down(i);
  }

  #up(i: number): void {
    const heap = this.#heap;
    const entry = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (!less(entry, parent)) break;
      heap[i] = parent;
      parent.index = i;
      i = p;
    }
    heap[i] = entry;
    entry.index = i;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const entry = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && less(heap[r]!, heap[l]!) ? r : l;
      const child = heap[c]!;
      if (!less(child, entry)) break;
      heap[i] = child;
      child.index = i;
      i = c;
    }
    heap[i] = entry;
    entry.index = i;
  }
}
