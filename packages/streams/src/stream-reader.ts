// The global `Buffer` is a getter on globalThis in Node: the hot paths use the module's binding.
import { Buffer } from 'node:buffer';
import type { Data, IPushProducer } from '@torsion/reactor';
import { TorsionRangeError, TorsionTypeError } from '@torsion/reactor';
import {
  AbortError,
  ConcurrentReadError,
  FeedAfterEofError,
  IncompleteReadError,
  LimitOverrunError,
  TransportAlreadySetError,
} from './errors.js';
import { ReadBuffer, toSeparators } from './read-buffer.js';
import type { ReadOptions, StreamReaderOptions } from './read-options.js';

/** The default {@link StreamReader} limit: 64 KiB. */
export const DEFAULT_LIMIT = 64 * 1024;

const EMPTY = Buffer.alloc(0);

const DONE: IteratorResult<never, undefined> = Object.freeze({ done: true, value: undefined });

// The two ways a read meets its limit (readLine and readUntil say the same).
const beyondLimit = (at: number, limit: number): LimitOverrunError =>
  new LimitOverrunError(`A separator was found ${at} bytes in, beyond the limit of ${limit} bytes: raise the reader's limit, or consume the data with read().`, at);
const noSeparator = (scanned: number, limit: number): LimitOverrunError =>
  new LimitOverrunError(`No separator within the limit of ${limit} bytes (${scanned} bytes scanned): raise the reader's limit, or consume the data with read().`, scanned);

/**
 * Bytes from a connection, read with `await`: asyncio's `StreamReader` in TypeScript.
 *
 * A transport (or a test) pushes bytes in with {@link feedData} and the end with
 * {@link feedEof}; the program pulls them out with {@link read}, {@link readLine},
 * {@link readExactly}, {@link readUntil} or `for await (const line of reader)`. Only one read may
 * wait at a time. With {@link setTransport}, the reader pauses the transport when more than twice
 * {@link limit} bytes are buffered and resumes it when the buffer falls to `limit`, or as soon as
 * a read has to wait.
 *
 * Buffers returned by reads may share memory with the chunks that were fed; the reader never
 * writes to memory it has handed out.
 *
 * @example
 * ```ts
 * const reader = new StreamReader();
 * reader.feedData(Buffer.from('hello\nworld'));
 * reader.feedEof();
 * for await (const line of reader) console.log(line.toString()); // 'hello\n', then 'world'
 * ```
 */
export class StreamReader implements AsyncIterable<Buffer> {
  /** The longest line or separator-terminated chunk accepted, in bytes. */
  readonly limit: number;

  // The bytes fed and not yet read. Reads other than lines call #bytes.merge() first.
  readonly #bytes = new ReadBuffer();
  #eof = false;
  #exception: Error | null = null;
  #transport: IPushProducer | null = null;
  #paused = false;
  // The read that is waiting (its name), from its first wait until it returns or throws.
  #busy: string | null = null;
  #resolve: (() => void) | null = null;
  #reject: ((err: Error) => void) | null = null;
  // A line iterator's pending next(): settled straight from feedData/feedEof/setException.
  #nextResolve: ((result: IteratorResult<Buffer | Buffer[]>) => void) | null = null;
  #nextReject: ((err: Error) => void) | null = null;
  // Whether that next() belongs to lineBatches() (it settles with every line buffered then).
  #nextBatch = false;
  #signal: AbortSignal | null = null;
  // While a line read waits: how many buffered bytes are known to hold no `\n`.
  #scanned = 0;

  constructor(options: StreamReaderOptions = {}) {
    const limit = options.limit ?? DEFAULT_LIMIT;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit <= 0) {
      throw new TorsionRangeError(`StreamReader limit must be a positive integer number of bytes, got ${String(limit)}.`);
    }
    this.limit = limit;
  }

  /** The error stored by {@link setException}, or `null`. */
  exception(): Error | null {
    return this.#exception;
  }

  /** Store an error: every later read throws it (before any buffered data); a waiting read rejects with it. */
  setException(err: Error): void {
    this.#exception = err;
    this.#wakeup(err);
  }

  /**
   * Follow `transport` for flow control: `pauseProducing()` above 2×limit buffered bytes,
   * `resumeProducing()` at limit or when a read must wait.
   */
  setTransport(transport: IPushProducer): void {
    if (this.#transport !== null && this.#transport !== transport) throw new TransportAlreadySetError();
    this.#transport = transport;
  }

  /** Add bytes at the end of the buffer and wake a waiting read. */
  feedData(data: Uint8Array): void {
    if (this.#eof) throw new FeedAfterEofError();
    const len = data.length;
    if (len === 0) return;
    this.#bytes.push(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, len));
    this.#wakeup(null);
    if (this.#transport !== null && !this.#paused && this.#bytes.size() > 2 * this.limit) {
      this.#paused = true;
      this.#transport.pauseProducing();
    }
  }

  /** Mark the end of the stream and wake a waiting read. */
  feedEof(): void {
    this.#eof = true;
    this.#wakeup(null);
  }

  /** True once {@link feedEof} was called and every buffered byte has been read. */
  atEof(): boolean {
    return this.#eof && this.#bytes.live === 0;
  }

  /**
   * Read up to `n` bytes. `n < 0` (the default) reads until EOF; `n === 0` returns an empty
   * Buffer at once; `n > 0` waits until at least one byte (or EOF) is there. An empty Buffer
   * means EOF.
   */
  async read(n = -1, options?: ReadOptions): Promise<Buffer> {
    if (typeof n !== 'number' || Number.isNaN(n)) throw new TorsionTypeError(`read(n) needs a number of bytes, got ${String(n)}.`);
    this.#enter('read', options);
    if (n === 0) return EMPTY;
    try {
      if (n < 0) {
        const blocks: Buffer[] = [];
        try {
          for (;;) {
            this.#bytes.merge();
            if (this.#bytes.live > 0) blocks.push(this.#take(this.#bytes.live));
            if (this.#eof) break;
            await this.#wait('read', options);
          }
        } catch (err) {
          if (blocks.length > 0) this.#bytes.unshift(Buffer.concat(blocks)); // aborted: nothing is consumed
          throw err;
        }
        return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks);
      }
      if (this.#bytes.live === 0 && !this.#eof) await this.#wait('read', options);
      this.#bytes.merge();
      return this.#take(Math.min(n, this.#bytes.live));
    } finally {
      this.#busy = null;
    }
  }

  /**
   * Read one line, `\n` included. At EOF, the unterminated tail is returned, then an empty Buffer.
   * A line longer than {@link limit} is discarded and {@link LimitOverrunError} thrown.
   */
  readLine(options?: ReadOptions): Promise<Buffer> {
    if (options === undefined) {
      const line = this.#bufferedLine();
      if (line !== null) return Promise.resolve(line);
    }
    return this.#readLineSlow(options, false) as Promise<Buffer>;
  }

  /** The fast path of readLine: a whole line that is buffered, with nothing in the way; or null. */
  #bufferedLine(): Buffer | null {
    if (this.#busy !== null || this.#exception !== null || this.#bytes.live === 0) return null;
    const at = this.#bytes.lineEnd(0);
    if (at !== -1) return at > this.limit ? null : this.#take(at + 1);
    return this.#bytes.hasTail() ? this.#joinLine() : null;
  }

  /** A line that straddles the buffered bytes and a chunk kept behind them (see ReadBuffer.joinLine). */
  #joinLine(): Buffer | null {
    const line = this.#bytes.joinLine(this.limit);
    if (line !== null) this.#consumed();
    return line;
  }

  /** readLine() or readLineBatch() when no whole line is buffered (or something is in the way). */
  async #readLineSlow(options: ReadOptions | undefined, batch: boolean): Promise<Buffer | Buffer[]> {
    const method = batch ? 'readLineBatch' : 'readLine';
    this.#enter(method, options);
    this.#scanned = 0;
    try {
      let line: Buffer | null;
      while ((line = this.#lineStep()) === null) await this.#wait(method, options);
      if (!batch) return line;
      return line.length === 0 ? [] : this.#moreLines([line]);
    } finally {
      this.#busy = null;
    }
  }

  /**
   * An iterator's next() when no whole line is buffered. It does not wait in an async function:
   * the pending promise is settled by whatever brings the line (feedData, feedEof,
   * setException), so a line that arrives costs one promise and one turn, not three.
   */
  #nextLineSlow(batch: boolean): Promise<IteratorResult<Buffer | Buffer[]>> {
    let line: Buffer | null;
    try {
      this.#enter(batch ? 'readLineBatch' : 'readLine', undefined);
      this.#scanned = 0;
      line = this.#lineStep();
    } catch (err) {
      return Promise.reject(err as Error);
    }
    if (line !== null) return Promise.resolve(this.#iterResult(line, batch));
    // No resumeProducing() here, unlike #wait(): the transport is paused only while more than
    // `limit` bytes are buffered, and then #lineStep() has either found a line or thrown.
    this.#busy = batch ? 'readLineBatch' : 'readLine';
    this.#nextBatch = batch;
    return new Promise<IteratorResult<Buffer | Buffer[]>>((resolve, reject) => {
      this.#nextResolve = resolve;
      this.#nextReject = reject;
    });
  }

  /** What an iterator's next() settles with once #lineStep() returned `line`. */
  #iterResult(line: Buffer, batch: boolean): IteratorResult<Buffer | Buffer[]> {
    if (line.length === 0) return DONE;
    return { done: false, value: batch ? this.#moreLines([line]) : line };
  }

  /** Settle the iterator's pending next() if `err` or the buffer now decides it. */
  #wakeNext(err: Error | null): void {
    let line: Buffer | null = null;
    if (err === null) {
      try {
        line = this.#lineStep();
      } catch (e) {
        err = e as Error;
      }
      if (err === null && line === null) return; // still no whole line: keep waiting
    }
    const resolve = this.#nextResolve!;
    const reject = this.#nextReject!;
    this.#nextResolve = this.#nextReject = null;
    this.#busy = null;
    if (err !== null) reject(err);
    else resolve(this.#iterResult(line!, this.#nextBatch));
  }

  /**
   * One look at the buffer for a line read: the next line (`\n` included), the unterminated
   * tail (or an empty Buffer) at EOF, or `null` when more bytes are needed. A line longer than
   * the limit is discarded (through its `\n`, or all that is buffered) and LimitOverrunError
   * thrown — readUntil('\n') with readLine()'s clean-up, without the exceptions in between.
   */
  #lineStep(): Buffer | null {
    const bytes = this.#bytes;
    for (;;) {
      const live = bytes.live;
      if (live > this.#scanned) {
        const at = bytes.lineEnd(this.#scanned);
        if (at !== -1) {
          if (at > this.limit) {
            this.#take(at + 1);
            throw beyondLimit(at, this.limit);
          }
          return this.#take(at + 1);
        }
        this.#scanned = live;
      }
      if (!bytes.hasTail()) break;
      const line = this.#joinLine();
      if (line !== null) return line;
      bytes.merge();
    }
    const live = bytes.live;
    if (live > this.limit) {
      this.#take(live);
      throw noSeparator(live, this.limit);
    }
    return this.#eof ? this.#take(live) : null;
  }

  /**
   * Read every whole line that is buffered (each with its `\n`), waiting for at least one: one
   * promise for a chunk's worth of lines instead of one per line. At EOF the unterminated tail
   * comes last; an empty array means EOF. An overlong line ends the batch before it, and the
   * next call discards it and throws {@link LimitOverrunError}, as {@link readLine} does.
   */
  readLineBatch(options?: ReadOptions): Promise<Buffer[]> {
    if (options === undefined) {
      const line = this.#bufferedLine();
      if (line !== null) return Promise.resolve(this.#moreLines([line]));
    }
    return this.#readLineSlow(options, true) as Promise<Buffer[]>;
  }

  /** Add to `out` the lines that follow with nothing in the way (no wait, no error), and return it. */
  #moreLines(out: Buffer[]): Buffer[] {
    // An exception stored after the data that woke a read comes before the lines behind its first.
    if (this.#exception !== null) return out;
    this.#bytes.takeLines(out, this.limit, this.#eof);
    this.#consumed();
    return out;
  }

  /**
   * Iterate over batches of lines until EOF: `for await (const lines of reader.lineBatches())`.
   * Each batch is what {@link readLineBatch} returns, never empty.
   */
  lineBatches(): AsyncIterable<Buffer[]> {
    const next = (): Promise<IteratorResult<Buffer[]>> => {
      const line = this.#bufferedLine();
      if (line !== null) return Promise.resolve({ done: false, value: this.#moreLines([line]) });
      return this.#nextLineSlow(true) as Promise<IteratorResult<Buffer[]>>;
    };
    return { [Symbol.asyncIterator]: () => ({ next }) };
  }

  /** Read exactly `n` bytes; at EOF first, throw {@link IncompleteReadError} with what was there. */
  async readExactly(n: number, options?: ReadOptions): Promise<Buffer> {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      throw new TorsionRangeError(`readExactly(n) needs a non-negative integer, got ${String(n)}.`);
    }
    this.#enter('readExactly', options);
    if (n === 0) return EMPTY;
    try {
      for (;;) {
        this.#bytes.merge();
        if (this.#bytes.live >= n) break;
        if (this.#eof) throw new IncompleteReadError(this.#take(this.#bytes.live), n);
        await this.#wait('readExactly', options);
      }
      return this.#take(n);
    } finally {
      this.#busy = null;
    }
  }

  /**
   * Read up to and including a separator (or the first of several to end). Throws
   * {@link LimitOverrunError} — leaving the buffer untouched — when no separator ends within
   * {@link limit} bytes, and {@link IncompleteReadError} (consuming the buffer) at EOF.
   */
  async readUntil(separator: Data | readonly Data[] = '\n', options?: ReadOptions): Promise<Buffer> {
    const seps = toSeparators(separator);
    this.#enter('readUntil', options);
    const minLen = seps[0]!.length;
    const maxLen = seps[seps.length - 1]!.length;
    let offset = 0; // where the search resumes: bytes before it hold no separator
    let match: { start: number; end: number } | null = null;
    try {
      for (;;) {
        this.#bytes.merge();
        const live = this.#bytes.live;
        if (live - offset >= minLen) {
          match = this.#bytes.findFirst(seps, offset);
          if (match !== null) break;
          offset = Math.max(0, live + 1 - maxLen);
          if (offset > this.limit) throw noSeparator(offset, this.limit);
        }
        if (this.#eof) throw new IncompleteReadError(this.#take(live), null);
        await this.#wait('readUntil', options);
      }
      if (match.start > this.limit) throw beyondLimit(match.start, this.limit);
      return this.#take(match.end);
    } finally {
      this.#busy = null;
    }
  }

  /** Iterate over lines (each with its `\n`) until EOF. */
  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return {
      next: () => {
        // One promise per buffered line, not two: this loop is the hot path of line servers.
        const line = this.#bufferedLine();
        if (line !== null) return Promise.resolve({ done: false, value: line });
        return this.#nextLineSlow(false) as Promise<IteratorResult<Buffer>>;
      },
    };
  }

  /** Consume and return the next `n` buffered bytes (n <= buffered). */
  #take(n: number): Buffer {
    const out = this.#bytes.take(n);
    this.#consumed();
    return out;
  }

  /** Bytes were consumed: resume the transport once the buffer is down to the limit. */
  #consumed(): void {
    if (this.#paused && this.#bytes.size() <= this.limit) {
      this.#paused = false;
      this.#transport!.resumeProducing();
    }
  }

  #enter(method: string, options: ReadOptions | undefined): void {
    if (this.#busy !== null) throw new ConcurrentReadError(method);
    if (options?.signal?.aborted === true) throw new AbortError(`${method}() was aborted through its AbortSignal.`, { cause: options.signal.reason });
    if (this.#exception !== null) throw this.#exception;
  }

  #wait(method: string, options: ReadOptions | undefined): Promise<void> {
    this.#busy = method;
    if (this.#paused) {
      // A read that must wait needs more bytes than are buffered: let them in.
      this.#paused = false;
      this.#transport!.resumeProducing();
    }
    return new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      const signal = options?.signal;
      if (signal !== undefined) {
        // Aborted while the read looked at bytes that woke it: its listener was already gone.
        if (signal.aborted) {
          this.#resolve = this.#reject = null;
          reject(new AbortError(`${method}() was aborted through its AbortSignal.`, { cause: signal.reason }));
          return;
        }
        this.#signal = signal;
        signal.addEventListener('abort', this.#onAbort);
      }
    });
  }

  #onAbort = (): void => {
    const signal = this.#signal;
    this.#wakeup(new AbortError(`${this.#busy ?? 'read'}() was aborted through its AbortSignal.`, { cause: signal?.reason }));
  };

  #wakeup(err: Error | null): void {
    if (this.#nextResolve !== null) {
      this.#wakeNext(err);
      return;
    }
    const resolve = this.#resolve;
    if (resolve === null) return;
    const reject = this.#reject!;
    this.#resolve = this.#reject = null;
    if (this.#signal !== null) {
      this.#signal.removeEventListener('abort', this.#onAbort);
      this.#signal = null;
    }
    if (err === null) resolve();
    else reject(err);
  }
}
