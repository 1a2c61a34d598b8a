// The WebAssembly-backed delimiter search behind the line receivers' hot loops (internal, so it is
// imported from the build): it must give exactly the answers of the plain indexOf search.
import { expect } from 'chai';
import fc from 'fast-check';
import { LineReceiver } from '@torsion/protocols';
import { StringTransport } from '@torsion/reactor/testing';
import { DelimiterCursor, useKernelForTesting } from '../dist/delimiter-index.js';
import { findDelimiter } from '../dist/line-framing.js';

/** Every answer of a cursor walking `chunk` line by line, beside indexOf's for the same pos. */
function walk(chunk: Buffer, delim: Buffer, skips: number[] = []): { got: number[]; want: number[] } {
  const cursor = new DelimiterCursor(chunk, chunk.buffer, chunk.byteOffset, delim);
  const got: number[] = [];
  const want: number[] = [];
  let pos = 0;
  for (let i = 0; ; i++) {
    const k = cursor.find(pos);
    got.push(k);
    want.push(findDelimiter(chunk, pos, delim));
    if (k < 0 || got[i] !== want[i]) break;
    pos = k + delim.length + (skips.length > 0 ? skips[i % skips.length]! : 0);
  }
  return { got, want };
}

/** Lines of mixed lengths (short ones, and long ones that switch the search to indexOf). */
const linesArb = (delim: Buffer) =>
  fc
    .array(
      fc.oneof(
        { weight: 4, arbitrary: fc.uint8Array({ maxLength: 24 }) },
        { weight: 1, arbitrary: fc.uint8Array({ minLength: 100, maxLength: 600 }) },
      ),
      { maxLength: 300 },
    )
    .map((parts) => Buffer.concat(parts.flatMap((p) => [Buffer.from(p), delim])));

/** Bytes from a small alphabet that holds the delimiters' bytes, so near-misses are common. */
const noisyArb = fc
  .array(fc.constantFrom(0x0d, 0x0a, 0x61, 0x62, 0x00), { maxLength: 5000 })
  .map((b) => Buffer.from(b));

const delimArb = fc.oneof(
  fc.constant(Buffer.from('\r\n')),
  fc.constant(Buffer.from('\n')),
  fc.constant(Buffer.from([0])),
  fc.uint8Array({ minLength: 1, maxLength: 4 }).map((d) => Buffer.from(d.map((x) => [0x0d, 0x0a, 0x61, 0x62][x % 4]!))),
);

describe('DelimiterCursor (WebAssembly delimiter search)', () => {
  after(() => useKernelForTesting(true));

  it('uses the WebAssembly kernel on this Node (it is not silently falling back)', () => {
    expect(useKernelForTesting(true)).to.equal(true);
  });

  it('finds what indexOf finds, line by line, including jumps past whole windows', () => {
    useKernelForTesting(true);
    fc.assert(
      fc.property(
        delimArb.chain((d) => fc.tuple(fc.constant(d), fc.oneof(linesArb(d), noisyArb))),
        fc.array(fc.oneof(fc.nat(40), fc.nat(3000)), { maxLength: 4 }),
        ([delim, chunk], skips) => {
          const { got, want } = walk(chunk, delim, skips);
          expect(got).to.deep.equal(want);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds what indexOf finds in a view that starts inside a larger buffer', () => {
    useKernelForTesting(true);
    const whole = Buffer.from('x\n'.repeat(50) + 'ab\n'.repeat(3000) + 'tail');
    const view = whole.subarray(37, whole.length - 1);
    const { got, want } = walk(view, Buffer.from('\n'));
    expect(got).to.deep.equal(want);
    expect(got.length).to.be.greaterThan(3000);
  });

  it('scans again when another cursor took the scratch area in between', () => {
    useKernelForTesting(true);
    const delim = Buffer.from('\r\n');
    const a = Buffer.from('one\r\n'.repeat(2000));
    const b = Buffer.from('two-two\r\n'.repeat(2000));
    const ca = new DelimiterCursor(a, a.buffer, a.byteOffset, delim);
    const got: number[] = [];
    let pos = 0;
    for (let i = 0; ; i++) {
      const k = ca.find(pos);
      if (k < 0) break;
      got.push(k);
      pos = k + 2;
      // Every 7th line, walk the whole of another chunk, as a callback feeding another receiver does.
      if (i % 7 === 0) expect(walk(b, delim).got.at(-1)).to.equal(-1);
    }
    const want: number[] = [];
    for (let k = 0; (k = a.indexOf(delim, k)) >= 0; k += 2) want.push(k);
    expect(got).to.deep.equal(want);
  });

  it('LineReceivers feeding each other from their callbacks each get exactly their own lines', () => {
    useKernelForTesting(true);
    const seen: Record<string, string[]> = { outer: [], inner: [] };
    class Inner extends LineReceiver {
      override delimiter = '\n';
      override lineReceived(line: Buffer): void {
        seen.inner!.push(line.toString());
      }
    }
    const inner = new Inner();
    new StringTransport().connect(inner);
    const burst = (n: number): Buffer => Buffer.from(Array.from({ length: 500 }, (_, i) => `in${n}.${i}\n`).join(''));
    class Outer extends LineReceiver {
      override delimiter = '\n';
      override lineReceived(line: Buffer): void {
        const n = seen.outer!.push(line.toString());
        if (n % 50 === 0) inner.dataReceived(burst(n));
      }
    }
    const outer = new Outer();
    new StringTransport().connect(outer);
    const lines = Array.from({ length: 2000 }, (_, i) => `out${i}`);
    outer.dataReceived(Buffer.from(lines.join('\n') + '\n'));
    expect(seen.outer).to.deep.equal(lines);
    const innerWant: string[] = [];
    for (let n = 50; n <= 2000; n += 50) for (let i = 0; i < 500; i++) innerWant.push(`in${n}.${i}`);
    expect(seen.inner).to.deep.equal(innerWant);
  });

  it('an echo of every line of a big chunk writes back exactly the bytes received', () => {
    useKernelForTesting(true);
    class Echo extends LineReceiver {
      override lineReceived(line: Buffer): void {
        this.sendLine(line);
      }
    }
    const input = Buffer.from(Array.from({ length: 4000 }, (_, i) => `line ${i}\r\n`).join(''));
    // A view with a non-zero offset into a larger buffer, as socket chunks often are.
    const chunk = Buffer.concat([Buffer.from('junk'), input]).subarray(4);
    const echo = new Echo();
    const t = new StringTransport();
    echo.makeConnection(t);
    echo.dataReceived(chunk);
    expect(t.value().equals(input)).to.equal(true);
  });

  it('sending the previous line from lineLengthExceeded, after an over-long tail, sends that line', () => {
    class R extends LineReceiver {
      override delimiter = '\n';
      override MAX_LENGTH = 10;
      prev: Buffer | null = null;
      override lineReceived(line: Buffer): void {
        this.prev = line;
      }
      override lineLengthExceeded(): void {
        this.sendLine(this.prev!);
      }
    }
    for (const kernel of [true, false]) {
      useKernelForTesting(kernel);
      const r = new R();
      const t = new StringTransport();
      r.makeConnection(t);
      // Big enough for the scan: many short lines, then a tail longer than MAX_LENGTH.
      r.dataReceived(Buffer.from('ok\n'.repeat(300) + 'hi\n' + 'x'.repeat(20)));
      expect(t.value().toString()).to.equal('hi\n');
    }
  });

  it('LineReceiver splits the same lines without WebAssembly', () => {
    useKernelForTesting(false);
    const got: string[] = [];
    class R extends LineReceiver {
      override lineReceived(line: Buffer): void {
        got.push(line.toString());
      }
    }
    const r = new R();
    new StringTransport().connect(r);
    const lines = Array.from({ length: 3000 }, (_, i) => `line ${i}`);
    r.dataReceived(Buffer.from(lines.join('\r\n') + '\r\n'));
    expect(got).to.deep.equal(lines);
  });
});
