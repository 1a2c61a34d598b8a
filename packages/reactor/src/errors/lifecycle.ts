/**
 * The reactor's life cycle: `run()` and `stop()` called in the wrong state.
 *
 * @module
 */
import { TorsionError } from './base.js';

/**
 * `run()` on a reactor that is already running.
 *
 * @example
 * ```ts
 * const running = reactor.run();   // a second reactor.run() now throws ReactorAlreadyRunning
 * await running;
 * ```
 */
export class ReactorAlreadyRunning extends TorsionError {
  constructor(message = 'The reactor is already running: call run() once, and await it.') {
    super('ERR_REACTOR_ALREADY_RUNNING', message);
  }
}

/**
 * `stop()` on a reactor that is not running.
 *
 * @example
 * ```ts
 * if (reactor.running) await reactor.stop();   // stop() on a stopped reactor throws ReactorNotRunning
 * ```
 */
export class ReactorNotRunning extends TorsionError {
  constructor(message = "Can't stop a reactor that isn't running: check reactor.running first.") {
    super('ERR_REACTOR_NOT_RUNNING', message);
  }
}

/**
 * `run()` on a reactor that has already been stopped.
 *
 * @example
 * ```ts
 * await reactor.run();              // ... until stopped
 * const next = new Reactor();       // reactor.run() again would throw ReactorNotRestartable
 * ```
 */
export class ReactorNotRestartable extends TorsionError {
  constructor(message = 'A stopped reactor cannot be run again: create a new Reactor() instead.') {
    super('ERR_REACTOR_NOT_RESTARTABLE', message);
  }
}
