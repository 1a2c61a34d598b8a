/**
 * A three-phase system event ('startup' or 'shutdown'), as in Twisted: every 'before' trigger
 * runs and the promises they return are awaited, then every 'during' trigger, then every
 * 'after' trigger.
 *
 * @internal
 * @module
 */
import { TorsionTypeError } from '../errors.js';
import type { SystemEventPhase } from '../interfaces.js';
import { log } from '../log.js';

/** What `addSystemEventTrigger` returns: pass it to `removeSystemEventTrigger`. */
export interface SystemEventTriggerId {
  readonly eventType: 'startup' | 'shutdown';
  readonly phase: SystemEventPhase;
}

class Trigger implements SystemEventTriggerId {
  removed = false;
  constructor(
    readonly eventType: 'startup' | 'shutdown',
    readonly phase: SystemEventPhase,
    readonly fn: (...args: never[]) => unknown,
    readonly args: unknown[],
    readonly owner: SystemEvent,
  ) {}
}

const PHASES: readonly SystemEventPhase[] = ['before', 'during', 'after'];

/** @internal */
export class SystemEvent {
  readonly #type: 'startup' | 'shutdown';
  readonly #triggers: Record<SystemEventPhase, Trigger[]> = { before: [], during: [], after: [] };
  #state: 'waiting' | SystemEventPhase | 'done' = 'waiting';

  constructor(type: 'startup' | 'shutdown') {
    this.#type = type;
  }

  /** 'waiting' until fired, then the phase being run, then 'done'. */
  get state(): 'waiting' | SystemEventPhase | 'done' {
    return this.#state;
  }

  add<A extends unknown[]>(phase: SystemEventPhase, fn: (...args: A) => unknown, args: A): SystemEventTriggerId {
    if (!PHASES.includes(phase)) {
      throw new TorsionTypeError(`System event phase must be 'before', 'during' or 'after'; got ${String(phase)}.`);
    }
    if (typeof fn !== 'function') {
      throw new TorsionTypeError(`addSystemEventTrigger needs a function; got ${typeof fn}.`);
    }
    const trigger = new Trigger(this.#type, phase, fn as (...args: never[]) => unknown, args, this);
    this.#triggers[phase].push(trigger);
    return trigger;
  }

  /** Whether `id` was made by this event's {@link add}. */
  owns(id: unknown): id is SystemEventTriggerId {
    return id instanceof Trigger && id.owner === this;
  }

  /** Forget a trigger; one that already ran (or was removed) is ignored. */
  remove(id: SystemEventTriggerId): void {
    const trigger = id as Trigger;
    if (trigger.removed) return;
    trigger.removed = true;
    const list = this.#triggers[trigger.phase];
    // While its phase runs, the trigger list is walked by index: leave it in place, flagged.
    if (this.#state !== trigger.phase) {
      const i = list.indexOf(trigger);
      if (i >= 0) list.splice(i, 1);
    }
  }

  /**
   * Run the three phases. Runs synchronously up to the first promise a trigger returns. Never
   * rejects: a trigger that throws (or whose promise rejects) is logged and the rest go on.
   */
  async fire(): Promise<void> {
    if (this.#state !== 'waiting') return;
    for (const phase of PHASES) {
      this.#state = phase;
      // Triggers added to the running phase (by a trigger of it) run in this same pass.
      const list = this.#triggers[phase];
      let waits: Promise<unknown>[] | undefined;
      for (let i = 0; i < list.length; i++) {
        const trigger = list[i]!;
        if (trigger.removed) continue;
        trigger.removed = true;
        let result: unknown;
        try {
          result = trigger.fn(...(trigger.args as never[]));
        } catch (error) {
          this.#report(phase, error);
          continue;
        }
        if (phase !== 'after' && isThenable(result)) {
          (waits ??= []).push(Promise.resolve(result).catch((error: unknown) => this.#report(phase, error)));
        }
      }
      list.length = 0;
      if (waits !== undefined) await Promise.all(waits);
    }
    this.#state = 'done';
  }

  #report(phase: SystemEventPhase, error: unknown): void {
    log.error(`A '${phase}' ${this.#type} trigger failed; the other triggers still run`, error);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
