import type {
  Address,
  ConnectTCPOptions,
  IClientFactory,
  IProtocolFactory,
  IReactorCore,
  IReactorTCP,
  IReactorTime,
  ListenTCPOptions,
  SystemEventPhase,
  TCPAddress,
  TLSAddress,
  TLSOptions,
  UNIXAddress,
} from '../interfaces.js';
import { ReactorAlreadyRunning, ReactorNotRunning, TorsionRangeError } from '../errors.js';
import { FakeListeningPort } from './fake-listening-port.js';
import { FakeConnector } from './fake-connector.js';
import type { FakeConnectorTimeout } from './fake-connector.js';

/** A recorded `listenTCP` call. */
export interface TCPServerRecord {
  readonly port: number;
  readonly factory: IProtocolFactory;
  readonly options: ListenTCPOptions;
  readonly listeningPort: FakeListeningPort;
}

/** A recorded `connectTCP` call. */
export interface TCPClientRecord {
  readonly host: string;
  readonly port: number;
  readonly factory: IClientFactory;
  readonly options: ConnectTCPOptions;
  readonly connector: FakeConnector;
}

/** A recorded `listenSSL` call. */
export interface SSLServerRecord extends TCPServerRecord {
  readonly tlsOptions: TLSOptions;
}

/** A recorded `connectSSL` call. */
export interface SSLClientRecord extends TCPClientRecord {
  readonly tlsOptions: TLSOptions;
}

/** A recorded `listenUNIX` call. */
export interface UNIXServerRecord {
  readonly path: string;
  readonly factory: IProtocolFactory;
  readonly listeningPort: FakeListeningPort;
}

/** A recorded `connectUNIX` call. */
export interface UNIXClientRecord {
  readonly path: string;
  readonly factory: IClientFactory;
  readonly options: { timeout?: number };
  readonly connector: FakeConnector;
}

/** A recorded `listenUDP` call. */
export interface UDPServerRecord {
  readonly port: number;
  /** The datagram protocol given to `listenUDP`. */
  readonly protocol: object;
  readonly options: { interface?: string };
  readonly listeningPort: FakeListeningPort;
}

/** A trigger added with `addSystemEventTrigger`. */
export interface SystemEventTriggerRecord {
  readonly phase: SystemEventPhase;
  readonly eventType: 'shutdown' | 'startup';
  readonly fn: () => unknown;
}

const PHASES: readonly SystemEventPhase[] = ['before', 'during', 'after'];

/**
 * A reactor that opens nothing: it records every listen and connect call with its arguments
 * (`tcpServers`, `tcpClients`, `sslServers`, `sslClients`, `unixServers`, `unixClients`,
 * `udpServers`) and answers with fake ports and connectors the test can drive. Use it to test
 * code that *uses* a reactor — a service that listens, a client that reconnects — without
 * sockets. {@link MemoryReactorClock} adds a manual clock.
 *
 * Ports start their factory when opened and stop it in `stopListening()`; connectors start
 * theirs when an attempt starts, as the real reactor does.
 *
 * @example
 * ```ts
 * const reactor = new MemoryReactor();
 * await startMyService(reactor);                 // calls reactor.listenTCP(8023, factory)
 * const [server] = reactor.tcpServers;
 * server.port;                                   // 8023
 * const { transport } = server.listeningPort.accept()!;
 * transport.value().toString();                  // the greeting the service sent
 * ```
 */
export class MemoryReactor implements IReactorTCP, IReactorCore {
  readonly tcpServers: TCPServerRecord[] = [];
  readonly tcpClients: TCPClientRecord[] = [];
  readonly sslServers: SSLServerRecord[] = [];
  readonly sslClients: SSLClientRecord[] = [];
  readonly unixServers: UNIXServerRecord[] = [];
  readonly unixClients: UNIXClientRecord[] = [];
  readonly udpServers: UDPServerRecord[] = [];
  /** Triggers added with `addSystemEventTrigger`, still registered. */
  readonly triggers: SystemEventTriggerRecord[] = [];
  /** True once `run()` was called. */
  hasRun = false;
  /** True once `stop()` finished. */
  hasStopped = false;
  #running = false;
  #whenRunning: Array<() => unknown> = [];
  #stopped: (() => void) | undefined;
  #nextPort = 30000;
  readonly #clock: IReactorTime | undefined;

  /**
   * `clock`, if given, times out connection attempts (`options.timeout`, default 30 s) as a real
   * reactor does; `MemoryReactorClock` passes its own.
   */
  constructor(options: { clock?: IReactorTime } = {}) {
    this.#clock = options.clock;
  }

  get running(): boolean {
    return this.#running;
  }

  async listenTCP(port: number, factory: IProtocolFactory, options: ListenTCPOptions = {}): Promise<FakeListeningPort<TCPAddress>> {
    const address: TCPAddress = { type: 'TCP', host: options.interface ?? '0.0.0.0', port: this.#port(port, 'listenTCP') };
    const listeningPort = new FakeListeningPort(address, factory);
    this.tcpServers.push({ port, factory, options, listeningPort });
    return listeningPort;
  }

  connectTCP(host: string, port: number, factory: IClientFactory, options: ConnectTCPOptions = {}): FakeConnector {
    this.#checkPort(port, 'connectTCP', false);
    const connector = new FakeConnector({ type: 'TCP', host, port }, factory, this.#timeout(options.timeout));
    this.tcpClients.push({ host, port, factory, options, connector });
    return connector;
  }

  async listenSSL(port: number, factory: IProtocolFactory, tlsOptions: TLSOptions, options: ListenTCPOptions = {}): Promise<FakeListeningPort<TLSAddress>> {
    const address: TLSAddress = { type: 'TLS', host: options.interface ?? '0.0.0.0', port: this.#port(port, 'listenSSL') };
    const listeningPort = new FakeListeningPort(address, factory);
    this.sslServers.push({ port, factory, tlsOptions, options, listeningPort });
    return listeningPort;
  }

  connectSSL(host: string, port: number, factory: IClientFactory, tlsOptions: TLSOptions, options: ConnectTCPOptions = {}): FakeConnector {
    this.#checkPort(port, 'connectSSL', false);
    const connector = new FakeConnector({ type: 'TLS', host, port }, factory, this.#timeout(options.timeout));
    this.sslClients.push({ host, port, factory, tlsOptions, options, connector });
    return connector;
  }

  async listenUNIX(path: string, factory: IProtocolFactory): Promise<FakeListeningPort<UNIXAddress>> {
    const listeningPort = new FakeListeningPort<UNIXAddress>({ type: 'UNIX', path }, factory);
    this.unixServers.push({ path, factory, listeningPort });
    return listeningPort;
  }

  connectUNIX(path: string, factory: IClientFactory, options: { timeout?: number } = {}): FakeConnector {
    const connector = new FakeConnector({ type: 'UNIX', path }, factory, this.#timeout(options.timeout));
    this.unixClients.push({ path, factory, options, connector });
    return connector;
  }

  async listenUDP(port: number, protocol: object, options: { interface?: string } = {}): Promise<FakeListeningPort> {
    const address: Address = { type: 'UDP', host: options.interface ?? '0.0.0.0', port: this.#port(port, 'listenUDP') };
    const listeningPort = new FakeListeningPort(address, undefined, protocol);
    this.udpServers.push({ port, protocol, options, listeningPort });
    return listeningPort;
  }

  /** Mark the reactor running, run the `callWhenRunning` calls, and resolve when `stop()` ends. */
  run(): Promise<void> {
    if (this.#running) throw new ReactorAlreadyRunning();
    this.#running = true;
    this.hasRun = true;
    const done = new Promise<void>((resolve) => {
      this.#stopped = resolve;
    });
    const calls = this.#whenRunning;
    this.#whenRunning = [];
    for (const fn of calls) fn();
    return done;
  }

  /** Run the shutdown triggers phase by phase (awaiting promises they return), then stop. */
  async stop(): Promise<void> {
    if (!this.#running) throw new ReactorNotRunning();
    for (const phase of PHASES) {
      const due = this.triggers.filter((t) => t.phase === phase && t.eventType === 'shutdown');
      await Promise.all(due.map((t) => t.fn()));
    }
    this.#running = false;
    this.hasStopped = true;
    this.#stopped?.();
  }

  /** Run `fn` now if running, or when `run()` is called. */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    if (this.#running) fn(...args);
    else this.#whenRunning.push(() => fn(...args));
  }

  /** Record a trigger; returns the record, which `removeSystemEventTrigger` takes. */
  addSystemEventTrigger<A extends unknown[]>(
    phase: SystemEventPhase,
    eventType: 'shutdown' | 'startup',
    fn: (...args: A) => unknown,
    ...args: A
  ): SystemEventTriggerRecord {
    const record: SystemEventTriggerRecord = { phase, eventType, fn: () => fn(...args) };
    this.triggers.push(record);
    return record;
  }

  removeSystemEventTrigger(triggerId: unknown): void {
    const i = this.triggers.indexOf(triggerId as SystemEventTriggerRecord);
    if (i >= 0) this.triggers.splice(i, 1);
  }

  #timeout(seconds: number | undefined): FakeConnectorTimeout | undefined {
    if (this.#clock === undefined) return undefined;
    const timeout = seconds ?? 30;
    if (!(timeout >= 0)) throw new TorsionRangeError(`A connect timeout must be a number of seconds >= 0, got ${String(seconds)}.`);
    return { clock: this.#clock, timeout };
  }

  /** The port a fake listener reports: the one asked for, or a fresh one for 0. */
  #port(port: number, method: string): number {
    this.#checkPort(port, method, true);
    if (port !== 0) return port;
    this.#nextPort += 1;
    return this.#nextPort;
  }

  #checkPort(port: number, method: string, zeroAllowed: boolean): void {
    if (!Number.isInteger(port) || port < (zeroAllowed ? 0 : 1) || port > 65535) {
      throw new TorsionRangeError(
        `${method}() needs a port number from ${zeroAllowed ? 0 : 1} to 65535, got ${String(port)}.`,
      );
    }
  }
}
