// The key-value server: one netstring per request, one netstring per reply.
//
//   request                 reply
//   SET <key> <value>       OK
//   GET <key>               VALUE <value>   or  NOT_FOUND
//   DEL <key>               DELETED         or  NOT_FOUND
//   anything wrong          ERR <CODE> <message>
//
// Keys are 1 to MAX_KEY_LENGTH bytes without spaces; values are any bytes (spaces and newlines
// included), since the netstring carries the length. Everything is bounded: the request size
// (MAX_LENGTH), the key size, and the number of keys. So are the replies queued for a client:
// when it does not read them and they pile up past the transport's high-water mark
// (pauseWriting), the server stops reading its requests until they drain (resumeWriting).
import { NetstringReceiver, ServerFactory } from '@torsion/protocols';
import type { LengthLimitExceededError, NetstringParseError } from '@torsion/protocols';

/** Limits of one store. */
export interface KVLimits {
  /** The longest key, in bytes (default 250). */
  maxKeyLength: number;
  /** The longest value, in bytes (default 64 KiB). */
  maxValueLength: number;
  /** How many keys the store holds at most (default 10000). */
  maxEntries: number;
}

export const DEFAULT_LIMITS: KVLimits = { maxKeyLength: 250, maxValueLength: 64 * 1024, maxEntries: 10000 };

/** The longest request: `SET `, a key, a space and a value (replies are shorter, or short errors). */
export function maxRequestLength(limits: KVLimits): number {
  return 4 + limits.maxKeyLength + 1 + limits.maxValueLength;
}

const SPACE = 0x20;
const MAX_ERROR_REPLY = 256;

/** Serves one connection. The store lives on the factory, shared by every connection. */
export class KVServerProtocol extends NetstringReceiver {
  declare factory: KVServerFactory;

  override connectionMade(): void {
    // MAX_LENGTH bounds strings both ways: requests, and replies (VALUE replies are shorter
    // than the longest SET; error replies are short sentences).
    this.MAX_LENGTH = maxRequestLength(this.factory.limits) + MAX_ERROR_REPLY;
  }

  override stringReceived(request: Buffer): void {
    const sp = request.indexOf(SPACE);
    const command = request.toString('latin1', 0, sp < 0 ? request.length : sp);
    const rest = sp < 0 ? undefined : request.subarray(sp + 1);
    switch (command) {
      case 'SET':
        return this.#set(rest);
      case 'GET':
        return this.#get(rest);
      case 'DEL':
        return this.#del(rest);
      default:
        return this.#error('BAD_COMMAND', `unknown command ${JSON.stringify(command.slice(0, 20))}: use SET, GET or DEL`);
    }
  }

  // Replies queued past the high-water mark: read no more requests (each would add a reply, up
  // to a whole value for a GET), so what a client that never reads can make the server hold
  // stays at the mark plus one reply.
  override pauseWriting(): void {
    this.transport.pauseProducing();
  }

  override resumeWriting(): void {
    if (this.connected) this.transport.resumeProducing();
  }

  // A broken peer gets one error reply before the connection is dropped.
  override handleParseError(error: NetstringParseError): void {
    this.#error('PROTOCOL', error.message);
    this.transport.loseConnection();
  }

  override lengthLimitExceeded(length: number): void {
    const err = this.parseError as LengthLimitExceededError;
    this.#error('TOO_LONG', `request of ${length} bytes or more is over the limit of ${err.maxLength} bytes`);
    this.transport.loseConnection();
  }

  #set(args: Buffer | undefined): void {
    const sp = args === undefined ? -1 : args.indexOf(SPACE);
    if (args === undefined || sp < 0) return this.#error('BAD_ARGUMENTS', 'SET takes a key and a value: SET <key> <value>');
    const key = this.#key(args.subarray(0, sp));
    if (key === undefined) return;
    const value = args.subarray(sp + 1);
    const { store, limits } = this.factory;
    if (value.length > limits.maxValueLength) {
      return this.#error('VALUE_TOO_LONG', `values are at most ${limits.maxValueLength} bytes`);
    }
    if (!store.has(key) && store.size >= limits.maxEntries) {
      return this.#error('STORE_FULL', `the store holds at most ${limits.maxEntries} keys: delete some first`);
    }
    // Copy: the request buffer may share memory with other requests of the same chunk.
    store.set(key, Buffer.from(value));
    this.sendString('OK');
  }

  #get(args: Buffer | undefined): void {
    const key = this.#key(args);
    if (key === undefined) return;
    const value = this.factory.store.get(key);
    if (value === undefined) return this.sendString('NOT_FOUND');
    this.sendString(Buffer.concat([Buffer.from('VALUE '), value]));
  }

  #del(args: Buffer | undefined): void {
    const key = this.#key(args);
    if (key === undefined) return;
    this.sendString(this.factory.store.delete(key) ? 'DELETED' : 'NOT_FOUND');
  }

  // Keys are compared as bytes: latin1 maps each byte to one character, losslessly.
  #key(raw: Buffer | undefined): string | undefined {
    const { maxKeyLength } = this.factory.limits;
    if (raw === undefined || raw.length === 0 || raw.includes(SPACE)) {
      this.#error('BAD_ARGUMENTS', 'expected one key of 1 or more bytes without spaces');
      return undefined;
    }
    if (raw.length > maxKeyLength) {
      this.#error('KEY_TOO_LONG', `keys are at most ${maxKeyLength} bytes`);
      return undefined;
    }
    return raw.toString('latin1');
  }

  #error(code: string, message: string): void {
    this.sendString(`ERR ${code} ${message}`);
  }
}

/** Holds the store and its limits; builds a {@link KVServerProtocol} per connection. */
export class KVServerFactory extends ServerFactory {
  override protocol = KVServerProtocol;
  readonly store = new Map<string, Buffer>();
  readonly limits: KVLimits;

  constructor(limits: Partial<KVLimits> = {}) {
    super();
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    for (const [name, value] of Object.entries(this.limits)) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new RangeError(`KVServerFactory: ${name} must be a positive integer, got ${String(value)}.`);
      }
    }
  }
}
