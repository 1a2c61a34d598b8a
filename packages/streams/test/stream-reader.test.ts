import { expect } from 'chai';
import type { IPushProducer } from '@torsion/reactor';
import {
  AbortError,
  ConcurrentReadError,
  FeedAfterEofError,
  IncompleteReadError,
  LimitOverrunError,
  StreamReader,
} from '@torsion/streams';
import { settled, rejection } from './support.js';

const DATA = Buffer.from('line1\nline2\nline3\n');
const b = (s: string): Buffer => Buffer.from(s);

/** What is left in the buffer (ends the stream). */
async function rest(reader: StreamReader): Promise<string> {
  if (!reader.atEof()) reader.feedEof();
  return (await reader.read()).toString();
}

class RecordingProducer implements IPushProducer {
  events: string[] = [];
  pauseProducing(): void { this.events.push('pause'); }
  resumeProducing(): void { this.events.push('resume'); }
  stopProducing(): void { this.events.push('stop'); }
}

describe('StreamReader', () => {
  describe('construction', () => {
    it('rejects a limit that is not a positive integer with a RangeError', () => {
      for (const limit of [0, -1, 1.5, Number.NaN]) {
        expect(() => new StreamReader({ limit })).to.throw(RangeError, /limit/);
      }
    });

    it('defaults the limit to 64 KiB', () => {
      expect(new StreamReader().limit).to.equal(65536);
    });
  });

  describe('feedData', () => {
    it('ignores empty chunks', async () => {
      const r = new StreamReader();
      r.feedData(Buffer.alloc(0));
      expect(await rest(r)).to.equal('');
    });

    it('buffers non-empty chunks', async () => {
      const r = new StreamReader();
      r.feedData(DATA);
      expect(await rest(r)).to.equal(DATA.toString());
    });

    it('accepts plain Uint8Arrays', async () => {
      const r = new StreamReader();
      r.feedData(new Uint8Array([104, 105, 10]));
      expect((await r.readLine()).toString()).to.equal('hi\n');
    });

    it('throws a typed error after feedEof', () => {
      const r = new StreamReader();
      r.feedEof();
      expect(() => r.feedData(b('x'))).to.throw(FeedAfterEofError);
    });
  });

  describe('read', () => {
    it('read(0) returns an empty Buffer and leaves the buffer alone', async () => {
      const r = new StreamReader();
      r.feedData(DATA);
      expect((await r.read(0)).length).to.equal(0);
      expect(await rest(r)).to.equal(DATA.toString());
    });

    it('read(n) waits for data and returns what arrived', async () => {
      const r = new StreamReader();
      const p = r.read(30);
      expect(await settled(p)).to.equal('pending');
      r.feedData(DATA);
      expect((await p).toString()).to.equal(DATA.toString());
      expect(await rest(r)).to.equal('');
    });

    it('read(n) returns at most n bytes per call', async () => {
      const r = new StreamReader();
      r.feedData(b('line1'));
      r.feedData(b('line2'));
      expect((await r.read(5)).toString()).to.equal('line1');
      expect((await r.read(5)).toString()).to.equal('line2');
    });

    it('read(n) returns an empty Buffer at EOF', async () => {
      const r = new StreamReader();
      const p = r.read(1024);
      r.feedEof();
      expect((await p).length).to.equal(0);
    });

    it('read() with no argument reads until EOF', async () => {
      const r = new StreamReader();
      const p = r.read();
      r.feedData(b('chunk1\n'));
      r.feedData(b('chunk2'));
      expect(await settled(p)).to.equal('pending');
      r.feedEof();
      expect((await p).toString()).to.equal('chunk1\nchunk2');
    });

    it('read(-1) drains data fed across several turns', async () => {
      const r = new StreamReader();
      const p = r.read(-1);
      r.feedData(b('a'));
      await settled(p);
      r.feedData(b('b'));
      await settled(p);
      r.feedEof();
      expect((await p).toString()).to.equal('ab');
    });

    it('read(n) ignores the limit', async () => {
      const r = new StreamReader({ limit: 3 });
      r.feedData(b('chunk'));
      expect((await r.read(5)).toString()).to.equal('chunk');
    });

    it('throws a stored exception before buffered data', async () => {
      const r = new StreamReader();
      r.feedData(b('line\n'));
      expect((await r.read(2)).toString()).to.equal('li');
      const boom = new Error('boom');
      r.setException(boom);
      expect(await rejection(r.read(2))).to.equal(boom);
    });
  });

  describe('readLine', () => {
    it('joins chunks until a newline', async () => {
      const r = new StreamReader();
      r.feedData(b('chunk1 '));
      const p = r.readLine();
      r.feedData(b('chunk2 '));
      r.feedData(b('chunk3 '));
      expect(await settled(p)).to.equal('pending');
      r.feedData(b('\n chunk4'));
      expect((await p).toString()).to.equal('chunk1 chunk2 chunk3 \n');
      expect(await rest(r)).to.equal(' chunk4');
    });

    it('returns one line and leaves the rest buffered', async () => {
      const r = new StreamReader();
      r.feedData(DATA);
      expect((await r.readLine()).toString()).to.equal('line1\n');
      expect((await r.read(7)).toString()).to.equal('line2\nl');
      expect(await rest(r)).to.equal('ine3\n');
    });

    it('returns the unterminated tail at EOF, then an empty Buffer', async () => {
      const r = new StreamReader();
      r.feedData(b('some data'));
      r.feedEof();
      expect((await r.readLine()).toString()).to.equal('some data');
      expect((await r.readLine()).length).to.equal(0);
    });

    it('returns an empty Buffer at EOF with nothing buffered', async () => {
      const r = new StreamReader();
      r.feedEof();
      expect((await r.readLine()).length).to.equal(0);
    });

    it('discards an overlong line that was already terminated, keeping the next one', async () => {
      const r = new StreamReader({ limit: 3 });
      r.feedData(b('li'));
      r.feedData(b('ne1\nline2\n'));
      const err = await rejection(r.readLine());
      expect(err).to.be.instanceOf(LimitOverrunError);
      expect(await rest(r)).to.equal('line2\n');
    });

    it('clears the buffer when an overlong line has no newline yet', async () => {
      const r = new StreamReader({ limit: 3 });
      r.feedData(b('li'));
      r.feedData(b('ne1'));
      r.feedData(b('li'));
      expect(await rejection(r.readLine())).to.be.instanceOf(LimitOverrunError);
      expect(await rest(r)).to.equal('');
    });

    it('fails a waiting readLine whose line outgrows the limit', async () => {
      const r = new StreamReader({ limit: 7 });
      const p = r.readLine();
      r.feedData(b('chunk1'));
      r.feedData(b('chunk2'));
      r.feedData(b('chunk3\n'));
      expect(await rejection(p)).to.be.instanceOf(LimitOverrunError);
      // The wait ended after the first chunk past the limit; what followed stays.
    });

    it('keeps the lines after an overlong terminated one', async () => {
      const r = new StreamReader({ limit: 7 });
      r.feedData(b('chunk1'));
      r.feedData(b('chunk2\n'));
      r.feedData(b('chunk3\n'));
      expect(await rejection(r.readLine())).to.be.instanceOf(LimitOverrunError);
      expect(await rest(r)).to.equal('chunk3\n');
    });

    it('accepts a line of exactly limit bytes plus its newline, and not one more', async () => {
      const r = new StreamReader({ limit: 7 });
      r.feedData(b('1234567\n'));
      expect((await r.readLine()).toString()).to.equal('1234567\n');
      r.feedData(b('12345678\n'));
      expect(await rejection(r.readLine())).to.be.instanceOf(LimitOverrunError);
      r.feedData(b('12345678'));
      expect(await rejection(r.readLine())).to.be.instanceOf(LimitOverrunError);
      expect(await rest(r)).to.equal('');
    });

    it('throws a stored exception even with a line buffered', async () => {
      const r = new StreamReader();
      r.feedData(b('line\n'));
      expect((await r.readLine()).toString()).to.equal('line\n');
      r.feedData(b('next\n'));
      const boom = new Error('boom');
      r.setException(boom);
      expect(await rejection(r.readLine())).to.equal(boom);
    });

    it('gives the same lines whatever the chunk boundaries', async () => {
      const text = 'alpha\nbeta\n\ngamma delta\nend';
      for (const size of [1, 2, 3, 5, 7, 100]) {
        const r = new StreamReader();
        const lines: string[] = [];
        const done = (async () => {
          for await (const line of r) lines.push(line.toString());
        })();
        for (let i = 0; i < text.length; i += size) {
          r.feedData(b(text.slice(i, i + size)));
          await settled(done);
        }
        r.feedEof();
        await done;
        expect(lines, `chunk size ${size}`).to.deep.equal(['alpha\n', 'beta\n', '\n', 'gamma delta\n', 'end']);
      }
    });
  });

  describe('atEof', () => {
    it('is true only after feedEof and once the buffer is empty', async () => {
      const r = new StreamReader();
      r.feedData(b('some data\n'));
      expect(r.atEof()).to.equal(false);
      await r.readLine();
      expect(r.atEof()).to.equal(false);
      r.feedData(b('some data\n'));
      r.feedEof();
      expect(r.atEof()).to.equal(false);
      await r.readLine();
      expect(r.atEof()).to.equal(true);
    });
  });

  describe('readUntil', () => {
    it('rejects an empty separator or an empty list with a RangeError', async () => {
      const r = new StreamReader();
      expect(await rejection(r.readUntil(''))).to.be.instanceOf(RangeError);
      expect(await rejection(r.readUntil([]))).to.be.instanceOf(RangeError);
      expect(await rejection(r.readUntil(['a', '']))).to.be.instanceOf(RangeError);
    });

    it('reads up to and including a multi-byte separator', async () => {
      const r = new StreamReader();
      r.feedData(b('lineAAA'));
      expect((await r.readUntil('AAA')).toString()).to.equal('lineAAA');
      r.feedData(b('lineAAAxxx'));
      expect((await r.readUntil(Buffer.from('AAA'))).toString()).to.equal('lineAAA');
      expect(await rest(r)).to.equal('xxx');
    });

    it('finds a separator split across chunks', async () => {
      const cases: Array<[string[], string]> = [
        [['QWEaa', 'XYaa', 'a'], 'QWEaaXYaaa'],
        [['QWEaa', 'XYa', 'aa'], 'QWEaaXYaaa'],
        [['aaa'], 'aaa'],
        [['Xaaa'], 'Xaaa'],
        [['XXX', 'a', 'a', 'a'], 'XXXaaa'],
      ];
      for (const [chunks, want] of cases) {
        const r = new StreamReader();
        for (const c of chunks) r.feedData(b(c));
        expect((await r.readUntil('aaa')).toString()).to.equal(want);
        expect(await rest(r)).to.equal('');
      }
    });

    it('finds a separator split across chunks while waiting', async () => {
      const r = new StreamReader();
      const p = r.readUntil('\r\n');
      r.feedData(b('abc\r'));
      expect(await settled(p)).to.equal('pending');
      r.feedData(b('\ndef'));
      expect((await p).toString()).to.equal('abc\r\n');
      expect(await rest(r)).to.equal('def');
    });

    it('throws IncompleteReadError with the partial data at EOF', async () => {
      const r = new StreamReader();
      r.feedData(b('some dataAA'));
      r.feedEof();
      const err = await rejection(r.readUntil('AAA'));
      expect(err).to.be.instanceOf(IncompleteReadError);
      expect((err as IncompleteReadError).partial.toString()).to.equal('some dataAA');
      expect((err as IncompleteReadError).expected).to.equal(null);
      expect((err as IncompleteReadError).code).to.equal('ERR_INCOMPLETE_READ');
      expect(await rest(r)).to.equal('');
    });

    it('throws LimitOverrunError and leaves the buffer untouched', async () => {
      const r = new StreamReader({ limit: 3 });
      r.feedData(b('some dataAA'));
      const e1 = await rejection(r.readUntil('AAA'));
      expect(e1).to.be.instanceOf(LimitOverrunError);
      expect((e1 as LimitOverrunError).code).to.equal('ERR_LIMIT_OVERRUN');
      expect((e1 as LimitOverrunError).consumed).to.equal(9);
      r.feedData(b('A'));
      const e2 = await rejection(r.readUntil('AAA'));
      expect(e2).to.be.instanceOf(LimitOverrunError);
      expect((e2 as LimitOverrunError).consumed).to.equal(9);
      expect(await rest(r)).to.equal('some dataAAA');
    });

    it('with several separators, the one that ends first wins', async () => {
      const r = new StreamReader();
      r.feedData(b('aXXbYc'));
      expect((await r.readUntil(['Y', 'XX'])).toString()).to.equal('aXX');
      expect((await r.readUntil(['c', 'Y'])).toString()).to.equal('bY');
      r.feedData(b('x\r\ny\n'));
      expect((await r.readUntil(['\r\n', '\n'])).toString()).to.equal('cx\r\n');
      expect((await r.readUntil(['\r\n', '\n'])).toString()).to.equal('y\n');
    });

    it('with several separators, a shorter one that ends earlier beats a longer one that starts earlier', async () => {
      const r = new StreamReader();
      r.feedData(b('ab---c!'));
      expect((await r.readUntil(['b---c', '-'])).toString()).to.equal('ab-');
    });

    it('with several separators, waits for the rest of a split one', async () => {
      const r = new StreamReader();
      const p = r.readUntil(['END', '\n\n']);
      r.feedData(b('dataEN'));
      expect(await settled(p)).to.equal('pending');
      r.feedData(b('D'));
      expect((await p).toString()).to.equal('dataEND');
    });

    it('with several separators, applies the limit and IncompleteReadError the same way', async () => {
      const r = new StreamReader({ limit: 3 });
      r.feedData(b('abcdefg'));
      expect(await rejection(r.readUntil(['x', 'yz']))).to.be.instanceOf(LimitOverrunError);
      expect((await r.read(6)).toString()).to.equal('abcdef'); // skip the overlong data
      r.feedEof();
      const err = await rejection(r.readUntil(['x', 'yz']));
      expect((err as IncompleteReadError).partial.toString()).to.equal('g');
    });
  });

  describe('readExactly', () => {
    it('n = 0 returns an empty Buffer; n < 0 is a RangeError; the buffer stays', async () => {
      const r = new StreamReader();
      r.feedData(DATA);
      expect((await r.readExactly(0)).length).to.equal(0);
      expect(await rejection(r.readExactly(-1))).to.be.instanceOf(RangeError);
      expect(await rest(r)).to.equal(DATA.toString());
    });

    it('waits until n bytes are there', async () => {
      const r = new StreamReader();
      const n = 2 * DATA.length;
      const p = r.readExactly(n);
      r.feedData(DATA);
      expect(await settled(p)).to.equal('pending');
      r.feedData(DATA);
      r.feedData(DATA);
      expect((await p).toString()).to.equal(DATA.toString() + DATA.toString());
      expect(await rest(r)).to.equal(DATA.toString());
    });

    it('ignores the limit', async () => {
      const r = new StreamReader({ limit: 3 });
      r.feedData(b('chunk'));
      expect((await r.readExactly(5)).toString()).to.equal('chunk');
    });

    it('throws IncompleteReadError with partial and expected at EOF', async () => {
      const r = new StreamReader();
      const n = 2 * DATA.length;
      const p = r.readExactly(n);
      r.feedData(DATA);
      r.feedEof();
      const err = (await rejection(p)) as IncompleteReadError;
      expect(err).to.be.instanceOf(IncompleteReadError);
      expect(err.partial.toString()).to.equal(DATA.toString());
      expect(err.expected).to.equal(n);
      expect(err.message).to.match(/18 bytes.*36 bytes/);
      expect(await rest(r)).to.equal('');
    });

    it('throws a stored exception before buffered data', async () => {
      const r = new StreamReader();
      r.feedData(b('line\n'));
      expect((await r.readExactly(2)).toString()).to.equal('li');
      const boom = new Error('boom');
      r.setException(boom);
      expect(await rejection(r.readExactly(2))).to.equal(boom);
    });
  });

  describe('exceptions', () => {
    it('exception() returns what setException stored', () => {
      const r = new StreamReader();
      expect(r.exception()).to.equal(null);
      const boom = new Error('boom');
      r.setException(boom);
      expect(r.exception()).to.equal(boom);
    });

    it('setException rejects a waiting read', async () => {
      const r = new StreamReader();
      const p = r.readLine();
      const boom = new Error('boom');
      r.setException(boom);
      expect(await rejection(p)).to.equal(boom);
    });
  });

  describe('concurrency', () => {
    it('rejects a second read at once while one is waiting', async () => {
      const r = new StreamReader();
      const first = r.readLine();
      for (const second of [r.read(1), r.readLine(), r.readExactly(1), r.readUntil('x'), r.read()]) {
        expect(await rejection(second)).to.be.instanceOf(ConcurrentReadError);
      }
      r.feedData(b('ok\n'));
      expect((await first).toString()).to.equal('ok\n');
      r.feedData(b('again\n'));
      expect((await r.readLine()).toString()).to.equal('again\n');
    });

    it('rejects a second read between the wake-up and the first read returning', async () => {
      const r = new StreamReader();
      const first = r.readLine();
      r.feedData(b('one\ntwo\n'));
      const second = r.readLine();
      expect(await rejection(second)).to.be.instanceOf(ConcurrentReadError);
      expect((await first).toString()).to.equal('one\n');
    });
  });

  describe('abort signals', () => {
    it('rejects a waiting read with AbortError and consumes nothing', async () => {
      const r = new StreamReader();
      r.feedData(b('part'));
      const ac = new AbortController();
      const p = r.readLine({ signal: ac.signal });
      ac.abort(new Error('enough'));
      const err = await rejection(p);
      expect(err).to.be.instanceOf(AbortError);
      expect(err.name).to.equal('AbortError');
      expect((err as AbortError).code).to.equal('ABORT_ERR');
      expect((err.cause as Error).message).to.equal('enough');
      r.feedData(b('ial\n'));
      expect((await r.readLine()).toString()).to.equal('partial\n');
    });

    it('rejects at once when the signal is already aborted', async () => {
      const r = new StreamReader();
      r.feedData(b('x'));
      const err = await rejection(r.read(1, { signal: AbortSignal.abort() }));
      expect(err).to.be.instanceOf(AbortError);
      expect((await r.read(1)).toString()).to.equal('x');
    });

    it('rejects a read aborted between the data that woke it and its next wait', async () => {
      // The data wakes the read (its listener is removed), the signal aborts before the read
      // looks at the bytes, and the bytes are not enough: the read must not wait forever.
      for (const start of [
        (r: StreamReader, signal: AbortSignal) => r.readLine({ signal }),
        (r: StreamReader, signal: AbortSignal) => r.readExactly(4, { signal }),
        (r: StreamReader, signal: AbortSignal) => r.readUntil('\r\n', { signal }),
      ]) {
        const r = new StreamReader();
        const ac = new AbortController();
        const p = start(r, ac.signal);
        r.feedData(b('ab'));
        ac.abort();
        expect(await rejection(p)).to.be.instanceOf(AbortError);
        r.feedData(b('cd\r\n'));
        expect((await r.read(6)).toString()).to.equal('abcd\r\n');
      }
    });

    it('read(-1) aborted after taking some chunks puts them back, so the next read sees every byte', async () => {
      const r = new StreamReader();
      const ac = new AbortController();
      const p = r.read(-1, { signal: ac.signal });
      r.feedData(b('hello '));
      await settled(p);
      r.feedData(b('world'));
      await settled(p);
      ac.abort();
      expect(await rejection(p)).to.be.instanceOf(AbortError);
      r.feedData(b('!'));
      r.feedEof();
      expect((await r.read()).toString()).to.equal('hello world!');
    });

    it('stops listening to the signal once the read is done', async () => {
      const r = new StreamReader();
      const ac = new AbortController();
      const p = r.readExactly(2, { signal: ac.signal });
      r.feedData(b('ab'));
      expect((await p).toString()).to.equal('ab');
      ac.abort();
      const q = r.readExactly(1);
      r.feedData(b('c'));
      expect((await q).toString()).to.equal('c');
    });
  });

  describe('async iteration', () => {
    it('yields each line and stops at EOF', async () => {
      const r = new StreamReader();
      r.feedData(DATA);
      r.feedData(b('tail'));
      r.feedEof();
      const lines: string[] = [];
      for await (const line of r) lines.push(line.toString());
      expect(lines).to.deep.equal(['line1\n', 'line2\n', 'line3\n', 'tail']);
    });

    it('yields lines that arrive while it waits, in pieces, then the tail at EOF', async () => {
      const r = new StreamReader();
      const it = r[Symbol.asyncIterator]();
      const first = it.next();
      r.feedData(b('li'));
      expect(await settled(first)).to.equal('pending');
      r.feedData(b('ne1\nline2\nta'));
      expect(await first).to.deep.equal({ done: false, value: b('line1\n') });
      expect(await it.next()).to.deep.equal({ done: false, value: b('line2\n') });
      const tail = it.next();
      expect(await settled(tail)).to.equal('pending');
      r.feedData(b('il'));
      r.feedEof();
      expect(await tail).to.deep.equal({ done: false, value: b('tail') });
      expect((await it.next()).done).to.equal(true);
    });

    it('ends when EOF arrives while it waits with nothing buffered', async () => {
      const r = new StreamReader();
      const next = r[Symbol.asyncIterator]().next();
      expect(await settled(next)).to.equal('pending');
      r.feedEof();
      expect((await next).done).to.equal(true);
    });

    it('throws the stored exception that arrives while it waits', async () => {
      const r = new StreamReader();
      r.feedData(b('half a line'));
      const boom = new Error('boom');
      const lines: string[] = [];
      const loop = (async () => {
        for await (const line of r) lines.push(line.toString());
      })();
      expect(await settled(loop)).to.equal('pending');
      r.setException(boom);
      expect(await rejection(loop)).to.equal(boom);
      expect(lines).to.deep.equal([]);
    });

    it('discards a line that outgrows the limit while it waits, then goes on with the next', async () => {
      const r = new StreamReader({ limit: 8 });
      const it = r[Symbol.asyncIterator]();
      const next = it.next();
      r.feedData(b('12345'));
      expect(await settled(next)).to.equal('pending');
      r.feedData(b('6789abc\nok\n'));
      const err = await rejection(next);
      expect(err).to.be.instanceOf(LimitOverrunError);
      expect((err as LimitOverrunError).consumed).to.equal(12);
      expect(await it.next()).to.deep.equal({ done: false, value: b('ok\n') });
    });

    it('rejects a readLine() while it waits, and still gets the line', async () => {
      const r = new StreamReader();
      const next = r[Symbol.asyncIterator]().next();
      expect(await rejection(r.readLine())).to.be.instanceOf(ConcurrentReadError);
      r.feedData(b('mine\nyours\n'));
      expect(await next).to.deep.equal({ done: false, value: b('mine\n') });
      expect((await r.readLine()).toString()).to.equal('yours\n');
    });

    it('lets readLine() and the iterator take turns on one reader', async () => {
      const r = new StreamReader();
      const it = r[Symbol.asyncIterator]();
      const p = r.readLine();
      r.feedData(b('a\n'));
      expect((await p).toString()).to.equal('a\n');
      const q = it.next();
      r.feedData(b('b\nc'));
      expect(await q).to.deep.equal({ done: false, value: b('b\n') });
      const s = r.readLine();
      r.feedData(b('\n'));
      expect((await s).toString()).to.equal('c\n');
    });
  });

  // A chunk of 1 KiB or more that arrives behind buffered bytes is kept as it came: line reads
  // copy only the line that straddles the two, other reads see one contiguous buffer.
  describe('a big chunk behind buffered bytes', () => {
    const big = (n: number, at = -1): Buffer => {
      const buf = Buffer.alloc(n, 0x63);
      if (at >= 0) buf[at] = 0x0a;
      return buf;
    };

    it('readLine joins the line that straddles it and keeps the rest', async () => {
      const r = new StreamReader();
      r.feedData(b('x\nab'));
      const chunk = Buffer.concat([big(1500, 1499), b('next\nmore')]);
      r.feedData(chunk);
      expect((await r.readLine()).toString()).to.equal('x\n');
      const line = await r.readLine();
      expect(line.length).to.equal(1502);
      expect(line.subarray(0, 2).toString()).to.equal('ab');
      expect(line[1501]).to.equal(0x0a);
      expect((await r.readLine()).toString()).to.equal('next\n');
      expect(await rest(r)).to.equal('more');
    });

    it('the iterator gets the straddling line while it waits', async () => {
      const r = new StreamReader();
      const it = r[Symbol.asyncIterator]();
      r.feedData(b('ab'));
      const next = it.next();
      r.feedData(big(1200, 1000));
      expect((await next).value!.length).to.equal(1003);
      r.feedEof();
      expect((await it.next()).value!.length).to.equal(199);
      expect((await it.next()).done).to.equal(true);
    });

    it('read(n), read(), readExactly and readUntil see the bytes behind as well', async () => {
      const r = new StreamReader();
      r.feedData(b('ab'));
      r.feedData(big(2000));
      expect((await r.read(1500)).length).to.equal(1500);
      expect((await r.read(1000)).length).to.equal(502);
      r.feedData(b('ab'));
      r.feedData(Buffer.concat([big(1100), b('\r\nz')]));
      expect((await r.readExactly(1050)).length).to.equal(1050);
      r.feedData(big(1500));
      expect((await r.readUntil('\r\n')).length).to.equal(54);
      r.feedData(big(1024));
      r.feedEof();
      expect((await r.read()).length).to.equal(1 + 1500 + 1024);
    });

    it('an incomplete readExactly at EOF gets every byte, the chunk behind included', async () => {
      const r = new StreamReader();
      r.feedData(b('ab'));
      r.feedData(big(2000));
      r.feedEof();
      const err = await rejection(r.readExactly(5000));
      expect(err).to.be.instanceOf(IncompleteReadError);
      expect((err as IncompleteReadError).partial.length).to.equal(2002);
      expect(r.atEof()).to.equal(true);
    });

    it('a straddling line past the limit is discarded through its newline', async () => {
      const r = new StreamReader({ limit: 1000 });
      r.feedData(b('ab'));
      r.feedData(Buffer.concat([big(1200, 1199), b('ok\n')]));
      const err = await rejection(r.readLine());
      expect(err).to.be.instanceOf(LimitOverrunError);
      expect((err as LimitOverrunError).consumed).to.equal(1201);
      expect((await r.readLine()).toString()).to.equal('ok\n');
    });

    it('counts the bytes behind for flow control', async () => {
      const r = new StreamReader({ limit: 1024 });
      const t = new RecordingProducer();
      r.setTransport(t);
      r.feedData(b('ab'));
      const chunk = big(2100, 500);
      chunk[1300] = 0x0a;
      r.feedData(chunk); // 2102 bytes buffered
      expect(t.events).to.deep.equal(['pause']);
      expect((await r.readLine()).length).to.equal(503); // 1599 left
      expect(t.events).to.deep.equal(['pause']);
      expect((await r.readLine()).length).to.equal(800); // 799 left
      expect(t.events).to.deep.equal(['pause', 'resume']);
    });
  });

  describe('flow control', () => {
    it('pauses above 2×limit and resumes when reads bring it down to the limit', async () => {
      const r = new StreamReader({ limit: 4 });
      const t = new RecordingProducer();
      r.setTransport(t);
      r.feedData(b('12345678'));
      expect(t.events).to.deep.equal([]);
      r.feedData(b('9'));
      expect(t.events).to.deep.equal(['pause']);
      r.feedData(b('abc'));
      expect(t.events).to.deep.equal(['pause']);
      await r.read(7); // 5 left: above the limit
      expect(t.events).to.deep.equal(['pause']);
      await r.read(1); // 4 left
      expect(t.events).to.deep.equal(['pause', 'resume']);
    });

    it('a read that must wait resumes the transport, so readExactly(n > 2×limit) completes', async () => {
      const r = new StreamReader({ limit: 2 });
      const t = new RecordingProducer();
      r.setTransport(t);
      const p = r.readExactly(10);
      for (const c of ['abc', 'def', 'ghi', 'j']) r.feedData(b(c));
      expect((await p).toString()).to.equal('abcdefghij');
      // Each wait after a pause resumed the transport.
      expect(t.events.filter((e) => e === 'pause').length).to.equal(t.events.filter((e) => e === 'resume').length);
    });

    it('keeps memory bounded against a peer that never sends a newline', async () => {
      const r = new StreamReader({ limit: 16 });
      const p = r.readLine();
      for (let i = 0; i < 10 && (await settled(p)) === 'pending'; i++) r.feedData(Buffer.alloc(8, 0x61));
      expect(await rejection(p)).to.be.instanceOf(LimitOverrunError);
    });
  });

  describe('memory', () => {
    it('never changes a Buffer it returned when more data arrives', async () => {
      const r = new StreamReader();
      r.feedData(b('ab'));
      r.feedData(b('c\nde'));
      const line = await r.readLine();
      r.feedData(b('fghijklmnop\n'));
      expect(line.toString()).to.equal('abc\n');
      expect((await r.readLine()).toString()).to.equal('defghijklmnop\n');
      expect(line.toString()).to.equal('abc\n');
    });

    it('never changes a line that filled its buffer exactly when more data arrives', async () => {
      const r = new StreamReader();
      r.feedData(b('ab'));
      r.feedData(b('c\n')); // joined into a buffer of exactly 4 bytes, then read whole
      const line = await r.readLine();
      r.feedData(b('x'));
      r.feedData(b('yz\n'));
      expect((await r.readLine()).toString()).to.equal('xyz\n');
      expect(line.toString()).to.equal('abc\n');
    });

    it('reads a long line fed one byte at a time in linear time', async () => {
      const r = new StreamReader({ limit: 1 << 20 });
      const n = 200_000;
      const byte = Buffer.from('x');
      const started = process.hrtime.bigint();
      for (let i = 0; i < n; i++) r.feedData(byte);
      r.feedData(b('\n'));
      const line = await r.readLine();
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      expect(line.length).to.equal(n + 1);
      expect(ms).to.be.below(2000);
    });
  });
});
