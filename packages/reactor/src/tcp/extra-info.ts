import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Address, ExtraInfoName } from '../interfaces.js';

/**
 * `getExtraInfo()` of a stream transport: the addresses, the socket, and what TLS knows about
 * the session (undefined on a connection that is not encrypted).
 *
 * @internal
 */
export function extraInfo(socket: Socket, peer: Address, host: Address, name: ExtraInfoName): unknown {
  switch (name) {
    case 'peername':
      return peer;
    case 'sockname':
      return host;
    case 'socket':
      return socket;
  }
  if ((socket as Partial<TLSSocket>).encrypted !== true) return undefined;
  const tls = socket as TLSSocket;
  switch (name) {
    case 'peercert': {
      const cert = tls.getPeerCertificate();
      return cert === null || Object.keys(cert).length === 0 ? undefined : cert;
    }
    case 'cipher':
      return tls.getCipher();
    case 'protocol':
      return tls.getProtocol() ?? undefined;
    case 'alpnProtocol':
      return tls.alpnProtocol === false ? undefined : tls.alpnProtocol;
    case 'authorized':
      return tls.authorized;
    case 'authorizationError':
      return tls.authorizationError ?? undefined;
    case 'sslcontext':
      return undefined;
  }
  return undefined;
}
