/**
 * A child process that could not be started: {@link ProcessSpawnError}, a {@link ProcessTerminated}
 * with the system error as `cause`.
 *
 * @module
 */
import type { TorsionErrorOptions } from './base.js';
import { ProcessTerminated } from './process.js';

/**
 * A child process could not be started (no such executable, no permission, a bad `cwd`): the
 * reason given to `processExited`/`processEnded`, with the system error as `cause`.
 *
 * @example
 * ```ts
 * override processEnded(reason: Error): void {
 *   if (reason instanceof ProcessSpawnError) console.error('could not start:', reason.cause);   // ENOENT...
 * }
 * ```
 */
export class ProcessSpawnError extends ProcessTerminated {
  override readonly code: string = 'ERR_PROCESS_SPAWN';

  constructor(message: string, options?: TorsionErrorOptions) {
    super(null, null, message);
    if (options?.cause !== undefined) {
      Object.defineProperty(this, 'cause', { value: options.cause, writable: true, configurable: true });
    }
  }
}
