// The global `Buffer` is a getter on globalThis in Node: the hot paths use the module's binding.
import { Buffer } from 'node:buffer';
import type { Data } from '@torsion/reactor';
import { BufferView, TorsionRangeError, TorsionTypeError } from '@torsion/reactor';

const EMPTY = Buffer.alloc(0);
const LF = 0x0a;
/** A chunk at least this long that arrives behind buffered bytes is kept as it is, not copied. */
const TAIL_MIN = 1024;
const LF_ONLY: readonly Buffer[] = [Buffer.from([LF])];

/** readUntil()'s separator argument as Buffers, shortest first (it wins a tie on the end). */
export function toSeparators(separator: Data | readonly Data[]): readonly Buffer[] {
  if (separator === '\n') return LF_ONLY;
  const list = Array.isArray(separator) ? (separator as readonly Data[]) : [separator as Data];
  if (list.length === 0) throw new TorsionRangeError('readUntil() needs at least one separator: pass a string, a Buffer, or a non-empty array of them.');
  const seps = list.map((s) => {
    if (typeof s === 'string') return Buffer.from(s, 'utf8');
    if (s instanceof Uint8Array) return Buffer.isBuffer(s) ? s : Buffer.from(s.buffer, s.byteOffset, s.byteLength);
    throw new TorsionTypeError(`readUntil() separators must be strings or Uint8Arrays, got ${typeof s}.`);
  });
  for (const s of seps) if (s.length === 0) throw new TorsionRangeError('A readUntil() separator must be at least one byte long.');
  return seps.sort((a, b) => a.length - b.length);
}

/**
 * The bytes a {@link StreamReader} holds, with as few copies as line reading allows: the first
 * chunk is kept as it came and reads return views of it; a chunk of 1 KiB or more that arrives
 * behind buffered bytes is kept too (the *tail*), and a line that straddles the two is the only
 * thing copied; anything else is appended to a buffer that grows geometrically. Reads other than
 * lines call {@link merge} first and then see one contiguous range.
 *
 * Internal to `@torsion/streams`: flow control, waiting and errors are the reader's.
 */
export class ReadBuffer {
  // The buffered bytes are #buf[#start, #end). Bytes before #end are never written again (they
  // may have been handed out); when #owned, #buf is ours and [#end, #buf.length) is free space.
  #buf: Buffer = EMPTY;
  // #buf's memory, read on the first partial take: each line is made straight from it, cheaper
  // than subarray(). (`.buffer` is a call into C++ in Node 20's V8: at most once per chunk.)
  #ab: ArrayBufferLike | null = null;
  #base = 0;
  #start = 0;
  #end = 0;
  #owned = false;
  // Logically after #end, kept as it came. Only set while [#start, #end) is not empty.
  #tail: Buffer | null = null;

  /** Bytes in the contiguous range (the tail not counted). */
  get live(): number {
    return this.#end - this.#start;
  }

  /** Every buffered byte, the tail included. */
  size(): number {
    return this.#end - this.#start + (this.#tail === null ? 0 : this.#tail.length);
  }

  /** Whether a chunk is waiting behind the contiguous range. */
  hasTail(): boolean {
    return this.#tail !== null;
  }

  /** Add a (non-empty) chunk at the end. */
  push(chunk: Buffer): void {
    if (this.#end === this.#start) {
      // The common case: keep the chunk itself, no copy.
      this.#setBuf(chunk);
      this.#start = 0;
      this.#end = chunk.length;
      this.#owned = false;
    } else if (this.#tail === null && chunk.length >= TAIL_MIN) {
      this.#tail = chunk;
    } else {
      this.merge();
      this.#append(chunk);
    }
  }

  /** Make every buffered byte one contiguous range again. */
  merge(): void {
    const tail = this.#tail;
    if (tail === null) return;
    this.#tail = null;
    this.#append(tail);
  }

  /** Where the first `\n` at or after `offset` is, relative to the range; -1 if none. */
  lineEnd(offset: number): number {
    const idx = this.#buf.indexOf(LF, this.#start + offset);
    // An owned buffer has stale bytes past #end: a match there is no match.
    return idx === -1 || idx >= this.#end ? -1 : idx - this.#start;
  }

  /** Where `sep` starts, relative to the range, searching from `offset`; -1 if absent. */
  find(sep: Buffer, offset: number): number {
    const idx = sep.length === 1 ? this.#buf.indexOf(sep[0]!, this.#start + offset) : this.#buf.indexOf(sep, this.#start + offset);
    return idx === -1 || idx + sep.length > this.#end ? -1 : idx - this.#start;
  }

  /**
   * Where the earliest-ending separator of `seps` (shortest first) starts and ends, relative to
   * the range, searching from `offset`; null if none.
   */
  findFirst(seps: readonly Buffer[], offset: number): { start: number; end: number } | null {
    let match: { start: number; end: number } | null = null;
    for (const sep of seps) {
      const found = this.find(sep, offset);
      if (found !== -1 && (match === null || found + sep.length < match.end)) match = { start: found, end: found + sep.length };
    }
    return match;
  }

  /**
   * Append to `out` the whole lines at the front, each `\n` at most `limit` bytes in (a line that
   * ends in the tail included), and at `eof` the unterminated rest if within `limit`. Stops at
   * anything else: an overlong line, or no `\n`.
   */
  takeLines(out: Buffer[], limit: number, eof: boolean): void {
    while (this.#end > this.#start) {
      const at = this.lineEnd(0);
      if (at !== -1) {
        if (at > limit) return;
        out.push(this.take(at + 1));
      } else if (this.#tail !== null) {
        const line = this.joinLine(limit);
        if (line === null) return;
        out.push(line);
      } else {
        if (eof && this.#end - this.#start <= limit) out.push(this.take(this.#end - this.#start));
        return;
      }
    }
  }

  /** Put (non-empty) `chunk` back in front of every buffered byte: a read that failed gives back what it took. */
  unshift(chunk: Buffer): void {
    this.merge();
    const live = this.#end - this.#start;
    if (live === 0) {
      this.push(chunk);
      return;
    }
    const next = Buffer.allocUnsafe(chunk.length + live);
    chunk.copy(next, 0);
    this.#buf.copy(next, chunk.length, this.#start, this.#end);
    this.#setBuf(next);
    this.#start = 0;
    this.#end = next.length;
    this.#owned = true;
  }

  /** Consume and return the next `n` bytes of the range (n <= live). */
  take(n: number): Buffer {
    const start = this.#start;
    const buf = this.#buf;
    let out: Buffer;
    if (start === 0 && n === buf.length) {
      out = buf; // the whole chunk (one line per read is common): itself, no view
    } else {
      if (this.#ab === null) {
        this.#ab = buf.buffer;
        this.#base = buf.byteOffset;
      }
      out = new BufferView(this.#ab, this.#base + start, n);
    }
    this.#start = start + n;
    if (this.#start === this.#end) this.#promoteTail();
    return out;
  }

  /**
   * The line that starts in the range (which must hold no `\n`) and ends in the tail, copied
   * out; the rest of the tail becomes the range. Null when the tail holds no `\n` or the line's
   * `\n` would be more than `limit` bytes in (the caller merges and decides).
   */
  joinLine(limit: number): Buffer | null {
    const tail = this.#tail!;
    const k = tail.indexOf(LF);
    const live = this.#end - this.#start;
    if (k === -1 || live + k > limit) return null;
    const line = Buffer.allocUnsafe(live + k + 1);
    this.#buf.copy(line, 0, this.#start, this.#end);
    tail.copy(line, live, 0, k + 1);
    this.#tail = null;
    this.#setBuf(tail);
    this.#start = k + 1;
    this.#end = tail.length;
    this.#owned = false;
    if (this.#start === this.#end) this.#promoteTail();
    return line;
  }

  /** The range is empty: the tail takes its place, or nothing does. */
  #promoteTail(): void {
    const tail = this.#tail;
    if (tail === null) {
      this.#buf = EMPTY;
      this.#ab = null;
      this.#end = 0;
    } else {
      this.#tail = null;
      this.#setBuf(tail);
      this.#end = tail.length;
    }
    this.#start = 0;
    this.#owned = false;
  }

  /** Copy `chunk` after the range (which is not empty). */
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

  #setBuf(buf: Buffer): void {
    this.#buf = buf;
    this.#ab = null;
  }
}
