import { expect } from 'chai';
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { setLogObserver, TorsionRangeError, TorsionTypeError } from '@torsion/reactor';
import type { LogEvent } from '@torsion/reactor';
import { LineReceiver, LineTooLongError } from '@torsion/protocols';
import { chunksOf, everySplit, feedChunks, splitAt, StringTransport } from '@torsion/reactor/testing';

class Lines extends LineReceiver {
  lines: string[] = [];
  kept: Buffer[] = [];
  override lineReceived(line: Buffer): void {
    this.lines.push(line.toString('latin1'));
    this.kept.push(line);
  }
}

/** Keeps the connection on over-long lines, recording them. */
class Tolerant extends Lines {
  exceeded: string[] = [];
  override lineLengthExceeded(line: Buffer): void {
    this.exceeded.push(line.toString('latin1'));
  }
}

function connected<P extends LineReceiver>(p: P): { p: P; t: StringTransport } {
  const t = new StringTransport();
  t.connect(p);
  return { p, t };
}

function feed(p: LineReceiver, ...chunks: string[]): void {
  for (const c of chunks) p.dataReceived(Buffer.from(c, 'latin1'));
}

function quietLog(): { events: LogEvent[]; restore: () => void } {
  const events: LogEvent[] = [];
  const previous = setLogObserver((e) => events.push(e));
  return { events, restore: () => setLogObserver(previous) };
}

describe('LineReceiver', () => {
  describe('splitting', () => {
    it('delivers each CRLF line without its delimiter and holds the unterminated tail', () => {
      const { p } = connected(new Lines());
      feed(p, 'one\r\ntwo\r\n\r\nthr');
      expect(p.lines).to.deep.equal(['one', 'two', '']);
      feed(p, 'ee\r\n');
      expect(p.lines).to.deep.equal(['one', 'two', '', 'three']);
    });

    it('yields the same lines for every split of the input', () => {
      const input = Buffer.from('ab\r\n\r\nc\rd\r\r\ne\r', 'latin1');
      for (const chunks of everySplit(input)) {
        const { p } = connected(new Lines());
        feedChunks(p, chunks);
        expect(p.lines).to.deep.equal(['ab', '', 'c\rd\r']);
      }
    });

    it('finds a delimiter split in two across chunks', () => {
      const { p } = connected(new Lines());
      feed(p, 'hello\r', '\nworld\r', '\n');
      expect(p.lines).to.deep.equal(['hello', 'world']);
    });

    it('keeps a lone trailing \\r that is not followed by \\n as part of the line', () => {
      const { p } = connected(new Lines());
      feed(p, 'a\r', 'b\r', '\r', '\n');
      expect(p.lines).to.deep.equal(['a\rb\r']);
    });

    it('works one byte at a time, and for a line spanning many chunks', () => {
      const text = 'first line\r\nsecond\r\n' + 'x'.repeat(5000) + '\r\n';
      const { p } = connected(new Lines());
      feedChunks(p, chunksOf(Buffer.from(text), 1));
      expect(p.lines).to.deep.equal(['first line', 'second', 'x'.repeat(5000)]);
    });

    it('takes a custom delimiter from a subclass field, as a Buffer or a multi-byte string', () => {
      class Nl extends Lines {
        override delimiter = Buffer.from('\n');
      }
      class Pipes extends Lines {
        override delimiter = '||';
      }
      const a = connected(new Nl()).p;
      feed(a, 'x\r\ny\n', 'z');
      expect(a.lines).to.deep.equal(['x\r', 'y']);
      const b = connected(new Pipes()).p;
      feed(b, 'a|b||c|', '|d||');
      expect(b.lines).to.deep.equal(['a|b', 'c', 'd']);
    });

    it('reads the delimiter when it is used: a change inside lineReceived applies to the rest of the chunk', () => {
      class Switch extends Lines {
        override lineReceived(line: Buffer): void {
          super.lineReceived(line);
          if (line.toString() === 'switch') this.delimiter = ';';
        }
      }
      const { p } = connected(new Switch());
      feed(p, 'a\r\nswitch\r\nb;c;d\r\n;');
      expect(p.lines).to.deep.equal(['a', 'switch', 'b', 'c', 'd\r\n']);
    });

    it('rescans a waiting partial line when the delimiter changes between chunks', () => {
      const { p } = connected(new Lines());
      feed(p, 'a;b;c');
      p.delimiter = ';';
      feed(p, ';');
      expect(p.lines).to.deep.equal(['a', 'b', 'c']);
    });

    it('hands out lines the receiver may keep: later input never changes them', () => {
      const { p } = connected(new Lines());
      feed(p, 'aaaa', 'bbbb', 'cc\r\nd', 'ddd', 'ee\r\nff\r\n');
      feed(p, 'XXXXXXXX', 'YYYYYYYY', '\r\n');
      expect(p.kept.map((b) => b.toString())).to.deep.equal(['aaaabbbbcc', 'ddddee', 'ff', 'XXXXXXXXYYYYYYYY']);
    });

    it('hands out real Buffers: same prototype as Buffer.from, equal to one under deepStrictEqual', () => {
      const { p } = connected(new Lines());
      const chunk = Buffer.from('xxab\r\ncd\r\n', 'latin1').subarray(2);
      p.dataReceived(chunk);
      const [first, second] = p.kept;
      assert.ok(Buffer.isBuffer(first) && Buffer.isBuffer(second));
      assert.strictEqual(Object.getPrototypeOf(first), Buffer.prototype);
      assert.deepStrictEqual(p.kept, [Buffer.from('ab'), Buffer.from('cd')]);
      // A line in one chunk is a view of it (no copy), at the right offset.
      assert.strictEqual(first!.buffer, chunk.buffer);
      assert.strictEqual(first!.byteOffset, chunk.byteOffset);
      assert.strictEqual(second!.byteOffset, chunk.byteOffset + 4);
    });

    it('parses a 10 MiB line arriving in 1 KiB chunks in linear time', function () {
      this.timeout(20000);
      class Big extends LineReceiver {
        override MAX_LENGTH = 16 * 1024 * 1024;
        got = -1;
        override lineReceived(line: Buffer): void {
          this.got = line.length;
        }
      }
      const { p } = connected(new Big());
      const chunk = Buffer.alloc(1024, 0x61);
      const started = process.hrtime.bigint();
      for (let i = 0; i < 10 * 1024; i++) p.dataReceived(chunk);
      p.dataReceived(Buffer.from('\r\n'));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      expect(p.got).to.equal(10 * 1024 * 1024);
      // A re-scan or re-copy per chunk would cost ~50 GB of work here: minutes, not seconds.
      expect(seconds).to.be.below(5);
    });
  });

  describe('configuration', () => {
    it('rejects an empty delimiter with a RangeError when first used', () => {
      class Empty extends Lines {
        override delimiter = '';
      }
      const { p } = connected(new Empty());
      expect(() => feed(p, 'a')).to.throw(RangeError, /delimiter is empty/);
      expect(() => p.sendLine('a')).to.throw(TorsionRangeError);
    });

    it('rejects a delimiter that is not bytes with a TypeError', () => {
      class Bad extends Lines {
        override delimiter = 10 as unknown as string;
      }
      const { p } = connected(new Bad());
      expect(() => feed(p, 'a')).to.throw(TorsionTypeError, /Bad.delimiter must be a Buffer or a string/);
    });

    it('rejects a negative, fractional or non-number MAX_LENGTH', () => {
      for (const [value, type] of [[-1, RangeError], [1.5, RangeError], [Infinity, RangeError], ['10', TypeError]] as const) {
        class Bad extends Lines {
          override MAX_LENGTH = value as number;
        }
        const { p } = connected(new Bad());
        expect(() => feed(p, 'a\r\n')).to.throw(type, /MAX_LENGTH/);
      }
    });
  });

  describe('sendLine', () => {
    it('writes the line and the delimiter as one write: a string in one write(), bytes in one writeSequence()', () => {
      class Nl extends LineReceiver {
        override delimiter = '\n';
      }
      const { p, t } = connected(new Nl());
      const write = sinon.spy(t, 'write');
      const writeSequence = sinon.spy(t, 'writeSequence');
      p.sendLine('héllo');
      expect(write.callCount).to.equal(1);
      const bytes = new Uint8Array([1, 2]);
      p.sendLine(bytes);
      expect(writeSequence.callCount).to.equal(1);
      // The bytes are handed over as they are, not copied (as with transport.write).
      const parts = [...(writeSequence.firstCall.args[0] as Iterable<Uint8Array>)];
      expect(parts).to.have.length(2);
      expect(parts[0]).to.equal(bytes);
      expect(Buffer.from(parts[1]!).toString()).to.equal('\n');
      expect(t.value()).to.deep.equal(Buffer.concat([Buffer.from('héllo\n'), Buffer.from([1, 2, 10])]));
    });

    it('echoes a line just received as one view of the received bytes, and falls back whenever that would be wrong', () => {
      const kept: Buffer[] = [];
      class EchoLines extends LineReceiver {
        override lineReceived(line: Buffer): void {
          kept.push(line);
          if (line.toString() === 'switch') this.delimiter = '\n';
          this.sendLine(line);
          if (kept.length === 3) this.sendLine(kept[0]!); // an earlier line: framed afresh
        }
      }
      const { p, t } = connected(new EchoLines());
      const write = sinon.spy(t, 'write');
      const chunk = Buffer.from('one\r\ntwo\r\nthree\r\nswitch\r\nfour\n', 'latin1');
      p.dataReceived(chunk);
      // 'one' and 'two': one write each, a view of the chunk itself (line + its CRLF).
      const first = write.firstCall.args[0] as Buffer;
      expect(first.buffer).to.equal(chunk.buffer);
      expect(first.toString()).to.equal('one\r\n');
      // After the scan, a kept line is framed with the delimiter in force.
      p.sendLine(kept[1]!);
      expect(t.value().toString('latin1')).to.equal('one\r\ntwo\r\nthree\r\none\r\nswitch\nfour\ntwo\n');
    });

    it('echoes an earlier line correctly when several queued chunks are parsed in one go', () => {
      let previous: Buffer | null = null;
      class EchoPrevious extends LineReceiver {
        override lineReceived(line: Buffer): void {
          if (previous !== null) this.sendLine(previous);
          previous = line;
        }
      }
      const { p, t } = connected(new EchoPrevious());
      p.pauseProducing();
      // Three chunks of their own, parsed one after the other once resumed; the second line
      // straddles the last two.
      for (const c of ['one\r\n', 'xyzxyzxyz', 'o\r\n']) {
        const own = Buffer.alloc(c.length); // memory of its own, not a slice of Node's pool
        own.write(c, 'latin1');
        p.dataReceived(own);
      }
      p.resumeProducing();
      expect(t.value().toString('latin1')).to.equal('one\r\n');
    });

    it('sends one line to many connections as the same bytes, whatever their delimiters', () => {
      class Nl extends LineReceiver {
        override delimiter = '\n';
      }
      const line = Buffer.from('broadcast');
      const pairs = [connected(new Nl()), connected(new Nl()), connected(new LineReceiver()), connected(new Nl())];
      for (const { p } of pairs) p.sendLine(line);
      expect(pairs.map(({ t }) => t.value().toString())).to.deep.equal([
        'broadcast\n',
        'broadcast\n',
        'broadcast\r\n',
        'broadcast\n',
      ]);
    });
  });

  describe('MAX_LENGTH', () => {
    class Small extends Tolerant {
      override MAX_LENGTH = 8;
    }

    it('accepts a line of exactly MAX_LENGTH bytes whose delimiter is split across chunks', () => {
      const { p } = connected(new Small());
      feed(p, '12345678\r', '\n');
      feed(p, '12345678', '\r', '\n');
      expect(p.lines).to.deep.equal(['12345678', '12345678']);
      expect(p.exceeded).to.deep.equal([]);
    });

    it('reports a longer line at once, without waiting for its delimiter', () => {
      const { p } = connected(new Small());
      feed(p, '1234', '56789');
      expect(p.exceeded).to.deep.equal(['123456789']);
    });

    it('reports MAX_LENGTH bytes followed by a byte that cannot start the delimiter', () => {
      const { p } = connected(new Small());
      feed(p, '12345678\r');
      expect(p.exceeded).to.deep.equal([]);
      feed(p, 'x');
      expect(p.exceeded).to.deep.equal(['12345678\rx']);
    });

    it('reports a complete over-long line and goes on with the next ones', () => {
      const { p } = connected(new Small());
      feed(p, 'ok\r\n123456789\r\nfine\r\n');
      expect(p.lines).to.deep.equal(['ok', 'fine']);
      expect(p.exceeded).to.deep.equal(['123456789']);
    });

    it('skips the rest of an over-long line up to its delimiter when the connection is kept', () => {
      const { p } = connected(new Small());
      feed(p, 'abcdefghij', 'klmn', 'op\r', '\nnext\r\n');
      expect(p.exceeded).to.deep.equal(['abcdefghij']);
      expect(p.lines).to.deep.equal(['next']);
    });

    it('by default logs a LineTooLongError and closes the connection, dropping the rest of the chunk', () => {
      const log = quietLog();
      try {
        class Limited extends Lines {
          override MAX_LENGTH = 4;
        }
        const { p, t } = connected(new Limited());
        feed(p, 'ok\r\ntoo long\r\nafter\r\n');
        feed(p, 'later\r\n');
        expect(p.lines).to.deep.equal(['ok']);
        expect(t.disconnecting).to.equal(true);
        expect(t.aborted).to.equal(false);
        expect(log.events).to.have.length(1);
        const error = log.events[0]!.error as LineTooLongError;
        expect(error).to.be.instanceOf(LineTooLongError);
        expect(error.code).to.equal('ERR_LINE_TOO_LONG');
        expect(error.maxLength).to.equal(4);
        expect(error.message).to.match(/raise MAX_LENGTH or override lineLengthExceeded/);
      } finally {
        log.restore();
      }
    });

    it('never holds more than MAX_LENGTH + delimiter length - 1 bytes for a partial line', () => {
      const { p } = connected(new Small());
      for (const c of chunksOf(Buffer.from('123456789012'), 1)) {
        p.dataReceived(c);
        if (p.exceeded.length > 0) break;
      }
      expect(p.exceeded).to.deep.equal(['123456789']);
      expect(p.clearLineBuffer().length).to.be.at.most(1);
    });
  });

  describe('clearLineBuffer', () => {
    it('returns the partial line and forgets it', () => {
      const { p } = connected(new Lines());
      feed(p, 'a\r\npart', 'ial');
      expect(p.clearLineBuffer().toString()).to.equal('partial');
      feed(p, 'x\r\n');
      expect(p.lines).to.deep.equal(['a', 'x']);
    });

    it('inside lineReceived returns the rest of the chunk, which is then not parsed', () => {
      let rest = '';
      class Clear extends Lines {
        override lineReceived(line: Buffer): void {
          super.lineReceived(line);
          if (line.toString() === 'stop') rest = this.clearLineBuffer().toString();
        }
      }
      const { p } = connected(new Clear());
      feed(p, 'a\r\nstop\r\nb\r\nc');
      expect(p.lines).to.deep.equal(['a', 'stop']);
      expect(rest).to.equal('b\r\nc');
    });
  });

  describe('closing from inside lineReceived', () => {
    for (const how of ['loseConnection', 'abortConnection'] as const) {
      it(`${how}() suppresses the rest of the chunk and later input`, () => {
        class Quit extends Lines {
          override lineReceived(line: Buffer): void {
            super.lineReceived(line);
            if (line.toString() === 'quit') this.transport[how]();
          }
        }
        const { p } = connected(new Quit());
        feed(p, 'a\r\nquit\r\nb\r\n', 'c\r\n');
        expect(p.lines).to.deep.equal(['a', 'quit']);
      });
    }
  });

  describe('async handlers', () => {
    it('returns from dataReceived a promise that rejects when an async lineReceived or rawDataReceived rejects', async () => {
      class Async extends LineReceiver {
        override async lineReceived(line: Buffer): Promise<void> {
          if (line.toString() === 'raw') this.setRawMode();
          else throw new Error(`line ${line.toString()}`);
        }
        override async rawDataReceived(): Promise<void> {
          throw new Error('raw');
        }
      }
      const { p } = connected(new Async());
      let caught: unknown;
      await (p.dataReceived(Buffer.from('a\r\n')) as unknown as Promise<void>).catch((e: unknown) => (caught = e));
      expect((caught as Error).message).to.equal('line a');
      caught = undefined;
      await (p.dataReceived(Buffer.from('raw\r\nxyz')) as unknown as Promise<void>).catch((e: unknown) => (caught = e));
      expect((caught as Error).message).to.equal('raw');
    });

    it('logs and aborts when a line delivered on resume (outside dataReceived) rejects', async () => {
      const { events, restore } = quietLog();
      try {
        class PauseThenFail extends LineReceiver {
          override async lineReceived(line: Buffer): Promise<void> {
            if (line.toString() === 'p') this.transport.pauseProducing();
            else throw new Error('late');
          }
        }
        const { p, t } = connected(new PauseThenFail());
        void p.dataReceived(Buffer.from('p\r\nx\r\n'));
        t.resumeProducing();
        await new Promise((r) => setImmediate(r));
        expect(t.aborted).to.equal(true);
        expect(events.filter((e) => e.level === 'error').map((e) => (e.error as Error).message)).to.deep.equal(['late']);
      } finally {
        restore();
      }
    });
  });

  describe('re-entrant input', () => {
    it('queues data received from inside lineReceived after the current chunk', () => {
      class Loop extends Lines {
        override lineReceived(line: Buffer): void {
          super.lineReceived(line);
          if (line.toString() === 'a') this.dataReceived(Buffer.from('inner\r\n'));
        }
      }
      const { p } = connected(new Loop());
      feed(p, 'a\r\nb\r\n');
      expect(p.lines).to.deep.equal(['a', 'b', 'inner']);
    });

    it('splits input the same way whatever the cut positions (sampled)', () => {
      const input = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\nbody\r\n');
      for (let i = 0; i < input.length; i++) {
        const { p } = connected(new Lines());
        feedChunks(p, splitAt(input, [i, i + 1, 2 * i]));
        expect(p.lines).to.deep.equal(['GET / HTTP/1.1', 'Host: x', '', 'body']);
      }
    });
  });
});
