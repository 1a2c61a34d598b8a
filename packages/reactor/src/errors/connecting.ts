/**
 * Connecting and listening: why an outgoing connection attempt failed ({@link ConnectError} and its
 * subclasses), and why a port could not be listened on.
 *
 * @module
 */
import { TorsionError, type TorsionErrorOptions } from './base.js';

/**
 * The base of the reasons an outgoing connection attempt failed.
 *
 * @example
 * ```ts
 * override clientConnectionFailed(connector: IConnector, reason: Error): void {
 *   if (reason instanceof ConnectError) console.error('could not connect:', reason.code);
 * }
 * ```
 */
export class ConnectError extends TorsionError {}

/**
 * The peer refused the connection: nothing listens there.
 *
 * @example
 * ```ts
 * override clientConnectionFailed(connector: IConnector, reason: Error): void {
 *   if (reason instanceof ConnectionRefusedError) reactor.callLater(5, () => connector.connect());
 * }
 * ```
 */
export class ConnectionRefusedError extends ConnectError {
  constructor(
    message = 'Connection was refused by the other side: check that a server is listening at that host and port.',
    options?: TorsionErrorOptions,
  ) {
    super('ERR_CONNECTION_REFUSED', message, options);
  }
}

/**
 * An operation did not finish in the time allowed (a connect timeout, say).
 *
 * @example
 * ```ts
 * reactor.connectTCP('192.0.2.1', 8023, factory, { timeout: 5 });
 * // no answer within 5 s: factory.clientConnectionFailed(connector, TimeoutError)
 * ```
 */
export class TimeoutError extends ConnectError {
  constructor(message = 'The operation timed out: raise the timeout or check that the peer is reachable.', options?: TorsionErrorOptions) {
    super('ERR_TIMEOUT', message, options);
  }
}

/**
 * A host name could not be resolved.
 *
 * @example
 * ```ts
 * reactor.connectTCP('no-such-host.invalid', 8023, factory);
 * // factory.clientConnectionFailed(connector, DNSLookupError)
 * ```
 */
export class DNSLookupError extends ConnectError {
  constructor(message = 'The host name could not be resolved: check its spelling and your resolver.', options?: TorsionErrorOptions) {
    super('ERR_DNS_LOOKUP', message, options);
  }
}

/**
 * A connection attempt was abandoned by the user (`stopConnecting()`, `disconnect()`, an abort signal).
 *
 * @example
 * ```ts
 * const connector = reactor.connectTCP('127.0.0.1', 8023, factory);
 * connector.stopConnecting();   // factory.clientConnectionFailed(connector, ConnectingCancelledError)
 * ```
 */
export class ConnectingCancelledError extends ConnectError {
  constructor(message = 'The connection attempt was cancelled by the user.', options?: TorsionErrorOptions) {
    super('ERR_CONNECTING_CANCELLED', message, options);
  }
}

/**
 * Any other failure to connect, with the system error as `cause`.
 *
 * @example
 * ```ts
 * override clientConnectionFailed(connector: IConnector, reason: Error): void {
 *   if (reason instanceof ConnectFailedError) console.error('connect failed:', reason.cause);
 * }
 * ```
 */
export class ConnectFailedError extends ConnectError {
  constructor(message: string, options?: TorsionErrorOptions) {
    super('ERR_CONNECT_FAILED', message, options);
  }
}

/**
 * A port could not be listened on (in use, no permission, bad interface).
 *
 * @example
 * ```ts
 * try {
 *   await reactor.listenTCP(8023, factory, { interface: '127.0.0.1' });
 * } catch (err) {
 *   if (err instanceof CannotListenError) console.error(`cannot use port ${err.port}: ${err.message}`);
 * }
 * ```
 */
export class CannotListenError extends TorsionError {
  readonly interface: string;
  readonly port: number | string;

  constructor(iface: string, port: number | string, message: string, options?: TorsionErrorOptions) {
    super('ERR_CANNOT_LISTEN', message, options);
    this.interface = iface;
    this.port = port;
  }
}
