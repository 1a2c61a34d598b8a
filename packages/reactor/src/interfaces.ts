/**
 * What every object in Torsion promises, before any class implements it.
 *
 * Read this file and you know the system: a reactor owns time and connections, a transport
 * moves bytes, a protocol reacts to them, a factory makes protocols. The reactor knows protocols
 * and factories only through the interfaces declared here, so `@torsion/reactor` never imports
 * `@torsion/protocols`.
 *
 * @module
 */

/** Bytes a user may hand to a transport: raw bytes, or a string sent as UTF-8. */
export type Data = Uint8Array | string;

/** An IPv4 or IPv6 TCP endpoint. `host` is a numeric address. */
export interface TCPAddress {
  readonly type: 'TCP';
  readonly host: string;
  readonly port: number;
}

/** A TLS endpoint: the same as TCP, tagged so that logs and users can tell them apart. */
export interface TLSAddress {
  readonly type: 'TLS';
  readonly host: string;
  readonly port: number;
}

/** A UNIX-domain socket endpoint. */
export interface UNIXAddress {
  readonly type: 'UNIX';
  readonly path: string;
}

/** A UDP endpoint. */
export interface UDPAddress {
  readonly type: 'UDP';
  readonly host: string;
  readonly port: number;
}

/** The end of a process pipe. */
export interface ProcessAddress {
  readonly type: 'PROCESS';
  readonly pid?: number;
}

/** Any address a transport or port may report. */
export type Address = TCPAddress | TLSAddress | UNIXAddress | UDPAddress | ProcessAddress;

/** A host/port pair as used by datagram protocols. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

// ---------------------------------------------------------------------------------------------
// Time

/** A call scheduled with {@link IReactorTime.callLater}. */
export interface IDelayedCall {
  /** The absolute time (in the scheduler's `seconds()`) at which the call will run. */
  getTime(): number;
  /** Cancel the call. Throws `AlreadyCalled` or `AlreadyCancelled` if it is no longer pending. */
  cancel(): void;
  /** Push the call `seconds` further into the future. */
  delay(seconds: number): void;
  /** Reschedule the call to run `seconds` from now. */
  reset(seconds: number): void;
  /** True until the call has run or been cancelled. */
  active(): boolean;
}

/** Anything that tells time and schedules calls: the reactor, or a test `Clock`. */
export interface IReactorTime {
  /** The current time in seconds (a float). */
  seconds(): number;
  /**
   * Run `fn(...args)` after `delay` seconds. A negative or NaN delay is a `RangeError`.
   * Calls with equal target times run in the order they were scheduled.
   */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): IDelayedCall;
  /** The calls still pending, in no particular order. */
  getDelayedCalls(): IDelayedCall[];
}

// ---------------------------------------------------------------------------------------------
// Producers and consumers

/** Something that produces data for a consumer and can be told to stop for good. */
export interface IProducer {
  stopProducing(): void;
}

/** A producer that writes on its own until paused (a "streaming" producer). */
export interface IPushProducer extends IProducer {
  pauseProducing(): void;
  resumeProducing(): void;
}

/** A producer that writes one chunk each time `resumeProducing()` is called. */
export interface IPullProducer extends IProducer {
  resumeProducing(): void;
}

/** Something that accepts data and can regulate a producer that feeds it. */
export interface IConsumer {
  /**
   * Attach a producer. `streaming` true means push (paused/resumed by the consumer's buffer),
   * false means pull (asked for a chunk each time the buffer empties). Registering while another
   * producer is registered is an error.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void;
  unregisterProducer(): void;
  write(data: Data): void;
}

// ---------------------------------------------------------------------------------------------
// Transports

/** Names every stream transport answers in {@link ITransport.getExtraInfo}. */
export type ExtraInfoName =
  | 'peername'
  | 'sockname'
  | 'socket'
  | 'peercert'
  | 'cipher'
  | 'protocol'
  | 'alpnProtocol'
  | 'sslcontext'
  | 'authorized'
  | (string & {});

/**
 * A full-duplex byte stream: TCP, TLS, UNIX, a process pipe, or an in-memory test double.
 *
 * As a producer (`pauseProducing`/`resumeProducing`/`stopProducing`) it controls the *read* side:
 * pausing stops `dataReceived` calls until resumed.
 */
export interface ITransport extends IConsumer, IPushProducer {
  /** Queue bytes for sending. Writes issued within one turn of the loop leave together. */
  write(data: Data): void;
  /** Queue several chunks at once, as one write. */
  writeSequence(chunks: Iterable<Data>): void;
  /** Flush what is buffered, then close. Later writes are dropped. */
  loseConnection(): void;
  /** Close now; buffered data is discarded. */
  abortConnection(): void;
  /** Close the write side after buffered data is sent (a TCP half-close). */
  writeEof(): void;
  /** Whether {@link writeEof} is supported by this transport. */
  canWriteEof(): boolean;
  getPeer(): Address;
  getHost(): Address;
  /** Set the write-buffer water marks in bytes (defaults 64 KiB high, 16 KiB low). */
  setWriteBufferLimits(high?: number, low?: number): void;
  /** Bytes accepted by `write()` and not yet handed to the operating system. */
  getWriteBufferSize(): number;
  /** Transport details by name (`peername`, `sockname`, `socket`, TLS keys); `undefined` if unknown. */
  getExtraInfo(name: ExtraInfoName): unknown;
  /** True once `loseConnection()` or `abortConnection()` has been called. */
  readonly disconnecting: boolean;
  /**
   * False while reading is paused by `pauseProducing()` (and after `stopProducing()`).
   * Protocols that hold buffered input (LineReceiver) check it between deliveries, so that a
   * `transport.pauseProducing()` issued inside a callback stops delivery of what is buffered.
   */
  isReading(): boolean;
}

/** A TCP (or TLS-over-TCP) transport. */
export interface ITCPTransport extends ITransport {
  setTcpNoDelay(on: boolean): void;
  setTcpKeepAlive(on: boolean, initialDelaySeconds?: number): void;
  /**
   * Upgrade the connection to TLS in place (STARTTLS). Resolves once the handshake has
   * completed; rejects with `TLSHandshakeError` if it fails, and the connection is then dropped
   * with that error as `connectionLost`'s reason. Test doubles resolve at once.
   */
  startTLS(options: TLSOptions): Promise<void>;
}

/** Options for TLS connections and listeners; passed through to `node:tls`. */
export interface TLSOptions {
  key?: string | Buffer | Array<string | Buffer>;
  cert?: string | Buffer | Array<string | Buffer>;
  ca?: string | Buffer | Array<string | Buffer>;
  passphrase?: string;
  servername?: string;
  rejectUnauthorized?: boolean;
  requestCert?: boolean;
  ALPNProtocols?: string[];
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  [option: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// Protocols and factories

/** Everything a returned promise or plain value from a protocol callback may be. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * A protocol: the object that reacts to a connection's events.
 *
 * The reactor calls `makeConnection(transport)` once, then `dataReceived` for every chunk,
 * `eofReceived` on a half-close, `pauseWriting`/`resumeWriting` as the write buffer crosses its
 * water marks, and `connectionLost` exactly once at the end. A callback that throws, or returns
 * a promise that rejects, drops that connection alone with the error as reason.
 */
export interface IProtocol {
  makeConnection(transport: ITransport): MaybePromise<void>;
  dataReceived(data: Buffer): MaybePromise<void>;
  connectionLost(reason: Error): MaybePromise<void>;
  /** The peer closed its write side. Return true to keep the connection open for writing. */
  eofReceived?(): boolean | void;
  pauseWriting?(): void;
  resumeWriting?(): void;
  /**
   * The transport's reading was resumed (`resumeProducing()` after a pause). Called
   * synchronously from `resumeProducing()`, so a protocol holding buffered input can deliver it
   * at once instead of waiting for new bytes. A protocol must tolerate this being called while
   * it is itself on the stack (it paused and resumed from inside its own callback).
   */
  readingResumed?(): void;
}

/** A factory of protocols, used by listening ports and connectors. */
export interface IProtocolFactory {
  /** Called by each port or connector when it starts using the factory. */
  doStart(): void;
  /** Called by each port or connector when it stops using the factory. */
  doStop(): void;
  /** Make a protocol for a new connection, or return null to refuse it. */
  buildProtocol(addr: Address): IProtocol | null;
}

/** A factory for outgoing connections, told how they go. */
export interface IClientFactory extends IProtocolFactory {
  startedConnecting(connector: IConnector): void;
  clientConnectionFailed(connector: IConnector, reason: Error): void;
  clientConnectionLost(connector: IConnector, reason: Error): void;
}

/** An outgoing connection attempt, which can be retried (used by reconnecting factories). */
export interface IConnector {
  /** Where it connects to. */
  getDestination(): Address;
  /** Abandon an attempt in progress; the factory sees `clientConnectionFailed` with `UserError`-like reason. */
  stopConnecting(): void;
  /** Drop the connection if connected, or stop connecting. */
  disconnect(): void;
  /** Start (again) an attempt. */
  connect(): void;
  /** 'disconnected' | 'connecting' | 'connected'. */
  readonly state: 'disconnected' | 'connecting' | 'connected';
}

/**
 * A listening port. `A` is the kind of address it has: `listenTCP` gives a port whose
 * `getHost()` is a {@link TCPAddress}, so `port.getHost().port` needs no cast.
 */
export interface IListeningPort<A extends Address = Address> {
  /** The address it listens on: for TCP, the real port when 0 was asked. */
  getHost(): A;
  /** Stop accepting connections. Established connections stay up. */
  stopListening(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Reactor

/** The phases of a system event, run in this order. */
export type SystemEventPhase = 'before' | 'during' | 'after';

/** Options for {@link IReactorTCP.listenTCP}. */
export interface ListenTCPOptions {
  /** The address to bind (default: all interfaces, `::` or `0.0.0.0`). */
  interface?: string;
  /** The listen backlog (default 511). */
  backlog?: number;
}

/** Options for {@link IReactorTCP.connectTCP}. */
export interface ConnectTCPOptions {
  /** Seconds to wait for the connection before failing with `TimeoutError` (default 30). */
  timeout?: number;
  /** Local address to bind before connecting: a host, or host and port. */
  bindAddress?: string | { host: string; port?: number };
}

export interface IReactorTCP {
  listenTCP(port: number, factory: IProtocolFactory, options?: ListenTCPOptions): Promise<IListeningPort<TCPAddress>>;
  connectTCP(host: string, port: number, factory: IClientFactory, options?: ConnectTCPOptions): IConnector;
}

/** What a reactor that runs the program promises. */
export interface IReactorCore {
  /** True between `run()` and the end of `stop()`. */
  readonly running: boolean;
  run(): Promise<void>;
  stop(): Promise<void>;
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): unknown;
  addSystemEventTrigger<A extends unknown[]>(
    phase: SystemEventPhase,
    eventType: 'shutdown' | 'startup',
    fn: (...args: A) => unknown,
    ...args: A
  ): unknown;
  removeSystemEventTrigger(triggerId: unknown): void;
}

// ---------------------------------------------------------------------------------------------
// Datagrams (UDP)

/** The transport a datagram protocol writes through: the listening UDP port itself. */
export interface IUDPTransport {
  /**
   * Send one datagram. `addr` is required unless the port was `connect()`ed to a peer; a
   * datagram larger than the socket allows is an error.
   */
  write(data: Data, addr?: HostPort): void;
  /** Send several chunks as one datagram. */
  writeSequence(chunks: Iterable<Data>, addr?: HostPort): void;
  /** Limit this port to one peer: later writes need no address, other peers' datagrams are dropped by the OS. */
  connect(host: string, port: number): Promise<void>;
  /** The local address: `{ type: 'UDP', host, port }`. */
  getHost(): UDPAddress;
  /** Stop listening; the protocol's `stopProtocol()` runs. */
  stopListening(): Promise<void>;
  /** Same as {@link stopListening}, for symmetry with stream transports. */
  loseConnection(): Promise<void>;
  setBroadcastAllowed(on: boolean): void;
  getBroadcastAllowed(): boolean;
  /** Join a multicast group on `iface` (default: every interface). */
  joinGroup(group: string, iface?: string): void;
  leaveGroup(group: string, iface?: string): void;
  setTTL(ttl: number): void;
  setLoopbackMode(on: boolean): void;
}

/** A protocol for datagrams: it gets whole datagrams with the sender's address. */
export interface IDatagramProtocol {
  /** Called by the port when listening starts (counts ports, calls startProtocol once). */
  doStart(): void;
  /** Called by the port when listening stops (calls stopProtocol after the last port). */
  doStop(): void;
  makeConnection(transport: IUDPTransport): void;
  datagramReceived(data: Buffer, addr: HostPort): MaybePromise<void>;
  /** A datagram sent to a `connect()`ed peer was refused (ICMP port unreachable). */
  connectionRefused?(): void;
}

/** Options for {@link Reactor.listenUDP}. */
export interface ListenUDPOptions {
  /** The address to bind (default: all IPv4 interfaces, `0.0.0.0`; give `::` for IPv6). */
  interface?: string;
  /** Allow several sockets to bind the same address (for multicast listeners). */
  reuseAddress?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Processes

/** A signal for `signalProcess`: a Node signal name, one without its `SIG` prefix, or a number. */
export type ProcessSignal = NodeJS.Signals | 'KILL' | 'TERM' | 'INT' | 'HUP' | 'QUIT' | 'USR1' | 'USR2' | number;

/**
 * The transport of a child process: its stdin, stdout and stderr pipes, and the process itself.
 * As an `ITransport`, `write()` goes to stdin, reading (what `pauseProducing()` pauses) is
 * stdout and stderr, `writeEof()` closes stdin and `loseConnection()` closes all three pipes
 * (it does not kill the process: use {@link signalProcess}).
 */
export interface IProcessTransport extends ITransport {
  /** The process id; null once the process has exited. */
  readonly pid: number | null;
  /** Write to one of the child's pipes (only 0, stdin, is writable). */
  writeToChild(childFD: number, data: Data): void;
  /** Close stdin once what was written to it is flushed (the child then reads EOF). */
  closeStdin(): void;
  /** Stop reading stdout and close our end of it. */
  closeStdout(): void;
  /** Stop reading stderr and close our end of it. */
  closeStderr(): void;
  /** Close pipe 0, 1 or 2. */
  closeChildFD(childFD: number): void;
  /** Send a signal; throws `ProcessExitedAlready` once the process has exited. */
  signalProcess(signal: ProcessSignal): void;
}

/**
 * What reacts to a child process. `childDataReceived(1 | 2, data)` for output,
 * `childConnectionLost(fd)` as each pipe closes, `processExited(reason)` when the process exits
 * (its pipes may still hold data), and `processEnded(reason)` once it has exited and every pipe
 * is closed. `reason` is `ProcessDone` (status 0) or `ProcessTerminated` (`exitCode`, `signal`).
 */
export interface IProcessProtocol {
  makeConnection(transport: IProcessTransport): MaybePromise<void>;
  childDataReceived(childFD: number, data: Buffer): MaybePromise<void>;
  childConnectionLost(childFD: number): MaybePromise<void>;
  processExited(reason: Error): MaybePromise<void>;
  processEnded(reason: Error): MaybePromise<void>;
  /** Stdin's write buffer passed its high-water mark. */
  pauseWriting?(): void;
  /** Stdin's write buffer fell to its low-water mark. */
  resumeWriting?(): void;
}

/** Options for {@link IReactorProcess.spawnProcess}. */
export interface SpawnProcessOptions {
  /** The child's environment (default: a copy of this process's). */
  env?: Record<string, string | undefined>;
  /** The child's working directory (default: this process's). */
  cwd?: string;
}

export interface IReactorProcess {
  /**
   * Start `executable` with `args`, where `args[0]` is the child's argv[0] (Twisted's
   * convention: `spawnProcess(p, '/bin/sh', ['/bin/sh', '-c', 'echo hi'])`).
   */
  spawnProcess(
    processProtocol: IProcessProtocol,
    executable: string,
    args: readonly string[],
    options?: SpawnProcessOptions,
  ): IProcessTransport;
}
