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
  ConnectionDone,
  ConnectionLost,
  ProducerAlreadyRegistered,
  WriteAfterCloseError,
  WriteAfterEofError,
} from '../errors.js';
import { toBuffer } from './string-transport.js';
import { DEFAULT_HIGH, DEFAULT_LOW, resolveWriteBufferLimits } from '../tcp/transport-state.js';
import type { ProducerState } from './string-transport.js';


/**
 * One end of a connection made by {@link connectedPair}: it queues what its protocol writes,
 * and the pair's {@link Pump} moves the queue to the other end. Everything a real transport
 * promises holds, only later: `loseConnection()`, `abortConnection()` and `writeEof()` take effect
 * at the next `pump.flush()`.
 *
 * @example
 * ```ts
 * const { clientTransport, pump } = connectedPair(new Server(), new Client());
 * clientTransport.write('hello');
 * clientTransport.getWriteBufferSize(); // 5: queued until the pump moves it
 * pump.flush();
 * ```
 */
export class PairedTransport implements ITCPTransport {
  /** The protocol at this end. */
  readonly protocol: IProtocol;
  /** The producer registered with `registerProducer()`, if any. */
  producer: IPushProducer | IPullProducer | undefined = undefined;
  /** Whether the registered producer is a streaming (push) producer. */
  streaming = false;
  /** The read side's state: while not 'producing', bytes for this end wait in the pump. */
  producerState: ProducerState = 'producing';
  /** The last value given to `setTcpNoDelay()`. */
  tcpNoDelay: boolean | undefined = undefined;
  /** The last value given to `setTcpKeepAlive()`. */
  tcpKeepAlive: boolean | undefined = undefined;
  /** The options of the last `startTLS()` call (no TLS happens in memory). */
  tlsOptions: TLSOptions | undefined = undefined;

  #peer: PairedTransport | undefined;
  readonly #host: Address;
  readonly #peerAddress: Address;
  readonly #chunkSize: number;
  #queue: Buffer[] = [];
  #queued = 0;
  #high = DEFAULT_HIGH;
  #low = DEFAULT_LOW;
  #writingPaused = false;
  #disconnecting = false;
  #aborted = false;
  #eofWritten = false;
  #eofDelivered = false;
  #lostReason: Error | undefined = undefined;

  /** Made by {@link connectedPair}. */
  constructor(protocol: IProtocol, host: Address, peer: Address, chunkSize = Infinity) {
    this.protocol = protocol;
    this.#host = host;
    this.#peerAddress = peer;
    this.#chunkSize = chunkSize;
  }

  /** @internal Join this end to `other` (both ways). */
  static pair(a: PairedTransport, b: PairedTransport): void {
    a.#peer = b;
    b.#peer = a;
  }

  /** True once `loseConnection()` or `abortConnection()` has been called (or the connection is gone). */
  get disconnecting(): boolean {
    return this.#disconnecting;
  }

  /** The reason given to this end's `connectionLost`, once the connection is gone. */
  get lostReason(): Error | undefined {
    return this.#lostReason;
  }

  /** Queue bytes for the peer. Dropped once disconnecting; `WriteAfterEofError` after `writeEof()`. */
  write(data: Data): void {
    this.writeSequence([data]);
  }

  #crossedHigh(): void {
    this.#writingPaused = true;
    if (this.producer !== undefined && this.streaming) (this.producer as IPushProducer).pauseProducing();
    this.protocol.pauseWriting?.();
  }

  #fellToLow(): void {
    this.#writingPaused = false;
    if (this.producer !== undefined && this.streaming) (this.producer as IPushProducer).resumeProducing();
    this.protocol.resumeWriting?.();
  }

  /** Queue several chunks as one write: all or none of them, and flow control once, after the last. */
  writeSequence(chunks: Iterable<Data>): void {
    if (this.#lostReason !== undefined) throw new WriteAfterCloseError();
    if (this.#disconnecting) return;
    if (this.#eofWritten) throw new WriteAfterEofError();
    const bufs = Array.from(chunks, toBuffer);
    for (const buf of bufs) {
      if (buf.length === 0) continue;
      this.#queue.push(buf);
      this.#queued += buf.length;
    }
    if (!this.#writingPaused && this.#queued > this.#high) this.#crossedHigh();
  }

  /** At the next flush, once the queue reached the peer: `connectionLost(ConnectionDone)` on both ends. */
  loseConnection(): void {
    this.#disconnecting = true;
  }

  /** At the next flush: queued bytes dropped, `ConnectionAborted` here and `ConnectionLost` at the peer. */
  abortConnection(): void {
    if (this.#lostReason !== undefined) return;
    this.#disconnecting = true;
    this.#aborted = true;
    this.#queue = [];
    this.#queued = 0;
  }

  /** Once the queue reached the peer, the peer's `eofReceived()` runs; later writes throw. */
  writeEof(): void {
    if (this.#disconnecting) return;
    this.#eofWritten = true;
  }

  canWriteEof(): boolean {
    return true;
  }

  getPeer(): Address {
    return this.#peerAddress;
  }

  getHost(): Address {
    return this.#host;
  }

  getExtraInfo(name: ExtraInfoName): unknown {
    if (name === 'peername') return this.#peerAddress;
    if (name === 'sockname') return this.#host;
    return undefined;
  }

  /** Set the water marks; crossing one now pauses or resumes the producer and protocol at once. */
  setWriteBufferLimits(high?: number, low?: number): void {
    [this.#high, this.#low] = resolveWriteBufferLimits(high, low);
    if (!this.#writingPaused && this.#queued > this.#high) this.#crossedHigh();
    else if (this.#writingPaused && this.#queued <= this.#low) this.#fellToLow();
  }

  /** Bytes written and not yet moved to the peer by the pump. */
  getWriteBufferSize(): number {
    return this.#queued;
  }

  /**
   * Attach a producer (`ProducerAlreadyRegistered` if one is attached). A pull producer is asked
   * for its first chunk at once; a push producer is paused at once if the queue is above the
   * high-water mark; once disconnecting, the producer is stopped instead.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== undefined) throw new ProducerAlreadyRegistered();
    if (this.#disconnecting) {
      producer.stopProducing();
      return;
    }
    this.producer = producer;
    this.streaming = streaming;
    if (!streaming) producer.resumeProducing();
    else if (this.#writingPaused) (producer as IPushProducer).pauseProducing();
  }

  unregisterProducer(): void {
    this.producer = undefined;
    this.streaming = false;
  }

  /** Hold bytes for this end in the pump until `resumeProducing()`. */
  pauseProducing(): void {
    if (this.producerState === 'producing') this.producerState = 'paused';
  }

  /** Let bytes flow again at the next flush; the protocol's `readingResumed()` runs now. */
  resumeProducing(): void {
    if (this.producerState !== 'paused' || this.#disconnecting) return;
    this.producerState = 'producing';
    this.protocol.readingResumed?.();
  }

  /** Stop reading for good and close the connection, as a socket transport does. */
  stopProducing(): void {
    this.producerState = 'stopped';
    this.loseConnection();
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

  /** Record the options and resolve at once (no TLS happens in memory). */
  startTLS(options: TLSOptions): Promise<void> {
    this.tlsOptions = options;
    return Promise.resolve();
  }

  /**
   * @internal One round of the pump in this direction: deliver what this end queued, then the
   * events that follow from it (producers, EOF, close). Returns whether anything happened.
   */
  step(): boolean {
    const peer = this.#peer;
    if (peer === undefined || this.#lostReason !== undefined) return false;
    if (this.#aborted) {
      this.#closeBoth(new ConnectionAborted(), new ConnectionLost('The peer aborted the connection.'));
      return true;
    }
    let moved = false;
    while (this.#queued > 0 && peer.#canReceive()) {
      peer.protocol.dataReceived(this.#take());
      moved = true;
    }
    if (this.#lostReason !== undefined) return true;
    if (this.#writingPaused && this.#queued <= this.#low) {
      this.#fellToLow();
      moved = true;
    }
    if (this.producer !== undefined && !this.streaming && this.#queued === 0 && !this.#disconnecting) {
      const producer = this.producer;
      producer.resumeProducing();
      if (this.#queued > 0 || this.producer !== producer) moved = true;
    }
    // As on a socket, the EOF waits while the peer's reading is paused (it follows the data).
    if (this.#eofWritten && !this.#eofDelivered && this.#queued === 0 && peer.#canReceive()) {
      this.#eofDelivered = true;
      moved = true;
      const keepOpen = peer.protocol.eofReceived?.() === true;
      // Both write sides closed: nothing more can flow, so the connection ends.
      if (!keepOpen || (peer.#eofWritten && peer.#eofDelivered)) peer.loseConnection();
    }
    if (this.#disconnecting && this.#lostReason === undefined && (this.#queued === 0 || peer.#disconnecting)) {
      this.#closeBoth(new ConnectionDone(), new ConnectionDone());
      moved = true;
    }
    return moved;
  }

  #canReceive(): boolean {
    return this.producerState === 'producing' && !this.#disconnecting && this.#lostReason === undefined;
  }

  #take(): Buffer {
    let chunk: Buffer;
    if (this.#queued <= this.#chunkSize) {
      chunk = this.#queue.length === 1 ? this.#queue[0]! : Buffer.concat(this.#queue, this.#queued);
      this.#queue = [];
    } else {
      const all = this.#queue.length === 1 ? this.#queue[0]! : Buffer.concat(this.#queue, this.#queued);
      chunk = Buffer.from(all.subarray(0, this.#chunkSize));
      this.#queue = [all.subarray(this.#chunkSize)];
    }
    this.#queued -= chunk.length;
    return chunk;
  }

  #closeBoth(here: Error, there: Error): void {
    this.#lose(here);
    if (this.#peer !== undefined) this.#peer.#lose(there);
  }

  #lose(reason: Error): void {
    if (this.#lostReason !== undefined) return;
    this.#lostReason = reason;
    this.#disconnecting = true;
    this.producerState = 'stopped';
    this.#queue = [];
    this.#queued = 0;
    const producer = this.producer;
    this.producer = undefined;
    this.streaming = false;
    producer?.stopProducing();
    void this.protocol.connectionLost(reason);
  }
}
