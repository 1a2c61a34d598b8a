import { ReactorAlreadyRunning, ReactorNotRestartable, ReactorNotRunning, TorsionTypeError } from './errors.js';
import type {
  ConnectTCPOptions,
  IClientFactory,
  IConnector,
  IListeningPort,
  IProcessProtocol,
  IProtocolFactory,
  IReactorCore,
  IReactorProcess,
  IReactorTCP,
  IReactorTime,
  ListenTCPOptions,
  SpawnProcessOptions,
  SystemEventPhase,
  TCPAddress,
  TLSAddress,
  TLSOptions,
  UNIXAddress,
} from './interfaces.js';
import { connectStream, connectUNIX, listenStream, listenUNIX } from './tcp/reactor-streams.js';
import type { ConnectUNIXOptions, ListenUNIXOptions } from './tcp/reactor-streams.js';
import { closeResources } from './lifecycle/close-resources.js';
import { Resources, type LiveConnection, type Tracked } from './lifecycle/resources.js';
import { SystemEvent, type SystemEventTriggerId } from './lifecycle/system-event.js';
import { log } from './log.js';
import { ProcessTransport } from './process/process-transport.js';
import type { DelayedCall } from './time/delayed-call.js';
import { checkDelay, TimerQueue } from './time/timer-queue.js';

/** Node's setTimeout cannot wait longer than this (about 24.8 days); longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function monotonicSeconds(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

function noop(): void {}

function logCallError(error: unknown, call: DelayedCall): void {
  log.error('A delayed call threw; the other calls still run', error, { call: String(call) });
}
import type { IDatagramProtocol, ListenUDPOptions } from './interfaces.js';
import type { UDPPort } from './udp/udp-port.js';

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

type LifeState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * The event loop's face: time, connections and the program's life cycle. Node's own loop does
 * the work; the reactor gives it Twisted's shape. Ports, connections and timers work whether or
 * not {@link run} was called; `run()` only keeps the process alive until {@link stop}.
 *
 * @example
 * ```ts
 * import { Reactor } from '@torsion/reactor';
 * const r = new Reactor();
 * r.addSystemEventTrigger('before', 'shutdown', () => console.log('saving state...'));
 * r.callWhenRunning(() => console.log('running'));
 * r.callLater(1, () => void r.stop());
 * await r.run(); // resolves after stop() has closed everything
 * ```
 */
export class Reactor implements IReactorTime, IReactorTCP, IReactorCore, IReactorProcess {
  readonly #timers: TimerQueue;
  #timer: NodeJS.Timeout | undefined = undefined;
  /** The heap key the Node timer was armed for (Infinity when none is armed). */
  #armedFor = Infinity;
  /** After stop() the timer no longer keeps the process alive. */
  #timerRef = true;
  readonly #onTimer = (): void => this.#runTimers();

  #state: LifeState = 'idle';
  readonly #startup = new SystemEvent('startup');
  readonly #shutdown = new SystemEvent('shutdown');
  #startupDone: Promise<void> = Promise.resolve();
  #stopping: Promise<void> | undefined = undefined;
  #resolveRun: (() => void) | undefined = undefined;
  #keepAlive: NodeJS.Timeout | undefined = undefined;
  #signalHandler: ((signal: NodeJS.Signals) => void) | undefined = undefined;
  readonly #resources = new Resources();
  #abortNow: (() => void) | undefined = undefined;
  /** A second signal came: abort what is still closing as soon as closing starts. */
  #hurry = false;
  readonly #gracePeriod: number;
  readonly #installSignalHandlers: boolean;

  constructor(options: ReactorOptions = {}) {
    this.#gracePeriod = checkDelay('shutdownGracePeriod', options.shutdownGracePeriod ?? 5);
    this.#installSignalHandlers = options.installSignalHandlers ?? true;
    this.#timers = new TimerQueue(monotonicSeconds, () => this.#arm());
    // Closing ports and connections is the first 'during shutdown' trigger, as in Twisted.
    this.#shutdown.add('during', () => this.#closeAll(), []);
  }

  /** True from `run()` until `stop()` has finished. */
  get running(): boolean {
    return this.#state === 'starting' || this.#state === 'running' || this.#state === 'stopping';
  }

  /** Monotonic time in seconds (a float): `performance.timeOrigin + performance.now()`. */
  seconds(): number {
    return monotonicSeconds();
  }

  /**
   * Run `fn(...args)` after `delay` seconds (a float; 0 means on the next turn of the loop).
   * A NaN, negative or infinite delay is a `TorsionRangeError`. Calls due at the same time run
   * in the order they were scheduled; one that throws is logged and the others still run.
   */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): DelayedCall {
    return this.#timers.schedule(delay, fn, args);
  }

  /** The calls still pending, in no particular order. */
  getDelayedCalls(): DelayedCall[] {
    return this.#timers.pending();
  }

  /**
   * Run `fn(...args)` once the reactor runs: at `run()` (after the 'startup' triggers), or on the
   * next turn if it runs already. Returns a trigger id before startup, the `DelayedCall` after.
   */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): SystemEventTriggerId | DelayedCall {
    if (this.#state === 'stopped') throw new ReactorNotRestartable('callWhenRunning() on a stopped reactor: the call would never be made. Create a new Reactor() for more work.');
    if (this.#startup.state === 'done') return this.callLater(0, fn, ...args);
    return this.#startup.add('after', fn, args);
  }

  /**
   * Call `fn(...args)` during a phase of a system event. Promises returned by 'before' (and
   * 'during') triggers are awaited before the next phase; 'during shutdown' is when ports and
   * connections are closed. Returns an id for {@link removeSystemEventTrigger}.
   */
  addSystemEventTrigger<A extends unknown[]>(
    phase: SystemEventPhase,
    eventType: 'shutdown' | 'startup',
    fn: (...args: A) => unknown,
    ...args: A
  ): SystemEventTriggerId {
    return this.#event(eventType).add(phase, fn, args);
  }

  /** Remove a trigger added with {@link addSystemEventTrigger}; one that already ran is ignored. */
  removeSystemEventTrigger(triggerId: unknown): void {
    if (this.#startup.owns(triggerId)) this.#startup.remove(triggerId);
    else if (this.#shutdown.owns(triggerId)) this.#shutdown.remove(triggerId);
    else {
      throw new TorsionTypeError(
        'removeSystemEventTrigger needs an id returned by this reactor\'s addSystemEventTrigger (or callWhenRunning before run()).',
      );
    }
  }

  /**
   * Start the reactor: fire 'startup' (and `callWhenRunning` calls), then keep the process alive
   * until {@link stop}. Resolves once the reactor has stopped. SIGINT and SIGTERM stop it
   * gracefully while it runs (unless `installSignalHandlers: false`); a second signal during
   * the shutdown aborts the connections still closing.
   *
   * Throws `ReactorAlreadyRunning` if running, `ReactorNotRestartable` once stopped.
   */
  run(): Promise<void> {
    if (this.#state === 'stopped') throw new ReactorNotRestartable();
    if (this.#state !== 'idle') throw new ReactorAlreadyRunning();
    this.#state = 'starting';
    this.#keepAlive = setInterval(noop, MAX_TIMER_MS);
    if (this.#installSignalHandlers) this.#installSignals();
    const stopped = new Promise<void>((resolve) => {
      this.#resolveRun = resolve;
    });
    // Set before firing: a trigger may call stop() before fire() returns, and stop() waits on it.
    let startupFinished!: () => void;
    this.#startupDone = new Promise<void>((resolve) => {
      startupFinished = resolve;
    });
    void this.#startup.fire().then(() => {
      if (this.#state === 'starting') this.#state = 'running';
      startupFinished();
    });
    return stopped;
  }

  /**
   * Stop the reactor: fire the 'before shutdown' triggers (awaiting their promises); then, during
   * shutdown, stop listening on every port and `loseConnection()` every connection, waiting up to
   * `shutdownGracePeriod` seconds for them to flush before aborting the rest; then the 'after'
   * triggers. Resolves when done (when `run()` resolves too). Calling it again while it stops
   * returns the same promise. Throws `ReactorNotRunning` if the reactor is not running.
   */
  stop(): Promise<void> {
    if (this.#state === 'stopping') return this.#stopping!;
    if (!this.running) throw new ReactorNotRunning();
    this.#state = 'stopping';
    this.#stopping = this.#stop();
    return this.#stopping;
  }

  /**
   * Start a child process driven by `processProtocol`. `args[0]` is the child's argv[0]
   * (Twisted's convention); the executable is looked up in `PATH` when it has no slash. The
   * environment defaults to this process's. A process that cannot be started is reported to the
   * protocol as `processExited`/`processEnded` with a `ProcessSpawnError`.
   *
   * @example
   * ```ts
   * const p = reactor.spawnProcess(new MyProcessProtocol(), '/bin/sh', ['/bin/sh', '-c', 'echo hi']);
   * p.closeStdin();
   * ```
   */
  spawnProcess(
    processProtocol: IProcessProtocol,
    executable: string,
    args: readonly string[],
    options: SpawnProcessOptions = {},
  ): ProcessTransport {
    return ProcessTransport.spawn(processProtocol, executable, args, options);
  }

  /**
   * Register a port or connection to be closed by {@link stop}; returns the function that
   * unregisters it (call it once the resource is closed).
   *
   * @internal
   */
  track(resource: Tracked): () => void {
    this.#resources.add(resource);
    return () => {
      this.#resources.delete(resource);
    };
  }

  /**
   * Register a live connection (a transport, one per connection) without making the function
   * {@link track} returns: the transport calls {@link untrack} once it is closed.
   *
   * @internal
   */
  trackConnection(connection: LiveConnection): void {
    this.#resources.add(connection);
  }

  /**
   * Unregister a resource registered with {@link track} or {@link trackConnection}.
   *
   * @internal
   */
  untrack(resource: Tracked): void {
    this.#resources.delete(resource);
  }

  async #stop(): Promise<void> {
    await this.#startupDone;
    await this.#shutdown.fire();
    this.#state = 'stopped';
    clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
    this.#removeSignals();
    // As in Twisted, a stopped reactor runs no more delayed calls (a reconnecting factory must
    // not reconnect after shutdown); they stay pending and no longer keep the process alive.
    this.#timerRef = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
    this.#resolveRun?.();
  }

  async #closeAll(): Promise<void> {
    await closeResources(this.#resources, this.#gracePeriod, (abort) => {
      this.#abortNow = abort;
      if (this.#hurry) abort(); // the second signal came before closing started
    });
    this.#abortNow = undefined;
  }

  #installSignals(): void {
    const handler = (signal: NodeJS.Signals): void => {
      if (this.#state === 'stopping') {
        log.warn(`Received ${signal} again while stopping: aborting the connections still open`);
        this.#hurry = true;
        this.#abortNow?.();
      } else if (this.running) {
        log.info(`Received ${signal}, shutting down`);
        void this.stop();
      }
    };
    this.#signalHandler = handler;
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  }

  #removeSignals(): void {
    const handler = this.#signalHandler;
    if (handler === undefined) return;
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    this.#signalHandler = undefined;
  }

  #event(eventType: 'shutdown' | 'startup'): SystemEvent {
    if (eventType === 'startup') return this.#startup;
    if (eventType === 'shutdown') return this.#shutdown;
    throw new TorsionTypeError(`System event type must be 'startup' or 'shutdown'; got ${String(eventType)}.`);
  }

  /** Make sure the one Node timer fires no later than the earliest pending call. */
  #arm(): void {
    if (this.#state === 'stopped') return;
    const next = this.#timers.nextTime();
    if (next === undefined) {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#armedFor = Infinity;
      return;
    }
    if (this.#timer !== undefined && this.#armedFor <= next) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const now = monotonicSeconds();
    const ms = Math.min(Math.max(Math.ceil((next - now) * 1000), 0), MAX_TIMER_MS);
    this.#armedFor = next;
    this.#timer = setTimeout(this.#onTimer, ms);
    if (!this.#timerRef) this.#timer.unref();
  }

  #runTimers(): void {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    try {
      this.#timers.runDue(monotonicSeconds(), this.#timers.sequence, logCallError);
    } finally {
      this.#arm();
    }
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
  listenTCP(port: number, factory: IProtocolFactory, options: ListenTCPOptions = {}): Promise<IListeningPort<TCPAddress>> {
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
  listenUNIX(path: string, factory: IProtocolFactory, options: ListenUNIXOptions = {}): Promise<IListeningPort<UNIXAddress>> {
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
  listenSSL(port: number, factory: IProtocolFactory, tlsOptions: TLSOptions, options: ListenTCPOptions = {}): Promise<IListeningPort<TLSAddress>> {
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

  /**
   * Listen for datagrams on `port` (0 picks a free one) with `protocol`.
   *
   * @example
   * ```ts
   * const udp = await reactor.listenUDP(0, new Echo(), { interface: '127.0.0.1' });
   * udp.getHost(); // { type: 'UDP', host: '127.0.0.1', port: 41234 }
   * ```
   */
  async listenUDP(port: number, protocol: IDatagramProtocol, options: ListenUDPOptions = {}): Promise<UDPPort> {
    // Loaded on first use: programs without UDP do not pay for it in memory.
    const { UDPPort: Port } = await import('./udp/udp-port.js');
    return Port.listen(this, port, protocol, options);
  }
}

/** The default reactor, shared by everything that is not told otherwise. */
export const reactor: Reactor = new Reactor();
