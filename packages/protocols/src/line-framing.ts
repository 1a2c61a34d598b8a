/**
 * Pieces shared by the line framings: configuration checks, the partial-line buffer, and the
 * length-limit rule. Internal: not re-exported from the package index.
 *
 * @internal
 * @module
 */
import { Buffer } from 'node:buffer';
import type { Data, ITransport } from '@torsion/reactor';
import { log, TorsionRangeError, TorsionTypeError } from '@torsion/reactor';

const EMPTY = Buffer.alloc(0);

/** The default line delimiter. Never handed out, so never mutated. */
export const CRLF: Buffer = Buffer.from('\r\n');

/** Turn a `delimiter` field into bytes, or say clearly what is wrong with it. */
export function toDelimiter(value: unknown, owner: string): Buffer {
  if (typeof value === 'string' || value instanceof Uint8Array) {
    if (value.length === 0) {
      throw new TorsionRangeError(`${owner}.delimiter is empty: set it to a non-empty Buffer or string such as '\\r\\n'.`);
    }
    return typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  }
  throw new TorsionTypeError(
    `${owner}.delimiter must be a Buffer or a string, got ${describe(value)}: set it to e.g. Buffer.from('\\n').`,
  );
}

/** Check a `MAX_LENGTH` field: a non-negative safe integer number of bytes. */
export function toMaxLength(value: unknown, owner: string): number {
  if (typeof value !== 'number') {
    throw new TorsionTypeError(`${owner}.MAX_LENGTH must be a number of bytes, got ${describe(value)}.`);
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TorsionRangeError(
      `${owner}.MAX_LENGTH must be a non-negative integer number of bytes, got ${String(value)}: use e.g. 16384.`,
    );
  }
  return value;
}

/** What {@link LineSettings} reads: a line receiver's configuration fields. */
interface LineConfigured {
  readonly delimiter: unknown;
  readonly MAX_LENGTH: unknown;
}

/**
 * A line receiver's `delimiter` and `MAX_LENGTH` fields, checked and converted once per new
 * value: subclasses set them as fields (or change them in a callback), so they are read each
 * time they are needed and only a changed value is converted again.
 */
export class LineSettings {
  #delimSrc: unknown = undefined;
  #delim: Buffer = CRLF;
  #maxSrc: unknown = undefined;
  #max = 16384;

  /** The delimiter as bytes; a bad value is a TypeError/RangeError naming `owner`'s class. */
  delimiter(owner: LineConfigured): Buffer {
    const src = owner.delimiter;
    if (src !== this.#delimSrc) {
      this.#delim = toDelimiter(src, owner.constructor.name);
      this.#delimSrc = src;
    }
    return this.#delim;
  }

  /** The longest line accepted; a bad value is a TypeError/RangeError naming `owner`'s class. */
  maxLength(owner: LineConfigured): number {
    const src = owner.MAX_LENGTH;
    if (src !== this.#maxSrc) {
      this.#max = toMaxLength(src, owner.constructor.name);
      this.#maxSrc = src;
    }
    return this.#max;
  }

  /** The delimiter last converted (for reports about input already scanned with it). */
  get lastDelimiter(): Buffer {
    return this.#delim;
  }

  /** The `MAX_LENGTH` last converted. */
  get lastMaxLength(): number {
    return this.#max;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value === 'string' ? JSON.stringify(value) : `${typeof value} ${String(value)}`;
}

/**
 * Write `line` and then `delimiter` to `transport` as one write. Bytes are queued as they are,
 * not copied (as with `transport.write`): a line received, or one Buffer sent to many
 * connections, is never copied before the flush that sends it. A string is encoded together
 * with its delimiter into one new Buffer.
 */
export function writeLine(transport: ITransport, line: Data, delimiter: Buffer): void {
  if (typeof line === 'string') {
    const n = Buffer.byteLength(line, 'utf8');
    const out = Buffer.allocUnsafe(n + delimiter.length);
    out.write(line, 0, 'utf8');
    delimiter.copy(out, n);
    transport.write(out);
    return;
  }
  if (!(line instanceof Uint8Array)) {
    throw new TorsionTypeError(`sendLine() takes a Buffer, Uint8Array or string, got ${describe(line)}.`);
  }
  // One write as far as flow control goes: pauseWriting() never lands between the two parts.
  transport.writeSequence([line, delimiter]);
}

/**
 * Where the first complete `delim` at or after `from` starts in `buf`, or -1. Searching for the
 * delimiter's first byte (a memchr) and checking the rest is several times faster than
 * `buf.indexOf(delimBuffer)` for short lines, and stays linear.
 */
export function findDelimiter(buf: Buffer, from: number, delim: Buffer): number {
  const d0 = delim[0]!;
  const dlen = delim.length;
  const last = buf.length - dlen;
  for (let k = buf.indexOf(d0, from); k >= 0 && k <= last; k = buf.indexOf(d0, k + 1)) {
    let i = 1;
    while (i < dlen && buf[k + i] === delim[i]) i++;
    if (i === dlen) return k;
  }
  return -1;
}

/**
 * Whether the bytes `a[aStart:aEnd] ++ b`, which hold no complete delimiter, can no longer be
 * the start of a line of at most `max` bytes: true when longer than `max` and no suffix that
 * begins at or before `max` is a prefix of the delimiter. So a line of exactly `max` bytes whose
 * delimiter is still arriving is not cut off, and the bytes held never exceed max + delimiter - 1.
 */
export function overflows(a: Buffer, aStart: number, aEnd: number, b: Buffer, delim: Buffer, max: number): boolean {
  const alen = aEnd - aStart;
  const total = alen + b.length;
  if (total <= max) return false;
  for (let q = Math.max(total - delim.length + 1, 0); q <= max; q++) {
    let match = true;
    for (let i = q; i < total; i++) {
      const byte = i < alen ? a[aStart + i] : b[i - alen];
      if (byte !== delim[i - q]) {
        match = false;
        break;
      }
    }
    if (match) return false;
  }
  return true;
}

/**
 * The bytes of a line whose delimiter has not arrived yet. Invariant: they hold no complete
 * delimiter, so a new chunk is searched only from its start (plus the few positions where a
 * delimiter may straddle the boundary): a long line costs linear time.
 *
 * The bytes are `buf[0:len]`. When `owned`, `buf` is storage of ours whose spare room past `len`
 * may be written; otherwise it is a view of a received chunk and `buf.length === len`.
 */
export class PartialLine {
  buf: Buffer = EMPTY;
  len = 0;
  owned = false;

  /** Hold `view` (part of a received chunk) without copying it. */
  hold(view: Buffer): void {
    this.buf = view;
    this.len = view.length;
    this.owned = false;
  }

  reset(): void {
    this.buf = EMPTY;
    this.len = 0;
    this.owned = false;
  }

  /** The held bytes, handed over: the holder forgets them. */
  take(): Buffer {
    const out = this.owned || this.len !== this.buf.length ? this.buf.subarray(0, this.len) : this.buf;
    this.reset();
    return out;
  }

  /** Append a chunk, growing storage geometrically (never beyond `cap` unless needed). */
  append(chunk: Buffer, cap: number): void {
    const need = this.len + chunk.length;
    if (!this.owned || this.buf.length < need) {
      const size = Math.max(need, Math.min(Math.max(this.len * 2, 1024), cap));
      const store = Buffer.allocUnsafe(size);
      this.buf.copy(store, 0, 0, this.len);
      this.buf = store;
      this.owned = true;
    }
    chunk.copy(this.buf, this.len);
    this.len = need;
  }

  /** The held bytes followed by `chunk[0:k]`, as one Buffer; the holder forgets them. */
  takeWith(chunk: Buffer, k: number): Buffer {
    let out: Buffer;
    if (this.owned && this.buf.length >= this.len + k) {
      // Hand the storage itself to the user (it is never written again): a 10 MiB line is not
      // copied once more at its end.
      chunk.copy(this.buf, this.len, 0, k);
      out = this.buf.subarray(0, this.len + k);
    } else {
      out = Buffer.allocUnsafe(this.len + k);
      this.buf.copy(out, 0, 0, this.len);
      chunk.copy(out, this.len, 0, k);
    }
    this.reset();
    return out;
  }

  /**
   * Where a delimiter that begins in the held bytes and ends in `chunk` starts (the earliest
   * one), or -1. Only the last `delim.length - 1` held positions can start one.
   */
  straddle(chunk: Buffer, delim: Buffer): number {
    const dlen = delim.length;
    const buf = this.buf;
    const len = this.len;
    for (let j = Math.min(dlen - 1, len); j >= 1; j--) {
      if (chunk.length < dlen - j) continue;
      let match = true;
      for (let i = 0; i < j && match; i++) match = buf[len - j + i] === delim[i];
      for (let i = j; i < dlen && match; i++) match = chunk[i - j] === delim[i];
      if (match) return len - j;
    }
    return -1;
  }
}

/**
 * Promises returned by async handlers (`async lineReceived`, `async stringReceived`), gathered so
 * that a rejection is always reported and never left unhandled (which would end the Node process).
 */
export class HandlerPromises {
  #list: Array<PromiseLike<unknown>> | undefined = undefined;

  /** Keep `result` if it is a promise. */
  add(result: unknown): void {
    if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
      (this.#list ??= []).push(result as PromiseLike<unknown>);
    }
  }

  /**
   * For `dataReceived` to return: the transport drops the connection with the rejection as
   * reason, as for any protocol callback.
   */
  take(): Promise<void> | undefined {
    const list = this.#list;
    if (list === undefined) return undefined;
    this.#list = undefined;
    return Promise.all(list).then(() => undefined);
  }

  /** Outside `dataReceived` (input delivered on resume): log a rejection and abort. */
  report(owner: { logPrefix(): string; transport: ITransport }, handler = 'lineReceived'): void {
    const all = this.take();
    if (all === undefined) return;
    all.catch((err: unknown) => {
      log.error(`${owner.logPrefix()}: a promise returned by ${handler} rejected; dropping the connection.`, err);
      (owner.transport as ITransport | undefined)?.abortConnection();
    });
  }
}
