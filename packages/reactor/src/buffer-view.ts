/**
 * A fast way to make a `Buffer` that views part of an `ArrayBuffer`, for protocol code that
 * hands out many small pieces of what it received (lines, strings, records).
 *
 * @module
 */
import { Buffer } from 'node:buffer';

/** Makes a Buffer that views `length` bytes of `buffer` from `byteOffset`, sharing its memory. */
export type BufferViewConstructor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => Buffer;

/**
 * Make a `Buffer` over `length` bytes of `buffer` from `byteOffset`, sharing its memory: the same
 * object `Buffer.from(arrayBuffer, byteOffset, length)` returns, about twice as fast. It is the
 * class Node's own Buffers are instances of, as `Buffer[Symbol.species]` exposes it (the
 * constructor typed-array methods such as `subarray` use), constructed directly, without
 * `Buffer.from`'s argument handling. Results are exact Buffers: `Buffer.isBuffer`, their prototype
 * and `assert.deepStrictEqual` treat them as any other. Should a Node version not expose that
 * class, `Buffer.from` is used instead.
 *
 * Use it where a protocol hands out many small pieces of what it received. The range must lie
 * inside `buffer`; otherwise it throws the `RangeError` a typed array does.
 *
 * @example
 * ```ts
 * import { BufferView } from '@torsion/reactor';
 *
 * // The 5 bytes after a 4-byte header, without copying them:
 * const body = new BufferView(chunk.buffer, chunk.byteOffset + 4, 5);
 * ```
 */
export const BufferView: BufferViewConstructor = pickBufferView();

function pickBufferView(): BufferViewConstructor {
  const species: unknown = (Buffer as unknown as Record<symbol, unknown>)[Symbol.species];
  if (typeof species === 'function' && species.prototype === Buffer.prototype) {
    try {
      const View = species as BufferViewConstructor;
      const probe = new View(new ArrayBuffer(4), 1, 2);
      if (Buffer.isBuffer(probe) && Object.getPrototypeOf(probe) === Buffer.prototype && probe.byteOffset === 1 && probe.length === 2) {
        return View;
      }
    } catch {
      // fall through to the portable version
    }
  }
  return function PortableView(buffer: ArrayBufferLike, byteOffset: number, length: number): Buffer {
    return Buffer.from(buffer, byteOffset, length);
  } as unknown as BufferViewConstructor;
}

