/**
 * `ThrottlingFactory`: limit the bytes per second read and written across all of a factory's
 * connections, and how many connections it accepts.
 *
 * @module
 */
import { log, reactor, TorsionTypeError } from '@torsion/reactor';
import type { Address, Data, IDelayedCall, IProtocol, IProtocolFactory, IPullProducer, IPushProducer, IReactorTime, ITransport, MaybePromise } from '@torsion/reactor';
import type { Factory } from './factory.js';
import { checkPositive, checkPositiveInteger } from './policy-errors.js';
import { ProtocolWrapper, WrappingFactory } from './wrapping-factory.js';
import type { ProtocolWrapperClass, WrapperRegistry } from './wrapping-factory.js';

/** Settings of a {@link ThrottlingFactory}; each is checked at construction. */
export interface ThrottlingOptions {
  /** The most connections open at once (default: unlimited); more are refused. */
  maxConnectionCount?: number;
  /** Bytes per second all connections together may read (default: unlimited). */
  readLimit?: number;
  /** Bytes per second all connections together may write (default: unlimited). */
  writeLimit?: number;
}

function byteLength(data: Data): number {
  return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
}

/**
 * The wrapper a {@link ThrottlingFactory} puts around each protocol. It counts the bytes that
 * pass, and carries out the factory's decisions on its own connection: reading is paused by
 * pausing the transport, writing by pausing the registered producer and calling the wrapped
 * protocol's `pauseWriting()`. It keeps the wrapped protocol's own pauses apart from the
 * throttle's, so lifting the throttle never resumes what the protocol itself paused.
 *
 * @example
 * ```ts
 * class Counted extends ThrottlingProtocol {
 *   override dataReceived(data: Buffer): void {
 *     console.log('in', data.length);
 *     super.dataReceived(data);
 *   }
 * }
 * class Throttled extends ThrottlingFactory {
 *   override protocol = Counted;
 * }
 * await reactor.listenTCP(8000, new Throttled(Factory.forProtocol(Echo), { readLimit: 65536 }));
 * ```
 */
export class ThrottlingProtocol extends ProtocolWrapper {
  #throttle: ThrottlingFactory;
  #readThrottled = false;
  #readPausedByProtocol = false;
  #writeThrottled = false;
  #writePausedByTransport = false;
  #wrappedWritePaused = false;
  #producer: IPushProducer | IPullProducer | undefined = undefined;
  #streaming = false;
  #producerPausedByTransport = false;
  #producerPaused = false;
  #pullWanted = false;

  constructor(factory: Factory & WrapperRegistry, wrappedProtocol: IProtocol) {
    super(factory, wrappedProtocol);
    if (!(factory instanceof ThrottlingFactory)) {
      throw new TorsionTypeError('ThrottlingProtocol needs a ThrottlingFactory: use it as the protocol of a ThrottlingFactory subclass.');
    }
    this.#throttle = factory;
  }

  override makeConnection(transport: ITransport): MaybePromise<void> {
    // A connection that arrives while the budget is spent starts throttled, like the others.
    if (this.#throttle.readThrottled) {
      this.#readThrottled = true;
      transport.pauseProducing();
    }
    const result = super.makeConnection(transport);
    if (this.#throttle.writeThrottled) this.throttleWrites();
    return result;
  }

  override dataReceived(data: Buffer): MaybePromise<void> {
    this.#throttle.registerRead(data.length);
    return this.wrappedProtocol.dataReceived(data);
  }

  // Bytes written after connectionLost are dropped by the transport: not counted, so a late
  // reply cannot arm a window on an idle factory or throttle the next connection.
  override write(data: Data): void {
    if (this.connected) this.#throttle.registerWritten(byteLength(data));
    this.transport.write(data);
  }

  override writeSequence(chunks: Iterable<Data>): void {
    const list = Array.isArray(chunks) ? (chunks as Data[]) : [...chunks];
    if (this.connected) {
      let n = 0;
      for (const c of list) n += byteLength(c);
      this.#throttle.registerWritten(n);
    }
    this.transport.writeSequence(list);
  }

  // Reading: paused while the throttle or the wrapped protocol wants it paused.

  override pauseProducing(): void {
    this.#readPausedByProtocol = true;
    this.transport.pauseProducing();
  }

  override resumeProducing(): void {
    this.#readPausedByProtocol = false;
    if (!this.#readThrottled) this.transport.resumeProducing();
  }

  /** Stop reading until {@link unthrottleReads}. Called by the factory. */
  throttleReads(): void {
    this.#readThrottled = true;
    this.transport.pauseProducing();
  }

  /** Resume reading, unless the wrapped protocol paused it itself. Called by the factory. */
  unthrottleReads(): void {
    this.#readThrottled = false;
    if (!this.#readPausedByProtocol) this.transport.resumeProducing();
  }

  // Writing: the wrapped protocol and its producer are paused while the throttle or the real
  // transport's water marks say so.

  override pauseWriting(): void {
    this.#writePausedByTransport = true;
    this.#updateWriting();
  }

  override resumeWriting(): void {
    this.#writePausedByTransport = false;
    this.#updateWriting();
  }

  /** Pause the producer and the wrapped protocol's writing. Called by the factory. */
  throttleWrites(): void {
    this.#writeThrottled = true;
    this.#updateWriting();
  }

  /** Lift the write throttle. Called by the factory. */
  unthrottleWrites(): void {
    this.#writeThrottled = false;
    this.#updateWriting();
  }

  override registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    // The transport sees a gate, so that its water marks and the throttle can both hold the
    // producer without one releasing what the other holds.
    const gate: IPushProducer = {
      pauseProducing: () => {
        this.#producerPausedByTransport = true;
        this.#updateWriting();
      },
      resumeProducing: () => {
        if (this.#streaming) {
          this.#producerPausedByTransport = false;
          this.#updateWriting();
        } else if (this.#writeThrottled) {
          this.#pullWanted = true;
        } else {
          producer.resumeProducing();
        }
      },
      stopProducing: () => producer.stopProducing(),
    };
    this.transport.registerProducer(gate, streaming);
    this.#producer = producer;
    this.#streaming = streaming;
    this.#producerPausedByTransport = false;
    this.#producerPaused = false;
    this.#pullWanted = false;
    this.#updateWriting();
  }

  override unregisterProducer(): void {
    this.#producer = undefined;
    this.#pullWanted = false;
    this.transport.unregisterProducer();
  }

  #updateWriting(): void {
    const throttled = this.#writeThrottled;
    const wrappedPaused = throttled || this.#writePausedByTransport;
    if (wrappedPaused !== this.#wrappedWritePaused) {
      this.#wrappedWritePaused = wrappedPaused;
      if (wrappedPaused) this.wrappedProtocol.pauseWriting?.();
      else this.wrappedProtocol.resumeWriting?.();
    }
    const producer = this.#producer;
    if (producer === undefined) return;
    if (this.#streaming) {
      const paused = throttled || this.#producerPausedByTransport;
      if (paused === this.#producerPaused) return;
      this.#producerPaused = paused;
      if (paused) (producer as IPushProducer).pauseProducing();
      else producer.resumeProducing();
    } else if (!throttled && this.#pullWanted) {
      this.#pullWanted = false;
      producer.resumeProducing();
    }
  }
}

/**
 * A {@link WrappingFactory} that limits the bytes per second read and written by all its
 * connections together, and the number of connections open at once.
 *
 * Time is cut into one-second windows, starting with the first byte counted. Once the bytes
 * read in a window reach {@link readLimit}, every connection's reading is paused
 * (`transport.pauseProducing()`); at the end of each window the budget is replenished by
 * `readLimit` bytes and reading resumes once the bytes owed fall below a full window's budget.
 * A single chunk far over the budget therefore keeps reading paused for as many windows as it
 * overspent. Nothing is dropped: a chunk that crosses the limit is still delivered.
 *
 * Writes are limited the same way, through back-pressure rather than by holding data: when the
 * write budget is spent, registered producers are paused and wrapped protocols get
 * `pauseWriting()`; both resume with the budget. A protocol that ignores `pauseWriting()` and has
 * no producer can still write past the limit (its bytes are counted and make the next windows
 * shorter). This is Twisted's design.
 *
 * Limits are checked at construction and whenever the factory starts; a limit that is not a
 * positive number is a `RangeError`. When the last connection closes the windows stop and the
 * counters are cleared, so an idle factory leaves no timer behind.
 *
 * @example
 * ```ts
 * const limited = new ThrottlingFactory(Factory.forProtocol(Echo), {
 *   readLimit: 64 * 1024,   // 64 KiB/s in, all clients together
 *   writeLimit: 64 * 1024,  // 64 KiB/s out
 *   maxConnectionCount: 100,
 * });
 * await reactor.listenTCP(8000, limited);
 * ```
 */
export class ThrottlingFactory extends WrappingFactory {
  override protocol: ProtocolWrapperClass = ThrottlingProtocol;
  /** The most connections open at once; more are refused (`buildProtocol` returns null). */
  maxConnectionCount = Infinity;
  /** Bytes per second read by all connections together; `undefined` for no limit. */
  readLimit: number | undefined = undefined;
  /** Bytes per second written by all connections together; `undefined` for no limit. */
  writeLimit: number | undefined = undefined;
  /** Where time comes from (default: the global `reactor`); read when a window is scheduled. */
  clock: IReactorTime = reactor;
  /** Connections open now (built and not yet lost). */
  connectionCount = 0;
  /** Bytes read in the current window, including any debt carried from earlier windows. */
  readThisSecond = 0;
  /** Bytes written in the current window, including any debt carried from earlier windows. */
  writtenThisSecond = 0;

  #readThrottled = false;
  #writeThrottled = false;
  #window: IDelayedCall | undefined = undefined;

  constructor(wrappedFactory: IProtocolFactory, options: ThrottlingOptions = {}) {
    super(wrappedFactory);
    if (options.maxConnectionCount !== undefined) this.maxConnectionCount = options.maxConnectionCount;
    if (options.readLimit !== undefined) this.readLimit = options.readLimit;
    if (options.writeLimit !== undefined) this.writeLimit = options.writeLimit;
    // An explicit `undefined` means "no limit"; anything else given must be valid now.
    this.#validate();
  }

  /** True while reading is paused because the read budget is spent. */
  get readThrottled(): boolean {
    return this.#readThrottled;
  }

  /** True while writing is paused because the write budget is spent. */
  get writeThrottled(): boolean {
    return this.#writeThrottled;
  }

  override doStart(): void {
    this.#validate();
    super.doStart();
  }

  override buildProtocol(addr: Address): ProtocolWrapper | null {
    this.#validate();
    if (this.connectionCount >= this.maxConnectionCount) {
      log.debug(`ThrottlingFactory refused a connection: maxConnectionCount (${this.maxConnectionCount}) reached.`, { peer: addr });
      return null;
    }
    const wrapper = super.buildProtocol(addr);
    if (wrapper !== null) this.connectionCount += 1;
    return wrapper;
  }

  override unregisterProtocol(wrapper: ProtocolWrapper): void {
    super.unregisterProtocol(wrapper);
    this.connectionCount -= 1;
    if (this.connectionCount <= 0) {
      this.connectionCount = 0;
      const w = this.#window;
      this.#window = undefined;
      if (w !== undefined && w.active()) w.cancel();
      this.readThisSecond = 0;
      this.writtenThisSecond = 0;
      this.#readThrottled = false;
      this.#writeThrottled = false;
    }
  }

  /** Count `length` bytes read; pauses reading everywhere once the window's budget is spent. */
  registerRead(length: number): void {
    const limit = this.readLimit;
    if (limit === undefined) return;
    this.readThisSecond += length;
    this.#openWindow();
    if (!this.#readThrottled && this.readThisSecond >= limit) this.throttleReads();
  }

  /** Count `length` bytes written; pauses writing everywhere once the window's budget is spent. */
  registerWritten(length: number): void {
    const limit = this.writeLimit;
    if (limit === undefined) return;
    this.writtenThisSecond += length;
    this.#openWindow();
    if (!this.#writeThrottled && this.writtenThisSecond >= limit) this.throttleWrites();
  }

  /** Pause reading on every connection. */
  throttleReads(): void {
    this.#readThrottled = true;
    for (const p of this.protocols) if (p instanceof ThrottlingProtocol) p.throttleReads();
  }

  /** Resume reading on every connection (except those whose protocol paused it). */
  unthrottleReads(): void {
    this.#readThrottled = false;
    for (const p of this.protocols) if (p instanceof ThrottlingProtocol) p.unthrottleReads();
  }

  /** Pause writing (producers and `pauseWriting()`) on every connection. */
  throttleWrites(): void {
    this.#writeThrottled = true;
    for (const p of this.protocols) if (p instanceof ThrottlingProtocol) p.throttleWrites();
  }

  /** Resume writing on every connection. */
  unthrottleWrites(): void {
    this.#writeThrottled = false;
    for (const p of this.protocols) if (p instanceof ThrottlingProtocol) p.unthrottleWrites();
  }

  #openWindow(): void {
    if (this.#window === undefined) this.#window = this.clock.callLater(1, () => this.#closeWindow());
  }

  #closeWindow(): void {
    this.#window = undefined;
    const readLimit = this.readLimit;
    this.readThisSecond = readLimit === undefined ? 0 : Math.max(0, this.readThisSecond - readLimit);
    if (this.#readThrottled && (readLimit === undefined || this.readThisSecond < readLimit)) this.unthrottleReads();
    const writeLimit = this.writeLimit;
    this.writtenThisSecond = writeLimit === undefined ? 0 : Math.max(0, this.writtenThisSecond - writeLimit);
    if (this.#writeThrottled && (writeLimit === undefined || this.writtenThisSecond < writeLimit)) this.unthrottleWrites();
    // Keep counting windows only while there is debt to work off or a throttle to lift.
    if (this.readThisSecond > 0 || this.writtenThisSecond > 0 || this.#readThrottled || this.#writeThrottled) this.#openWindow();
  }

  #validate(): void {
    const hint = 'give a positive number, or leave it undefined for no limit';
    if (this.readLimit !== undefined) checkPositive('ThrottlingFactory', 'readLimit', this.readLimit, hint);
    if (this.writeLimit !== undefined) checkPositive('ThrottlingFactory', 'writeLimit', this.writeLimit, hint);
    checkPositiveInteger('ThrottlingFactory', 'maxConnectionCount', this.maxConnectionCount, 'give a whole number of connections, or Infinity for no limit', true);
  }
}
