/**
 * Errors raised by the connection policies (reconnecting clients, timeouts, throttling and
 * connection limits), and the checks that turn bad configuration into a clear `TypeError` (not
 * a number) or `RangeError` (a number out of range).
 *
 * @module
 */
import { TorsionError, TorsionRangeError, TorsionTypeError } from '@torsion/reactor';

/**
 * `ReconnectingClientFactory.retry()` was called with no connector, before the factory had seen
 * one (no `startedConnecting`, `clientConnectionFailed` or `clientConnectionLost` yet).
 *
 * @example
 * ```ts
 * const factory = ReconnectingClientFactory.forProtocol(Protocol);
 * factory.retry();   // throws NoConnectorToRetryError: connect it first, or pass the connector
 * ```
 */
export class NoConnectorToRetryError extends TorsionError {
  constructor(
    message = 'ReconnectingClientFactory.retry() has no connector to retry: pass one, or connect the factory (reactor.connectTCP) first.',
  ) {
    super('ERR_NO_CONNECTOR_TO_RETRY', message);
  }
}

/**
 * Throw a `TorsionTypeError` when `value` is not a number: the same rule as everywhere else
 * (`callLater`, ports, `MAX_LENGTH`), and a message that quotes a string as a string.
 *
 * @internal
 */
export function checkNumber(owner: string, name: string, value: unknown, hint: string): void {
  if (typeof value !== 'number') throw new TorsionTypeError(`${owner}.${name} must be a number, got ${notANumber(value)}: ${hint}.`);
}

/**
 * How a value that should have been a number reads in a message: a string quoted (`"5"`), else
 * its type.
 *
 * @internal
 */
export function notANumber(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

/**
 * Throw a `TorsionRangeError` (a `RangeError`, code `ERR_OUT_OF_RANGE`) unless `value` is a
 * finite number above zero (a `TorsionTypeError` if it is not a number at all).
 *
 * @internal
 */
export function checkPositive(owner: string, name: string, value: number, hint: string): void {
  checkNumber(owner, name, value, hint);
  if (!Number.isFinite(value) || value <= 0) {
    throw new TorsionRangeError(`${owner}.${name} must be a finite number above zero, got ${String(value)}: ${hint}.`);
  }
}

/**
 * Throw a `TorsionRangeError` unless `value` is an integer of at least 1 (or `Infinity` when
 * `allowInfinity`); a `TorsionTypeError` if it is not a number at all.
 *
 * @internal
 */
export function checkPositiveInteger(owner: string, name: string, value: number, hint: string, allowInfinity = false): void {
  checkNumber(owner, name, value, hint);
  const ok = value >= 1 && (Number.isInteger(value) || (allowInfinity && value === Infinity));
  if (!ok) {
    throw new TorsionRangeError(`${owner}.${name} must be a whole number of at least 1, got ${String(value)}: ${hint}.`);
  }
}
