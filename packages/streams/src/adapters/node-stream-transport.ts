import { finished, type Readable, type Writable } from 'node:stream';
import type {
  Address,
  Data,
  ExtraInfoName,
  IProtocol,
  IPullProducer,
  IPushProducer,
  ITransport,
} from '@torsion/reactor';
import {
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
  ProducerAlreadyRegistered,
  WriteAfterEofError,
  log,
} from '@torsion/reactor';

/** The two halves a {@link NodeStreamTransport} moves bytes through; either may be missing. */
export interface NodeStreamPair {
  /** Where bytes come from (a socket, a process's stdout...). */
  readable?: Readable | null;
  /** Where bytes go (a socket, a process's stdin...). */
  writable?: Writable | null;
  /** What `getPeer()` reports (default: a `PROCESS` address without pid). */
  peer?: Address;
  /** What `getHost()` reports (default: the same as `peer`). */
  host?: Address;
}

/**
 * An `ITransport` over Node streams — a `Duplex`, or a `Readable` and a `Writable` — so that
 * any protocol (a `StreamReaderProtocol` for the adapters) can be driven by them.
 *
 * The protocol sees `dataReceived` for each chunk, `eofReceived` when the readable ends,
 * `pauseWriting`/`resumeWriting` when `write()` returns false / on `'drain'`, and
 * `connectionLost` once: `ConnectionDone` when both halves are done, `ConnectionAborted` after
 * `abortConnection()`, `ConnectionLost` (the stream error as `cause`) on an error.
 *
 * @example
 * ```ts
 * import { spawn } from 'node:child_process';
 * import { LineReceiver } from '@torsion/protocols';
 * import { NodeStreamTransport } from '@torsion/streams';
 *
 * class Printer extends LineReceiver {
 *   override delimiter = Buffer.from('\n');
 *   override lineReceived(line: Buffer): void { console.log('child said', line.toString()); }
 * }
 * const child = spawn('ls', ['-1']);
 * new NodeStreamTransport({ readable: child.stdout, writable: child.stdin }).connect(new Printer());
 * ```
 */
export class NodeStreamTransport implements ITransport {
  readonly #readable: Readable | null;
  readonly #writable: Writable | null;
  readonly #peer: Address;
  readonly #host: Address;
  #protocol: IProtocol | null = null;
  #disconnecting = false;
  #eofWritten = false;
  #readDone: boolean;
  #writeDone: boolean;
  #lost = false;
  #reading = true;
  #aboveHigh = false;
  #producer: IPushProducer | IPullProducer | undefined = undefined;
  #streaming = false;
  #pullAsked = false;
  #cleanups: Array<() => void> = [];

  constructor(pair: NodeStreamPair) {
    this.#readable = pair.readable ?? null;
    this.#writable = pair.writable ?? null;
    this.#peer = pair.peer ?? { type: 'PROCESS' };
    this.#host = pair.host ?? this.#peer;
    this.#readDone = this.#readable === null;
    this.#writeDone = this.#writable === null;
  }

  /** Attach `protocol` and start moving bytes; returns what `makeConnection` returns. */
  connect(protocol: IProtocol): ReturnType<IProtocol['makeConnection']> {
    this.#protocol = protocol;
    const result = protocol.makeConnection(this);
    const r = this.#readable;
    const w = this.#writable;
    if (r !== null) {
      const onData = (chunk: Buffer | string): void => this.#onData(chunk);
      const onEnd = (): void => this.#onEnd();
      r.on('data', onData);
      r.on('end', onEnd);
      this.#cleanups.push(() => r.off('data', onData), () => r.off('end', onEnd));
      this.#cleanups.push(finished(r, { writable: false }, (err) => err && this.#fail(err)));
    }
    if (w !== null) this.#cleanups.push(finished(w, { readable: false }, (err) => err && this.#fail(err)));
    return result;
  }

  #onData(chunk: Buffer | string): void {
    if (this.#lost || this.#disconnecting) return;
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    try {
      const r = this.#protocol!.dataReceived(data);
      if (r instanceof Promise) r.catch((err: unknown) => this.#callbackFailed(err, 'dataReceived'));
    } catch (err) {
      this.#callbackFailed(err, 'dataReceived');
    }
  }

  #onEnd(): void {
    if (this.#lost || this.#disconnecting) return;
    this.#readDone = true;
    let keep: boolean | void = undefined;
    try {
      keep = this.#protocol!.eofReceived?.();
    } catch (err) {
      this.#callbackFailed(err, 'eofReceived');
      return;
    }
    if (keep !== true) this.loseConnection();
    else this.#maybeDone();
  }

  #callbackFailed(err: unknown, what: string): void {
    log.error(`A protocol's ${what}() threw; dropping its stream connection.`, err);
    this.#lose(err instanceof Error ? err : new ConnectionLost(String(err)));
  }

  #fail(err: Error): void {
    this.#lose(new ConnectionLost(`The stream failed: ${err.message}`, { cause: err }));
  }

  #maybeDone(): void {
    if (this.#readDone && this.#writeDone) this.#lose(new ConnectionDone());
  }

  #lose(reason: Error): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#disconnecting = true;
    for (const c of this.#cleanups.splice(0)) c();
    this.#readable?.on('error', () => {}); // late errors after the end are of no interest
    this.#writable?.on('error', () => {});
    this.#readable?.destroy();
    if (this.#writable !== null && !this.#writable.destroyed) this.#writable.destroy();
    const producer = this.#producer;
    if (producer !== undefined) {
      // Nothing more can be written: a producer waiting for 'drain' would wait forever.
      this.#producer = undefined;
      this.#streaming = false;
      try {
        producer.stopProducing();
      } catch (err) {
        log.error("A producer's stopProducing() threw.", err);
      }
    }
    const p = this.#protocol;
    if (p === null) return;
    try {
      const r = p.connectionLost(reason);
      if (r instanceof Promise) r.catch((err: unknown) => log.error("A protocol's connectionLost() failed.", err));
    } catch (err) {
      log.error("A protocol's connectionLost() threw.", err);
    }
  }

  get disconnecting(): boolean {
    return this.#disconnecting;
  }

  write(data: Data): void {
    if (this.#eofWritten && !this.#disconnecting) throw new WriteAfterEofError();
    const w = this.#writable;
    if (w === null || this.#disconnecting || this.#lost) return;
    if (typeof data === 'string' ? data.length === 0 : data.byteLength === 0) return;
    if (!w.write(data) && !this.#aboveHigh) {
      this.#aboveHigh = true;
      this.#protocol?.pauseWriting?.();
      if (this.#streaming) (this.#producer as IPushProducer | undefined)?.pauseProducing();
      w.once('drain', () => {
        this.#aboveHigh = false;
        if (this.#lost) return;
        this.#protocol?.resumeWriting?.();
        this.#producer?.resumeProducing();
      });
    } else if (!this.#aboveHigh) {
      this.#askPull();
    }
  }

  /** Below the high-water mark, a pull producer is asked for more (once a turn): no 'drain' comes then. */
  #askPull(): void {
    if (this.#producer === undefined || this.#streaming || this.#pullAsked) return;
    this.#pullAsked = true;
    setImmediate(() => {
      this.#pullAsked = false;
      const producer = this.#producer;
      if (producer !== undefined && !this.#streaming && !this.#lost && !this.#disconnecting && !this.#aboveHigh) producer.resumeProducing();
    });
  }

  writeSequence(chunks: Iterable<Data>): void {
    for (const c of chunks) this.write(c);
  }

  loseConnection(): void {
    if (this.#disconnecting || this.#lost) return;
    this.#disconnecting = true;
    const w = this.#writable;
    if (w === null || this.#writeDone || w.writableFinished) {
      this.#stopReading();
      this.#lose(new ConnectionDone());
      return;
    }
    // Flush, then close both halves. Meanwhile the readable flows and its bytes are dropped
    // (#onData): a transform, or a child that echoes, takes more input only while its output
    // is taken, so a paused readable would hold the flush, and the close, forever.
    this.#reading = false;
    this.#readable?.resume();
    endWritable(w, (err) => (err ? this.#fail(err) : this.#lose(new ConnectionDone())));
  }

  abortConnection(): void {
    this.#lose(new ConnectionAborted());
  }

  writeEof(): void {
    if (this.#eofWritten || this.#disconnecting || this.#lost) return;
    this.#eofWritten = true;
    const w = this.#writable;
    if (w === null) return;
    endWritable(w, (err) => {
      if (err) return this.#fail(err);
      this.#writeDone = true;
      if (!this.#lost) this.#maybeDone();
    });
  }

  canWriteEof(): boolean {
    return this.#writable !== null;
  }

  getPeer(): Address {
    return this.#peer;
  }

  getHost(): Address {
    return this.#host;
  }

  setWriteBufferLimits(_high?: number, _low?: number): void {
    // Node streams carry their own highWaterMark, set when they are created.
  }

  getWriteBufferSize(): number {
    return this.#writable?.writableLength ?? 0;
  }

  getExtraInfo(name: ExtraInfoName): unknown {
    if (name === 'readable') return this.#readable ?? undefined;
    if (name === 'writable') return this.#writable ?? undefined;
    if (name === 'stream' || name === 'socket') return (this.#readable ?? this.#writable) ?? undefined;
    if (name === 'peername') return this.#peer;
    if (name === 'sockname') return this.#host;
    return undefined;
  }

  isReading(): boolean {
    return this.#reading && !this.#lost;
  }

  pauseProducing(): void {
    if (!this.#reading) return;
    this.#reading = false;
    this.#readable?.pause();
  }

  resumeProducing(): void {
    if (this.#reading || this.#disconnecting || this.#lost) return;
    this.#reading = true;
    this.#readable?.resume();
    this.#protocol?.readingResumed?.();
  }

  stopProducing(): void {
    this.#stopReading();
  }

  #stopReading(): void {
    this.#reading = false;
    this.#readable?.pause();
  }

  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.#producer !== undefined) throw new ProducerAlreadyRegistered();
    if (this.#disconnecting || this.#lost) {
      producer.stopProducing(); // nothing it writes would go anywhere
      return;
    }
    this.#producer = producer;
    this.#streaming = streaming;
    if (!streaming) queueMicrotask(() => this.#producer === producer && producer.resumeProducing());
  }

  unregisterProducer(): void {
    this.#producer = undefined;
    this.#streaming = false;
  }
}

/**
 * `w.end()`, with its callback told of an error: Node calls it with the error when the stream
 * fails while ending (a `final()` or a pending write failing), which must not read as a clean end.
 */
function endWritable(w: Writable, done: (err?: Error | null) => void): void {
  w.end(done); // typed as () => void in @types/node, but called with the error, if any
}
