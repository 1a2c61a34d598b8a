/**
 * Bad input: an argument out of range or of the wrong type, and an endpoint description string
 * that does not parse.
 *
 * @module
 */
import { TorsionError } from './base.js';

/**
 * An argument was out of its allowed range (a port of 70000, a negative delay).
 *
 * @example
 * ```ts
 * try {
 *   reactor.callLater(-1, tick);
 * } catch (err) {
 *   console.log(err instanceof RangeError, (err as TorsionRangeError).code);   // true 'ERR_OUT_OF_RANGE'
 * }
 * ```
 */
export class TorsionRangeError extends RangeError {
  readonly code = 'ERR_OUT_OF_RANGE';
  constructor(message: string) {
    super(message);
    this.name = 'TorsionRangeError';
  }
}

/**
 * An argument was of the wrong type or shape (a port given as an object, say).
 *
 * @example
 * ```ts
 * try {
 *   reactor.callLater('soon' as unknown as number, tick);
 * } catch (err) {
 *   console.log(err instanceof TypeError, (err as TorsionTypeError).code);   // true 'ERR_INVALID_ARG_TYPE'
 * }
 * ```
 */
export class TorsionTypeError extends TypeError {
  readonly code = 'ERR_INVALID_ARG_TYPE';
  constructor(message: string) {
    super(message);
    this.name = 'TorsionTypeError';
  }
}

/**
 * An endpoint description string could not be parsed (`serverFromString`, `clientFromString`).
 *
 * @example
 * ```ts
 * try {
 *   serverFromString(reactor, 'tcp:http');
 * } catch (err) {
 *   if (err instanceof EndpointSyntaxError) console.error(err.message);   // says what to write instead
 * }
 * ```
 */
export class EndpointSyntaxError extends TorsionError {
  constructor(message: string) {
    super('ERR_BAD_ENDPOINT', message);
  }
}
