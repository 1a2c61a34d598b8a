import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
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
import {
  ConnectionAborted,
  NotSupportedError,
  ProducerAlreadyRegistered,
  WriteAfterEofError,
} from '../errors.js';
import { peerAddress, type StreamKind } from './addresses.js';
import { listenForEnd, runNodeEndListener } from './end-listener.js';
import { extraInfo } from './extra-info.js';
import { asError, isThenable, logProtocolFault } from './protocol-faults.js';
import { destroyWithReset } from './reset.js';
import { closeForShutdown, nextLive, previousLive, type LiveConnection, type TransportReactor } from '../lifecycle/resources.js';
import { handshakeCutShort, pendingHandshake, refusedClientCertificate, startTLSTooLate, startTLSTwice, upgradeToTLS } from './start-tls.js';
import {
  ABOVE_HIGH,
  DEAD,
  DEFAULT_HIGH,
  DEFAULT_LOW,
  DISCONNECTING,
  EOF_PENDING,
  EOF_WRITTEN,
  FLUSH_SCHEDULED,
  DEFERRED,
  IN_SEQUENCE,
  type Handshake,
  LOST,
  PRODUCER_PAUSED,
  READING,
  resolveWriteBufferLimits,
  SeldomUsed,
  STREAMING,
  TLS_PENDING,
} from './transport-state.js';
import { lossReason, notBytes, writeAfterClose } from './transport-errors.js';

/**
 * How a transport is wired to whoever made it (a port or a connector). A port shares one among
 * all its connections: what differs per connection (the addresses) is given to the constructor.
 */
export interface StreamTransportOptions {
  kind: StreamKind;
  /** The reactor that closes the connection on `stop()` (the transport registers itself). */
  reactor: TransportReactor;
  /** Whether this end accepted the connection (matters for `startTLS`). */
  isServer: boolean;
  /**
   * The far end, when known up front (a client's connections, UNIX servers). Otherwise it is
   * read from the socket when asked for: Node keeps it on the socket once read, and the port
   * reads it as it accepts, so it stays known after the connection is lost. Not storing an
   * address per connection is what keeps an idle connection small.
   */
  peer?: Address;
  /** Told after the protocol's `connectionLost` (a connector forwards it to its factory). */
  onLost?: (reason: Error) => void;
  /** TLS: the TCP socket under the TLS one, so that `abortConnection()` can reset it. */
  tcpSocket?: Socket;
}

/** Above this many pending bytes a flush hands the chunks over as a vector instead of one copy. */
const CONCAT_LIMIT = 256 * 1024;

const EMPTY = Buffer.alloc(0);
/** Shared by every transport whose queue holds at most one chunk; never written to. */
const NO_CHUNKS: Uint8Array[] = [];

/**
 * The transport a socket belongs to. The socket's listeners are shared by every connection (no
 * closures per socket): each finds its transport through this property.
 */
const kTransport = Symbol('torsion.transport');

type LinkedSocket = Socket & { [kTransport]?: StreamTransport };

/**
 * The transport of a stream connection (TCP, TLS or UNIX) over a Node socket.
 *
 * Writes are queued and flushed once per turn of the loop as a single socket write; the read
 * side calls the protocol's `dataReceived` straight from the socket's `'data'` event. Every
 * protocol callback is guarded: one that throws (or returns a promise that rejects) is logged
 * with the connection's addresses and this connection alone is aborted with that error.
 *
 * Users never construct it: the reactor hands it to `protocol.makeConnection()`.
 *
 * @example
 * ```ts
 * class Hello extends Protocol {
 *   override connectionMade(): void {
 *     this.transport.write('hello\r\n');
 *     this.transport.loseConnection(); // flushes "hello", then closes
 *   }
 * }
 * ```
 */
export class StreamTransport implements ITCPTransport {
  #socket: Socket;
  readonly #protocol: IProtocol;
  readonly #options: StreamTransportOptions;
  /**
   * The near end. Shared by every connection of a port bound to one address; otherwise this
   * connection's own, kept because Node forgets a closed socket's local address.
   */
  readonly #host: Address;

  /** The first chunk queued since the last flush (valid while `#pendingBytes > 0`). */
  #head: Uint8Array | undefined = undefined;
  /**
   * Every chunk queued since the last flush, `#head` included, once there are two or more; empty
   * while there is at most one (most flushes carry one chunk: no array is touched then).
   */
  #pending: Uint8Array[] = NO_CHUNKS;
  #pendingBytes = 0;
  /** @internal Links in the reactor's list of live connections (`lifecycle/resources.ts`). */
  [previousLive]: LiveConnection | undefined = undefined;
  /** @internal */
  [nextLive]: LiveConnection | undefined = undefined;
  /** The yes/no state (FLUSH_SCHEDULED, DEAD...), read and written through the accessors below. */
  #bits = READING;
  /** Made on first use; read and written through the accessors below. */
  #seldom: SeldomUsed | undefined = undefined;

  /** Store in the seldom-used state, making it only when there is something to keep. */
  #keep<K extends keyof SeldomUsed>(key: K, value: SeldomUsed[K]): void {
    if (this.#seldom === undefined) {
      if (value === undefined) return;
      this.#seldom = new SeldomUsed();
    }
    this.#seldom[key] = value;
  }

  get #high(): number { return this.#seldom?.high ?? DEFAULT_HIGH; }
  set #high(value: number) { this.#keep('high', value); }

  get #low(): number { return this.#seldom?.low ?? DEFAULT_LOW; }
  set #low(value: number) { this.#keep('low', value); }

  get #abortReason(): Error | undefined { return this.#seldom?.abortReason; }
  set #abortReason(value: Error | undefined) { this.#keep('abortReason', value); }

  get #socketError(): Error | undefined { return this.#seldom?.socketError; }
  set #socketError(value: Error | undefined) { this.#keep('socketError', value); }

  get #producer(): IPushProducer | IPullProducer | undefined { return this.#seldom?.producer; }
  set #producer(value: IPushProducer | IPullProducer | undefined) { this.#keep('producer', value); }

  get #closeWaiters(): Array<() => void> | undefined { return this.#seldom?.closeWaiters; }
  set #closeWaiters(value: Array<() => void> | undefined) { this.#keep('closeWaiters', value); }

  // The callbacks below are made on first use: most connections never need them.

  get #onWritten(): ((err?: Error | null) => void) | undefined { return this.#seldom?.onWritten; }
  set #onWritten(value: ((err?: Error | null) => void) | undefined) { this.#keep('onWritten', value); }

  get #onRejected(): ((err: unknown) => void) | undefined { return this.#seldom?.onRejected; }
  set #onRejected(value: ((err: unknown) => void) | undefined) { this.#keep('onRejected', value); }

  /** Settles `startTLS()`'s promise: set from the call until the handshake ends either way. */
  get #handshake(): Handshake | undefined { return this.#seldom?.handshake; }
  set #handshake(value: Handshake | undefined) { this.#keep('handshake', value); }

  #setBit(bit: number, on: boolean): void {
    this.#bits = on ? this.#bits | bit : this.#bits & ~bit;
  }

  get #aboveHigh(): boolean { return (this.#bits & ABOVE_HIGH) !== 0; }
  set #aboveHigh(on: boolean) { this.#setBit(ABOVE_HIGH, on); }

  get #disconnecting(): boolean { return (this.#bits & DISCONNECTING) !== 0; }
  set #disconnecting(on: boolean) { this.#setBit(DISCONNECTING, on); }

  get #eofWritten(): boolean { return (this.#bits & EOF_WRITTEN) !== 0; }
  set #eofWritten(on: boolean) { this.#setBit(EOF_WRITTEN, on); }

  /** Set once the socket is gone or being destroyed: nothing more is written or delivered. */
  get #dead(): boolean { return (this.#bits & DEAD) !== 0; }
  set #dead(on: boolean) { this.#setBit(DEAD, on); }

  get #lost(): boolean { return (this.#bits & LOST) !== 0; }
  set #lost(on: boolean) { this.#setBit(LOST, on); }

  get #reading(): boolean { return (this.#bits & READING) !== 0; }
  set #reading(on: boolean) { this.#setBit(READING, on); }

  get #tlsPending(): boolean { return (this.#bits & TLS_PENDING) !== 0; }
  set #tlsPending(on: boolean) { this.#setBit(TLS_PENDING, on); }

  /** The peer's EOF arrived while reading was paused; delivered on resume. */
  get #eofPending(): boolean { return (this.#bits & EOF_PENDING) !== 0; }
  set #eofPending(on: boolean) { this.#setBit(EOF_PENDING, on); }

  get #streaming(): boolean { return (this.#bits & STREAMING) !== 0; }
  set #streaming(on: boolean) { this.#setBit(STREAMING, on); }

  get #producerPaused(): boolean { return (this.#bits & PRODUCER_PAUSED) !== 0; }
  set #producerPaused(on: boolean) { this.#setBit(PRODUCER_PAUSED, on); }

  // The socket listeners, shared by every connection; `this` is the socket.

  // The data path (this listener, write() and #flush()) tests the state bits directly: V8 does not
  // inline private accessors, and calling them costs as much as the rest of the path.

  static #onData(this: LinkedSocket, chunk: Buffer): void {
    const t = this[kTransport]!;
    const bits = t.#bits;
    if ((bits & DEAD) !== 0) return;
    // Writes made while the protocol handles this chunk go out in one send as soon as it returns,
    // without waiting for the next tick; a flush already scheduled keeps its turn.
    const scheduled = (bits & FLUSH_SCHEDULED) !== 0;
    t.#bits = bits | FLUSH_SCHEDULED;
    StreamTransport.#inData += 1;
    try {
      const r = t.#protocol.dataReceived(chunk);
      if (r !== undefined && isThenable(r)) r.then(undefined, (t.#onRejected ??= t.#rejectedCallback()));
    } catch (err) {
      t.#fault(err, 'dataReceived() threw');
    }
    StreamTransport.#inData -= 1;
    if (!scheduled) t.#flush();
  }

  static #onEnd(this: LinkedSocket): void {
    runNodeEndListener(this);
    const t = this[kTransport]!;
    if (t.#dead) return;
    if (t.#handshake !== undefined) {
      t.#abort(handshakeCutShort(t.getPeer()));
      return;
    }
    // The peer's EOF comes after everything it sent: while reading is paused the protocol may
    // still hold some of that (LineReceiver's buffered lines), so EOF waits for resumeProducing.
    if (!t.#reading) {
      t.#eofPending = true;
      return;
    }
    t.#deliverEof();
  }

  #deliverEof(): void {
    this.#eofPending = false;
    let keep: unknown = false;
    try {
      keep = this.#protocol.eofReceived?.();
    } catch (err) {
      this.#fault(err, 'eofReceived() threw');
      return;
    }
    // Plain JavaScript may hand back a promise (an async eofReceived): act on what it settles to.
    if (isThenable(keep)) {
      keep.then(
        (value: unknown) => this.#afterEof(value),
        (err: unknown) => this.#fault(err, 'A promise returned by eofReceived() rejected'),
      );
      return;
    }
    this.#afterEof(keep);
  }

  #afterEof(keep: unknown): void {
    // Without half-close (TLS) the socket cannot stay open for writing whatever the protocol says.
    if (keep !== true || !this.canWriteEof()) this.loseConnection();
  }

  static #onError(this: LinkedSocket, err: Error): void {
    const t = this[kTransport]!;
    t.#socketError ??= err;
  }

  static #onFinish(this: LinkedSocket): void {
    const t = this[kTransport]!;
    // A full close (loseConnection) shuts the write side first so every byte leaves, then
    // releases the socket; a half close (writeEof) waits for the peer to finish its side.
    if (t.#disconnecting && !t.#socket.destroyed) t.#socket.destroy();
  }

  static #onClose(this: LinkedSocket): void {
    this[kTransport]!.#connectionLost();
  }

  static #flushTick(t: StreamTransport): void {
    t.#flush();
  }

  // How many connections' dataReceived are on the stack: a write made then to another
  // connection is a broadcast, and waits for the end of the turn of the event loop, so that a
  // chat room where ten senders' lines arrive in one turn sends each member one write, not ten.
  static #inData = 0;
  static #toFlush: StreamTransport[] = [];
  static #flushQueued = false;

  static #deferFlush(t: StreamTransport): void {
    StreamTransport.#toFlush.push(t);
    if (!StreamTransport.#flushQueued) {
      StreamTransport.#flushQueued = true;
      setImmediate(StreamTransport.#flushAll);
    }
  }

  static #flushAll(): void {
    const list = StreamTransport.#toFlush;
    try {
      // Transports queued while this runs (a flush can call a producer that writes) go too.
      for (let i = 0; i < list.length; i++) {
        const t = list[i]!;
        if ((t.#bits & DEFERRED) !== 0) t.#flush();
      }
    } finally {
      list.length = 0;
      StreamTransport.#flushQueued = false;
    }
  }

  #writtenCallback(): (err?: Error | null) => void {
    return (err) => {
      if (err == null) this.#afterWrite();
    };
  }

  #rejectedCallback(): (err: unknown) => void {
    return (err) => this.#fault(err, 'A promise returned by dataReceived() rejected');
  }

  /** @internal Made by ports and connectors. */
  constructor(
    socket: Socket,
    protocol: IProtocol,
    options: StreamTransportOptions,
    host: Address,
  ) {
    this.#socket = socket;
    this.#protocol = protocol;
    this.#options = options;
    this.#host = host;
  }

  /**
   * Attach to the socket, register with the reactor, and call `protocol.makeConnection()`.
   *
   * @internal
   */
  start(): void {
    this.#attach(this.#socket);
    this.#options.reactor.trackConnection(this);
    // Called directly rather than through #call: no closure made per connection.
    let made: unknown;
    try {
      made = this.#protocol.makeConnection(this);
    } catch (err) {
      this.#fault(err, 'makeConnection()/connectionMade() threw');
      return;
    }
    this.#watch(made, 'makeConnection()/connectionMade()');
  }

  #attach(socket: LinkedSocket): void {
    socket[kTransport] = this;
    socket.on('data', StreamTransport.#onData);
    listenForEnd(socket, StreamTransport.#onEnd);
    socket.on('error', StreamTransport.#onError);
    socket.on('finish', StreamTransport.#onFinish);
    socket.on('close', StreamTransport.#onClose);
  }

  #detach(socket: LinkedSocket): void {
    socket.off('data', StreamTransport.#onData);
    socket.off('end', StreamTransport.#onEnd);
    socket.off('error', StreamTransport.#onError);
    socket.off('finish', StreamTransport.#onFinish);
    socket.off('close', StreamTransport.#onClose);
  }

  // -------------------------------------------------------------------------------------------
  // Writing

  get disconnecting(): boolean {
    return (this.#bits & DISCONNECTING) !== 0; // read per line by line protocols: no accessor
  }

  write(data: Data): void {
    if ((this.#bits & (DISCONNECTING | DEAD | EOF_WRITTEN)) !== 0 && this.#refusesWrites()) return;
    let buf: Uint8Array;
    if (typeof data === 'string') buf = Buffer.from(data, 'utf8');
    else if (data instanceof Uint8Array) buf = data;
    else throw notBytes(data); // queued, it would throw later in the flush, outside any callback
    const n = buf.byteLength;
    if (n === 0) return;
    const pending = this.#pending;
    if (this.#pendingBytes === 0) this.#head = buf;
    else if (pending.length !== 0) pending.push(buf);
    else if (pending === NO_CHUNKS) this.#pending = [this.#head!, buf];
    else pending.push(this.#head!, buf);
    this.#pendingBytes += n;
    if ((this.#bits & FLUSH_SCHEDULED) === 0) {
      if (StreamTransport.#inData > 0) {
        // Written while another connection handles its input (a broadcast): wait for the end of
        // this turn, so the lines of every sender read in this turn leave in one send.
        this.#bits |= FLUSH_SCHEDULED | DEFERRED;
        StreamTransport.#deferFlush(this);
      } else {
        this.#bits |= FLUSH_SCHEDULED;
        process.nextTick(StreamTransport.#flushTick, this);
      }
    }
    if ((this.#bits & IN_SEQUENCE) === 0) this.#flowControl();
  }

  /**
   * Queue `chunks` as one write: a part that is not bytes throws before any is queued, and flow
   * control (`pauseWriting()`, an early flush) acts once, after the last part, never between two.
   */
  writeSequence(chunks: Iterable<Data>): void {
    const parts = Array.isArray(chunks) ? (chunks as readonly Data[]) : [...chunks];
    const count = parts.length;
    for (let i = 0; i < count; i++) {
      const part = parts[i];
      if (typeof part !== 'string' && !(part instanceof Uint8Array)) throw notBytes(part);
    }
    if ((this.#bits & (DISCONNECTING | DEAD | EOF_WRITTEN)) !== 0 && this.#refusesWrites()) return;
    // Nothing below can throw or call out: the bit needs no try/finally.
    this.#bits |= IN_SEQUENCE;
    for (let i = 0; i < count; i++) this.write(parts[i]!);
    this.#bits &= ~IN_SEQUENCE;
    this.#flowControl();
  }

  /** True when writes are dropped (closing); throws when they are errors (after EOF or loss). */
  #refusesWrites(): boolean {
    if (this.#eofWritten && !this.#disconnecting && !this.#dead) throw new WriteAfterEofError();
    if (this.#lost) throw writeAfterClose(this.getPeer());
    return true; // closing, after loseConnection()/abortConnection(): dropped, as documented
  }

  /** After a write: tell the protocol when the high-water mark is crossed. */
  #flowControl(): void {
    const high = this.#seldom === undefined ? DEFAULT_HIGH : this.#seldom.high;
    if ((this.#bits & ABOVE_HIGH) === 0 && this.#pendingBytes + this.#socket.writableLength > high) this.#crossedHigh();
    // Waiting for the end of the turn must never by itself take the buffer over the high-water
    // mark (that would tell a healthy reader's writer to pause): past half of it, send now.
    else if ((this.#bits & DEFERRED) !== 0 && this.#pendingBytes > high >>> 1) this.#flush();
  }

  #flush(): void {
    const bits = (this.#bits &= ~(FLUSH_SCHEDULED | DEFERRED));
    const total = this.#pendingBytes;
    if (total === 0 || (bits & (DEAD | TLS_PENDING)) !== 0) return;
    const socket = this.#socket;
    const head = this.#head!;
    const all = this.#pending;
    const count = all.length;
    this.#head = undefined;
    this.#pendingBytes = 0;
    // Only ask to hear when the OS took the bytes if someone is waiting for that (a paused
    // writer, a pull producer): the common path pays for no completion callback at all.
    const waiting = (bits & ABOVE_HIGH) !== 0 || (this.#seldom?.producer !== undefined && (bits & STREAMING) === 0);
    const cb = waiting ? (this.#onWritten ??= this.#writtenCallback()) : undefined;
    if (count === 0) {
      // The usual case (an echo, a reply): the chunk itself, no copy and no array.
      socket.write(head, cb);
    } else if (total <= CONCAT_LIMIT) {
      // One buffer rather than a corked vector: the same CPU per byte in our measurements, and
      // over TLS it makes one record instead of many.
      const joined = Buffer.concat(all, total);
      all.length = 0;
      socket.write(joined, cb);
    } else {
      // Large bursts: one writev of the chunks beats copying megabytes into one buffer.
      this.#pending = NO_CHUNKS;
      socket.cork();
      for (let i = 0; i < count - 1; i++) socket.write(all[i]!);
      socket.write(all[count - 1]!, cb);
      socket.uncork();
    }
  }

  /** Make sure a completion callback is on its way even when nothing new is to be flushed. */
  #watchDrain(): void {
    if (this.#pendingBytes === 0 && !this.#dead && !this.#tlsPending && this.#socket.writableLength > 0) {
      this.#socket.write(EMPTY, (this.#onWritten ??= this.#writtenCallback()));
    }
  }

  #afterWrite(): void {
    if (this.#dead) return;
    const size = this.#pendingBytes + this.#socket.writableLength;
    if (this.#aboveHigh && size <= this.#low) this.#fellToLow();
    if (size === 0 && this.#producer !== undefined && !this.#streaming && !this.#disconnecting && !this.#dead) {
      const producer = this.#producer;
      this.#call('the pull producer resumeProducing', () => producer.resumeProducing());
    }
  }

  #crossedHigh(): void {
    this.#aboveHigh = true;
    this.#watchDrain();
    const producer = this.#producer;
    if (producer !== undefined && this.#streaming && !this.#producerPaused) {
      this.#producerPaused = true;
      this.#call('the producer pauseProducing', () => (producer as IPushProducer).pauseProducing());
    }
    if (this.#protocol.pauseWriting !== undefined) this.#call('pauseWriting', () => this.#protocol.pauseWriting!());
  }

  #fellToLow(): void {
    this.#aboveHigh = false;
    if (this.#protocol.resumeWriting !== undefined) this.#call('resumeWriting', () => this.#protocol.resumeWriting!());
    const producer = this.#producer;
    if (producer !== undefined && this.#streaming && this.#producerPaused && !this.#dead) {
      this.#producerPaused = false;
      this.#call('the producer resumeProducing', () => producer.resumeProducing());
    }
  }

  setWriteBufferLimits(high?: number, low?: number): void {
    const [h, l] = resolveWriteBufferLimits(high, low);
    this.#high = h;
    this.#low = l;
    const size = this.getWriteBufferSize();
    if (!this.#aboveHigh && size > h) this.#crossedHigh();
    else if (this.#aboveHigh && size <= l) this.#fellToLow();
  }

  getWriteBufferSize(): number {
    return this.#pendingBytes + (this.#dead ? 0 : this.#socket.writableLength);
  }

  // -------------------------------------------------------------------------------------------
  // Closing

  loseConnection(): void {
    if (this.#disconnecting || this.#dead) return;
    this.#disconnecting = true;
    this.#stopReading();
    if (this.#tlsPending) return; // the upgrade finishes the close once the handshake starts
    this.#flush();
    if (this.#socket.writableFinished) this.#socket.destroy();
    else this.#socket.end();
  }

  abortConnection(): void {
    this.#abort(new ConnectionAborted());
  }

  #abort(reason: Error): void {
    if (this.#dead) return;
    this.#abortReason ??= reason;
    this.#disconnecting = true;
    this.#dead = true;
    this.#pending = [];
    this.#pendingBytes = 0;
    // A reset, not a FIN: the peer must be able to tell a cut-off stream from a finished one.
    destroyWithReset(this.#socket, this.#tcpSocket());
  }

  writeEof(): void {
    if (this.#disconnecting || this.#dead || this.#eofWritten) return;
    if (!this.canWriteEof()) {
      throw new NotSupportedError(
        `writeEof() is not supported on ${this.#options.kind} connections: use loseConnection() to close both directions.`,
      );
    }
    this.#eofWritten = true;
    this.#flush();
    this.#socket.end();
  }

  canWriteEof(): boolean {
    return this.#options.kind !== 'TLS' && !(this.#socket as Partial<TLSSocket>).encrypted;
  }

  /** @internal Called by `reactor.stop()`: flush, then close; resolves once the connection is lost. */
  [closeForShutdown](): Promise<void> {
    if (this.#lost) return Promise.resolve();
    const done = new Promise<void>((resolve) => {
      (this.#closeWaiters ??= []).push(resolve);
    });
    this.loseConnection();
    return done;
  }

  #connectionLost(): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#dead = true;
    this.#disconnecting = true;
    this.#reading = false;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#options.reactor.untrack(this);
    const reason = lossReason({
      peer: this.getPeer(),
      abortReason: this.#abortReason,
      socketError: this.#socketError,
      handshaking: this.#handshake !== undefined,
      disconnecting: this.#disconnecting,
    });
    const handshake = this.#handshake;
    this.#handshake = undefined;
    handshake?.reject(reason);
    const producer = this.#producer;
    if (producer !== undefined) {
      this.#producer = undefined;
      this.#call('the producer stopProducing', () => producer.stopProducing());
    }
    this.#call('connectionLost', () => this.#protocol.connectionLost(reason));
    const onLost = this.#options.onLost;
    if (onLost !== undefined) {
      try {
        onLost(reason);
      } catch (err) {
        this.#logFault(err, 'clientConnectionLost() threw', true);
      }
    }
    const waiters = this.#closeWaiters;
    this.#closeWaiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve();
  }

  // -------------------------------------------------------------------------------------------
  // Reading (this transport as a producer)

  isReading(): boolean {
    return (this.#bits & READING) !== 0; // read per line by line protocols: no accessor
  }

  pauseProducing(): void {
    if (!this.#reading) return;
    this.#reading = false;
    if (!this.#dead) this.#socket.pause();
  }

  resumeProducing(): void {
    if (this.#reading || this.#disconnecting || this.#dead) return;
    this.#reading = true;
    if (this.#protocol.readingResumed !== undefined) this.#call('readingResumed', () => this.#protocol.readingResumed!());
    // The protocol may have paused again while delivering what it held.
    if (this.#reading && this.#eofPending && !this.#dead) this.#deliverEof();
    if (this.#reading && !this.#dead && !this.#tlsPending) this.#socket.resume();
  }

  stopProducing(): void {
    this.loseConnection();
  }

  #stopReading(): void {
    this.#reading = false;
    if (!this.#dead) this.#socket.pause();
  }

  // -------------------------------------------------------------------------------------------
  // Producers feeding this transport

  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.#producer !== undefined) throw new ProducerAlreadyRegistered();
    if (this.#disconnecting || this.#dead) {
      producer.stopProducing();
      return;
    }
    this.#producer = producer;
    this.#streaming = streaming;
    this.#producerPaused = false;
    if (!streaming) {
      producer.resumeProducing();
    } else if (this.#aboveHigh) {
      this.#producerPaused = true;
      (producer as IPushProducer).pauseProducing();
    }
  }

  unregisterProducer(): void {
    this.#producer = undefined;
    this.#producerPaused = false;
  }

  // -------------------------------------------------------------------------------------------
  // Addresses, options, details

  getPeer(): Address {
    return this.#options.peer ?? this.#seldom?.peer ?? peerAddress(this.#options.kind, this.#socket);
  }

  getHost(): Address {
    return this.#host;
  }

  /** The TCP socket the bytes travel over (under TLS, the one beneath); none for UNIX. */
  #tcpSocket(): Socket | undefined {
    const kind = this.#options.kind;
    if (kind === 'UNIX') return undefined;
    if (kind === 'TLS') return this.#options.tcpSocket;
    return this.#seldom?.tcp ?? this.#socket; // TCP, or the TCP socket under a startTLS upgrade
  }

  getExtraInfo(name: ExtraInfoName): unknown {
    return extraInfo(this.#socket, this.getPeer(), this.getHost(), name);
  }

  setTcpNoDelay(on: boolean): void {
    if (!this.#dead && this.#options.kind !== 'UNIX') this.#socket.setNoDelay(on);
  }

  setTcpKeepAlive(on: boolean, initialDelaySeconds = 0): void {
    if (!this.#dead && this.#options.kind !== 'UNIX') this.#socket.setKeepAlive(on, Math.round(initialDelaySeconds * 1000));
  }

  /**
   * Upgrade this connection to TLS in place. What was written before is sent in clear first;
   * reading pauses until the new TLS socket takes over, so no handshake byte is mistaken for data.
   * Resolves once the handshake has completed (and, for a client, the peer's certificate was
   * verified); rejects with `TLSHandshakeError` if it fails, and the connection is then dropped
   * with that error as the reason.
   */
  startTLS(options: TLSOptions): Promise<void> {
    if (this.#dead || this.#disconnecting) {
      return startTLSTooLate();
    }
    if ((this.#socket as Partial<TLSSocket>).encrypted === true || this.#tlsPending) throw startTLSTwice();
    const { done, handshake } = pendingHandshake();
    this.#handshake = handshake;
    this.#flush();
    const raw = this.#socket;
    raw.pause();
    this.#tlsPending = true;
    const isServer = this.#options.isServer;
    upgradeToTLS(raw, options, isServer, (tlsSocket) => {
      // Read from the TCP socket, which is about to be replaced by the TLS one.
      this.#keep('peer', this.getPeer());
      this.#keep('tcp', this.#tcpSocket());
      this.#detach(raw);
      raw.on('error', () => {}); // the TLS socket reports errors on the connection from now on
      this.#socket = tlsSocket;
      this.#tlsPending = false;
      this.#attach(tlsSocket);
      // A client has verified the server by 'secureConnect'; a server hears 'secure' and checks
      // a requested client certificate itself (a bare TLSSocket does not reject it on its own).
      tlsSocket.once(isServer ? 'secure' : 'secureConnect', () => this.#secured(tlsSocket, options));
      if (raw.destroyed && !tlsSocket.destroyed) tlsSocket.destroy();
      if (this.#disconnecting) {
        this.#disconnecting = false;
        this.loseConnection();
      } else {
        this.#flush();
        if (this.#reading) tlsSocket.resume();
        else tlsSocket.pause();
      }
    });
    return done;
  }

  #secured(tlsSocket: TLSSocket, options: TLSOptions): void {
    const handshake = this.#handshake;
    if (handshake === undefined || this.#dead) return;
    const refused = refusedClientCertificate(this.#options.isServer, options, tlsSocket, this.getPeer());
    if (refused !== undefined) {
      this.#abort(refused);
      return;
    }
    this.#handshake = undefined;
    handshake.resolve();
  }

  // -------------------------------------------------------------------------------------------
  // Fault isolation

  /** Run a user callback; a throw or a rejected promise drops this connection alone. */
  #call(what: string, fn: () => unknown): void {
    try {
      this.#watch(fn(), what);
    } catch (err) {
      this.#fault(err, `${what}${what.endsWith(')') ? '' : '()'} threw`);
    }
  }

  /** A callback's result: if it is a promise, a rejection is a fault of this connection. */
  #watch(result: unknown, what: string): void {
    if (result !== undefined && isThenable(result)) {
      result.then(undefined, (err: unknown) => this.#fault(err, `A promise returned by ${what} rejected`));
    }
  }

  #logFault(err: unknown, what: string, afterClose = false): void {
    logProtocolFault(this.#protocol, this.getPeer(), this.getHost(), err, what, afterClose);
  }

  #fault(err: unknown, what: string): void {
    this.#logFault(err, what, this.#lost);
    if (!this.#lost) this.#abort(asError(err));
  }
}
