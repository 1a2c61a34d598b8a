/**
 * Errors raised by the connection policies (reconnecting clients, timeouts, throttling and
 * connection limits), and the checks that turn bad configuration into a clear `RangeError`.
 *
 * @module
 */
import { TorsionError, TorsionRangeError } from '@torsion/reactor';

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
 * Throw a `TorsionRangeError` (a `RangeError`, code `ERR_OUT_OF_RANGE`) unless `value` is a
 * finite number above zero.
 *
 * @internal
 */
export function checkPositive(owner: string, name: string, value: number, hint: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TorsionRangeError(`${owner}.${name} must be a finite number above zero, got ${String(value)}: ${hint}.`);
  }
}

/**
 * Throw a `TorsionRangeError` unless `value` is an integer of at least 1 (or `Infinity` when
 * `allowInfinity`).
 *
 * @internal
 */
export function checkPositiveInteger(owner: string, name: string, value: number, hint: string, allowInfinity = false): void {
  const ok = typeof value === 'number' && value >= 1 && (Number.isInteger(value) || (allowInfinity && value === Infinity));
  if (!ok) {
    throw new TorsionRangeError(`${owner}.${name} must be a whole number of at least 1, got ${String(value)}: ${hint}.`);
  }
}
