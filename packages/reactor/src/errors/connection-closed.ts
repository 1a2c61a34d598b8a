/**
 * The reasons a connection ended, given to `connectionLost`: {@link ConnectionClosed} and its subclasses.
 *
 * @module
 */
import { TorsionError, type TorsionErrorOptions } from './base.js';

/**
 * The base of the reasons a connection ended.
 *
 * @example
 * ```ts
 * override connectionLost(reason: Error): void {
 *   if (!(reason instanceof ConnectionClosed)) console.error('dropped because of', reason);
 * }
 * ```
 */
export class ConnectionClosed extends TorsionError {}

/**
 * The connection was closed cleanly (both sides agreed, or the peer sent EOF).
 *
 * @example
 * ```ts
 * override connectionLost(reason: Error): void {
 *   if (reason instanceof ConnectionDone) console.log('closed cleanly');
 * }
 * ```
 */
export class ConnectionDone extends ConnectionClosed {
  constructor(message = 'Connection was closed cleanly.', options?: TorsionErrorOptions) {
    super('ERR_CONNECTION_DONE', message, options);
  }
}

/**
 * The connection was lost in a non-clean fashion (reset by the peer, a socket error...).
 *
 * @example
 * ```ts
 * override connectionLost(reason: Error): void {
 *   if (reason instanceof ConnectionLost) console.warn('the peer vanished:', reason.cause);
 * }
 * ```
 */
export class ConnectionLost extends ConnectionClosed {
  constructor(message = 'Connection to the other side was lost in a non-clean fashion.', options?: TorsionErrorOptions) {
    super('ERR_CONNECTION_LOST', message, options);
  }
}

/**
 * The connection was aborted locally with `abortConnection()`; buffered data was dropped.
 *
 * @example
 * ```ts
 * this.transport.abortConnection();   // connectionLost() follows, with a ConnectionAborted
 * ```
 */
export class ConnectionAborted extends ConnectionClosed {
  constructor(message = 'Connection was aborted locally with abortConnection().', options?: TorsionErrorOptions) {
    super('ERR_CONNECTION_ABORTED', message, options);
  }
}
