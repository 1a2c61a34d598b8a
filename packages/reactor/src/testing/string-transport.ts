import type {
  Address,
  Data,
  ExtraInfoName,
  IProtocol,
  IPullProducer,
  IPushProducer,
  ITCPTransport,
  TLSOptions,
} from '../interfaces.js';
import { DEFAULT_HIGH, DEFAULT_LOW, resolveWriteBufferLimits } from '../tcp/transport-state.js';
import {
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
  NotSupportedError,
  ProducerAlreadyRegistered,
  TorsionRangeError,
  TorsionTypeError,
  WriteAfterCloseError,
  WriteAfterEofError,
} from '../errors.js';

/** The state of a transport's read side, as driven by `pauseProducing`/`resumeProducing`/`stopProducing`. */
export type ProducerState = 'producing' | 'paused' | 'stopped';

/** Options for {@link StringTransport}. */
export interface StringTransportOptions {
  /** The address `getPeer()` reports (default TCP 127.0.0.1:12345). */
  peer?: Address;
  /** The address `getHost()` reports (default TCP 127.0.0.1:1234). */
  host?: Address;
  /** The protocol this transport feeds; `readingResumed()` and connection-lost events go to it. */
  protocol?: IProtocol;
  /** Extra values for `getExtraInfo(name)`, on top of `peername` and `sockname`. */
  extraInfo?: Record<string, unknown>;
  /** What `canWriteEof()` answers (default true). */
  canWriteEof?: boolean;
  /**
   * Called once the protocol has been given `connectionLost(reason)`
   * ({@link StringTransportWithDisconnection} only): lets a fake connector tell its factory.
   */
  onConnectionLost?: (reason: Error) => void;
}

// The test transports follow the real transport's water-mark rule, from the one place it lives.
export { resolveWriteBufferLimits } from '../tcp/transport-state.js';

/** Turn user data into bytes the transport owns (a copy, so the caller may reuse its buffer). */
export function toBuffer(data: Data): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return Buffer.from(data);
  throw new TorsionTypeError(
    `write() takes a Uint8Array (Buffer) or a string, not ${data === null ? 'null' : typeof data}: convert the value to bytes first.`,
  );
}

/**
 * An in-memory transport that records what a protocol writes, for unit tests of protocols.
 *
 * Nothing leaves the process and no time passes: `write()` appends to a buffer you read with
 * {@link value}, `loseConnection()` only sets {@link disconnecting}, and flow control is
 * visible in {@link producerState} and {@link producer}. Like its Twisted namesake it never calls
 * `connectionLost` on its own; use {@link StringTransportWithDisconnection} when the protocol
 * should see the end of the connection.
 *
 * @example
 * ```ts
 * import { StringTransport } from '@torsion/reactor/testing';
 * import { Protocol } from '@torsion/protocols';
 *
 * class Echo extends Protocol {
 *   override dataReceived(data: Buffer): void { this.transport.write(data); }
 * }
 * const transport = new StringTransport();
 * const echo = new Echo();
 * transport.connect(echo);          // makeConnection(transport)
 * echo.dataReceived(Buffer.from('hi'));
 * transport.value().toString();      // 'hi'
 * ```
 */
export class StringTransport implements ITCPTransport {
  /** The protocol fed by this transport (set by {@link connect} or the `protocol` option). */
  protocol: IProtocol | undefined;
  /** The address `getPeer()` reports. */
  peer: Address;
  /** The address `getHost()` reports. */
  host: Address;
  /** The producer registered with `registerProducer()`, if any. */
  producer: IPushProducer | IPullProducer | undefined = undefined;
  /** Whether the registered producer is a streaming (push) producer. */
  streaming = false;
  /** The read side's state: 'paused' after `pauseProducing()`, 'stopped' after `stopProducing()`. */
  producerState: ProducerState = 'producing';
  /** True once `writeEof()` was called; later writes throw `WriteAfterEofError`. */
  eofWritten = false;
  /** True once `abortConnection()` was called. */
  aborted = false;
  /** The high-water mark last set with `setWriteBufferLimits()` (default 64 KiB). */
  writeBufferHigh = DEFAULT_HIGH;
  /** The low-water mark last set with `setWriteBufferLimits()` (default 16 KiB). */
  writeBufferLow = DEFAULT_LOW;
  /**
   * What `getWriteBufferSize()` reports: 0 (everything written is "sent" at once) unless a test
   * sets it to simulate a slow peer.
   */
  writeBufferSize = 0;
  /** The last value given to `setTcpNoDelay()`, or undefined if never called. */
  tcpNoDelay: boolean | undefined = undefined;
  /** The last value given to `setTcpKeepAlive()`, or undefined if never called. */
  tcpKeepAlive: boolean | undefined = undefined;
  /** The options of the last `startTLS()` call, or undefined if TLS was never started. */
  tlsOptions: TLSOptions | undefined = undefined;

  #chunks: Buffer[] = [];
  #size = 0;
  #disconnecting = false;
  #extraInfo: Record<string, unknown>;
  #canWriteEof: boolean;

  constructor(options: StringTransportOptions = {}) {
    this.peer = options.peer ?? { type: 'TCP', host: '127.0.0.1', port: 12345 };
    this.host = options.host ?? { type: 'TCP', host: '127.0.0.1', port: 1234 };
    this.protocol = options.protocol;
    this.#extraInfo = { ...options.extraInfo };
    this.#canWriteEof = options.canWriteEof ?? true;
  }

  /**
   * Attach `protocol` to this transport and call its `makeConnection(this)`; returns what that
   * returns (a promise when `connectionMade` is async).
   */
  connect(protocol: IProtocol): ReturnType<IProtocol['makeConnection']> {
    this.protocol = protocol;
    return protocol.makeConnection(this);
  }

  /** Everything written so far, as one Buffer (strings were encoded as UTF-8). */
  value(): Buffer {
    if (this.#chunks.length !== 1) {
      const all = Buffer.concat(this.#chunks, this.#size);
      this.#chunks = this.#size === 0 ? [] : [all];
      return all;
    }
    return this.#chunks[0]!;
  }

  /** Forget what was written so far (the next {@link value} starts empty). */
  clear(): void {
    this.#chunks = [];
    this.#size = 0;
  }

  /** True once `loseConnection()` or `abortConnection()` has been called. */
  get disconnecting(): boolean {
    return this.#disconnecting;
  }

  /** Record `data`. Dropped once disconnecting; otherwise throws `WriteAfterEofError` after `writeEof()`. */
  write(data: Data): void {
    if (this.#disconnecting) return;
    if (this.eofWritten) throw new WriteAfterEofError();
    const buf = toBuffer(data);
    if (buf.length === 0) return;
    this.#chunks.push(buf);
    this.#size += buf.length;
  }

  /** Record several chunks, as one write: a part that is not bytes throws before any is recorded. */
  writeSequence(chunks: Iterable<Data>): void {
    const bufs = Array.from(chunks, toBuffer);
    for (const buf of bufs) this.write(buf);
  }

  /** Set {@link disconnecting}. Does not call `connectionLost` (see {@link StringTransportWithDisconnection}). */
  loseConnection(): void {
    this.#disconnecting = true;
  }

  /** Set {@link disconnecting} and {@link aborted}. Does not call `connectionLost`. */
  abortConnection(): void {
    this.#disconnecting = true;
    this.aborted = true;
  }

  /**
   * Close the write side: later writes throw `WriteAfterEofError`. With `canWriteEof: false`
   * it throws `NotSupportedError`, as a TLS transport does.
   */
  writeEof(): void {
    if (!this.#canWriteEof) {
      throw new NotSupportedError('writeEof() is not supported on this StringTransport (canWriteEof: false): use loseConnection() to close both directions.');
    }
    this.eofWritten = true;
  }

  canWriteEof(): boolean {
    return this.#canWriteEof;
  }

  getPeer(): Address {
    return this.peer;
  }

  getHost(): Address {
    return this.host;
  }

  /** `peername` and `sockname` give the peer and host addresses; other names come from the `extraInfo` option. */
  getExtraInfo(name: ExtraInfoName): unknown {
    if (Object.hasOwn(this.#extraInfo, name)) return this.#extraInfo[name];
    if (name === 'peername') return this.peer;
    if (name === 'sockname') return this.host;
    return undefined;
  }

  /** Record the water marks; the in-memory buffer never fills on its own (see {@link writeBufferSize}). */
  setWriteBufferLimits(high?: number, low?: number): void {
    [this.writeBufferHigh, this.writeBufferLow] = resolveWriteBufferLimits(high, low);
  }

  getWriteBufferSize(): number {
    return this.writeBufferSize;
  }

  /**
   * Attach a producer; throws `ProducerAlreadyRegistered` if one is attached already. Once
   * disconnecting, the producer is stopped instead, as a real transport does.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== undefined) throw new ProducerAlreadyRegistered();
    if (this.#disconnecting) {
      producer.stopProducing();
      return;
    }
    this.producer = producer;
    this.streaming = streaming;
  }

  unregisterProducer(): void {
    this.producer = undefined;
    this.streaming = false;
  }

  /** Pause the read side (a stopped transport stays stopped). */
  pauseProducing(): void {
    if (this.producerState === 'producing') this.producerState = 'paused';
  }

  /**
   * Resume the read side. Coming out of a pause it calls the protocol's `readingResumed()`
   * synchronously, as real transports do, so buffered input is delivered at once. Once
   * disconnecting it does nothing (a closing transport reads no more).
   */
  resumeProducing(): void {
    if (this.producerState !== 'paused' || this.#disconnecting) return;
    this.producerState = 'producing';
    this.protocol?.readingResumed?.();
  }

  /** Stop the read side for good. */
  stopProducing(): void {
    this.producerState = 'stopped';
  }

  isReading(): boolean {
    return this.producerState === 'producing';
  }

  setTcpNoDelay(on: boolean): void {
    this.tcpNoDelay = on;
  }

  setTcpKeepAlive(on: boolean, _initialDelaySeconds?: number): void {
    this.tcpKeepAlive = on;
  }

  /** Record the options and resolve at once; no bytes change (there is no real TLS in memory). */
  startTLS(options: TLSOptions): Promise<void> {
    this.tlsOptions = options;
    return Promise.resolve();
  }
}

/**
 * A {@link StringTransport} whose `loseConnection()` and `abortConnection()` also deliver
 * `connectionLost` to the protocol — `ConnectionDone` or `ConnectionAborted` — exactly once.
 *
 * @example
 * ```ts
 * const transport = new StringTransportWithDisconnection();
 * transport.connect(protocol);
 * transport.loseConnection();   // protocol.connectionLost(new ConnectionDone())
 * ```
 */
export class StringTransportWithDisconnection extends StringTransport {
  /** The reason given to `connectionLost`, once it was delivered. */
  lostReason: Error | undefined = undefined;
  readonly #onConnectionLost: ((reason: Error) => void) | undefined;

  constructor(options: StringTransportOptions = {}) {
    super(options);
    this.#onConnectionLost = options.onConnectionLost;
  }

  /** As {@link StringTransport.write}, and `WriteAfterCloseError` once `connectionLost` was delivered. */
  override write(data: Data): void {
    if (this.lostReason !== undefined) throw new WriteAfterCloseError();
    super.write(data);
  }

  override loseConnection(): void {
    super.loseConnection();
    this.#deliver(new ConnectionDone());
  }

  override abortConnection(): void {
    super.abortConnection();
    this.#deliver(new ConnectionAborted());
  }

  /**
   * The connection ends for a reason of the test's choosing (the peer reset it, say): set
   * {@link disconnecting} and deliver `connectionLost(reason)` unless it was delivered already.
   */
  lose(reason: Error = new ConnectionLost()): void {
    super.loseConnection();
    this.#deliver(reason);
  }

  #deliver(reason: Error): void {
    if (this.lostReason !== undefined) return;
    this.lostReason = reason;
    this.producerState = 'stopped';
    void this.protocol?.connectionLost(reason);
    this.#onConnectionLost?.(reason);
  }
}
