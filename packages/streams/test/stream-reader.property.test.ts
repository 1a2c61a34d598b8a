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
});
