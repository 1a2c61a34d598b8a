/**
 * Errors of the length- and netstring-framed protocols and of {@link FileSender}. Each class
 * extends `TorsionError` and has a stable `code` documented in docs/netstrings.md,
 * docs/int-strings.md and docs/file-sender.md.
 *
 * @module
 */
import { TorsionError, TorsionRangeError, TorsionTypeError } from '@torsion/reactor';
import type { TorsionErrorOptions } from '@torsion/reactor';

/**
 * The peer sent bytes that are not a netstring (`<length>:<bytes>,`).
 *
 * @example
 * ```ts
 * override handleParseError(error: NetstringParseError): void {
 *   this.sendString(`ERR ${error.message}`);   // a reply before the default close
 *   super.handleParseError(error);
 * }
 * ```
 */
export class NetstringParseError extends TorsionError {
  constructor(message: string) {
    super('ERR_NETSTRING_PARSE', message);
  }
}

/**
 * The peer announced a string longer than the receiver's `MAX_LENGTH`. `length` is the announced
 * length; for a netstring whose length prefix was cut short because its digits alone already
 * exceeded `MAX_LENGTH`, it is the value of the digits seen so far (a lower bound).
 *
 * @example
 * ```ts
 * override lengthLimitExceeded(length: number): void {
 *   console.warn(this.parseError instanceof LengthLimitExceededError, length);   // true, the announced length
 *   super.lengthLimitExceeded(length);
 * }
 * ```
 */
export class LengthLimitExceededError extends TorsionError {
  readonly length: number;
  readonly maxLength: number;

  constructor(length: number, maxLength: number, what = 'string') {
    super(
      'ERR_LENGTH_LIMIT',
      `The peer announced a ${what} of ${length} bytes or more, over MAX_LENGTH (${maxLength} bytes): ` +
        'raise MAX_LENGTH or override lengthLimitExceeded.',
    );
    this.length = length;
    this.maxLength = maxLength;
  }
}

/**
 * `sendString()` with a string that its framing (or the receiver's `MAX_LENGTH`) cannot carry.
 *
 * @example
 * ```ts
 * try {
 *   this.sendString(hugeReply);
 * } catch (err) {
 *   if (err instanceof StringTooLongError) this.sendString('ERR reply too large');   // nothing was written
 * }
 * ```
 */
export class StringTooLongError extends TorsionError {
  readonly length: number;
  readonly maxLength: number;

  constructor(length: number, maxLength: number, limit: string) {
    super(
      'ERR_STRING_TOO_LONG',
      `Cannot send a string of ${length} bytes: ${limit} allows at most ${maxLength} bytes. ` +
        'Split the data, use a wider length prefix, or raise MAX_LENGTH on both ends.',
    );
    this.length = length;
    this.maxLength = maxLength;
  }
}

/**
 * A `StatefulStringProtocol` received a string in a state that has no handler.
 *
 * @example
 * ```ts
 * class Login extends StatefulStringProtocol(NetstringReceiver) {
 *   override states = { init: () => 'pasword' };   // a typo: the next string throws UnknownStateError
 * }
 * ```
 */
export class UnknownStateError extends TorsionError {
  readonly state: string;

  constructor(state: string, className: string) {
    super(
      'ERR_UNKNOWN_STATE',
      `${className} received a string in state "${state}", which has no handler: ` +
        `add "${state}" to its states map or return a known state from the previous handler.`,
    );
    this.state = state;
  }
}

/**
 * A file transfer was stopped by the consumer (the connection went away) or by the user.
 *
 * @example
 * ```ts
 * new FileSender().beginFileTransfer(path, this.transport).catch((err: unknown) => {
 *   if (!(err instanceof TransferStoppedError)) throw err;   // the peer went away: nothing to do
 * });
 * ```
 */
export class TransferStoppedError extends TorsionError {
  constructor(message = 'The file transfer was stopped before the end of the file: the consumer called stopProducing().') {
    super('ERR_TRANSFER_STOPPED', message);
  }
}

/**
 * A file could not be opened or read during a transfer; the system error is the `cause`.
 *
 * @example
 * ```ts
 * try {
 *   await new FileSender().beginFileTransfer('/var/data/report.csv', this.transport);
 * } catch (err) {
 *   if (err instanceof FileReadError) console.error('cannot read the file:', err.cause);
 * }
 * ```
 */
export class FileReadError extends TorsionError {
  constructor(message: string, options?: TorsionErrorOptions) {
    super('ERR_FILE_READ', message, options);
  }
}

/**
 * `beginFileTransfer()` on a `FileSender` that is already sending a file.
 *
 * @example
 * ```ts
 * const sender = new FileSender();
 * await sender.beginFileTransfer(first, this.transport);   // without the await, the next call
 * await sender.beginFileTransfer(second, this.transport);  // would reject with TransferInProgressError
 * ```
 */
export class TransferInProgressError extends TorsionError {
  constructor() {
    super(
      'ERR_TRANSFER_IN_PROGRESS',
      'This FileSender is already sending a file: wait for its promise, or use one FileSender per transfer.',
    );
  }
}

/**
 * Check a `MAX_LENGTH` read from a receiver (it is a subclass field, so it is checked when used,
 * not at construction) and return it. Internal: not re-exported by the package.
 */
export function checkMaxLength(value: unknown, className: string): number {
  if (typeof value !== 'number') {
    throw new TorsionTypeError(`${className}.MAX_LENGTH must be a number of bytes, got ${typeof value}: set it to a non-negative integer.`);
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TorsionRangeError(`${className}.MAX_LENGTH must be a non-negative integer number of bytes, got ${value}.`);
  }
  return value;
}
