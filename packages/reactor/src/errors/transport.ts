/**
 * Transports and producers: writing after the write side or the connection closed, a second
 * producer, an operation the transport does not support.
 *
 * @module
 */
import { TorsionError } from './base.js';

/**
 * `write()` after `writeEof()`: the write side is already closed.
 *
 * @example
 * ```ts
 * transport.write('last words');
 * transport.writeEof();             // a write() from now on throws WriteAfterEofError
 * ```
 */
export class WriteAfterEofError extends TorsionError {
  constructor(message = 'Cannot write after writeEof(): the write side of this connection is closed.') {
    super('ERR_WRITE_AFTER_EOF', message);
  }
}

/**
 * `write()` on a connection whose `connectionLost` has already run: the code holds a stale
 * reference. (Writes while the connection is merely closing, after `loseConnection()` or
 * `abortConnection()`, are dropped silently instead, as a write racing a close is normal.)
 *
 * @example
 * ```ts
 * protocol.transport.loseConnection();
 * // ... later, after protocol.connectionLost() has run:
 * protocol.transport.write('hello?'); // throws WriteAfterCloseError
 * ```
 */
export class WriteAfterCloseError extends TorsionError {
  constructor(
    message = 'Cannot write: this connection is closed and its connectionLost() has run. Stop writing to it there (remove it from any broadcast list).',
  ) {
    super('ERR_WRITE_AFTER_CLOSE', message);
  }
}

/**
 * `registerProducer()` while another producer is registered.
 *
 * @example
 * ```ts
 * transport.unregisterProducer();   // registering a second producer first would throw ProducerAlreadyRegistered
 * transport.registerProducer(next, true);
 * ```
 */
export class ProducerAlreadyRegistered extends TorsionError {
  constructor(
    message = 'A producer is already registered with this transport: call unregisterProducer() before registering another.',
  ) {
    super('ERR_PRODUCER_ALREADY_REGISTERED', message);
  }
}

/**
 * An operation a transport does not support (`writeEof` on TLS 1.2, say).
 *
 * @example
 * ```ts
 * if (transport.canWriteEof()) transport.writeEof();   // on TLS writeEof() throws NotSupportedError
 * else transport.loseConnection();
 * ```
 */
export class NotSupportedError extends TorsionError {
  constructor(message: string) {
    super('ERR_NOT_SUPPORTED', message);
  }
}
