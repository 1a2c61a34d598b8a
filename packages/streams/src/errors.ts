/**
 * The errors of `@torsion/streams`. Each class extends `TorsionError` and has a stable `code`
 * (listed in docs/streams.md). Messages say what went wrong and what to do.
 *
 * @module
 */
import { TorsionError } from '@torsion/reactor';

/**
 * The stream ended before a read could be satisfied: `readExactly(n)` got fewer than `n` bytes,
 * or `readUntil()` met EOF before a separator. `partial` holds the bytes that were buffered (they
 * are consumed); `expected` is the byte count asked for, or `null` for `readUntil()`.
 *
 * @example
 * ```ts
 * try {
 *   await reader.readExactly(4);
 * } catch (err) {
 *   if (err instanceof IncompleteReadError) console.log('short by', 4 - err.partial.length);
 * }
 * ```
 */
export class IncompleteReadError extends TorsionError {
  /** The bytes read before EOF. */
  readonly partial: Buffer;
  /** How many bytes were wanted, or `null` when a separator was wanted. */
  readonly expected: number | null;

  constructor(partial: Buffer, expected: number | null) {
    const wanted = expected === null ? 'a separator' : `${expected} bytes`;
    super(
      'ERR_INCOMPLETE_READ',
      `The stream ended after ${partial.length} bytes while waiting for ${wanted}: the peer closed early; the bytes read are in .partial.`,
    );
    this.partial = partial;
    this.expected = expected;
  }
}

/**
 * `readUntil()` or `readLine()` found no separator within the reader's `limit`, or found one
 * beyond it. `consumed` is how many bytes must be consumed to get past the overlong data. After
 * `readUntil()` the buffer is untouched (read `consumed` bytes to skip them); `readLine()` has
 * already discarded the overlong line.
 *
 * @example
 * ```ts
 * try {
 *   await reader.readUntil('\r\n\r\n');
 * } catch (err) {
 *   if (err instanceof LimitOverrunError) await reader.readExactly(err.consumed);   // skip it
 * }
 * ```
 */
export class LimitOverrunError extends TorsionError {
  /** Bytes to consume to get past the overlong data. */
  readonly consumed: number;

  constructor(message: string, consumed: number) {
    super('ERR_LIMIT_OVERRUN', message);
    this.consumed = consumed;
  }
}

/**
 * A read was started while another read on the same reader was still waiting for data.
 *
 * @example
 * ```ts
 * const first = reader.readLine();
 * await first;                   // a reader.readLine() before this await would throw ConcurrentReadError
 * const second = await reader.readLine();
 * ```
 */
export class ConcurrentReadError extends TorsionError {
  constructor(method: string) {
    super(
      'ERR_CONCURRENT_READ',
      `${method}() was called while another read on this StreamReader is waiting for data: await each read before starting the next.`,
    );
  }
}

/**
 * `feedData()` after `feedEof()`: a transport delivered bytes after it reported the end.
 *
 * @example
 * ```ts
 * const reader = new StreamReader();
 * reader.feedEof();
 * reader.feedData(Buffer.from('late'));   // throws FeedAfterEofError
 * ```
 */
export class FeedAfterEofError extends TorsionError {
  constructor() {
    super('ERR_FEED_AFTER_EOF', 'feedData() was called after feedEof(): no bytes can follow the end of the stream.');
  }
}

// `write()` (or `writeLines()`, `writeEof()`) on a `StreamWriter` after `close()` throws the
// reactor's WriteAfterCloseError (the same class a transport throws after connectionLost), so one
// `instanceof` check covers both.
export { WriteAfterCloseError } from '@torsion/reactor';

/**
 * A pending operation (a connect, a read) was cancelled through its `AbortSignal`. Like Node's
 * own `AbortError`, its `name` is `'AbortError'` and its `code` is `'ABORT_ERR'`; the signal's
 * `reason` is kept as `cause`.
 *
 * @example
 * ```ts
 * try {
 *   const line = await reader.readLine({ signal: AbortSignal.timeout(5000) });
 * } catch (err) {
 *   if (err instanceof AbortError) console.log('no line within 5 s');   // nothing was consumed
 * }
 * ```
 */
export class AbortError extends TorsionError {
  constructor(message = 'The operation was aborted through its AbortSignal.', options?: { cause?: unknown }) {
    super('ABORT_ERR', message, options);
  }
}

/**
 * A `StreamReader` was given a transport while it already had another one.
 *
 * @example
 * ```ts
 * const reader = new StreamReader();
 * reader.setTransport(transport);
 * reader.setTransport(otherTransport);   // throws TransportAlreadySetError
 * ```
 */
export class TransportAlreadySetError extends TorsionError {
  constructor() {
    super('ERR_TRANSPORT_ALREADY_SET', 'This StreamReader already has a transport: a reader follows one transport for its whole life.');
  }
}
