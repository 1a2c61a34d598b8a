// readLineBatch() and lineBatches(): every buffered line for one promise.
import { expect } from 'chai';
import fc from 'fast-check';
import type { IPushProducer } from '@torsion/reactor';
import { AbortError, ConcurrentReadError, LimitOverrunError, StreamReader } from '@torsion/streams';
import { rejection, settled } from './support.js';

const b = (s: string): Buffer => Buffer.from(s);
const strings = (lines: Buffer[]): string[] => lines.map((l) => l.toString());

/** Every batch lineBatches() yields until EOF, as strings. */
async function batches(reader: StreamReader): Promise<string[][]> {
  const out: string[][] = [];
  for await (const lines of reader.lineBatches()) out.push(strings(lines));
  return out;
}

class Producer implements IPushProducer {
  state: 'producing' | 'paused' = 'producing';
  pauseProducing(): void { this.state = 'paused'; }
  resumeProducing(): void { this.state = 'producing'; }
  stopProducing(): void {}
}

describe('StreamReader line batches', () => {
  describe('readLineBatch', () => {
    it('returns every whole line buffered and leaves the partial one', async () => {
      const r = new StreamReader();
      r.feedData(b('a\nbb\n'));
      r.feedData(b('ccc\ndd'));
      expect(strings(await r.readLineBatch())).to.deep.equal(['a\n', 'bb\n', 'ccc\n']);
      r.feedData(b('d\n'));
      expect(strings(await r.readLineBatch())).to.deep.equal(['ddd\n']);
    });

    it('waits for a line to be complete, then returns it with whatever came with it', async () => {
      const r = new StreamReader();
      const p = r.readLineBatch();
      r.feedData(b('ab'));
      expect(await settled(p)).to.equal('pending');
      r.feedData(b('c\nde\nf'));
      expect(strings(await p)).to.deep.equal(['abc\n', 'de\n']);
    });

    it('ends with the unterminated tail at EOF, then returns an empty array', async () => {
      const r = new StreamReader();
      r.feedData(b('x\ny\ntail'));
      r.feedEof();
      expect(strings(await r.readLineBatch())).to.deep.equal(['x\n', 'y\n', 'tail']);
      expect(await r.readLineBatch()).to.deep.equal([]);
      expect(await r.readLineBatch()).to.deep.equal([]);
    });

    it('resolves a waiting call with an empty array when EOF arrives with nothing buffered', async () => {
      const r = new StreamReader();
      const p = r.readLineBatch();
      r.feedEof();
      expect(await p).to.deep.equal([]);
    });

    it('stops before an overlong line; the next call discards it with LimitOverrunError', async () => {
      const r = new StreamReader({ limit: 8 });
      r.feedData(b(`ok\n${'x'.repeat(20)}\nafter\n`));
      expect(strings(await r.readLineBatch())).to.deep.equal(['ok\n']);
      const err = await rejection(r.readLineBatch());
      expect(err).to.be.instanceOf(LimitOverrunError);
      expect(strings(await r.readLineBatch())).to.deep.equal(['after\n']);
    });

    it('accepts a line of exactly the limit plus its newline inside a batch', async () => {
      const r = new StreamReader({ limit: 4 });
      r.feedData(b('a\nbbbb\nccccc\n'));
      expect(strings(await r.readLineBatch())).to.deep.equal(['a\n', 'bbbb\n']);
      expect(await rejection(r.readLineBatch())).to.be.instanceOf(LimitOverrunError);
    });

    it('does not take an overlong unterminated tail at EOF into a batch', async () => {
      const r = new StreamReader({ limit: 4 });
      r.feedData(b('a\nbbbbbbbb'));
      r.feedEof();
      expect(strings(await r.readLineBatch())).to.deep.equal(['a\n']);
      expect(await rejection(r.readLineBatch())).to.be.instanceOf(LimitOverrunError);
      expect(await r.readLineBatch()).to.deep.equal([]);
    });

    it('throws a stored exception before buffered lines', async () => {
      const r = new StreamReader();
      r.feedData(b('a\n'));
      const boom = new Error('boom');
      r.setException(boom);
      expect(await rejection(r.readLineBatch())).to.equal(boom);
    });

    it('hands out no more lines than readLine() when an exception is stored after the data that woke it', async () => {
      // The data wakes the waiting read, then the error is stored before the read looks at the
      // bytes: readLine() returns the first line and throws the error next; 'b' and 'c' are never read.
      for (const batched of [false, true]) {
        const r = new StreamReader();
        const p = batched ? r.readLineBatch() : r.readLine().then((line) => [line]);
        r.feedData(b('a\nb\nc\n'));
        const boom = new Error('boom');
        r.setException(boom);
        expect(strings(await p)).to.deep.equal(['a\n']);
        expect(await rejection(batched ? r.readLineBatch() : r.readLine())).to.equal(boom);
      }
    });

    it('rejects a second read while it waits, and still gets its lines', async () => {
      const r = new StreamReader();
      const p = r.readLineBatch();
      expect(await rejection(r.readLine())).to.be.instanceOf(ConcurrentReadError);
      expect(await rejection(r.readLineBatch())).to.be.instanceOf(ConcurrentReadError);
      r.feedData(b('z\n'));
      expect(strings(await p)).to.deep.equal(['z\n']);
    });

    it('rejects with AbortError when its signal aborts, consuming nothing', async () => {
      const r = new StreamReader();
      const ac = new AbortController();
      const p = r.readLineBatch({ signal: ac.signal });
      r.feedData(b('part'));
      ac.abort();
      expect(await rejection(p)).to.be.instanceOf(AbortError);
      r.feedData(b('ial\n'));
      expect(strings(await r.readLineBatch())).to.deep.equal(['partial\n']);
    });

    it('joins the line that straddles a big chunk kept behind, and takes the lines in it', async () => {
      const r = new StreamReader();
      r.feedData(b('head'));
      const big = b(`er\n${'y'.repeat(1020)}\nlast\nrest`);
      r.feedData(big);
      expect(strings(await r.readLineBatch())).to.deep.equal(['header\n', `${'y'.repeat(1020)}\n`, 'last\n']);
      r.feedEof();
      expect(strings(await r.readLineBatch())).to.deep.equal(['rest']);
    });

    it('resumes a paused transport once the batch has taken the buffer down to the limit', async () => {
      const r = new StreamReader({ limit: 16 });
      const producer = new Producer();
      r.setTransport(producer);
      r.feedData(b('0123456789\n'.repeat(4)));
      expect(producer.state).to.equal('paused');
      expect(await r.readLineBatch()).to.have.length(4);
      expect(producer.state).to.equal('producing');
    });
  });

  describe('lineBatches', () => {
    it('yields non-empty batches in order until EOF', async () => {
      const r = new StreamReader();
      r.feedData(b('1\n2\n'));
      const got = batches(r);
      await settled(Promise.resolve());
      r.feedData(b('3\n4'));
      await settled(Promise.resolve());
      r.feedData(b('\n5'));
      r.feedEof();
      // '5' has no newline yet when '4\n' completes: it waits for EOF in a batch of its own.
      expect(await got).to.deep.equal([['1\n', '2\n'], ['3\n'], ['4\n'], ['5']]);
    });

    it('ends at once on a stream that ends empty', async () => {
      const r = new StreamReader();
      r.feedEof();
      expect(await batches(r)).to.deep.equal([]);
    });

    it('throws the stored exception that arrives while it waits', async () => {
      const r = new StreamReader();
      const got = batches(r);
      await settled(Promise.resolve());
      const boom = new Error('gone');
      r.setException(boom);
      expect(await rejection(got)).to.equal(boom);
    });

    it('throws LimitOverrunError when a line outgrows the limit while it waits', async () => {
      const r = new StreamReader({ limit: 4 });
      const it = r.lineBatches()[Symbol.asyncIterator]();
      const p = it.next();
      r.feedData(b('toolong'));
      expect(await rejection(p)).to.be.instanceOf(LimitOverrunError);
      r.feedData(b('ok\n'));
      expect(strings((await it.next()).value as Buffer[])).to.deep.equal(['ok\n']);
    });

    it('rejects a readLine() while it waits, and still gets the lines', async () => {
      const r = new StreamReader();
      const it = r.lineBatches()[Symbol.asyncIterator]();
      const p = it.next();
      expect(await rejection(r.readLine())).to.be.instanceOf(ConcurrentReadError);
      r.feedData(b('a\nb\n'));
      expect(strings((await p).value as Buffer[])).to.deep.equal(['a\n', 'b\n']);
    });

    it('gives the same lines as line iteration for every chunking, fed at once or while it waits', async () => {
      const text = fc.stringMatching(/^[ab\n]{0,300}$/);
      const cuts = fc.array(fc.nat(), { maxLength: 30 });
      await fc.assert(
        fc.asyncProperty(text, cuts, fc.boolean(), fc.integer({ min: 1, max: 12 }), async (s, points, trickle, limit) => {
          const data = Buffer.from(s);
          const at = [...new Set(points.map((p) => p % (data.length + 1)))].sort((x, y) => x - y);
          const chunks: Buffer[] = [];
          let prev = 0;
          for (const p of [...at, data.length]) {
            chunks.push(data.subarray(prev, p));
            prev = p;
          }
          // What readLine() gives, overlong lines reported as errors, is the reference.
          const collect = async (reader: StreamReader, batched: boolean): Promise<string[]> => {
            const out: string[] = [];
            for (;;) {
              try {
                const lines = batched ? await reader.readLineBatch() : [await reader.readLine()];
                if (lines.length === 0 || lines[0]!.length === 0) return out;
                out.push(...strings(lines));
              } catch (err) {
                if (!(err instanceof LimitOverrunError)) throw err;
                out.push('!');
              }
            }
          };
          const run = async (batched: boolean): Promise<string[]> => {
            const r = new StreamReader({ limit });
            if (!trickle) {
              for (const c of chunks) r.feedData(c);
              r.feedEof();
              return collect(r, batched);
            }
            const reading = collect(r, batched);
            for (const c of chunks) {
              r.feedData(c);
              await new Promise((res) => setImmediate(res));
            }
            r.feedEof();
            return reading;
          };
          expect(await run(true)).to.deep.equal(await run(false));
        }),
        { numRuns: 300 },
      );
    });
  });
});
