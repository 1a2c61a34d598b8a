/**
 * Delimiter search for many short lines: instead of one `indexOf` call per line (about 11 ns
 * each, however short the line), a small WebAssembly kernel finds every candidate position in a
 * window of the chunk at once, 16 bytes per step, and the line loop walks that list through a
 * {@link DelimiterCursor}. Used by the line receivers' hot loops; internal to the package.
 *
 * The list lives in one scratch area shared by every receiver in the process. A callback that
 * feeds another receiver (a proxy, an in-memory pair) makes that receiver scan into the same
 * area, so every scan bumps a generation number: a cursor whose scan is no longer the latest
 * scans its window again from where it stands. The first line of each chunk is found with
 * `indexOf`; if it is long (128 bytes or more), or a window holds few candidates, or
 * WebAssembly is missing (`node --jitless`), the rest of the chunk is searched with `indexOf`
 * too, which is the faster of the two for long lines.
 *
 * @internal
 * @module
 */
import type { Buffer } from 'node:buffer';
import { findDelimiter } from './line-framing.js';

/** Bytes scanned per call of the kernel. */
const WINDOW = 2048;
/** Lines at least this long are found faster by `indexOf` (a memchr) than by copying and scanning. */
const LONG_LINE = 128;
/** Below this many bytes left in a chunk, one `indexOf` is cheaper than copying and scanning. */
const MIN_SCAN = 64;
/**
 * Chunks shorter than this are searched with `indexOf` only: the scan's fixed costs (the copy
 * call, the kernel call, the first line found by `indexOf`) pay off over many lines, not over
 * the dozen that a socket read under light load brings.
 */
const MIN_CHUNK = 512;
/** A window with fewer candidates than this holds long lines (see LONG_LINE). */
const MIN_HITS = WINDOW / LONG_LINE;
/** Where the kernel writes positions in its memory: after the window and 16 bytes of slack. */
const OUT = WINDOW + 16;

/**
 * The kernel, `scan(len, byte, out, base) -> count`: writes to memory at `out` the offset plus
 * `base` (an i32) of every byte equal to `byte` among the first `len` bytes of memory, in order,
 * and returns how many. Each step compares 16 bytes at once (`i8x16.eq`), turns the result into a 16-bit mask
 * (`i8x16.bitmask`) and emits one offset per set bit (`i32.ctz`, then clear the lowest bit).
 * Bytes past `len` in the last step are masked off. Written out as bytes here: the module is
 * under 200 bytes and needs no tool to build.
 */
function kernelBytes(): Uint8Array {
  // Opcodes (WebAssembly 2.0; 0xfd prefixes the vector instructions).
  const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, VOID = 0x40;
  const GET = 0x20, SET = 0x21, I32_STORE = 0x36, I32_CONST = 0x41, I32_EQZ = 0x45;
  const I32_LT_U = 0x49, I32_GE_U = 0x4f, I32_CTZ = 0x68, I32_ADD = 0x6a, I32_SUB = 0x6b;
  const I32_AND = 0x71, I32_SHL = 0x74, I32_SHR_U = 0x76;
  const V = 0xfd, V128_LOAD = 0x00, I8X16_SPLAT = 0x0f, I8X16_EQ = 0x23, I8X16_BITMASK = 0x64;
  const I32 = 0x7f, V128 = 0x7b;
  // Locals: 0 len, 1 byte, 2 out, 3 base (parameters); 4 i, 5 mask, 6 at (i32); 7 needle (v128).
  const len = 0, byte = 1, out = 2, base = 3, i = 4, mask = 5, at = 6, needle = 7;
  const body = [
    2, 3, I32, 1, V128, // local declarations
    GET, byte, V, I8X16_SPLAT, SET, needle,
    GET, out, SET, at,
    BLOCK, VOID, LOOP, VOID,
    /**/ GET, i, GET, len, I32_GE_U, BR_IF, 1, // i >= len: done
    /**/ GET, i, V, V128_LOAD, 4, 0, GET, needle, V, I8X16_EQ, V, I8X16_BITMASK, SET, mask,
    /**/ GET, len, GET, i, I32_SUB, I32_CONST, 16, I32_LT_U, IF, VOID, // fewer than 16 bytes left:
    /**//**/ GET, mask, I32_CONST, 1, GET, len, GET, i, I32_SUB, I32_SHL, I32_CONST, 1, I32_SUB, I32_AND, SET, mask,
    /**/ END,
    /**/ BLOCK, VOID, LOOP, VOID, // one offset per set bit of mask
    /**//**/ GET, mask, I32_EQZ, BR_IF, 1,
    /**//**/ GET, at, GET, i, GET, mask, I32_CTZ, I32_ADD, GET, base, I32_ADD, I32_STORE, 2, 0,
    /**//**/ GET, at, I32_CONST, 4, I32_ADD, SET, at,
    /**//**/ GET, mask, GET, mask, I32_CONST, 1, I32_SUB, I32_AND, SET, mask,
    /**//**/ BR, 0,
    /**/ END, END,
    /**/ GET, i, I32_CONST, 16, I32_ADD, SET, i,
    /**/ BR, 0,
    END, END,
    GET, at, GET, out, I32_SUB, I32_CONST, 2, I32_SHR_U, // (at - out) / 4 offsets written
    END,
  ];
  const name = (s: string): number[] => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  // Sizes are unsigned LEB128: seven bits per byte, low bits first, the top bit set on all but the last.
  const size = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...size(n >>> 7)]);
  const section = (id: number, content: number[]): number[] => [id, ...size(content.length), ...content];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, [1, 0x60, 4, I32, I32, I32, I32, 1, I32]), // type 0: (i32, i32, i32, i32) -> i32
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(5, [1, 0x00, 1]), // one memory of one 64 KiB page
    ...section(7, [2, ...name('mem'), 0x02, 0, ...name('scan'), 0x00, 0]),
    ...section(10, [1, ...size(body.length), ...body]),
  ]);
}

interface Kernel {
  scan(len: number, byte: number, out: number, base: number): number;
  /** The kernel's memory: the window at 0, positions at OUT. */
  bytes: Uint8Array;
  positions: Uint32Array;
}

/** The little of the WebAssembly global used here (Node's types do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: { mem: { buffer: ArrayBuffer }; scan: Kernel['scan'] } };
}

function loadKernel(): Kernel | null {
  try {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (wasm === undefined) return null;
    const { mem, scan } = new wasm.Instance(new wasm.Module(kernelBytes())).exports;
    return { scan, bytes: new Uint8Array(mem.buffer), positions: new Uint32Array(mem.buffer, OUT, WINDOW) };
  } catch {
    return null; // no WebAssembly, or no vector instructions: indexOf does the work
  }
}

/**
 * The kernel, compiled the first time a chunk needs a scan (a program that never parses many
 * short lines at once never pays for WebAssembly: about 1 MB of memory); null where it cannot
 * be. Loaded once, so every cursor reads the same list.
 */
let loaded: Kernel | null | undefined;
/** Set by tests to run as where WebAssembly is missing. */
let disabled = false;
const NO_POSITIONS = new Uint32Array(0);

function theKernel(): Kernel | null {
  if (disabled) return null;
  if (loaded === undefined) loaded = loadKernel();
  return loaded;
}

/** Bumped by every scan: a cursor whose scan is no longer the last one must scan again. */
let generation = 0;

/**
 * Walks the delimiters of one chunk, in order, for one scan of a line receiver's hot loop.
 * {@link find} gives the same answers as `findDelimiter(chunk, pos, delim)` for increasing
 * `pos`. Made per chunk, and cheap to make: nothing is scanned until the first call.
 */
export class DelimiterCursor {
  readonly #chunk: Buffer;
  /** The chunk's memory. */
  readonly ab: ArrayBufferLike;
  /**
   * The caller's to use: the line it handed out last. Kept here rather than in the receiver,
   * because the receiver lives long and the cursor does not: storing each new line into a
   * long-lived object costs V8 a write-barrier entry per line (5-15 ns), into a young one nearly
   * nothing.
   */
  last: Buffer | null = null;
  /** Where `last` starts in {@link ab}: a Buffer's `byteOffset` is slow to read back (~10 ns). */
  lastAt = 0;
  readonly #base: number;
  readonly #delim: Buffer;
  readonly #dlen: number;
  readonly #d1: number;
  /** The last position where a whole delimiter fits. */
  readonly #last: number;
  /** The kernel's list of positions in the chunk (kept here: it is read for every line). */
  #positions: Uint32Array = NO_POSITIONS;
  /** Candidates found by the last scan; those before #next are used up. */
  #count = 0;
  #next = 0;
  /** Bytes before this have been scanned (or searched by indexOf). */
  #scanned = 0;
  #generation = -1;
  /** The last scan found few candidates: once they are used up, the rest is searched with indexOf. */
  #sparse = false;
  /** They are used up: every search is `findDelimiter` now. */
  #long = false;

  constructor(chunk: Buffer, ab: ArrayBufferLike, base: number, delim: Buffer) {
    this.#chunk = chunk;
    this.ab = ab;
    this.#base = base;
    this.#delim = delim;
    this.#dlen = delim.length;
    this.#d1 = delim.length > 1 ? delim[1]! : -1;
    this.#last = chunk.length - delim.length;
    this.#long = chunk.length < MIN_CHUNK || disabled || loaded === null;
  }

  /** Where the first complete delimiter at or after `pos` starts, or -1. Call with increasing `pos`. */
  find(pos: number): number {
    // The common case, kept small so that it is inlined into the caller's loop: the next
    // candidate of the current scan is a one- or two-byte delimiter at or after pos.
    if (this.#long) return findDelimiter(this.#chunk, pos, this.#delim);
    const j = this.#next;
    if (j < this.#count && this.#generation === generation) {
      const k = this.#positions[j]!;
      if (k >= pos && k <= this.#last && (this.#dlen === 1 || (this.#dlen === 2 && this.#chunk[k + 1] === this.#d1))) {
        this.#next = j + 1;
        return k;
      }
    }
    return this.#find(pos);
  }

  #find(pos: number): number {
    const chunk = this.#chunk;
    const delim = this.#delim;
    const dlen = this.#dlen;
    if (this.#generation === -1) {
      // The first line of the chunk is found with indexOf; if it is long, so is the search.
      const k = findDelimiter(chunk, pos, delim);
      if (k < 0 || k - pos >= LONG_LINE) this.#long = true;
      else this.#scanned = k + 1;
      this.#generation = 0;
      return k;
    }
    if (this.#generation !== generation && this.#count > 0) {
      // Another scan (a callback fed another receiver) took the scratch area: scan again from pos.
      this.#count = this.#next = 0;
      if (this.#scanned > pos) this.#scanned = pos;
    }
    for (;;) {
      for (let j = this.#next; j < this.#count; j++) {
        const k = this.#positions[j]!;
        if (k < pos) continue;
        if (k > this.#last) {
          this.#next = j;
          return -1; // cut by the end of the chunk
        }
        let i = 1;
        while (i < dlen && chunk[k + i] === delim[i]) i++;
        if (i === dlen) {
          this.#next = j + 1;
          return k;
        }
      }
      this.#next = this.#count;
      const from = Math.max(pos, this.#scanned);
      if (from >= chunk.length) return -1;
      const scanner = theKernel();
      const len = Math.min(WINDOW, chunk.length - from);
      if (scanner === null || this.#sparse || len < MIN_SCAN) {
        this.#long = true;
        return findDelimiter(chunk, from, delim);
      }
      scanner.bytes.set(new Uint8Array(this.ab, this.#base + from, len));
      this.#positions = scanner.positions;
      this.#count = scanner.scan(len, delim[0]!, OUT, from);
      this.#next = 0;
      this.#scanned = from + len;
      this.#generation = ++generation;
      this.#sparse = this.#count < MIN_HITS && len === WINDOW;
    }
  }
}

/**
 * For tests: run without the kernel (as where WebAssembly is missing), or with it again.
 * Returns whether the kernel is now in use.
 */
export function useKernelForTesting(on: boolean): boolean {
  disabled = !on;
  generation++;
  return theKernel() !== null;
}
