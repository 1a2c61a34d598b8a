/**
 * Protocol-level errors of `@torsion/protocols`. Each class extends `TorsionError`, has a `name`
 * equal to the class name and a stable `code` (documented in docs/errors.md).
 *
 * @module
 */
import { TorsionError } from '@torsion/reactor';

// ---------------------------------------------------------------------------------------------
// Line framings (LineReceiver, LineOnlyReceiver)

/**
 * A peer sent a line longer than the receiver's `MAX_LENGTH`. The default
 * `lineLengthExceeded()` logs one of these and closes the connection.
 *
 * @example
 * ```ts
 * class Strict extends LineReceiver {
 *   override lineLengthExceeded(line: Buffer): void {
 *     this.sendLine('ERROR line too long');
 *     this.transport.loseConnection();
 *   }
 * }
 * ```
 */
export class LineTooLongError extends TorsionError {
  /** Bytes of the line seen so far (the whole line when `complete`). */
  readonly length: number;
  /** The `MAX_LENGTH` in force. */
  readonly maxLength: number;
  /** True when the line's delimiter had arrived; false when it was cut off while still growing. */
  readonly complete: boolean;

  constructor(length: number, maxLength: number, complete = true, message?: string) {
    super(
      'ERR_LINE_TOO_LONG',
      message ??
        `Line exceeds MAX_LENGTH (${maxLength} bytes): ${complete ? '' : 'at least '}${length} bytes ` +
          'received without a delimiter in range; raise MAX_LENGTH or override lineLengthExceeded().',
    );
    this.length = length;
    this.maxLength = maxLength;
    this.complete = complete;
  }
}
