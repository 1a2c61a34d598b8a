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
} from './interfaces.js';
import type { IDatagramProtocol, ListenUDPOptions } from './interfaces.js';
import { UDPPort } from './udp/udp-port.js';

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

  listenTCP(_port: number, _factory: IProtocolFactory, _options: ListenTCPOptions = {}): Promise<IListeningPort> {
    throw new Error('not implemented'); // IMPLEMENTED BY: TCP work, in ./tcp/
  }

  connectTCP(_host: string, _port: number, _factory: IClientFactory, _options: ConnectTCPOptions = {}): IConnector {
    throw new Error('not implemented'); // IMPLEMENTED BY: TCP work, in ./tcp/
  }

  /**
   * Listen for datagrams on `port` (0 picks a free one) with `protocol`.
   *
   * @example
   * ```ts
   * const udp = await reactor.listenUDP(0, new Echo(), { interface: '127.0.0.1' });
   * udp.getHost(); // { type: 'UDP', host: '127.0.0.1', port: 41234 }
   * ```
   */
  listenUDP(port: number, protocol: IDatagramProtocol, options: ListenUDPOptions = {}): Promise<UDPPort> {
    return UDPPort.listen(this, port, protocol, options);
  }
}

/** The default reactor, shared by everything that is not told otherwise. */
export const reactor: Reactor = new Reactor();
