import type { Data, MaybePromise } from '@torsion/reactor';
import { BufferView, TorsionRangeError } from '@torsion/reactor';
import { HandlerPromises } from './line-framing.js';
import { Protocol } from './protocol.js';
import { LengthLimitExceededError, StringTooLongError, checkMaxLength } from './string-errors.js';

const EMPTY = Buffer.alloc(0);

/**
 * The shared base of protocols whose messages are strings preceded by their length as an
 * unsigned big-endian integer of {@link prefixLength} bytes. Use {@link Int8StringReceiver},
 * {@link Int16StringReceiver} or {@link Int32StringReceiver}, or subclass this with another
 * `prefixLength` (1 to 4).
 *
 * Input split anywhere across chunks gives the same strings as the unsplit input. A string
 * arriving in many small chunks is assembled once (linear time). A peer announcing more than
 * {@link MAX_LENGTH} bytes sets {@link brokenPeer} and {@link parseError}, calls
 * {@link lengthLimitExceeded} (which drops the connection), and nothing more is delivered.
 *
 * `transport.pauseProducing()` called from inside {@link stringReceived} stops the delivery of
 * strings already buffered until the transport is resumed; `loseConnection()` stops it for good.
 *
 * @example
 * ```ts
 * import { Int32StringReceiver, Factory } from '@torsion/protocols';
 * import { reactor } from '@torsion/reactor';
 *
 * class Upper extends Int32StringReceiver {
 *   override MAX_LENGTH = 1 << 20;
 *   override stringReceived(data: Buffer): void {
 *     this.sendString(data.toString('utf8').toUpperCase());
 *   }
 * }
 * await reactor.listenTCP(9000, Factory.forProtocol(Upper), { interface: '127.0.0.1' });
 * ```
 */
export abstract class IntNStringReceiver extends Protocol {
  /** Bytes in the length prefix (1 to 4). Read when used, so a subclass field may set it. */
  abstract readonly prefixLength: number;
  /** The longest string accepted from the peer, and sent by {@link sendString}, in bytes. */
  MAX_LENGTH = 99999;
  /** True once the peer broke the framing (a length over {@link MAX_LENGTH}). */
  brokenPeer = false;
  /** Why {@link brokenPeer} was set. */
  parseError: LengthLimitExceededError | undefined = undefined;

  // Unconsumed input: #chunks[0] from #off on, then the other chunks whole; #size bytes in all.
  #chunks: Buffer[] = [];
  #off = 0;
  #size = 0;
  // Bytes needed before parsing can make progress, so that a long string arriving in many small
  // chunks is not looked at again until all of it is here.
  #need = 0;
  #delivering = false;
  readonly #promises = new HandlerPromises();

  /** A whole string arrived. Override it. A returned promise is not awaited; a rejection drops the connection. */
  stringReceived(_data: Buffer): MaybePromise<void> {}

  /**
   * The peer announced a string of `length` bytes, over {@link MAX_LENGTH}. By default the
   * connection is dropped. Whatever this does, nothing more is delivered on this connection.
   */
  lengthLimitExceeded(_length: number): void {
    this.transport.loseConnection();
  }

  /**
   * Send `data` (a string is sent as UTF-8) with its length prefix, in one write.
   *
   * @throws StringTooLongError if `data` is longer than the prefix can express or than
   *   {@link MAX_LENGTH}.
   */
  sendString(data: Data): void {
    const n = this.#prefixLength();
    const max = checkMaxLength(this.MAX_LENGTH, this.constructor.name);
    const isString = typeof data === 'string';
    const length = isString ? Buffer.byteLength(data) : data.byteLength;
    const cap = 2 ** (8 * n) - 1;
    if (length > cap) throw new StringTooLongError(length, cap, `a ${8 * n}-bit length prefix`);
    if (length > max) throw new StringTooLongError(length, max, `${this.constructor.name}.MAX_LENGTH`);
    const out = Buffer.allocUnsafe(n + length);
    out.writeUIntBE(length, 0, n);
    if (isString) out.write(data, n, 'utf8');
    else out.set(data, n);
    this.transport.write(out);
  }

  /** Split the incoming bytes into strings. Do not override; override {@link stringReceived}. */
  override dataReceived(data: Buffer): MaybePromise<void> {
    if (this.brokenPeer || this.transport.disconnecting) {
      this.#discard();
      return;
    }
    this.#chunks.push(data);
    this.#size += data.length;
    if (this.#size < this.#need || this.#delivering) return;
    this.#deliver();
    return this.#promises.take();
  }

  /** The transport resumed reading: deliver what was buffered while it was paused. */
  readingResumed(): void {
    if (this.#delivering || this.brokenPeer) return;
    this.#deliver();
    this.#promises.report(this, 'stringReceived');
  }

  override connectionLost(reason: Error): MaybePromise<void> {
    this.#discard();
    return super.connectionLost(reason);
  }

  #prefixLength(): number {
    const n = this.prefixLength;
    if (n !== 1 && n !== 2 && n !== 3 && n !== 4) {
      throw new TorsionRangeError(`${this.constructor.name}.prefixLength must be 1, 2, 3 or 4 bytes, got ${String(n)}.`);
    }
    return n;
  }

  #deliver(): void {
    const t = this.transport;
    const n = this.#prefixLength();
    const max = checkMaxLength(this.MAX_LENGTH, this.constructor.name);
    this.#delivering = true;
    try {
      while (t.isReading() && !t.disconnecting) {
        if (this.#size < n) {
          this.#need = n;
          return;
        }
        let head = this.#chunks[0]!;
        let off = this.#off;
        if (head.length - off < n) {
          head = this.#coalesce();
          off = 0;
        }
        const length = n === 4 ? head.readUInt32BE(off) : n === 2 ? head.readUInt16BE(off) : head.readUIntBE(off, n);
        if (length > max) {
          this.#fail(length, max);
          return;
        }
        const total = n + length;
        if (this.#size < total) {
          this.#need = total;
          return;
        }
        if (head.length - off < total) {
          head = this.#coalesce();
          off = 0;
        }
        const s = length === 0 ? EMPTY : new BufferView(head.buffer, head.byteOffset + off + n, length);
        off += total;
        this.#size -= total;
        if (off === head.length) {
          this.#chunks.shift();
          this.#off = 0;
        } else {
          this.#off = off;
        }
        this.#need = 0;
        this.#promises.add(this.stringReceived(s));
      }
    } finally {
      this.#delivering = false;
    }
  }

  // Join everything unconsumed into one buffer, now at the head of #chunks.
  #coalesce(): Buffer {
    const chunks = this.#chunks;
    chunks[0] = chunks[0]!.subarray(this.#off);
    const joined = Buffer.concat(chunks, this.#size);
    this.#chunks = [joined];
    this.#off = 0;
    return joined;
  }

  #fail(length: number, max: number): void {
    this.brokenPeer = true;
    this.parseError = new LengthLimitExceededError(length, max);
    this.#discard();
    this.lengthLimitExceeded(length);
  }

  #discard(): void {
    this.#chunks = [];
    this.#off = 0;
    this.#size = 0;
    this.#need = 0;
  }

}

/**
 * Strings framed by a 1-byte length (at most 255 bytes each).
 *
 * @example
 * ```ts
 * class Tags extends Int8StringReceiver {
 *   override stringReceived(tag: Buffer): void { console.log(tag.toString()); }
 * }
 * ```
 */
export class Int8StringReceiver extends IntNStringReceiver {
  readonly prefixLength: number = 1;
}

/**
 * Strings framed by a 2-byte big-endian length (at most 65535 bytes each).
 *
 * @example
 * ```ts
 * class Echo16 extends Int16StringReceiver {
 *   override stringReceived(data: Buffer): void { this.sendString(data); }
 * }
 * ```
 */
export class Int16StringReceiver extends IntNStringReceiver {
  readonly prefixLength: number = 2;
}

/**
 * Strings framed by a 4-byte big-endian length; {@link IntNStringReceiver.MAX_LENGTH} (99999 by
 * default) bounds what a peer may send.
 *
 * @example
 * ```ts
 * class Echo32 extends Int32StringReceiver {
 *   override MAX_LENGTH = 16 * 1024 * 1024;
 *   override stringReceived(data: Buffer): void { this.sendString(data); }
 * }
 * ```
 */
export class Int32StringReceiver extends IntNStringReceiver {
  readonly prefixLength: number = 4;
}
