/**
 * TLS upgrades (`startTLS()`): a failed handshake, {@link TLSHandshakeError}, which is a
 * {@link ConnectionLost}.
 *
 * @module
 */
import type { TorsionErrorOptions } from './base.js';
import { ConnectionLost } from './connection-closed.js';

/**
 * A TLS handshake started with `startTLS()` failed: the certificate was not trusted, the peer
 * spoke no TLS, or the connection ended before the handshake completed. `startTLS()`'s promise
 * rejects with it and the connection is dropped with it as the `connectionLost` reason. It is a
 * {@link ConnectionLost} (an unclean end); the TLS or system error is kept as `cause`.
 *
 * @example
 * ```ts
 * try {
 *   await protocol.transport.startTLS({ ca, servername: 'chat.example' });
 * } catch (err) {
 *   if (err instanceof TLSHandshakeError) console.error('TLS failed:', err.cause);
 * }
 * ```
 */
export class TLSHandshakeError extends ConnectionLost {
  override readonly code: string = 'ERR_TLS_HANDSHAKE';

  constructor(
    message = 'The TLS handshake failed: check the certificates (ca, servername, key, cert) and that the peer starts TLS too.',
    options?: TorsionErrorOptions,
  ) {
    super(message, options);
  }
}
