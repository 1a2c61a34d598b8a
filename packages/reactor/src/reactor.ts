import type {
  ConnectTCPOptions,
  IClientFactory,
  IConnector,
  IDelayedCall,
  IListeningPort,
  IProtocolFactory,
  IReactorCore,
  IReactorTCP,
  IReactorTime,
  ListenTCPOptions,
  SystemEventPhase,
  TLSOptions,
} from './interfaces.js';
import { connectStream, connectUNIX, listenStream, listenUNIX } from './tcp/reactor-streams.js';
import type { ConnectUNIXOptions, ListenUNIXOptions } from './tcp/reactor-streams.js';

/**
 * Something the reactor must close when it stops: a listening port or a live connection.
 * Ports and connections register themselves with {@link Reactor.track}.
 *
 * @internal
 */
export interface ReactorResource {
  readonly kind: 'port' | 'connection';
  /** Close gracefully (stop listening; flush then close). Resolves once closed. */
  close(): Promise<void>;
  /** Close now (used after the shutdown grace period). */
  abort(): void;
}

/** Options for `new Reactor()`. */
export interface ReactorOptions {
  /** Seconds `stop()` waits for connections to flush before aborting them (default 5). */
  shutdownGracePeriod?: number;
  /** Install SIGINT/SIGTERM handlers that stop the reactor while it runs (default true). */
  installSignalHandlers?: boolean;
}

/**
 * The event loop's face: time, connections and the program's life cycle. Node's own loop does
 * the work; the reactor gives it Twisted's shape. Ports, connections and timers work whether or
 * not {@link run} was called; `run()` only keeps the process alive until {@link stop}.
 */
export class Reactor implements IReactorTime, IReactorTCP, IReactorCore {
  constructor(_options: ReactorOptions = {}) {
    // IMPLEMENTED BY: timers/lifecycle work (see reactor.ts ownership note in the task).
  }

  get running(): boolean {
    throw new Error('not implemented');
  }

  seconds(): number {
    throw new Error('not implemented');
  }

  callLater<A extends unknown[]>(_delay: number, _fn: (...args: A) => unknown, ..._args: A): IDelayedCall {
    throw new Error('not implemented');
  }

  getDelayedCalls(): IDelayedCall[] {
    throw new Error('not implemented');
  }

  callWhenRunning<A extends unknown[]>(_fn: (...args: A) => unknown, ..._args: A): unknown {
    throw new Error('not implemented');
  }

  addSystemEventTrigger<A extends unknown[]>(
    _phase: SystemEventPhase,
    _eventType: 'shutdown' | 'startup',
    _fn: (...args: A) => unknown,
    ..._args: A
  ): unknown {
    throw new Error('not implemented');
  }

  removeSystemEventTrigger(_triggerId: unknown): void {
    throw new Error('not implemented');
  }

  run(): Promise<void> {
    throw new Error('not implemented');
  }

  stop(): Promise<void> {
    throw new Error('not implemented');
  }

  /**
   * Register a port or connection to be closed by {@link stop}; returns the function that
   * unregisters it (call it once the resource is closed).
   *
   * @internal
   */
  track(_resource: ReactorResource): () => void {
    throw new Error('not implemented');
  }

  /**
   * Listen for TCP connections; resolves once listening. Port 0 picks a free port (read it
   * with `getHost().port`). Fails with `CannotListenError` (port in use, no permission...).
   *
   * @example
   * ```ts
   * const port = await reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: '127.0.0.1' });
   * ```
   */
  listenTCP(port: number, factory: IProtocolFactory, options: ListenTCPOptions = {}): Promise<IListeningPort> {
    return listenStream(this, port, factory, options);
  }

  /**
   * Connect to a TCP server; the factory hears how it goes (see `Connector`).
   *
   * @example
   * ```ts
   * const connector = reactor.connectTCP('127.0.0.1', 8000, new MyClientFactory(), { timeout: 5 });
   * ```
   */
  connectTCP(host: string, port: number, factory: IClientFactory, options: ConnectTCPOptions = {}): IConnector {
    return connectStream(this, host, port, factory, options);
  }

  // Stream transports beyond TCP (UNIX sockets and TLS); bodies in ./tcp/.

  /**
   * Listen on a UNIX-domain socket at `path`. A stale socket file (left by a server that died)
   * is removed first, but only if nothing answers on it.
   *
   * @example
   * ```ts
   * const port = await reactor.listenUNIX('/tmp/app.sock', Factory.forProtocol(Echo));
   * ```
   */
  listenUNIX(path: string, factory: IProtocolFactory, options: ListenUNIXOptions = {}): Promise<IListeningPort> {
    return listenUNIX(this, path, factory, options);
  }

  /**
   * Connect to a UNIX-domain socket.
   *
   * @example
   * ```ts
   * reactor.connectUNIX('/tmp/app.sock', new MyClientFactory());
   * ```
   */
  connectUNIX(path: string, factory: IClientFactory, options: ConnectUNIXOptions = {}): IConnector {
    return connectUNIX(this, path, factory, options);
  }

  /**
   * Listen for TLS connections. `tlsOptions` go to `node:tls` (`key`, `cert`, `ca`,
   * `requestCert`...); protocols see connections only after the handshake.
   *
   * @example
   * ```ts
   * const port = await reactor.listenSSL(8443, factory, { key, cert }, { interface: '127.0.0.1' });
   * ```
   */
  listenSSL(port: number, factory: IProtocolFactory, tlsOptions: TLSOptions, options: ListenTCPOptions = {}): Promise<IListeningPort> {
    return listenStream(this, port, factory, options, tlsOptions);
  }

  /**
   * Connect to a TLS server; `connectionMade` runs after the handshake.
   *
   * @example
   * ```ts
   * reactor.connectSSL('example.org', 443, new MyClientFactory(), { ca }, { timeout: 10 });
   * ```
   */
  connectSSL(host: string, port: number, factory: IClientFactory, tlsOptions: TLSOptions, options: ConnectTCPOptions = {}): IConnector {
    return connectStream(this, host, port, factory, options, tlsOptions);
  }
}

/** The default reactor, shared by everything that is not told otherwise. */
export const reactor: Reactor = new Reactor();
