import type { Socket } from 'node:net';

/**
 * Destroy `socket` so that the peer sees its connection *reset* (a TCP RST), not a clean end:
 * that is how an aborted stream stays distinguishable from a complete one at the other side.
 *
 * `tcp` is the plain TCP socket the bytes travel over: the socket itself for TCP, the socket
 * under it for TLS (a TLS socket cannot be reset itself, its handle is not a TCP one). A UNIX
 * socket has no reset at all, so it is destroyed normally (the peer sees an end of stream); nor
 * does a socket whose `end()` has already sent everything (see below).
 *
 * @internal
 */
export function destroyWithReset(socket: Socket, tcp: Socket | undefined): void {
  // No reset while the FIN of an end() may be in flight: Node then fails the reset and leaves
  // the socket open for good. Once end() was called and nothing is left to write, that FIN is
  // on its way anyway (the stream was complete), so close normally.
  const finishing = socket.writableEnded && socket.writableLength === 0;
  if (tcp !== undefined && !tcp.destroyed && !finishing) {
    try {
      tcp.resetAndDestroy();
    } catch {
      tcp.destroy(); // not a TCP handle after all: a plain close is all there is
    }
    if (tcp !== socket) {
      // The TLS socket closes by itself once the TCP socket under it is gone. Destroying it in
      // the same tick as the reset crashes Node 20 (a segfault) when that tick is inside a TLS
      // callback (a handshake completing), so this later destroy is only a guard.
      setImmediate(() => {
        if (!socket.destroyed) socket.destroy();
      });
      return;
    }
  }
  if (!socket.destroyed) socket.destroy();
}

/** `remote|port|local|port`: the key of a TCP connection, the same seen from either socket. */
function connectionKey(socket: Socket): string {
  return `${socket.remoteAddress ?? ''}|${socket.remotePort ?? 0}|${socket.localAddress ?? ''}|${socket.localPort ?? 0}`;
}

/**
 * Pairs the TLS sockets a `tls.Server` hands out with the TCP sockets under them, through
 * public events only: the server's `'connection'` gives the TCP socket, `'secureConnection'`
 * the TLS one, and both report the same addresses. An entry lives until it is taken or its
 * socket closes (a failed handshake), so nothing accumulates.
 *
 * @internal
 */
export class TcpSocketIndex {
  readonly #byKey = new Map<string, Socket>();

  add(tcp: Socket): void {
    if (tcp.remoteAddress === undefined) return; // already gone
    const key = connectionKey(tcp);
    this.#byKey.set(key, tcp);
    tcp.once('close', () => {
      if (this.#byKey.get(key) === tcp) this.#byKey.delete(key);
    });
  }

  /** Close every socket not yet taken: connections whose handshake has not completed. */
  destroyAll(): void {
    for (const tcp of this.#byKey.values()) tcp.destroy();
    this.#byKey.clear();
  }

  take(tlsSocket: Socket): Socket | undefined {
    const key = connectionKey(tlsSocket);
    const tcp = this.#byKey.get(key);
    if (tcp !== undefined) this.#byKey.delete(key);
    return tcp;
  }
}
