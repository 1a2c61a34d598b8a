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

/** The default {@link StreamReader} limit: 64 KiB. */
export const DEFAULT_LIMIT = 64 * 1024;

/** Options for `new StreamReader()`. */
export interface StreamReaderOptions {
  /**
   * The longest line or `readUntil()` chunk accepted, in bytes, and the unit of flow control:
   * the transport is paused above twice this many buffered bytes. Default 64 KiB.
   */
  limit?: number;
}

/** Options every read method takes. */
export interface ReadOptions {
  /** Abort the read while it waits for data; it rejects with {@link AbortError}, nothing is consumed. */
  signal?: AbortSignal;
}

const EMPTY = Buffer.alloc(0);
const LF = 0x0a;
/** A chunk at least this long that arrives behind buffered bytes is kept as it is, not copied. */
const TAIL_MIN = 1024;

const DONE: IteratorResult<Buffer> = Object.freeze({ done: true, value: undefined });
const LF_ONLY: readonly Buffer[] = [Buffer.from([LF])];

function toSeparators(separator: Data | readonly Data[]): readonly Buffer[] {
  if (separator === '\n') return LF_ONLY;
  const list = Array.isArray(separator) ? (separator as readonly Data[]) : [separator as Data];
  if (list.length === 0) throw new TorsionRangeError('readUntil() needs at least one separator: pass a string, a Buffer, or a non-empty array of them.');
  const seps = list.map((s) => {
    if (typeof s === 'string') return Buffer.from(s, 'utf8');
    if (s instanceof Uint8Array) return Buffer.isBuffer(s) ? s : Buffer.from(s.buffer, s.byteOffset, s.byteLength);
    throw new TorsionTypeError(`readUntil() separators must be strings or Uint8Arrays, got ${typeof s}.`);
  });
  for (const s of seps) if (s.length === 0) throw new TorsionRangeError('A readUntil() separator must be at least one byte long.');
  // The shortest separator wins a tie on the end position.
  return seps.sort((a, b) => a.length - b.length);
}

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

  // Buffered bytes are #buf[#start, #end). Bytes before #end are never written again (they may
  // have been handed out); when #owned, #buf is ours and [#end, #buf.length) is free space.
  #buf: Buffer = EMPTY;
  // #buf's memory: each line is made straight from it, cheaper than subarray().
  #ab: ArrayBufferLike = EMPTY.buffer;
  #base = EMPTY.byteOffset;
  #start = 0;
  #end = 0;
  #owned = false;
  // A chunk that arrived while bytes were buffered, kept as it came (not copied) and logically
  // following #end: a line read then copies only the line that straddles the two. Only set while
  // [#start, #end) is not empty; every other read folds it in first (#merge).
  #tail: Buffer | null = null;
  #eof = false;
  #exception: Error | null = null;
  #transport: IPushProducer | null = null;
  #paused = false;
  // The read that is waiting (its name), from its first wait until it returns or throws.
  #busy: string | null = null;
  #resolve: (() => void) | null = null;
  #reject: ((err: Error) => void) | null = null;
  // A line iterator's pending next(): settled straight from feedData/feedEof/setException.
  #nextResolve: ((result: IteratorResult<Buffer>) => void) | null = null;
  #nextReject: ((err: Error) => void) | null = null;
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
    const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, len);
    if (this.#end === this.#start) {
      // The common case: keep the chunk itself, no copy.
      this.#setBuf(chunk);
      this.#start = 0;
      this.#end = len;
      this.#owned = false;
    } else if (this.#tail === null && len >= TAIL_MIN) {
      this.#tail = chunk;
    } else {
      this.#merge();
      this.#append(chunk);
    }
    this.#wakeup(null);
    if (this.#transport !== null && !this.#paused && this.#buffered() > 2 * this.limit) {
      this.#paused = true;
      this.#transport.pauseProducing();
    }
  }

  /** Copy `chunk` after the buffered bytes (which are not empty). */
  #append(chunk: Buffer): void {
    const len = chunk.length;
    if (this.#owned && this.#end + len <= this.#buf.length) {
      this.#buf.set(chunk, this.#end);
      this.#end += len;
      return;
    }
    // Grow geometrically so a long line arriving in small pieces costs linear time.
    const live = this.#end - this.#start;
    const next = Buffer.allocUnsafe(Math.max(live + len, live * 2));
    this.#buf.copy(next, 0, this.#start, this.#end);
    next.set(chunk, live);
    this.#setBuf(next);
    this.#start = 0;
    this.#end = live + len;
    this.#owned = true;
  }

  /** Make the buffered bytes one contiguous range again (for reads other than lines). */
  #merge(): void {
    const tail = this.#tail;
    if (tail === null) return;
    this.#tail = null;
    this.#append(tail);
  }

  /** How many bytes are buffered. */
  #buffered(): number {
    return this.#end - this.#start + (this.#tail === null ? 0 : this.#tail.length);
  }

  /** Mark the end of the stream and wake a waiting read. */
  feedEof(): void {
    this.#eof = true;
    this.#wakeup(null);
  }

  /** True once {@link feedEof} was called and every buffered byte has been read. */
  atEof(): boolean {
    return this.#eof && this.#end === this.#start;
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
        while (!this.#eof) {
          await this.#wait('read', options);
          this.#merge();
          if (this.#end > this.#start) blocks.push(this.#take(this.#end - this.#start));
        }
        this.#merge();
        if (this.#end > this.#start) blocks.push(this.#take(this.#end - this.#start));
        return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks);
      }
      if (this.#end === this.#start && !this.#eof) await this.#wait('read', options);
      this.#merge();
      return this.#take(Math.min(n, this.#end - this.#start));
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
    return this.#readLineSlow(options);
  }

  /** The fast path of readLine: a whole line that is buffered, with nothing in the way; or null. */
  #bufferedLine(): Buffer | null {
    if (this.#busy !== null || this.#exception !== null || this.#end === 0) return null;
    const idx = this.#buf.indexOf(LF, this.#start);
    if (idx !== -1 && idx < this.#end) return idx - this.#start > this.limit ? null : this.#take(idx + 1 - this.#start);
    return this.#tail === null ? null : this.#joinLine();
  }

  /**
   * The line that starts in the buffered bytes (which hold no `\n`) and ends in #tail: copied
   * out, and the rest of the tail becomes the buffer. Null when the tail holds no `\n` or the
   * line would pass the limit (the caller merges and decides).
   */
  #joinLine(): Buffer | null {
    const tail = this.#tail!;
    const k = tail.indexOf(LF);
    const live = this.#end - this.#start;
    if (k === -1 || live + k > this.limit) return null;
    const line = Buffer.allocUnsafe(live + k + 1);
    this.#buf.copy(line, 0, this.#start, this.#end);
    tail.copy(line, live, 0, k + 1);
    this.#tail = null;
    this.#setBuf(tail);
    this.#start = k + 1;
    this.#end = tail.length;
    this.#owned = false;
    this.#afterTake();
    return line;
  }

  /** readLine() when no whole line is buffered (or something is in the way): wait for one. */
  async #readLineSlow(options: ReadOptions | undefined): Promise<Buffer> {
    this.#enter('readLine', options);
    this.#scanned = 0;
    try {
      let line: Buffer | null;
      while ((line = this.#lineStep()) === null) await this.#wait('readLine', options);
      return line;
    } finally {
      this.#busy = null;
    }
  }

  /**
   * The iterator's next() when no whole line is buffered. It does not wait in an async function:
   * the pending promise is settled by whatever brings the line (feedData, feedEof,
   * setException), so a line that arrives costs one promise and one turn, not three.
   */
  #nextLineSlow(): Promise<IteratorResult<Buffer>> {
    let line: Buffer | null;
    try {
      this.#enter('readLine', undefined);
      this.#scanned = 0;
      line = this.#lineStep();
    } catch (err) {
      return Promise.reject(err as Error);
    }
    if (line !== null) return Promise.resolve(line.length === 0 ? DONE : { done: false, value: line });
    // No resumeProducing() here, unlike #wait(): the transport is paused only while more than
    // `limit` bytes are buffered, and then #lineStep() has either found a line or thrown.
    this.#busy = 'readLine';
    return new Promise<IteratorResult<Buffer>>((resolve, reject) => {
      this.#nextResolve = resolve;
      this.#nextReject = reject;
    });
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
    else resolve(line!.length === 0 ? DONE : { done: false, value: line! });
  }

  /**
   * One look at the buffer for a line read: the next line (`\n` included), the unterminated
   * tail (or an empty Buffer) at EOF, or `null` when more bytes are needed. A line longer than
   * the limit is discarded (through its `\n`, or all that is buffered) and LimitOverrunError
   * thrown — readUntil('\n') with readLine()'s clean-up, without the exceptions in between.
   */
  #lineStep(): Buffer | null {
    for (;;) {
      const live = this.#end - this.#start;
      if (live > this.#scanned) {
        const idx = this.#buf.indexOf(LF, this.#start + this.#scanned);
        if (idx !== -1 && idx < this.#end) {
          const at = idx - this.#start;
          if (at > this.limit) {
            this.#take(at + 1);
            throw new LimitOverrunError(
              `A separator was found ${at} bytes in, beyond the limit of ${this.limit} bytes: raise the reader's limit, or consume the data with read().`,
              at,
            );
          }
          return this.#take(at + 1);
        }
        this.#scanned = live;
      }
      if (this.#tail === null) break;
      const line = this.#joinLine();
      if (line !== null) return line;
      this.#merge();
    }
    const live = this.#end - this.#start;
    if (live > this.limit) {
      this.#take(live);
      throw new LimitOverrunError(
        `No separator within the limit of ${this.limit} bytes (${live} bytes scanned): raise the reader's limit, or consume the data with read().`,
        live,
      );
    }
    return this.#eof ? this.#take(live) : null;
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
        this.#merge();
        if (this.#end - this.#start >= n) break;
        if (this.#eof) throw new IncompleteReadError(this.#take(this.#end - this.#start), n);
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
    let matchStart = -1;
    let matchEnd = -1;
    try {
      for (;;) {
        this.#merge();
        const live = this.#end - this.#start;
        if (live - offset >= minLen) {
          for (const sep of seps) {
            const found = this.#find(sep, offset);
            if (found !== -1 && (matchEnd === -1 || found + sep.length < matchEnd)) {
              matchStart = found;
              matchEnd = found + sep.length;
            }
          }
          if (matchEnd !== -1) break;
          offset = Math.max(0, live + 1 - maxLen);
          if (offset > this.limit) {
            throw new LimitOverrunError(
              `No separator within the limit of ${this.limit} bytes (${offset} bytes scanned): raise the reader's limit, or consume the data with read().`,
              offset,
            );
          }
        }
        if (this.#eof) throw new IncompleteReadError(this.#take(live), null);
        await this.#wait('readUntil', options);
      }
      if (matchStart > this.limit) {
        throw new LimitOverrunError(
          `A separator was found ${matchStart} bytes in, beyond the limit of ${this.limit} bytes: raise the reader's limit, or consume the data with read().`,
          matchStart,
        );
      }
      return this.#take(matchEnd);
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
        return this.#nextLineSlow();
      },
    };
  }

  /** Where `sep` starts, relative to the buffered data, searching from `offset`; -1 if absent. */
  #find(sep: Buffer, offset: number): number {
    const idx = sep.length === 1 ? this.#buf.indexOf(sep[0]!, this.#start + offset) : this.#buf.indexOf(sep, this.#start + offset);
    // An owned buffer has stale bytes past #end: a match reaching there is no match.
    return idx === -1 || idx + sep.length > this.#end ? -1 : idx - this.#start;
  }

  /** Consume and return the next `n` buffered bytes (n <= buffered). */
  #take(n: number): Buffer {
    const start = this.#start;
    const out = Buffer.from(this.#ab, this.#base + start, n);
    this.#start = start + n;
    this.#afterTake();
    return out;
  }

  #setBuf(buf: Buffer): void {
    this.#buf = buf;
    this.#ab = buf.buffer;
    this.#base = buf.byteOffset;
  }

  /** After bytes were consumed: drop an emptied buffer (the tail takes its place) and resume the transport at the limit. */
  #afterTake(): void {
    if (this.#start === this.#end) {
      const tail = this.#tail;
      this.#tail = null;
      this.#setBuf(tail ?? EMPTY);
      this.#start = 0;
      this.#end = tail === null ? 0 : tail.length;
      this.#owned = false;
    }
    if (this.#paused && this.#buffered() <= this.limit) {
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
