import type { Address } from '../interfaces.js';
import { ConnectionLost } from '../errors.js';
import { log } from '../log.js';
import { describeAddress } from './addresses.js';

/**
 * Fault isolation for protocol callbacks: how a transport recognises a callback's promise and
 * reports a callback that threw or rejected. The transport then drops that connection alone.
 *
 * @internal
 */

export interface Thenable {
  then(onFulfilled: ((value: unknown) => void) | undefined, onRejected: (err: unknown) => void): unknown;
}

export function isThenable(value: unknown): value is Thenable {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

/** The reason a connection is dropped for a callback that threw `err` (which may be no Error). */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new ConnectionLost(`A protocol callback threw a non-Error value: ${String(err)}.`, { cause: err });
}

/**
 * Log a failed callback with the connection's addresses and the protocol's class name;
 * `afterClose` says the connection was already closed, so nothing is dropped.
 */
export function logProtocolFault(protocol: object, peer: Address, host: Address, err: unknown, what: string, afterClose: boolean): void {
  const name = protocol.constructor?.name ?? 'protocol';
  const outcome = afterClose ? 'the connection was already closed' : 'dropping the connection';
  log.error(`${what} in ${name}; ${outcome} to ${describeAddress(peer)}.`, err, {
    peer: describeAddress(peer),
    host: describeAddress(host),
    protocol: name,
  });
}
