import * as net from 'node:net';
import type * as tlsTypes from 'node:tls';
import { tls } from '../builtins.js';
import type { Address, IListeningPort, IProtocol, IProtocolFactory, TLSOptions } from '../interfaces.js';
import { log } from '../log.js';
import { NotListeningError } from '../errors.js';
import { describeAddress, hostAddress, peerAddress, type StreamKind } from './addresses.js';
import { TcpSocketIndex } from './reset.js';
import { listenErrorFrom } from './system-errors.js';
import { StreamTransport, type StreamTransportOptions } from './stream-transport.js';
import type { TransportReactor } from '../lifecycle/resources.js';

/** Where and how a port listens. @internal */
export interface ListenSpec {
  kind: StreamKind;
  /** TCP/TLS: the port and interface; UNIX: the path. */
  port?: number;
  interface?: string;
  path?: string;
  backlog?: number;
  tls?: TLSOptions;
}

/**
 * A listening port: TCP, TLS or UNIX. Returned (in a promise) by `reactor.listenTCP()`,
 * `listenSSL()` and `listenUNIX()` once the socket listens.
 *
 * `stopListening()` stops accepting; established connections stay up (close them with their
 * transports, or with `reactor.stop()`).
 *
 * @example
 * ```ts
 * const port = await reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: '127.0.0.1' });
 * console.log(port.getHost().port); // the port the system picked
 * await port.stopListening();
 * ```
 */
export class ListeningPort<A extends Address = Address> implements IListeningPort<A> {
  readonly #reactor: TransportReactor;
  readonly #factory: IProtocolFactory;
  readonly #spec: ListenSpec;
  readonly #server: net.Server;
  #host: Address | undefined;
  /** Every accepted connection's local address, when it cannot vary (see `fixedLocalAddress`). */
  #connectionHost: Address | undefined;
  /** Shared by every connection this port accepts. */
  readonly #transportOptions: StreamTransportOptions;
  #untrack: (() => void) | undefined;
  #stopping: Promise<void> | undefined;
  /** TLS: the TCP sockets whose handshake has not completed yet. */
  readonly #handshaking: TcpSocketIndex | undefined;

  /** @internal Use `reactor.listenTCP()` and friends. */
  constructor(reactor: TransportReactor, factory: IProtocolFactory, spec: ListenSpec) {
    this.#reactor = reactor;
    this.#factory = factory;
    this.#spec = spec;
    // A UNIX client has no address of its own: every connection shares one peer address.
    this.#transportOptions = { kind: spec.kind, reactor, isServer: true, ...(spec.kind === 'UNIX' ? { peer: UNIX_PEER } : {}) };
    // allowHalfOpen so that a peer's EOF reaches eofReceived() instead of closing us at once
    // (not for TLS, which has no half-close: a client that leaves mid-handshake would linger);
    // noDelay because the transport already coalesces each turn's writes into one send.
    const common = { allowHalfOpen: spec.kind !== 'TLS', noDelay: spec.kind !== 'UNIX' };
    if (spec.kind === 'TLS') {
      this.#server = tls().createServer({ ...spec.tls, ...common });
      // Remember the TCP socket under each TLS one, for abortConnection() to reset.
      const tcpSockets = (this.#handshaking = new TcpSocketIndex());
      this.#server.on('connection', (tcp: net.Socket) => tcpSockets.add(tcp));
      this.#server.on('secureConnection', (socket: tlsTypes.TLSSocket) => this.#accept(socket, tcpSockets.take(socket)));
      this.#server.on('tlsClientError', (err: Error, socket: tlsTypes.TLSSocket) => {
        if (this.#stopping !== undefined) return; // closed by stopListening(), mid-handshake
        log.warn(`TLS handshake with ${socket.remoteAddress ?? 'a client'} failed: ${err.message}`, {
          port: this.#describe(),
        });
      });
    } else {
      this.#server = net.createServer(common);
      this.#server.on('connection', (socket: net.Socket) => this.#accept(socket));
    }
  }

  /** Bind and listen; resolves once listening. @internal */
  listen(): Promise<this> {
    const spec = this.#spec;
    const server = this.#server;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        server.off('listening', onListening);
        reject(
          spec.kind === 'UNIX'
            ? listenErrorFrom(err, '', spec.path ?? '')
            : listenErrorFrom(err, spec.interface ?? '', spec.port ?? 0),
        );
      };
      const onListening = (): void => {
        server.off('error', onError);
        server.on('error', (err: Error) => log.error(`Listening port ${this.#describe()} reported an error.`, err));
        const a = server.address();
        const host: Address =
          spec.kind === 'UNIX' || typeof a === 'string' || a === null
            ? { type: 'UNIX', path: spec.path ?? String(a) }
            : { type: spec.kind, host: a.address, port: a.port };
        this.#host = host;
        this.#connectionHost = fixedLocalAddress(host);
        try {
          this.#factory.doStart();
        } catch (err) {
          // A factory that cannot start gets no port: close it and hand the error to the caller.
          server.close();
          reject(err);
          return;
        }
        this.#untrack = this.#reactor.track({
          kind: 'port',
          close: () => this.stopListening(),
          abort: () => void this.stopListening(),
        });
        resolve(this);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      if (spec.kind === 'UNIX') server.listen({ path: spec.path, backlog: spec.backlog });
      else server.listen({ port: spec.port, host: spec.interface, backlog: spec.backlog });
    });
  }

  getHost(): A {
    if (this.#host === undefined) throw new NotListeningError('getHost() was called before the port listens: await listenTCP() first.');
    return this.#host as A; // the kind of port (TCP, TLS, UNIX) fixes the kind of address
  }

  stopListening(): Promise<void> {
    this.#stopping ??= new Promise<void>((resolve) => {
      // The listening socket closes now; Server's own 'close' waits for every connection,
      // which is not what stopListening() promises, so resolve on the next turn instead.
      this.#server.close();
      // A TLS client still in its handshake is not a connection yet: it is dropped with the port
      // (otherwise it would hold the process until the handshake timed out, and one completing
      // later would reach a factory already stopped).
      this.#handshaking?.destroyAll();
      setImmediate(() => {
        this.#untrack?.();
        this.#untrack = undefined;
        try {
          this.#factory.doStop();
        } catch (err) {
          log.error(`The factory of ${this.#describe()} failed to stop.`, err);
        }
        resolve();
      });
    });
    return this.#stopping;
  }

  #describe(): string {
    return this.#host === undefined ? '(not listening)' : describeAddress(this.#host);
  }

  #accept(socket: net.Socket, tcpSocket?: net.Socket): void {
    const kind = this.#spec.kind;
    if (this.#stopping !== undefined) {
      socket.destroy(); // a TLS handshake that completed as the port stopped
      return;
    }
    if (kind !== 'UNIX' && socket.remoteAddress === undefined) {
      socket.destroy(); // already reset by the peer before we saw it
      return;
    }
    const peer = kind === 'UNIX' ? UNIX_PEER : peerAddress(kind, socket);
    const host = this.#connectionHost ?? hostAddress(kind, socket, this.#spec.path ?? '');
    let protocol: IProtocol | null;
    try {
      protocol = this.#factory.buildProtocol(peer);
    } catch (err) {
      log.error(`buildProtocol() threw; dropping the connection from ${describeAddress(peer)}.`, err, {
        peer: describeAddress(peer),
        host: describeAddress(host),
      });
      socket.destroy();
      return;
    }
    if (protocol === null) {
      socket.destroy();
      return;
    }
    // TLS: each connection has its own TCP socket beneath (for abortConnection's reset), so its own options.
    const options = tcpSocket === undefined ? this.#transportOptions : { ...this.#transportOptions, tcpSocket };
    new StreamTransport(socket, protocol, options, host).start();
  }
}

/** The peer of every connection accepted on a UNIX socket (UNIX clients have no address). */
const UNIX_PEER: Address = Object.freeze({ type: 'UNIX', path: '' });

/**
 * The local address every connection accepted on `listening` has, when only one is possible: a
 * port bound to one address (not a wildcard) or a UNIX path. Sharing one object (addresses are
 * read-only) spares each connection an address object, a string and Node's cached `sockname`.
 */
function fixedLocalAddress(listening: Address): Address | undefined {
  if (listening.type === 'UNIX') return { type: 'UNIX', path: listening.path };
  if (listening.type !== 'TCP' && listening.type !== 'TLS') return undefined;
  const host = listening.host;
  // A wildcard accepts on every interface; a scoped IPv6 address may be written differently.
  if (host === '0.0.0.0' || host === '::' || host.includes('%')) return undefined;
  return { type: listening.type, host, port: listening.port };
}
