/**
 * Processes: how a child process ended (the reason given to `processEnded`), and signalling one
 * that has already exited.
 *
 * @module
 */
import { TorsionError } from './base.js';

/**
 * The process exited with status 0.
 *
 * @example
 * ```ts
 * override processEnded(reason: Error): void {
 *   if (reason instanceof ProcessDone) console.log('the child succeeded');
 * }
 * ```
 */
export class ProcessDone extends TorsionError {
  readonly exitCode = 0;
  readonly signal: NodeJS.Signals | null = null;

  constructor(message = 'The process exited cleanly with status 0.') {
    super('ERR_PROCESS_DONE', message);
  }
}

/**
 * The process exited with a non-zero status or was killed by a signal.
 *
 * @example
 * ```ts
 * override processEnded(reason: Error): void {
 *   if (reason instanceof ProcessTerminated) console.log('exit status', reason.exitCode, 'signal', reason.signal);
 * }
 * ```
 */
export class ProcessTerminated extends TorsionError {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;

  constructor(exitCode: number | null, signal: NodeJS.Signals | null, message?: string) {
    super(
      'ERR_PROCESS_TERMINATED',
      message ??
        (signal !== null
          ? `The process was killed by signal ${signal}.`
          : `The process exited with status ${String(exitCode)}.`),
    );
    this.exitCode = exitCode;
    this.signal = signal;
  }
}

/**
 * `signalProcess()` on a process that has already exited.
 *
 * @example
 * ```ts
 * if (transport.pid !== null) transport.signalProcess('TERM');   // after the exit: ProcessExitedAlready
 * ```
 */
export class ProcessExitedAlready extends TorsionError {
  constructor(message = 'The process has already exited: there is nothing left to signal.') {
    super('ERR_PROCESS_EXITED_ALREADY', message);
  }
}
