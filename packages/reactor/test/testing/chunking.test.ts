import { expect } from 'chai';
import fc from 'fast-check';
import { TorsionRangeError } from '@torsion/reactor';
import {
  EVERY_SPLIT_MAX_LENGTH, StringTransport, chunksOf, everySplit, feedChunks, randomSplit, splitAt,
} from '@torsion/reactor/testing';
import { Protocol } from '@torsion/protocols';

/** A tiny newline framing written for these tests; drops the connection on a line of "quit". */
class Lines extends Protocol {
  readonly lines: string[] = [];
  readonly chunks: Buffer[] = [];
  #buffer = '';
  override dataReceived(data: Buffer): void {
    this.chunks.push(data);
    this.#buffer += data.toString('latin1');
    let i: number;
    while ((i = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, i);
      this.#buffer = this.#buffer.slice(i + 1);
      this.lines.push(line);
      if (line === 'quit') {
        this.transport.loseConnection();
        return;
      }
    }
  }
}

function linesOf(chunks: Buffer[]): string[] {
  const p = new Lines();
  new StringTransport().connect(p);
  feedChunks(p, chunks);
  return p.lines;
}

/** A small seeded generator (mulberry32) standing in for "any random source". */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('chunking helpers', () => {
  describe('splitAt', () => {
    it('cuts at the given offsets, sorted', () => {
      expect(splitAt(Buffer.from('hello'), [3, 1]).map(String)).to.deep.equal(['h', 'el', 'lo']);
    });

    it('clamps, floors and de-duplicates cuts, never yielding an empty piece', () => {
      const chunks = splitAt(Buffer.from('hello'), [-4, 0, 2.7, 2, 2, 5, 99, Infinity]);
      expect(chunks.map(String)).to.deep.equal(['he', 'llo']);
      expect(splitAt(Buffer.alloc(0), [0, 1, 2])).to.deep.equal([]);
      expect(splitAt(Buffer.from('abc'), []).map(String)).to.deep.equal(['abc']);
    });

    it('gives copies the receiver may keep', () => {
      const data = Buffer.from('abcd');
      const [first] = splitAt(data, [2]);
      data.fill(0x7a);
      expect(String(first)).to.equal('ab');
    });

    it('rejects a NaN cut with a typed error', () => {
      expect(() => splitAt(Buffer.from('ab'), [Number.NaN])).to.throw(TorsionRangeError, /NaN/);
    });

    it('always concatenates back to the input, with no empty piece (fast-check)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(fc.integer({ min: -5, max: 80 })), (bytes, cuts) => {
          const chunks = splitAt(bytes, cuts);
          expect(Buffer.concat(chunks).equals(Buffer.from(bytes))).to.equal(true);
          expect(chunks.every((c) => c.length > 0)).to.equal(true);
          const inside = new Set(cuts.map((c) => Math.min(Math.max(c, 0), bytes.length)).filter((c) => c > 0 && c < bytes.length));
          expect(chunks.length).to.equal(bytes.length === 0 ? 0 : inside.size + 1);
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('chunksOf', () => {
    it('splits into fixed-size pieces, the last one shorter', () => {
      expect(chunksOf(Buffer.from('abcde'), 2).map(String)).to.deep.equal(['ab', 'cd', 'e']);
      expect(chunksOf(Buffer.from('abc'), 1).map(String)).to.deep.equal(['a', 'b', 'c']);
      expect(chunksOf(Buffer.alloc(0), 3)).to.deep.equal([]);
    });

    it('rejects a size below one byte', () => {
      expect(() => chunksOf(Buffer.from('a'), 0)).to.throw(TorsionRangeError);
      expect(() => chunksOf(Buffer.from('a'), 1.5)).to.throw(TorsionRangeError);
    });
  });

  describe('everySplit', () => {
    it('enumerates all 2^(n-1) distinct splits', () => {
      const seen = new Set<string>();
      for (const chunks of everySplit(Buffer.from('abcd'))) {
        expect(Buffer.concat(chunks).toString()).to.equal('abcd');
        seen.add(chunks.map(String).join('|'));
      }
      expect(seen.size).to.equal(8);
      expect(seen.has('abcd')).to.equal(true);
      expect(seen.has('a|b|c|d')).to.equal(true);
      expect([...everySplit(Buffer.alloc(0))]).to.deep.equal([[]]);
    });

    it('refuses inputs too long to enumerate', () => {
      expect(() => everySplit(Buffer.alloc(EVERY_SPLIT_MAX_LENGTH + 1)).next()).to.throw(TorsionRangeError, /splitAt/);
    });

    it('finds that a framing reads every split of its input alike', () => {
      let count = 0;
      for (const chunks of everySplit(Buffer.from('ab\ncd\n\nx'))) {
        expect(linesOf(chunks)).to.deep.equal(['ab', 'cd', '']);
        count += 1;
      }
      expect(count).to.equal(128);
    });
  });

  describe('randomSplit', () => {
    it('splits with any random source and is reproducible with a seeded one', () => {
      const data = Buffer.from('the quick brown fox jumps over the lazy dog');
      const a = randomSplit(data, seeded(7), 10);
      const b = randomSplit(data, seeded(7), 10);
      expect(a.map(String)).to.deep.equal(b.map(String));
      expect(Buffer.concat(a).equals(data)).to.equal(true);
      expect(a.length).to.be.at.most(11);
      for (let seed = 0; seed < 50; seed++) {
        expect(Buffer.concat(randomSplit(data, seeded(seed))).equals(data)).to.equal(true);
      }
      expect(randomSplit(data, () => 0)).to.have.length(1);
    });
  });

  describe('feedChunks', () => {
    it('delivers each chunk to dataReceived in order', () => {
      const p = new Lines();
      new StringTransport().connect(p);
      const n = feedChunks(p, splitAt(Buffer.from('a\nbc\n'), [1, 3]));
      expect(n).to.equal(3);
      expect(p.chunks.map(String)).to.deep.equal(['a', '\nb', 'c\n']);
      expect(p.lines).to.deep.equal(['a', 'bc']);
    });

    it('stops once the transport is disconnecting', () => {
      const p = new Lines();
      const t = new StringTransport();
      t.connect(p);
      const n = feedChunks(p, chunksOf(Buffer.from('a\nquit\nb\nc\n'), 2));
      expect(t.disconnecting).to.equal(true);
      expect(n).to.equal(4);
      expect(p.lines).to.deep.equal(['a', 'quit']);
    });

    it('lets fast-check show a framing is split-agnostic', () => {
      const line = fc.string({ unit: fc.constantFrom('a', 'b', '\r', ' '), maxLength: 8 });
      fc.assert(
        fc.property(fc.array(line, { maxLength: 6 }), fc.array(fc.nat({ max: 60 })), (lines, cuts) => {
          const input = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'latin1');
          expect(linesOf(splitAt(input, cuts))).to.deep.equal(lines);
        }),
        { numRuns: 200 },
      );
    });
  });
});
