/**
 * `WrappingFactory` and `ProtocolWrapper`: put a protocol of your own between the transport and
 * another factory's protocols, to watch or change what passes.
 *
 * @module
 */
import { NotSupportedError } from '@torsion/reactor';
import type {
  Address,
  Data,
  ExtraInfoName,
  IClientFactory,
  IConnector,
  IProtocol,
  IProtocolFactory,
  IPullProducer,
  IPushProducer,
  ITCPTransport,
  ITransport,
  MaybePromise,
  TLSOptions,
} from '@torsion/reactor';
import { ClientFactory } from './factory.js';
import type { Factory } from './factory.js';
import { Protocol } from './protocol.js';

/** A factory that keeps track of the wrappers it built (told on connect and on loss). */
export interface WrapperRegistry {
  registerProtocol(wrapper: ProtocolWrapper): void;
  unregisterProtocol(wrapper: ProtocolWrapper): void;
}

/** The constructor of a wrapper protocol, as {@link WrappingFactory.protocol} holds it. */
export type ProtocolWrapperClass = new (factory: Factory & WrapperRegistry, wrappedProtocol: IProtocol) => ProtocolWrapper;

/**
 * A protocol that stands between a transport and another protocol: it forwards every protocol
 * callback to {@link wrappedProtocol}, and presents itself to that protocol as its transport,
 * forwarding every transport call to the real one. Subclass it and override the methods you
 * want to intercept (`write` to see what goes out, `dataReceived` to see what comes in).
 *
 * @example
 * ```ts
 * class CountingWrapper extends ProtocolWrapper {
 *   bytesIn = 0;
 *   override dataReceived(data: Buffer) {
 *     this.bytesIn += data.length;
 *     return super.dataReceived(data);
 *   }
 * }
 * class Counting extends WrappingFactory {
 *   override protocol = CountingWrapper;
 * }
 * await reactor.listenTCP(8000, new Counting(Factory.forProtocol(Echo)));
 * ```
 */
export class ProtocolWrapper extends Protocol implements ITCPTransport {
  /** The protocol being wrapped; it sees this wrapper as its `transport`. */
  readonly wrappedProtocol: IProtocol;
  #registry: Factory & WrapperRegistry;
  #disconnecting = false;

  constructor(factory: Factory & WrapperRegistry, wrappedProtocol: IProtocol) {
    super();
    this.#registry = factory;
    this.factory = factory;
    this.wrappedProtocol = wrappedProtocol;
  }

  override logPrefix(): string {
    const inner = this.wrappedProtocol as IProtocol & { logPrefix?: () => string };
    return typeof inner.logPrefix === 'function' ? inner.logPrefix() : super.logPrefix();
  }

  // -------------------------------------------------------------------------------------------
  // Protocol side: the real transport calls these; they go on to the wrapped protocol.

  /**
   * Attach the real transport, run this wrapper's own `connectionMade()` (a subclass may
   * override it), register with the factory, then connect the wrapped protocol to this wrapper.
   */
  override makeConnection(transport: ITransport): MaybePromise<void> {
    this.connected = true;
    this.transport = transport;
    const own = this.connectionMade();
    this.#registry.registerProtocol(this);
    const inner = this.wrappedProtocol.makeConnection(this);
    if (own instanceof Promise) return inner instanceof Promise ? Promise.all([own, inner]).then(() => undefined) : own;
    return inner;
  }

  override dataReceived(data: Buffer): MaybePromise<void> {
    return this.wrappedProtocol.dataReceived(data);
  }

  override eofReceived(): boolean | void {
    return this.wrappedProtocol.eofReceived?.();
  }

  override connectionLost(reason: Error): MaybePromise<void> {
    this.connected = false;
    this.#registry.unregisterProtocol(this);
    return this.wrappedProtocol.connectionLost(reason);
  }

  override pauseWriting(): void {
    this.wrappedProtocol.pauseWriting?.();
  }

  override resumeWriting(): void {
    this.wrappedProtocol.resumeWriting?.();
  }

  /** The real transport's reading resumed: tell the wrapped protocol. */
  readingResumed(): void {
    this.wrappedProtocol.readingResumed?.();
  }

  // -------------------------------------------------------------------------------------------
  // Transport side: the wrapped protocol calls these; they go on to the real transport.

  write(data: Data): void {
    this.transport.write(data);
  }

  writeSequence(chunks: Iterable<Data>): void {
    this.transport.writeSequence(chunks);
  }

  loseConnection(): void {
    this.#disconnecting = true;
    this.transport.loseConnection();
  }

  abortConnection(): void {
    this.#disconnecting = true;
    this.transport.abortConnection();
  }

  writeEof(): void {
    this.transport.writeEof();
  }

  canWriteEof(): boolean {
    return this.transport.canWriteEof();
  }

  getPeer(): Address {
    return this.transport.getPeer();
  }

  getHost(): Address {
    return this.transport.getHost();
  }

  setWriteBufferLimits(high?: number, low?: number): void {
    this.transport.setWriteBufferLimits(high, low);
  }

  getWriteBufferSize(): number {
    return this.transport.getWriteBufferSize();
  }

  getExtraInfo(name: ExtraInfoName): unknown {
    return this.transport.getExtraInfo(name);
  }

  get disconnecting(): boolean {
    return this.#disconnecting || ((this.transport as ITransport | undefined)?.disconnecting ?? false);
  }

  isReading(): boolean {
    return this.transport.isReading();
  }

  pauseProducing(): void {
    this.transport.pauseProducing();
  }

  resumeProducing(): void {
    this.transport.resumeProducing();
  }

  stopProducing(): void {
    this.transport.stopProducing();
  }

  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.transport.registerProducer(producer, streaming);
  }

  unregisterProducer(): void {
    this.transport.unregisterProducer();
  }

  /** Forwarded to a TCP transport; `NotSupportedError` on any other. */
  setTcpNoDelay(on: boolean): void {
    this.#tcp('setTcpNoDelay').setTcpNoDelay(on);
  }

  /** Forwarded to a TCP transport; `NotSupportedError` on any other. */
  setTcpKeepAlive(on: boolean, initialDelaySeconds?: number): void {
    this.#tcp('setTcpKeepAlive').setTcpKeepAlive(on, initialDelaySeconds);
  }

  /** Forwarded to a TCP transport (its promise too); `NotSupportedError` on any other. */
  startTLS(options: TLSOptions): Promise<void> {
    return this.#tcp('startTLS').startTLS(options);
  }

  #tcp(method: 'setTcpNoDelay' | 'setTcpKeepAlive' | 'startTLS'): ITCPTransport {
    const t = this.transport as Partial<ITCPTransport>;
    if (typeof t[method] !== 'function') {
      throw new NotSupportedError(`${method}() is not supported by the wrapped transport (${this.transport.constructor.name}): it only works over TCP.`);
    }
    return t as ITCPTransport;
  }
}

/**
 * A factory that wraps another: each protocol the wrapped factory builds is put behind a
 * {@link ProtocolWrapper} (or the subclass in {@link protocol}). Starting, stopping and client
 * notifications are passed on to the wrapped factory. {@link protocols} holds the wrappers of
 * live connections. When the wrapped factory refuses a connection (returns `null`), so does
 * this one.
 *
 * @example
 * ```ts
 * const factory = new WrappingFactory(Factory.forProtocol(Echo));
 * await reactor.listenTCP(8000, factory);
 * factory.protocols.size; // connections open right now
 * ```
 */
export class WrappingFactory extends ClientFactory implements WrapperRegistry {
  /** The wrapper class built around each protocol; read at each `buildProtocol()`. */
  override protocol: ProtocolWrapperClass = ProtocolWrapper;
  /** The wrappers of the connections that are up. */
  readonly protocols = new Set<ProtocolWrapper>();

  constructor(readonly wrappedFactory: IProtocolFactory) {
    super();
  }

  override doStart(): void {
    this.wrappedFactory.doStart();
    super.doStart();
  }

  override doStop(): void {
    this.wrappedFactory.doStop();
    super.doStop();
  }

  override startedConnecting(connector: IConnector): void {
    (this.wrappedFactory as Partial<IClientFactory>).startedConnecting?.(connector);
  }

  override clientConnectionFailed(connector: IConnector, reason: Error): void {
    (this.wrappedFactory as Partial<IClientFactory>).clientConnectionFailed?.(connector, reason);
  }

  override clientConnectionLost(connector: IConnector, reason: Error): void {
    (this.wrappedFactory as Partial<IClientFactory>).clientConnectionLost?.(connector, reason);
  }

  override buildProtocol(addr: Address): ProtocolWrapper | null {
    const inner = this.wrappedFactory.buildProtocol(addr);
    if (inner === null) return null;
    return new this.protocol(this, inner);
  }

  registerProtocol(wrapper: ProtocolWrapper): void {
    this.protocols.add(wrapper);
  }

  unregisterProtocol(wrapper: ProtocolWrapper): void {
    this.protocols.delete(wrapper);
  }
}
