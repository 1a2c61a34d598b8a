import { Buffer } from 'node:buffer';
import type { Data, ITransport, MaybePromise } from '@torsion/reactor';
import { BufferView, logEvent } from '@torsion/reactor';
import { LineTooLongError } from './errors.js';
import { CRLF, HandlerPromises, LineSettings, PartialLine, findDelimiter, overflows, writeLine } from './line-framing.js';
import { Protocol } from './protocol.js';
import { DelimiterCursor } from './delimiter-index.js';

const EMPTY = Buffer.alloc(0);

/**
 * The lean line protocol: lines only, no raw mode. Same `delimiter` and `MAX_LENGTH` rules as
 * `LineReceiver` (read when used; a line of exactly `MAX_LENGTH` is accepted however its
 * delimiter is split; at most `MAX_LENGTH` + delimiter length bytes are held), and the same
 * respect for `transport.pauseProducing()` and `loseConnection()` issued inside
 * {@link lineReceived}. The delimiter and `MAX_LENGTH` are read once per chunk, not per line.
 *
 * @example
 * ```ts
 * import { Factory, LineOnlyReceiver } from '@torsion/protocols';
 * import { reactor } from '@torsion/reactor';
 *
 * class Upper extends LineOnlyReceiver {
 *   override lineReceived(line: Buffer): void {
 *     this.sendLine(line.toString('utf8').toUpperCase());
 *   }
 * }
 * await reactor.listenTCP(8024, Factory.forProtocol(Upper), { interface: '127.0.0.1' });
 * ```
 */
export class LineOnlyReceiver extends Protocol {
  /** What ends a line. Read once per chunk; a subclass may set a Buffer or a string. */
  delimiter: Buffer | string = CRLF;
  /** The longest line accepted, in bytes, not counting the delimiter. */
  MAX_LENGTH = 16384;

  #busy = false;
  #discarding = false;
  readonly #pending = new PartialLine();
  /** Input not yet handled (a paused chunk's rest, chunks that came while busy), oldest first. */
  #queue: Buffer[] = [];
  readonly #settings = new LineSettings();
  /** The delimiter the partial line was scanned with. */
  #pendingDelim: Buffer = CRLF;
  readonly #promises = new HandlerPromises();

  /** A complete line arrived (without its delimiter). Override it. */
  lineReceived(_line: Buffer): void {}

  /**
   * A line longer than `MAX_LENGTH` arrived or is arriving. By default: logged as a
   * {@link LineTooLongError}, and the connection is closed with `loseConnection()`. If an
   * override keeps the connection, the rest of that line is skipped up to its delimiter.
   */
  lineLengthExceeded(line: Buffer): void {
    const error = new LineTooLongError(line.length, this.#settings.lastMaxLength, !this.#discarding);
    logEvent({ level: 'warn', message: `${this.logPrefix()}: closing connection: ${error.message}`, error });
    (this.transport as ITransport | undefined)?.loseConnection();
  }

  /**
   * Send `line` followed by the delimiter, as one write. A string is encoded with the delimiter
   * into one Buffer; bytes are queued as they are, not copied, with the delimiter in one
   * `transport.writeSequence()` (as with `transport.write`, do not change them before the end
   * of this turn of the loop). A wrapper that changes output must therefore override both
   * `write` and `writeSequence`.
   */
  sendLine(line: Data): void {
    writeLine(this.transport, line, this.#delimiter());
  }

  /** Called by the transport when its reading resumes: deliver the buffered lines now. */
  readingResumed(): void {
    if (!this.#busy) {
      this.#drain(undefined);
      this.#promises.report(this);
    }
  }

  override dataReceived(data: Buffer): MaybePromise<void> {
    if (this.#busy || this.#queue.length > 0) {
      if (data.length > 0) this.#queue.push(data);
      if (this.#busy) return; // the outer call reports the promises of the lines it delivers
      this.#drain(undefined);
    } else if (data.length > 0) {
      this.#drain(data);
    }
    // A promise an async lineReceived returned goes to the transport, which drops the
    // connection with the rejection as reason.
    return this.#promises.take();
  }

  #delimiter(): Buffer {
    return this.#settings.delimiter(this);
  }

  #drain(first: Buffer | undefined): void {
    this.#busy = true;
    try {
      let data = first;
      for (;;) {
        if (data === undefined) data = this.#queue.shift();
        if (data === undefined) break;
        const t = this.transport as ITransport | undefined;
        if (t !== undefined && t.disconnecting) {
          this.#queue = [];
          this.#pending.reset();
          break;
        }
        if (t !== undefined && !t.isReading()) {
          this.#queue.unshift(data);
          break;
        }
        this.#parse(data, t);
        data = undefined;
      }
    } finally {
      this.#busy = false;
    }
  }

  #parse(data: Buffer, t: ITransport | undefined): void {
    const delim = this.#delimiter();
    let chunk = data;
    if (this.#pending.len > 0 && !this.#discarding && this.#pendingDelim !== delim) {
      // The delimiter changed while a partial line waited: scan those bytes again.
      chunk = Buffer.concat([this.#pending.take(), data]);
    }
    this.#pendingDelim = delim;
    const max = this.#settings.maxLength(this);
    const dlen = delim.length;
    const end = chunk.length;
    const pending = this.#pending;
    let pos = 0;

    if (pending.len > 0) {
      const s = pending.straddle(chunk, delim);
      const k = s >= 0 ? -1 : findDelimiter(chunk, 0, delim);
      if (this.#discarding) {
        if (s < 0 && k < 0) {
          const all = pending.takeWith(chunk, end);
          pending.hold(Buffer.from(all.subarray(all.length - Math.min(dlen - 1, all.length))));
          return;
        }
        this.#discarding = false;
        pos = s >= 0 ? dlen - (pending.len - s) : k + dlen;
        pending.reset();
      } else {
        let line: Buffer;
        if (s >= 0) {
          pos = dlen - (pending.len - s);
          pending.len = s;
          line = pending.take();
        } else if (k >= 0) {
          line = pending.takeWith(chunk, k);
          pos = k + dlen;
        } else {
          if (overflows(pending.buf, 0, pending.len, chunk, delim, max)) this.#exceeded(pending.takeWith(chunk, end), false);
          else pending.append(chunk, max + dlen);
          return;
        }
        if (line.length > max) this.#exceeded(line, true);
        else this.#promises.add(this.lineReceived(line));
        if (t !== undefined && (t.disconnecting || !t.isReading())) {
          if (pos < end) this.#queue.unshift(chunk.subarray(pos));
          return;
        }
      }
    } else if (this.#discarding) {
      const k = findDelimiter(chunk, 0, delim);
      if (k < 0) {
        pending.hold(Buffer.from(chunk.subarray(end - Math.min(dlen - 1, end))));
        return;
      }
      this.#discarding = false;
      pos = k + dlen;
    }

    const ab = chunk.buffer;
    const base = chunk.byteOffset;
    const cursor = new DelimiterCursor(chunk, ab, base, delim);
    for (;;) {
      const k = cursor.find(pos);
      if (k < 0) break;
      const len = k - pos;
      const line = new BufferView(ab, base + pos, len);
      pos = k + dlen;
      if (len > max) this.#exceeded(line, true);
      else {
        const result = this.lineReceived(line);
        if (result !== undefined) this.#promises.add(result);
      }
      if (t !== undefined && (t.disconnecting || !t.isReading())) {
        if (pos < end) this.#queue.unshift(chunk.subarray(pos));
        return;
      }
    }
    if (pos < end) {
      if (end - pos > max && overflows(chunk, pos, end, EMPTY, delim, max)) this.#exceeded(chunk.subarray(pos), false);
      else pending.hold(pos === 0 ? chunk : chunk.subarray(pos));
    }
  }

  #exceeded(line: Buffer, complete: boolean): void {
    this.#discarding = !complete;
    if (!complete) {
      const keep = Math.min(this.#settings.lastDelimiter.length - 1, line.length);
      this.#pending.hold(Buffer.from(line.subarray(line.length - keep)));
    }
    this.lineLengthExceeded(line);
  }
}
