// Whatever the chunk boundaries, the reader gives the same lines and separator-ended pieces.
import { expect } from 'chai';
import fc from 'fast-check';
import { StreamReader } from '@torsion/streams';

/** Split `data` at the given cut points (sorted, deduplicated, within bounds). */
function cut(data: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (data.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of at) {
    out.push(data.subarray(prev, p));
    prev = p;
  }
  out.push(data.subarray(prev));
  return out;
}

function expectedPieces(text: string, sep: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (let i = text.indexOf(sep); i !== -1; i = text.indexOf(sep, start)) {
    pieces.push(text.slice(start, i + sep.length));
    start = i + sep.length;
  }
  if (start < text.length) pieces.push(text.slice(start));
  return pieces;
}

const text = fc.stringMatching(/^[ab\n\r]{0,200}$/);
const points = fc.array(fc.nat(), { maxLength: 30 });

describe('StreamReader properties', () => {
  it('async iteration yields the same lines for every chunking', async () => {
    await fc.assert(
      fc.asyncProperty(text, points, async (s, ps) => {
        const r = new StreamReader();
        for (const chunk of cut(Buffer.from(s), ps)) r.feedData(chunk);
        r.feedEof();
        const lines: string[] = [];
        for await (const line of r) lines.push(line.toString());
        expect(lines).to.deep.equal(expectedPieces(s, '\n'));
      }),
      { numRuns: 200 },
    );
  });

  it('readUntil of a two-byte separator gives the same pieces while data trickles in', async () => {
    await fc.assert(
      fc.asyncProperty(text, points, async (s, ps) => {
        const r = new StreamReader();
        const chunks = cut(Buffer.from(s), ps);
        const got: string[] = [];
        const reading = (async () => {
          for (;;) {
            try {
              got.push((await r.readUntil('\r\n')).toString());
            } catch (err) {
              const partial = (err as { partial?: Buffer }).partial;
              if (partial !== undefined && partial.length > 0) got.push(partial.toString());
              return;
            }
          }
        })();
        for (const chunk of chunks) {
          r.feedData(chunk);
          await Promise.resolve();
        }
        r.feedEof();
        await reading;
        expect(got).to.deep.equal(expectedPieces(s, '\r\n'));
      }),
      { numRuns: 200 },
    );
  });

  // Chunks of 1 KiB and more that arrive behind buffered bytes are kept as they came and joined
  // only where a line straddles them: these runs use lines and chunks big enough to take that path.
  const longLines = fc.array(fc.nat({ max: 3000 }), { minLength: 1, maxLength: 12 });
  const bigCuts = fc.array(fc.nat({ max: 40000 }), { maxLength: 12 });

  function linesOf(lengths: number[], withTail: boolean): Buffer {
    const parts = lengths.map((n, i) => Buffer.alloc(n, 0x61 + (i % 26)));
    const text = parts.map((p) => p.toString()).join('\n') + (withTail ? '' : '\n');
    return Buffer.from(text);
  }

  it('async iteration over big chunks yields the same lines, fed at once or while it waits', async () => {
    await fc.assert(
      fc.asyncProperty(longLines, bigCuts, fc.boolean(), fc.boolean(), async (lengths, ps, withTail, trickle) => {
        const data = linesOf(lengths, withTail);
        const r = new StreamReader({ limit: 1 << 16 });
        const lines: string[] = [];
        const loop = (async () => {
          for await (const line of r) lines.push(line.toString());
        })();
        for (const chunk of cut(data, ps)) {
          r.feedData(chunk);
          if (trickle) await new Promise((resolve) => setImmediate(resolve));
        }
        r.feedEof();
        await loop;
        expect(lines).to.deep.equal(expectedPieces(data.toString(), '\n'));
      }),
      { numRuns: 150 },
    );
  });

  it('mixed reads over big chunks return every byte once, in order, each read keeping its contract', async () => {
    const op = fc.oneof(
      fc.constant({ kind: 'line' as const, n: 0 }),
      fc.constant({ kind: 'until' as const, n: 0 }),
      fc.record({ kind: fc.constant('read' as const), n: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ kind: fc.constant('exactly' as const), n: fc.integer({ min: 1, max: 3000 }) }),
    );
    const bytes = fc.array(fc.constantFrom(0x61, 0x62, 0x0a, 0x0d), { minLength: 0, maxLength: 64 });
    await fc.assert(
      fc.asyncProperty(bytes, fc.nat({ max: 200 }), bigCuts, fc.array(op, { maxLength: 20 }), fc.boolean(),
        async (pattern, repeat, ps, ops, trickle) => {
          // Long stretches without separators, so lines and pieces span big chunks.
          const data = Buffer.concat(pattern.map((c) => (c === 0x61 ? Buffer.alloc(repeat + 1, c) : Buffer.from([c]))));
          const r = new StreamReader({ limit: 1 << 20 });
          const got: Buffer[] = [];
          const reading = (async () => {
            for (const o of ops) {
              try {
                if (o.kind === 'line') {
                  const line = await r.readLine();
                  const k = line.indexOf(0x0a);
                  expect(k === -1 ? r.atEof() : k === line.length - 1).to.equal(true);
                  got.push(line);
                } else if (o.kind === 'until') {
                  const piece = await r.readUntil('\r\n');
                  expect(piece.indexOf('\r\n')).to.equal(piece.length - 2);
                  got.push(piece);
                } else if (o.kind === 'read') {
                  const piece = await r.read(o.n);
                  expect(piece.length).to.be.at.most(o.n);
                  got.push(piece);
                } else {
                  const piece = await r.readExactly(o.n);
                  expect(piece.length).to.equal(o.n);
                  got.push(piece);
                }
              } catch (err) {
                const partial = (err as { partial?: Buffer }).partial;
                if (partial === undefined) throw err;
                expect(r.atEof(), 'an incomplete read consumes everything').to.equal(true);
                got.push(partial);
              }
            }
            got.push(await r.read());
          })();
          for (const chunk of cut(data, ps)) {
            r.feedData(chunk);
            if (trickle) await new Promise((resolve) => setImmediate(resolve));
          }
          r.feedEof();
          await reading;
          expect(Buffer.concat(got).equals(data)).to.equal(true);
        }),
      { numRuns: 150 },
    );
  });
});
