import type { Socket } from 'node:net';
import type { Address, IPullProducer, IPushProducer } from '../interfaces.js';
import { TorsionRangeError } from '../errors.js';

/**
 * How a stream transport lays out its state so that an idle connection costs little memory:
 * its yes/no state as bits of one number, and what most connections never set in a record made
 * on first use. See "Transport: where the time and memory go" in docs/performance.md.
 *
 * @internal
 */

/** Default write-buffer limits (bytes) of `setWriteBufferLimits()`. */
export const DEFAULT_HIGH = 64 * 1024;
export const DEFAULT_LOW = 16 * 1024;

/**
 * The water marks `setWriteBufferLimits(high, low)` means: a missing high is the default or
 * 4 × low, a missing low is the default or high / 4. Throws on limits that are not
 * integers with 0 <= low <= high.
 */
export function resolveWriteBufferLimits(high: number | undefined, low: number | undefined): [number, number] {
  const h = high ?? (low === undefined ? DEFAULT_HIGH : Math.max(low * 4, DEFAULT_HIGH));
  const l = low ?? (high === undefined ? DEFAULT_LOW : Math.floor(h / 4));
  if (!Number.isInteger(h) || h < 0 || !Number.isInteger(l) || l < 0 || l > h) {
    throw new TorsionRangeError(
      `setWriteBufferLimits: high (${String(h)}) and low (${String(l)}${low === undefined ? ', from high / 4' : ''}) must be integers with 0 <= low <= high.`,
    );
  }
  return [h, l];
}

// The bits of a transport's state word; the transport reads and writes each through an accessor
// named after the flag, so one number replaces eleven fields.
export const FLUSH_SCHEDULED = 1 << 0;
export const ABOVE_HIGH = 1 << 1;
export const DISCONNECTING = 1 << 2;
export const EOF_WRITTEN = 1 << 3;
export const DEAD = 1 << 4;
export const LOST = 1 << 5;
export const READING = 1 << 6;
export const TLS_PENDING = 1 << 7;
export const STREAMING = 1 << 8;
export const PRODUCER_PAUSED = 1 << 9;
export const EOF_PENDING = 1 << 10;
/** The pending writes wait for the end of this turn of the loop (a broadcast), not the next tick. */
export const DEFERRED = 1 << 11;
/** Inside `writeSequence()`: flow control waits until all its parts are queued. */
export const IN_SEQUENCE = 1 << 12;

/** How `startTLS()` settles its promise once the handshake ends. */
export interface Handshake {
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * The state most connections never set (custom buffer limits, a producer, a failure, someone
 * waiting for the close, the callbacks those need), kept apart so an idle connection stays small.
 */
export class SeldomUsed {
  high = DEFAULT_HIGH;
  low = DEFAULT_LOW;
  abortReason: Error | undefined = undefined;
  socketError: Error | undefined = undefined;
  producer: IPushProducer | IPullProducer | undefined = undefined;
  closeWaiters: Array<() => void> | undefined = undefined;
  onWritten: ((err?: Error | null) => void) | undefined = undefined;
  onRejected: ((err: unknown) => void) | undefined = undefined;
  handshake: Handshake | undefined = undefined;
  /** The far end and the TCP socket, kept when the socket is replaced (`startTLS`). */
  peer: Address | undefined = undefined;
  tcp: Socket | undefined = undefined;
}
