import type { Socket } from 'node:net';
import * as tls from 'node:tls';
import type { TLSOptions } from '../interfaces.js';

/**
 * Wrap a connected plain socket in TLS once everything already written to it has left, so the
 * plaintext sent before `startTLS()` reaches the peer ahead of the handshake.
 *
 * @internal
 */
export function upgradeToTLS(raw: Socket, options: TLSOptions, isServer: boolean, done: (tlsSocket: tls.TLSSocket) => void): void {
  const wrap = (): void => {
    const tlsSocket = isServer
      ? new tls.TLSSocket(raw, { ...options, isServer: true, secureContext: tls.createSecureContext(options) })
      : tls.connect({ ...options, socket: raw });
    done(tlsSocket);
  };
  if (raw.writableLength === 0) wrap();
  else raw.write(Buffer.alloc(0), wrap);
}
