import { Buffer } from 'node:buffer';
import type { Data, ITransport, MaybePromise } from '@torsion/reactor';
import { BufferView, logEvent } from '@torsion/reactor';
import { LineTooLongError } from './errors.js';
import { CRLF, HandlerPromises, LineSettings, PartialLine, findDelimiter, overflows, writeLine } from './line-framing.js';
import { Protocol } from './protocol.js';
import { DelimiterCursor } from './delimiter-index.js';

const EMPTY = Buffer.alloc(0);

/**
 * A protocol that splits its input into lines, with a raw mode for binary stretches.
 *
 * Configure it by subclassing: `delimiter` (default `\r\n`, a Buffer or a string) and
 * `MAX_LENGTH` (default 16384 bytes) are read each time they are needed, so field initializers
 * of a subclass take effect. A bad value is a `RangeError`/`TypeError` on first use.
 *
 * Lines are Buffers without their delimiter and are the receiver's to keep; a line that lies in
 * one chunk is a view of that chunk. Input may be split anywhere: a delimiter cut in two, one
 * byte at a time — the lines are the same. A line grows in linear time however many chunks it
 * takes, and no more than `MAX_LENGTH` + delimiter length bytes are ever held for it.
 *
 * Flow control: `transport.pauseProducing()` (or this protocol's own {@link pauseProducing})
 * called inside {@link lineReceived} stops delivery of the lines already buffered until the
 * transport is resumed; `loseConnection()`/`abortConnection()` there drops the rest of the input.
 *
 * @example
 * ```ts
 * import { Factory, LineReceiver } from '@torsion/protocols';
 * import { reactor } from '@torsion/reactor';
 *
 * class Echo extends LineReceiver {
 *   override delimiter = '\n';
 *   override lineReceived(line: Buffer): void {
 *     this.sendLine(line);
 *   }
 * }
 * await reactor.listenTCP(8023, Factory.forProtocol(Echo), { interface: '127.0.0.1' });
 * ```
 */
export class LineReceiver extends Protocol {
  /** What ends a line. Read when used; a subclass may set a Buffer or a string. */
  delimiter: Buffer | string = CRLF;
  /** The longest line accepted, in bytes, not counting the delimiter. Read when used. */
  MAX_LENGTH = 16384;

  #lineMode = true;
  #paused = false;
  #busy = false;
  /** Set by calls that must stop the scan of the current chunk (mode, clear, pause). */
  #interrupt = false;
  /** Skipping the rest of an over-long line, up to and including its delimiter. */
  #discarding = false;
  readonly #pending = new PartialLine();
  /** Input not yet handled, oldest first: an interrupted chunk's rest and `setLineMode` extras. */
  #front: Buffer[] = [];
  /** Chunks that arrived while we were busy or paused, after everything in `#front`. */
  #queue: Buffer[] = [];
  /**
   * Where the next `setLineMode` extra goes in `#front`: after the extras given since the last
   * input was handed out, before any input not handed out yet (the extra came out of that
   * earlier input, so it precedes it).
   */
  #extraAt = 0;
  /** The chunk being scanned and where its next line starts (for `clearLineBuffer`). */
  #cur: Buffer | null = null;
  #curPos = 0;
  /**
   * The hot loop's walk over the chunk being scanned. Its `last` is the line just handed to
   * `lineReceived`, a view of that chunk followed there by `#pendingDelim`: `sendLine` of that
   * same line (an echo) then writes the chunk's own line + delimiter bytes as one view. Cleared
   * when the scan ends, so no chunk is kept alive.
   */
  #scan: DelimiterCursor | null = null;
  readonly #settings = new LineSettings();
  /** The delimiter the current (or last) chunk was scanned with: the partial line's, and #scan's. */
  #pendingDelim: Buffer = CRLF;
  readonly #promises = new HandlerPromises();

  /** A complete line arrived (without its delimiter). Override it. */
  lineReceived(_line: Buffer): void {}

  /** Bytes that arrived in raw mode. Override it if you call {@link setRawMode}. */
  rawDataReceived(_data: Buffer): void {}

  /**
   * A line longer than `MAX_LENGTH` arrived (or is arriving: `line` then holds what was seen).
   * By default the event is logged as a {@link LineTooLongError} and the connection is closed
   * with `loseConnection()`, so replies already written still reach the peer, and nothing more
   * is read. If an override keeps the connection, the rest of the over-long line is skipped and
   * parsing resumes after its delimiter.
   */
  lineLengthExceeded(line: Buffer): void {
    const error = new LineTooLongError(line.length, this.#settings.lastMaxLength, !this.#discarding);
    const t = this.transport as ITransport | undefined;
    logEvent({ level: 'warn', message: `${this.logPrefix()}: closing connection: ${error.message}`, error });
    t?.loseConnection();
  }

  /**
   * Send `line` followed by the delimiter, as one write. A string is encoded with the delimiter
   * into one Buffer; bytes are queued as they are, not copied, with the delimiter in one
   * `transport.writeSequence()` (as with `transport.write`, do not change them before the end
   * of this turn of the loop). A wrapper that changes output must therefore override both
   * `write` and `writeSequence`.
   */
  sendLine(line: Data): void {
    const delim = this.#delimiter();
    const scan = this.#scan;
    if (scan !== null && line === scan.last && delim === this.#pendingDelim) {
      // The line as received, with the delimiter that followed it: one view, nothing copied.
      this.transport.write(new BufferView(scan.ab, scan.lastAt, line.length + delim.length));
      return;
    }
    writeLine(this.transport, line, delim);
  }

  /**
   * Hand what follows (the rest of the current chunk, then later chunks) to
   * {@link rawDataReceived} until {@link setLineMode} is called.
   */
  setRawMode(): void {
    this.#lineMode = false;
    if (this.#discarding) {
      // The held bytes are the tail of an over-long line, not data for the raw handler.
      this.#pending.reset();
      this.#discarding = false;
    }
    this.#interrupt = true;
  }

  /**
   * Go back to line mode. `extra` (bytes a raw-mode handler read past its own end) is parsed
   * as lines right away, before later input. Safe to call any number of times per chunk: the
   * work is done by a loop, never by recursion.
   */
  setLineMode(extra?: Data): void {
    this.#lineMode = true;
    if (extra === undefined || extra.length === 0) return;
    const bytes = typeof extra === 'string' ? Buffer.from(extra, 'utf8') : Buffer.from(extra.buffer, extra.byteOffset, extra.length);
    this.#front.splice(this.#extraAt, 0, bytes);
    this.#extraAt += 1;
    if (!this.#busy) {
      this.#drain(undefined);
      this.#promises.report(this);
    }
  }

  /**
   * Forget all buffered input and return it: the partial line, and when called inside a
   * callback, the rest of the current chunk and anything queued after it.
   */
  clearLineBuffer(): Buffer {
    const parts: Buffer[] = [];
    if (this.#pending.len > 0 && !this.#discarding) parts.push(this.#pending.take());
    this.#pending.reset();
    this.#discarding = false;
    const cur = this.#cur;
    if (cur !== null && this.#curPos < cur.length) parts.push(cur.subarray(this.#curPos));
    this.#cur = null;
    parts.push(...this.#front, ...this.#queue);
    this.#front = [];
    this.#extraAt = 0;
    this.#queue = [];
    this.#interrupt = true;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** Stop delivering lines (and pause the transport's reading) until {@link resumeProducing}. */
  pauseProducing(): void {
    this.#paused = true;
    this.#interrupt = true;
    (this.transport as ITransport | undefined)?.pauseProducing();
  }

  /** Deliver the buffered lines and resume the transport's reading. */
  resumeProducing(): void {
    this.#paused = false;
    (this.transport as ITransport | undefined)?.resumeProducing();
    if (!this.#busy) {
      this.#drain(undefined);
      this.#promises.report(this);
    }
  }

  /** Stop for good: nothing more is delivered and the transport stops reading. */
  stopProducing(): void {
    this.#paused = true;
    this.#interrupt = true;
    (this.transport as ITransport | undefined)?.stopProducing();
  }

  /** Called by the transport when its reading resumes: deliver what is buffered now. */
  readingResumed(): void {
    // On the stack already (paused and resumed inside our own callback): the running loop
    // sees the transport reading again and carries on.
    if (!this.#busy) {
      this.#drain(undefined);
      this.#promises.report(this);
    }
  }

  override dataReceived(data: Buffer): MaybePromise<void> {
    if (this.#busy || this.#front.length > 0 || this.#queue.length > 0) {
      if (data.length > 0) this.#queue.push(data);
      if (this.#busy) return; // the outer call reports the promises of the lines it delivers
      this.#drain(undefined);
    } else if (data.length > 0) {
      this.#drain(data);
    }
    // A promise an async handler returned goes to the transport, which drops the connection
    // with the rejection as reason.
    return this.#promises.take();
  }

  #delimiter(): Buffer {
    return this.#settings.delimiter(this);
  }

  /** 0: go on; 1: wait (paused); 2: closing, so everything buffered is dropped. */
  #state(): 0 | 1 | 2 {
    const t = this.transport as ITransport | undefined;
    if (t !== undefined && t.disconnecting) return 2;
    if (this.#paused) return 1;
    return t === undefined || t.isReading() ? 0 : 1;
  }

  /** The one loop that hands out input: iterative, so mode flips never deepen the stack. */
  #drain(first: Buffer | undefined): void {
    this.#busy = true;
    try {
      let data = first;
      for (;;) {
        if (data === undefined) data = this.#front.shift() ?? this.#queue.shift();
        if (data === undefined) break;
        const state = this.#state();
        if (state === 2) {
          this.#front = [];
          this.#queue = [];
          this.#pending.reset();
          break;
        }
        if (state === 1) {
          this.#front.unshift(data);
          break;
        }
        this.#extraAt = 0;
        if (this.#lineMode) {
          this.#parse(data);
          this.#cur = null;
        } else {
          if (this.#pending.len > 0) {
            // A partial line left when raw mode was entered from outside a callback.
            this.#front.unshift(data);
            data = this.#pending.take();
          }
          this.#promises.add(this.rawDataReceived(data));
        }
        data = undefined;
      }
    } finally {
      this.#busy = false;
      this.#cur = null;
      this.#scan = null;
    }
  }

  /** After a callback: true if the scan of `chunk` must stop; its rest is then kept in order. */
  #mustStop(chunk: Buffer, pos: number, delimSrc: unknown, maxSrc: unknown, t: ITransport | undefined): boolean {
    if (
      !this.#interrupt &&
      this.delimiter === delimSrc &&
      this.MAX_LENGTH === maxSrc &&
      (t === undefined || (!t.disconnecting && t.isReading()))
    ) {
      return false;
    }
    if (this.#cur === chunk && pos < chunk.length) this.#front.unshift(chunk.subarray(pos));
    return true;
  }

  /** Scan one chunk in line mode. */
  #parse(data: Buffer): void {
    this.#interrupt = false;
    const delimSrc = this.delimiter;
    const maxSrc = this.MAX_LENGTH;
    const delim = this.#delimiter();
    const max = this.#settings.maxLength(this);
    const dlen = delim.length;
    const pending = this.#pending;
    let chunk = data;
    if (pending.len > 0 && !this.#discarding && this.#pendingDelim !== delim) {
      // The delimiter changed while a partial line waited: scan those bytes again.
      chunk = Buffer.concat([pending.take(), data]);
    }
    this.#pendingDelim = delim;
    // A line remembered from an earlier chunk of this drain must not be paired with this one.
    this.#scan = null;
    const end = chunk.length;
    const t = this.transport as ITransport | undefined;
    let pos = 0;
    this.#cur = chunk;

    if (this.#discarding) {
      const s = pending.straddle(chunk, delim);
      const k = s >= 0 ? -1 : findDelimiter(chunk, 0, delim);
      if (s < 0 && k < 0) {
        // Keep only what may begin the delimiter that ends the over-long line.
        const keep = Math.min(dlen - 1, pending.len + end);
        const tail = Buffer.alloc(keep);
        for (let i = 0; i < keep; i++) {
          const at = pending.len + end - keep + i;
          tail[i] = at < pending.len ? pending.buf[at]! : chunk[at - pending.len]!;
        }
        pending.hold(tail);
        return;
      }
      pos = s >= 0 ? dlen - (pending.len - s) : k + dlen;
      pending.reset();
      this.#discarding = false;
    } else if (pending.len > 0) {
      // The line started in an earlier chunk: look for its end here, scanning only new bytes.
      const s = pending.straddle(chunk, delim);
      let line: Buffer;
      if (s >= 0) {
        pos = dlen - (pending.len - s);
        pending.len = s;
        line = pending.take();
      } else {
        const k = findDelimiter(chunk, 0, delim);
        if (k < 0) {
          if (overflows(pending.buf, 0, pending.len, chunk, delim, max)) {
            this.#curPos = end;
            this.#exceeded(pending.takeWith(chunk, end), false);
          } else {
            pending.append(chunk, max + dlen);
          }
          return;
        }
        line = pending.takeWith(chunk, k);
        pos = k + dlen;
      }
      this.#curPos = pos;
      if (line.length > max) this.#exceeded(line, true);
      else this.#promises.add(this.lineReceived(line));
      if (this.#mustStop(chunk, pos, delimSrc, maxSrc, t)) return;
    }

    // The hot loop: each line is a view of the chunk; nothing else is allocated per line.
    const ab = chunk.buffer;
    const base = chunk.byteOffset;
    const cursor = new DelimiterCursor(chunk, ab, base, delim);
    this.#scan = cursor;
    for (;;) {
      const k = cursor.find(pos);
      if (k < 0) break;
      const len = k - pos;
      const at = base + pos;
      const line = new BufferView(ab, at, len);
      cursor.last = line;
      cursor.lastAt = at;
      pos = k + dlen;
      this.#curPos = pos;
      if (len > max) this.#exceeded(line, true);
      else {
        const result = this.lineReceived(line);
        if (result !== undefined) this.#promises.add(result);
      }
      if (
        (this.#interrupt || this.delimiter !== delimSrc || this.MAX_LENGTH !== maxSrc ||
          (t !== undefined && (t.disconnecting || !t.isReading()))) &&
        this.#mustStop(chunk, pos, delimSrc, maxSrc, t)
      ) {
        return;
      }
    }
    if (pos < end) {
      if (end - pos > max && overflows(chunk, pos, end, EMPTY, delim, max)) {
        this.#curPos = end;
        this.#exceeded(chunk.subarray(pos), false);
      } else {
        pending.hold(pos === 0 ? chunk : chunk.subarray(pos));
      }
    }
  }

  /** Report an over-long line; an incomplete one is skipped up to its delimiter afterwards. */
  #exceeded(line: Buffer, complete: boolean): void {
    this.#discarding = !complete;
    if (!complete) {
      // Keep the tail that may begin the delimiter, so skipping resumes at the right byte.
      const keep = Math.min(this.#settings.lastDelimiter.length - 1, line.length);
      this.#pending.hold(Buffer.from(line.subarray(line.length - keep)));
    }
    this.lineLengthExceeded(line);
  }
}
