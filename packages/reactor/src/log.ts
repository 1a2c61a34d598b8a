/**
 * Torsion's log: one place where the framework reports what users should see (a protocol
 * callback that threw, a connection dropped, a port opened). By default events go to
 * `console.error`/`console.log`; a program or a test installs its own observer.
 *
 * @example
 * ```ts
 * import { setLogObserver } from '@torsion/reactor';
 * const seen: LogEvent[] = [];
 * const previous = setLogObserver((event) => seen.push(event));
 * // ... later
 * setLogObserver(previous);
 * ```
 *
 * @module
 */

/** How serious a log event is. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One thing the framework reports. */
export interface LogEvent {
  level: LogLevel;
  /** A sentence a person can read. */
  message: string;
  /** The error, when the event is about one. */
  error?: unknown;
  /** Structured context: peer and host addresses, port numbers... */
  fields?: Record<string, unknown>;
}

/** Receives log events. */
export type LogObserver = (event: LogEvent) => void;

/**
 * The default observer: errors and warnings to stderr, info to stdout, debug dropped.
 *
 * @example
 * ```ts
 * const previous = setLogObserver((event) => myLogger.log(event.level, event.message, event.fields));
 * // ...
 * setLogObserver(consoleLogObserver);   // back to the default
 * ```
 */
export const consoleLogObserver: LogObserver = (event) => {
  if (event.level === 'debug') return;
  const fields = event.fields === undefined ? '' : ` ${JSON.stringify(event.fields)}`;
  const line = `[torsion] ${event.level}: ${event.message}${fields}`;
  if (event.level === 'info') console.log(line);
  else if (event.error !== undefined) console.error(line, event.error);
  else console.error(line);
};

let observer: LogObserver = consoleLogObserver;

/**
 * Install `next` as the log observer and return the previous one (to restore it later).
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const previous = setLogObserver((event) => lines.push(`${event.level}: ${event.message}`));
 * try {
 *   // ... run the code under test ...
 * } finally {
 *   setLogObserver(previous);
 * }
 * ```
 */
export function setLogObserver(next: LogObserver): LogObserver {
  const previous = observer;
  observer = next;
  return previous;
}

/**
 * Report an event to the current observer. An observer that throws is ignored.
 *
 * @example
 * ```ts
 * logEvent({ level: 'warn', message: 'peer sent garbage', fields: { peer: formatAddress(peer) } });
 * ```
 */
export function logEvent(event: LogEvent): void {
  try {
    observer(event);
  } catch {
    // A broken log observer must not take the reactor down with it.
  }
}

/** Shorthands used across the framework. */
export const log = {
  debug: (message: string, fields?: Record<string, unknown>): void => logEvent({ level: 'debug', message, fields }),
  info: (message: string, fields?: Record<string, unknown>): void => logEvent({ level: 'info', message, fields }),
  warn: (message: string, fields?: Record<string, unknown>): void => logEvent({ level: 'warn', message, fields }),
  error: (message: string, error?: unknown, fields?: Record<string, unknown>): void =>
    logEvent({ level: 'error', message, error, fields }),
};
