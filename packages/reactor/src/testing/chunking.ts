/**
 * Helpers to feed bytes to a protocol in awkward pieces, for tests of framings: a message split
 * anywhere across chunks must be understood the same as the unsplit input.
 *
 * They need no random library: give {@link splitAt} cut positions from any source (a
 * fast-check arbitrary, a seeded generator, a hand-written list), or let {@link everySplit}
 * enumerate every split of a short input.
 *
 * @module
 */
import type { MaybePromise } from '../interfaces.js';
import { TorsionRangeError } from '../errors.js';

/** The largest input {@link everySplit} accepts: 2^(n-1) splits grows fast. */
export const EVERY_SPLIT_MAX_LENGTH = 16;

/**
 * Split `data` at the given byte offsets and return the pieces, in order.
 *
 * Cuts may come in any order and any range: each is rounded down and clamped to
 * `[0, data.length]`, duplicates and cuts at either end are ignored, so no piece is empty and the
 * pieces always concatenate back to `data`. Each piece is a copy the receiver may keep.
 *
 * @example
 * ```ts
 * splitAt(Buffer.from('hello'), [3, 1, 99]).map(String); // ['h', 'el', 'lo']
 *
 * // With fast-check: any cuts, any order.
 * fc.assert(fc.property(fc.array(fc.nat({ max: 64 })), (cuts) => {
 *   const chunks = splitAt(input, cuts);
 *   // ... feed them and compare with the unsplit result
 * }));
 * ```
 */
export function splitAt(data: Uint8Array, cuts: Iterable<number>): Buffer[] {
  const len = data.length;
  const positions: number[] = [];
  for (const c of cuts) {
    if (Number.isNaN(c)) throw new TorsionRangeError('splitAt() got a NaN cut: give byte offsets as numbers.');
    const p = Math.min(Math.max(Math.floor(c), 0), len);
    if (p > 0 && p < len) positions.push(p);
  }
  positions.sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let start = 0;
  for (const p of positions) {
    if (p === start) continue;
    pieces.push(Buffer.from(data.subarray(start, p)));
    start = p;
  }
  if (start < len) pieces.push(Buffer.from(data.subarray(start, len)));
  return pieces;
}

/**
 * Split `data` into pieces of `size` bytes (the last may be shorter). `chunksOf(data, 1)` feeds
 * one byte at a time.
 *
 * @example
 * ```ts
 * chunksOf(Buffer.from('abcde'), 2).map(String); // ['ab', 'cd', 'e']
 * ```
 */
export function chunksOf(data: Uint8Array, size: number): Buffer[] {
  if (!Number.isInteger(size) || size < 1) {
    throw new TorsionRangeError(`chunksOf() needs a whole chunk size of at least 1 byte, got ${String(size)}.`);
  }
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) pieces.push(Buffer.from(data.subarray(i, i + size)));
  return pieces;
}

/**
 * Every way to split `data` into non-empty pieces (2^(n-1) of them for n bytes), lazily.
 * Meant for short inputs: more than {@link EVERY_SPLIT_MAX_LENGTH} bytes is a `TorsionRangeError`.
 * An empty input yields one split with no pieces.
 *
 * @example
 * ```ts
 * for (const chunks of everySplit(Buffer.from('a\r\nb\r\n'))) {
 *   const p = new MyLineReceiver();
 *   new StringTransport().connect(p);
 *   feedChunks(p, chunks);
 *   assert.deepEqual(p.lines, ['a', 'b']);
 * }
 * ```
 */
export function* everySplit(data: Uint8Array): Generator<Buffer[], void, undefined> {
  const n = data.length;
  if (n > EVERY_SPLIT_MAX_LENGTH) {
    throw new TorsionRangeError(
      `everySplit() enumerates 2^(n-1) splits and accepts at most ${EVERY_SPLIT_MAX_LENGTH} bytes, got ${n}: ` +
        'use splitAt() with random cuts (fast-check) for longer inputs.',
    );
  }
  if (n === 0) {
    yield [];
    return;
  }
  // Bit i of the mask set means "cut after byte i"; there are n - 1 places to cut.
  const splits = 2 ** (n - 1);
  for (let mask = 0; mask < splits; mask++) {
    const cuts: number[] = [];
    for (let i = 0; i < n - 1; i++) if ((mask >>> i) & 1) cuts.push(i + 1);
    yield splitAt(data, cuts);
  }
}

/**
 * Split `data` at up to `maxCuts` positions drawn from `random` (any function returning floats in
 * [0, 1), such as `Math.random` or a seeded generator), for tests without fast-check.
 *
 * @example
 * ```ts
 * const chunks = randomSplit(input, Math.random, 8);
 * ```
 */
export function randomSplit(data: Uint8Array, random: () => number, maxCuts = data.length): Buffer[] {
  const count = Math.floor(random() * (Math.max(0, maxCuts) + 1));
  const cuts: number[] = [];
  for (let i = 0; i < count; i++) cuts.push(Math.floor(random() * (data.length + 1)));
  return splitAt(data, cuts);
}

/** What {@link feedChunks} needs of a protocol: `dataReceived`, and the transport it writes to. */
export interface ChunkReceiver {
  dataReceived(data: Buffer): MaybePromise<void>;
  readonly transport?: { readonly disconnecting: boolean } | undefined;
}

/**
 * Call `protocol.dataReceived(chunk)` for each chunk in order, and stop as soon as the protocol's
 * transport is disconnecting (the protocol dropped the connection: a real transport would deliver
 * nothing more). Returns how many chunks were delivered. Promises returned by `dataReceived` are
 * not awaited.
 *
 * @example
 * ```ts
 * const transport = new StringTransport();
 * const p = new MyNetstringReceiver();
 * transport.connect(p);
 * feedChunks(p, splitAt(Buffer.from('3:abc,'), [1, 4]));
 * ```
 */
export function feedChunks(protocol: ChunkReceiver, chunks: Iterable<Buffer>): number {
  let delivered = 0;
  for (const chunk of chunks) {
    if (protocol.transport?.disconnecting === true) break;
    void protocol.dataReceived(chunk);
    delivered += 1;
  }
  return delivered;
}
