import { expect } from 'chai';
import fc from 'fast-check';
import { StringTransport, everySplit, feedChunks, splitAt, chunksOf } from '@torsion/reactor/testing';
import { LengthLimitExceededError, NetstringParseError, NetstringReceiver, StringTooLongError } from '@torsion/protocols';

class Collector extends NetstringReceiver {
  readonly strings: string[] = [];
  readonly limits: number[] = [];
  readonly parseErrors: NetstringParseError[] = [];
  override stringReceived(data: Buffer): void {
    this.strings.push(data.toString('latin1'));
  }
  override lengthLimitExceeded(length: number): void {
    this.limits.push(length);
    super.lengthLimitExceeded(length);
  }
  override handleParseError(error: NetstringParseError): void {
    this.parseErrors.push(error);
    super.handleParseError(error);
  }
}

class CountingTransport extends StringTransport {
  writes = 0;
  override write(data: Uint8Array | string): void {
    this.writes += 1;
    super.write(data);
  }
}

function connected<P extends NetstringReceiver>(p: P): [P, CountingTransport] {
  const t = new CountingTransport();
  t.connect(p);
  return [p, t];
}

function run(chunks: Iterable<Buffer>, configure?: (p: Collector) => void): Collector {
  const [p] = connected(new Collector());
  configure?.(p);
  feedChunks(p, chunks);
  return p;
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('NetstringReceiver', () => {
  it('delivers each netstring of a chunk, the empty one included', () => {
    const p = run([b('3:abc,0:,5:hello,')]);
    expect(p.strings).to.deep.equal(['abc', '', 'hello']);
    expect(p.brokenPeer).to.equal(false);
  });

  it('gives the same strings for every split of the input', () => {
    const input = b('1:a,0:,3:b,c,');
    for (const chunks of everySplit(input)) {
      expect(run(chunks).strings).to.deep.equal(['a', '', 'b,c']);
    }
  });

  it('keeps binary payloads intact, colons and commas included', () => {
    const payload = Buffer.from([0, 0x3a, 0x2c, 0xff, 0x0d, 0x0a]);
    const [p] = connected(new (class extends NetstringReceiver {
      got: Buffer[] = [];
      override stringReceived(d: Buffer): void { this.got.push(d); }
    })());
    p.dataReceived(Buffer.concat([b('6:'), payload, b(',')]));
    expect(p.got).to.have.length(1);
    expect(p.got[0]!.equals(payload)).to.equal(true);
  });

  it('sends a netstring in one write', () => {
    const [p, t] = connected(new Collector());
    p.sendString('héllo');
    p.sendString(new Uint8Array([1, 2]));
    p.sendString('');
    expect(t.writes).to.equal(3);
    expect(t.value().equals(Buffer.concat([b('6:'), Buffer.from('héllo'), b(',2:\x01\x02,0:,')]))).to.equal(true);
  });

  it('refuses to send a string over MAX_LENGTH with StringTooLongError', () => {
    const [p, t] = connected(new Collector());
    p.MAX_LENGTH = 4;
    expect(() => p.sendString('12345')).to.throw(StringTooLongError).with.property('code', 'ERR_STRING_TOO_LONG');
    expect(t.value().length).to.equal(0);
    p.sendString('1234');
    expect(t.value().toString()).to.equal('4:1234,');
  });

  it('assembles a long string arriving in small chunks', () => {
    const payload = Buffer.alloc(1 << 20, 'x');
    const input = Buffer.concat([b(`${payload.length}:`), payload, b(',')]);
    const [p] = connected(new (class extends NetstringReceiver {
      got: Buffer[] = [];
      override MAX_LENGTH = 2 << 20;
      override stringReceived(d: Buffer): void { this.got.push(d); }
    })());
    feedChunks(p, chunksOf(input, 97));
    expect(p.got).to.have.length(1);
    expect(p.got[0]!.equals(payload)).to.equal(true);
  });

  describe('malformed input drops the connection and delivers nothing after it', () => {
    const cases: Array<[string, string]> = [
      ['a leading zero', '01:a,'],
      ['two zeros', '00:,'],
      ['junk before the colon', '3x:abc,'],
      ['a letter as length', 'a:'],
      ['an empty length', ':abc,'],
      ['a negative length', '-1:a,'],
      ['a space in the length', ' 3:abc,'],
      ['a missing comma', '3:abcX'],
      ['a newline instead of the comma', '3:abc\n'],
    ];
    for (const [what, bad] of cases) {
      it(`on ${what} (${JSON.stringify(bad)})`, () => {
        for (const chunks of [[b(`2:ok,${bad}1:z,`)], chunksOf(b(`2:ok,${bad}1:z,`), 1)]) {
          const [p, t] = connected(new Collector());
          for (const c of chunks) p.dataReceived(c);
          expect(p.strings).to.deep.equal(['ok']);
          expect(p.brokenPeer).to.equal(true);
          expect(p.parseError).to.be.instanceOf(NetstringParseError);
          expect(p.parseError?.code).to.equal('ERR_NETSTRING_PARSE');
          expect(p.parseErrors).to.deep.equal([p.parseError]);
          expect(t.disconnecting).to.equal(true);
        }
      });
    }

    it('accepts "0:," (a lone zero is not a leading zero)', () => {
      expect(run([b('0:,10:0123456789,')]).strings).to.deep.equal(['', '0123456789']);
    });

    it('detects an over-long length from its digits, before the colon arrives', () => {
      const [p, t] = connected(new Collector());
      p.dataReceived(b('2:ok,99999'));
      expect(p.limits).to.deep.equal([]);
      p.dataReceived(b('9'));
      expect(p.limits).to.deep.equal([999999]);
      expect(p.parseError).to.be.instanceOf(LengthLimitExceededError);
      expect(p.parseError?.code).to.equal('ERR_LENGTH_LIMIT');
      expect(t.disconnecting).to.equal(true);
      expect(p.strings).to.deep.equal(['ok']);
    });

    it('reads MAX_LENGTH from a subclass field', () => {
      class Small extends Collector {
        override MAX_LENGTH = 10;
      }
      const [p] = connected(new Small());
      p.dataReceived(b('10:0123456789,11'));
      expect(p.strings).to.deep.equal(['0123456789']);
      expect(p.limits).to.deep.equal([11]);
    });

    it('delivers nothing more even when the hooks keep the connection open', () => {
      class Lenient extends Collector {
        override handleParseError(error: NetstringParseError): void {
          this.parseErrors.push(error);
        }
      }
      const [p, t] = connected(new Lenient());
      p.dataReceived(b('1:a,1:bX'));
      p.dataReceived(b('1:c,'));
      expect(p.strings).to.deep.equal(['a']);
      expect(p.parseErrors).to.have.length(1);
      expect(t.disconnecting).to.equal(false);
    });
  });

  it('stops delivering buffered strings while the transport is paused, and resumes without new data', () => {
    const [p, t] = connected(new (class extends Collector {
      override stringReceived(data: Buffer): void {
        super.stringReceived(data);
        if (data.toString() === 'pause') this.transport.pauseProducing();
      }
    })());
    p.dataReceived(b('5:pause,1:a,1:'));
    expect(p.strings).to.deep.equal(['pause']);
    p.dataReceived(b('b,'));
    expect(p.strings).to.deep.equal(['pause']);
    t.resumeProducing();
    expect(p.strings).to.deep.equal(['pause', 'a', 'b']);
    p.dataReceived(b('5:pause,1:c,'));
    expect(p.strings).to.deep.equal(['pause', 'a', 'b', 'pause']);
    t.resumeProducing();
    expect(p.strings).to.deep.equal(['pause', 'a', 'b', 'pause', 'c']);
  });

  it('stops delivering once loseConnection() is called from stringReceived', () => {
    const [p] = connected(new (class extends Collector {
      override stringReceived(data: Buffer): void {
        super.stringReceived(data);
        this.transport.loseConnection();
      }
    })());
    p.dataReceived(b('1:a,1:b,'));
    p.dataReceived(b('1:c,'));
    expect(p.strings).to.deep.equal(['a']);
  });

  it('goes on after the string whose handler threw', () => {
    const [p] = connected(new (class extends Collector {
      override stringReceived(data: Buffer): void {
        super.stringReceived(data);
        if (data.toString() === 'boom') throw new Error('boom');
      }
    })());
    expect(() => p.dataReceived(b('4:boom,1:a,'))).to.throw('boom');
    p.dataReceived(b('1:b,'));
    expect(p.strings).to.deep.equal(['boom', 'a', 'b']);
  });

  it('returns a rejecting promise when an async stringReceived rejects', async () => {
    const [p] = connected(new (class extends NetstringReceiver {
      override async stringReceived(): Promise<void> {
        throw new Error('async boom');
      }
    })());
    const r = p.dataReceived(b('1:a,'));
    expect(r).to.be.instanceOf(Promise);
    let caught: unknown;
    await (r as Promise<void>).catch((e: unknown) => { caught = e; });
    expect((caught as Error).message).to.equal('async boom');
  });

  it('rejects a bad MAX_LENGTH with a RangeError or TypeError', () => {
    const [p] = connected(new Collector());
    p.MAX_LENGTH = -1;
    expect(() => p.dataReceived(b('1:a,'))).to.throw(RangeError, /MAX_LENGTH/);
    expect(() => p.sendString('a')).to.throw(RangeError, /MAX_LENGTH/);
    p.MAX_LENGTH = 1.5;
    expect(() => p.sendString('a')).to.throw(RangeError);
    (p as unknown as { MAX_LENGTH: unknown }).MAX_LENGTH = '10';
    expect(() => p.sendString('a')).to.throw(TypeError, /MAX_LENGTH/);
  });

  describe('properties', () => {
    const payloads = fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 });
    const cuts = fc.array(fc.nat({ max: 400 }), { maxLength: 12 });
    const encode = (ps: Uint8Array[]): Buffer => Buffer.concat(ps.map((x) => Buffer.concat([b(`${x.length}:`), x, b(',')])));
    const outcome = (chunks: Buffer[]): unknown => {
      const p = run(chunks, (c) => { c.MAX_LENGTH = 30; });
      return { strings: p.strings, broken: p.brokenPeer, code: p.parseError?.code, limits: p.limits };
    };

    it('any split of valid input yields the strings of the unsplit input', () => {
      fc.assert(fc.property(payloads, cuts, (ps, cs) => {
        const input = encode(ps);
        const p = run(splitAt(input, cs), (c) => { c.MAX_LENGTH = 100; });
        expect(p.strings).to.deep.equal(ps.map((x) => Buffer.from(x).toString('latin1')));
        expect(p.brokenPeer).to.equal(false);
      }));
    });

    it('any split of any bytes yields the outcome of the unsplit bytes, without throwing', () => {
      const bytes = fc.oneof(
        fc.uint8Array({ maxLength: 60 }),
        fc.tuple(payloads, fc.uint8Array({ maxLength: 10 }), payloads).map(([a, junk, c]) => Buffer.concat([encode(a), junk, encode(c)])),
      );
      fc.assert(fc.property(bytes, cuts, (input, cs) => {
        expect(outcome(splitAt(input, cs))).to.deep.equal(outcome([Buffer.from(input)]));
      }));
    });

    it('nothing is delivered once the peer is broken, even if the hooks keep the connection', () => {
      class Lenient extends Collector {
        override MAX_LENGTH = 30;
        override handleParseError(): void {}
        override lengthLimitExceeded(): void {}
      }
      fc.assert(fc.property(fc.uint8Array({ maxLength: 60 }), payloads, (junk, more) => {
        const [p] = connected(new Lenient());
        p.dataReceived(Buffer.from(junk));
        if (!p.brokenPeer) return;
        const before = p.strings.length;
        p.dataReceived(encode(more));
        expect(p.strings.length).to.equal(before);
      }));
    });
  });
});
