import type { Socket } from 'node:net';
import type * as tlsTypes from 'node:tls';
import { tls } from '../builtins.js';
import type { Address, TLSOptions } from '../interfaces.js';
import { NotSupportedError, TLSHandshakeError } from '../errors.js';
import { describeAddress } from './addresses.js';
import type { Handshake } from './transport-state.js';

/**
 * The parts of a stream transport's `startTLS()` that need none of its state: wrapping the
 * socket, the handshake's promise, and the errors an upgrade can meet.
 *
 * @internal
 */

/**
 * Wrap a connected plain socket in TLS once everything already written to it has left, so the
 * plaintext sent before `startTLS()` reaches the peer ahead of the handshake.
 */
export function upgradeToTLS(raw: Socket, options: TLSOptions, isServer: boolean, done: (tlsSocket: tlsTypes.TLSSocket) => void): void {
  const wrap = (): void => {
    const tlsSocket = isServer
      ? new (tls().TLSSocket)(raw, { ...options, isServer: true, secureContext: tls().createSecureContext(options) })
      : tls().connect({ ...options, socket: raw });
    done(tlsSocket);
  };
  if (raw.writableLength === 0) wrap();
  else raw.write(Buffer.alloc(0), wrap);
}

/** Mark a promise as handled, so one nobody awaits is no unhandled rejection; returns it. */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

/** The promise `startTLS()` returns, and how the transport settles it when the handshake ends. */
export function pendingHandshake(): { done: Promise<void>; handshake: Handshake } {
  let handshake: Handshake | undefined;
  const done = handled(
    new Promise<void>((resolve, reject) => {
      handshake = { resolve, reject };
    }),
  );
  return { done, handshake: handshake! };
}

/** What `startTLS()` returns on a connection that is closing or closed. */
export function startTLSTooLate(): Promise<void> {
  return handled(
    Promise.reject(new TLSHandshakeError('startTLS() was called on a connection that is closing or closed: no handshake took place.')),
  );
}

/** `startTLS()` called a second time. */
export function startTLSTwice(): NotSupportedError {
  return new NotSupportedError('startTLS() was already called on this connection: TLS cannot be started twice.');
}

/** The peer sent EOF before the handshake completed. */
export function handshakeCutShort(peer: Address): TLSHandshakeError {
  return new TLSHandshakeError(`${describeAddress(peer)} closed the connection during the TLS handshake: check that it starts TLS too.`);
}

/**
 * A server that asked for a client certificate checks it itself (a bare TLSSocket does not
 * reject it on its own): the error to drop the connection with, or undefined if it is accepted.
 */
export function refusedClientCertificate(isServer: boolean, options: TLSOptions, tlsSocket: tlsTypes.TLSSocket, peer: Address): TLSHandshakeError | undefined {
  if (!isServer || options.requestCert !== true || options.rejectUnauthorized === false || tlsSocket.authorized) return undefined;
  const why = String(tlsSocket.authorizationError ?? 'no certificate');
  return new TLSHandshakeError(`The client certificate of ${describeAddress(peer)} was refused: ${why}.`);
}
