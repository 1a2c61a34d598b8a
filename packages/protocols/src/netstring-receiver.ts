import type { Data, MaybePromise } from '@torsion/reactor';
import { BufferView } from '@torsion/reactor';
import { HandlerPromises } from './line-framing.js';
import { Protocol } from './protocol.js';
import { LengthLimitExceededError, NetstringParseError, StringTooLongError, checkMaxLength } from './string-errors.js';

const EMPTY = Buffer.alloc(0);
const COLON = 0x3a;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;

// Parser states.
const LENGTH = 0;
const PAYLOAD = 1;
const TRAILER = 2;

function describeByte(b: number): string {
  const hex = `0x${b.toString(16).padStart(2, '0')}`;
  return b >= 0x20 && b < 0x7f ? `${hex} ('${String.fromCharCode(b)}')` : hex;
}

/**
 * Strings framed as netstrings: `<decimal length>:<bytes>,` (so `hello` is `5:hello,`).
 *
 * The parser is strict and incremental: input split anywhere across chunks gives the same
 * strings as the unsplit input, and a string arriving in many small chunks is assembled once.
 * Malformed input — a leading zero (other than `0:` itself), anything but digits before the
 * colon, an empty length, a missing comma — sets {@link brokenPeer} and {@link parseError} and
 * calls {@link handleParseError}; a length over {@link MAX_LENGTH}, detected as soon as its
 * digits exceed it (before the colon arrives), calls {@link lengthLimitExceeded} instead. Both
 * hooks drop the connection by default, and in every case nothing more is delivered.
 *
 * `transport.pauseProducing()` called from inside {@link stringReceived} stops the delivery of
 * strings already buffered until the transport is resumed; `loseConnection()` stops it for good.
 *
 * @example
 * ```ts
 * import { NetstringReceiver, Factory } from '@torsion/protocols';
 * import { reactor } from '@torsion/reactor';
 *
 * class Reverse extends NetstringReceiver {
 *   override MAX_LENGTH = 4096;
 *   override stringReceived(data: Buffer): void {
 *     this.sendString(Buffer.from(data).reverse());
 *   }
 * }
 * await reactor.listenTCP(9000, Factory.forProtocol(Reverse), { interface: '127.0.0.1' });
 * ```
 */
export class NetstringReceiver extends Protocol {
  /** The longest string accepted from the peer, and sent by {@link sendString}, in bytes. */
  MAX_LENGTH = 99999;
  /** True once the peer broke the framing; nothing is delivered after that. */
  brokenPeer = false;
  /** Why {@link brokenPeer} was set. */
  parseError: NetstringParseError | LengthLimitExceededError | undefined = undefined;

  #state = LENGTH;
  #length = 0;
  #digits = 0;
  #remaining = 0;
  #parts: Buffer[] = [];
  // Input not parsed yet because delivery was paused: #queue[0] from #qoff on, then the rest.
  #queue: Buffer[] = [];
  #qoff = 0;
  #delivering = false;
  readonly #promises = new HandlerPromises();

  /** A whole string arrived. Override it. A returned promise is not awaited; a rejection drops the connection. */
  stringReceived(_data: Buffer): MaybePromise<void> {}

  /**
   * The peer announced a string of at least `length` bytes, over {@link MAX_LENGTH}. By default
   * the connection is dropped. Whatever this does, nothing more is delivered.
   */
  lengthLimitExceeded(_length: number): void {
    this.transport.loseConnection();
  }

  /**
   * The peer sent something that is not a netstring. By default the connection is dropped.
   * Whatever this does, nothing more is delivered.
   */
  handleParseError(_error: NetstringParseError): void {
    this.transport.loseConnection();
  }

  /**
   * Send `data` (a string is sent as UTF-8) as one netstring, in one write.
   *
   * @throws StringTooLongError if `data` is longer than {@link MAX_LENGTH}, which the peer
   *   (with the same limit) would refuse.
   */
  sendString(data: Data): void {
    const max = checkMaxLength(this.MAX_LENGTH, this.constructor.name);
    const isString = typeof data === 'string';
    const length = isString ? Buffer.byteLength(data) : data.byteLength;
    if (length > max) throw new StringTooLongError(length, max, `${this.constructor.name}.MAX_LENGTH`);
    const head = `${length}:`;
    const out = Buffer.allocUnsafe(head.length + length + 1);
    out.write(head, 0, 'latin1');
    if (isString) out.write(data, head.length, 'utf8');
    else out.set(data, head.length);
    out[out.length - 1] = COMMA;
    this.transport.write(out);
  }

  /** Parse the incoming bytes. Do not override; override {@link stringReceived}. */
  override dataReceived(data: Buffer): MaybePromise<void> {
    if (this.brokenPeer || this.transport.disconnecting) {
      this.#discard();
      return;
    }
    this.#queue.push(data);
    if (this.#delivering) return;
    this.#drain();
    return this.#promises.take();
  }

  /** The transport resumed reading: deliver what was buffered while it was paused. */
  readingResumed(): void {
    if (this.#delivering || this.brokenPeer) return;
    this.#drain();
    this.#promises.report(this, 'stringReceived');
  }

  override connectionLost(reason: Error): MaybePromise<void> {
    this.#discard();
    return super.connectionLost(reason);
  }

  #drain(): void {
    const t = this.transport;
    const max = checkMaxLength(this.MAX_LENGTH, this.constructor.name);
    this.#delivering = true;
    try {
      const queue = this.#queue;
      while (queue.length > 0 && t.isReading() && !t.disconnecting && !this.brokenPeer) {
        const buf = queue[0]!;
        this.#parse(buf, max);
        // #parse may have discarded the queue (a parse error), or stopped early (a pause).
        if (this.#queue !== queue || this.#qoff < buf.length) return;
        queue.shift();
        this.#qoff = 0;
      }
    } finally {
      this.#delivering = false;
    }
  }

  // Parse `buf` from #qoff; stop after a delivery that paused or closed the transport.
  #parse(buf: Buffer, max: number): void {
    const end = buf.length;
    let i = this.#qoff;
    while (i < end) {
      const state = this.#state;
      if (state === PAYLOAD) {
        const take = Math.min(this.#remaining, end - i);
        this.#parts.push(new BufferView(buf.buffer, buf.byteOffset + i, take));
        i += take;
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = TRAILER;
      } else if (state === LENGTH) {
        const b = buf[i]!;
        if (b >= ZERO && b <= NINE) {
          if (this.#digits > 0 && this.#length === 0) {
            this.#broken(new NetstringParseError('Invalid netstring: its length has a leading zero. Lengths are written in plain decimal ("0:", "12:").'));
            return;
          }
          this.#length = this.#length * 10 + (b - ZERO);
          this.#digits += 1;
          if (this.#length > max) {
            this.#tooLong(this.#length, max);
            return;
          }
        } else if (b === COLON) {
          if (this.#digits === 0) {
            this.#broken(new NetstringParseError('Invalid netstring: the length before the colon is empty.'));
            return;
          }
          this.#remaining = this.#length;
          this.#state = this.#remaining === 0 ? TRAILER : PAYLOAD;
        } else {
          this.#broken(
            new NetstringParseError(
              `Invalid netstring: expected a digit or ':' in the length, got byte ${describeByte(b)}. ` +
                'The peer is not sending netstrings.',
            ),
          );
          return;
        }
        i += 1;
      } else {
        const b = buf[i]!;
        if (b !== COMMA) {
          this.#broken(
            new NetstringParseError(`Invalid netstring: expected ',' after ${this.#length} bytes of data, got byte ${describeByte(b)}.`),
          );
          return;
        }
        i += 1;
        const parts = this.#parts;
        const s = parts.length === 0 ? EMPTY : parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.#length);
        this.#parts = [];
        this.#state = LENGTH;
        this.#length = 0;
        this.#digits = 0;
        this.#qoff = i;
        this.#promises.add(this.stringReceived(s));
        const t = this.transport;
        if (!t.isReading() || t.disconnecting || this.brokenPeer) return;
      }
    }
    this.#qoff = i;
  }

  #broken(error: NetstringParseError): void {
    this.brokenPeer = true;
    this.parseError = error;
    this.#discard();
    this.handleParseError(error);
  }

  #tooLong(length: number, max: number): void {
    this.brokenPeer = true;
    this.parseError = new LengthLimitExceededError(length, max, 'netstring');
    this.#discard();
    this.lengthLimitExceeded(length);
  }

  #discard(): void {
    this.#queue = [];
    this.#qoff = 0;
    this.#parts = [];
  }

}
