/**
 * Datagrams: using a UDP port that has stopped listening.
 *
 * @module
 */
import { TorsionError } from './base.js';

/**
 * A write or connect on a UDP port that has stopped listening.
 *
 * @example
 * ```ts
 * await port.stopListening();
 * port.write('ping', { host: '127.0.0.1', port: 9999 });   // throws PortClosedError
 * ```
 */
export class PortClosedError extends TorsionError {
  constructor(message = 'This UDP port has stopped listening: listen again with reactor.listenUDP() to send.') {
    super('ERR_PORT_CLOSED', message);
  }
}
