import { expect } from 'chai';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StringTransport, chunksOf, everySplit, feedChunks, splitAt } from '@torsion/reactor/testing';
import {
  Int16StringReceiver,
  Int32StringReceiver,
  Int8StringReceiver,
  IntNStringReceiver,
  LengthLimitExceededError,
  StringTooLongError,
} from '@torsion/protocols';

type Receiver = IntNStringReceiver & { strings: string[]; limits: number[] };
type ReceiverClass = typeof Int32StringReceiver;

function collecting(Base: ReceiverClass): new () => Receiver {
  return class extends Base {
    strings: string[] = [];
    limits: number[] = [];
    override stringReceived(data: Buffer): void {
      this.strings.push(data.toString('latin1'));
    }
    override lengthLimitExceeded(length: number): void {
      this.limits.push(length);
      super.lengthLimitExceeded(length);
    }
  } as unknown as new () => Receiver;
}

class CountingTransport extends StringTransport {
  writes = 0;
  override write(data: Uint8Array | string): void {
    this.writes += 1;
    super.write(data);
  }
}

function connected<P extends IntNStringReceiver>(p: P): [P, CountingTransport] {
  const t = new CountingTransport();
  t.connect(p);
  return [p, t];
}

function frame(n: number, payload: Uint8Array): Buffer {
  const head = Buffer.alloc(n);
  head.writeUIntBE(payload.length, 0, n);
  return Buffer.concat([head, payload]);
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

const kinds: Array<[string, ReceiverClass, number]> = [
  ['Int8StringReceiver', Int8StringReceiver, 1],
  ['Int16StringReceiver', Int16StringReceiver, 2],
  ['Int32StringReceiver', Int32StringReceiver, 4],
];

for (const [name, Base, n] of kinds) {
  const Collector = collecting(Base);

  describe(name, () => {
    it('has a big-endian prefix of the right width, sent with its payload in one write', () => {
      const [p, t] = connected(new Collector());
      p.sendString('ab');
      expect(t.writes).to.equal(1);
      const expected = Buffer.alloc(n + 2);
      expected[n - 1] = 2;
      expected.write('ab', n);
      expect(t.value().equals(expected)).to.equal(true);
    });

    it('round-trips what sendString sends, for every split of the input', () => {
      const [sender, t] = connected(new Collector());
      sender.sendString('a');
      sender.sendString('');
      sender.sendString(new Uint8Array([0xff, 0]));
      const wire = t.value();
      const splits = wire.length <= 16 ? [...everySplit(wire)] : [chunksOf(wire, 1), [wire]];
      for (const chunks of splits) {
        const [p] = connected(new Collector());
        feedChunks(p, chunks);
        expect(p.strings).to.deep.equal(['a', '', '\xff\x00']);
      }
    });

    it('refuses a string longer than MAX_LENGTH with StringTooLongError', () => {
      const [p, t] = connected(new Collector());
      p.MAX_LENGTH = 3;
      expect(() => p.sendString('abcd')).to.throw(StringTooLongError).with.property('code', 'ERR_STRING_TOO_LONG');
      expect(t.writes).to.equal(0);
    });

    it('drops the connection on a length over MAX_LENGTH and delivers nothing after it', () => {
      const [p, t] = connected(new Collector());
      p.MAX_LENGTH = 5;
      p.dataReceived(Buffer.concat([frame(n, b('12345')), frame(n, b('123456')), frame(n, b('x'))]));
      expect(p.strings).to.deep.equal(['12345']);
      expect(p.limits).to.deep.equal([6]);
      expect(p.brokenPeer).to.equal(true);
      expect(p.parseError).to.be.instanceOf(LengthLimitExceededError);
      expect(p.parseError?.code).to.equal('ERR_LENGTH_LIMIT');
      expect(t.disconnecting).to.equal(true);
    });
  });
}

describe('IntNStringReceiver', () => {
  const Int8 = collecting(Int8StringReceiver);
  const Int16 = collecting(Int16StringReceiver);
  const Int32 = collecting(Int32StringReceiver);

  it('refuses strings too long for the prefix with StringTooLongError', () => {
    const [p8] = connected(new Int8());
    expect(() => p8.sendString(Buffer.alloc(256))).to.throw(StringTooLongError, /8-bit length prefix/);
    p8.sendString(Buffer.alloc(255));
    const [p16, t16] = connected(new Int16());
    p16.MAX_LENGTH = 1 << 20;
    expect(() => p16.sendString('x'.repeat(65536))).to.throw(StringTooLongError, /16-bit length prefix/);
    expect(t16.writes).to.equal(0);
  });

  it('counts the UTF-8 bytes of a string, not its characters', () => {
    const [p, t] = connected(new Int32());
    p.sendString('é');
    expect([...t.value()]).to.deep.equal([0, 0, 0, 2, 0xc3, 0xa9]);
  });

  it('hands out real Buffers that view the received chunk at the right offset', () => {
    const kept: Buffer[] = [];
    class Keep extends Int32StringReceiver {
      override stringReceived(data: Buffer): void {
        kept.push(data);
      }
    }
    const [p] = connected(new Keep());
    const chunk = Buffer.concat([frame(4, b('ab')), frame(4, b('cde'))]);
    p.dataReceived(chunk);
    assert.deepStrictEqual(kept, [b('ab'), b('cde')]);
    assert.strictEqual(Object.getPrototypeOf(kept[0]), Buffer.prototype);
    assert.strictEqual(kept[1]!.buffer, chunk.buffer);
    assert.strictEqual(kept[1]!.byteOffset, chunk.byteOffset + 10);
  });

  it('uses the default MAX_LENGTH of 99999', () => {
    const [p, t] = connected(new Int32());
    expect(p.MAX_LENGTH).to.equal(99999);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(100000);
    p.dataReceived(head);
    expect(p.limits).to.deep.equal([100000]);
    expect(t.disconnecting).to.equal(true);
  });

  it('reads MAX_LENGTH from a subclass field', () => {
    class Big extends Int32StringReceiver {
      override MAX_LENGTH = 200000;
      got: Buffer[] = [];
      override stringReceived(d: Buffer): void { this.got.push(d); }
    }
    const [p] = connected(new Big());
    const payload = Buffer.alloc(150000, 7);
    feedChunks(p, chunksOf(frame(4, payload), 1000));
    expect(p.got).to.have.length(1);
    expect(p.got[0]!.equals(payload)).to.equal(true);
  });

  it('delivers nothing more after the length limit even when lengthLimitExceeded keeps the connection', () => {
    class Lenient extends Int16StringReceiver {
      override MAX_LENGTH = 2;
      strings: string[] = [];
      override stringReceived(d: Buffer): void { this.strings.push(d.toString()); }
      override lengthLimitExceeded(): void {}
    }
    const [p, t] = connected(new Lenient());
    p.dataReceived(Buffer.concat([frame(2, b('ok')), frame(2, b('big'))]));
    p.dataReceived(frame(2, b('no')));
    expect(p.strings).to.deep.equal(['ok']);
    expect(p.brokenPeer).to.equal(true);
    expect(t.disconnecting).to.equal(false);
  });

  it('stops delivering buffered strings while paused, and delivers them on resume without new data', () => {
    class Pausing extends Int8StringReceiver {
      strings: string[] = [];
      override stringReceived(d: Buffer): void {
        this.strings.push(d.toString());
        if (d.toString() === 'pause') this.transport.pauseProducing();
      }
    }
    const [p, t] = connected(new Pausing());
    p.dataReceived(Buffer.concat([frame(1, b('pause')), frame(1, b('a')), frame(1, b('b')).subarray(0, 1)]));
    expect(p.strings).to.deep.equal(['pause']);
    p.dataReceived(b('b'));
    expect(p.strings).to.deep.equal(['pause']);
    t.resumeProducing();
    expect(p.strings).to.deep.equal(['pause', 'a', 'b']);
    p.dataReceived(Buffer.concat([frame(1, b('pause')), frame(1, b('c'))]));
    expect(p.strings).to.deep.equal(['pause', 'a', 'b', 'pause']);
    t.resumeProducing();
    expect(p.strings).to.deep.equal(['pause', 'a', 'b', 'pause', 'c']);
  });

  it('tolerates a pause and resume from inside stringReceived', () => {
    class Flicker extends Int8StringReceiver {
      strings: string[] = [];
      override stringReceived(d: Buffer): void {
        this.strings.push(d.toString());
        this.transport.pauseProducing();
        this.transport.resumeProducing();
      }
    }
    const [p] = connected(new Flicker());
    p.dataReceived(Buffer.concat([frame(1, b('a')), frame(1, b('b')), frame(1, b('c'))]));
    expect(p.strings).to.deep.equal(['a', 'b', 'c']);
  });

  it('stops delivering once the transport is disconnecting', () => {
    class Closing extends Int8StringReceiver {
      strings: string[] = [];
      override stringReceived(d: Buffer): void {
        this.strings.push(d.toString());
        this.transport.loseConnection();
      }
    }
    const [p] = connected(new Closing());
    p.dataReceived(Buffer.concat([frame(1, b('a')), frame(1, b('b'))]));
    p.dataReceived(frame(1, b('c')));
    expect(p.strings).to.deep.equal(['a']);
  });

  it('rejects bad configuration with RangeError or TypeError', () => {
    const [p] = connected(new Int32());
    p.MAX_LENGTH = -5;
    expect(() => p.sendString('a')).to.throw(RangeError, /MAX_LENGTH must be a non-negative integer/);
    expect(() => p.dataReceived(Buffer.alloc(4))).to.throw(RangeError);
    (p as unknown as { MAX_LENGTH: unknown }).MAX_LENGTH = null;
    expect(() => p.sendString('a')).to.throw(TypeError);
    class Odd extends IntNStringReceiver {
      readonly prefixLength: number = 7;
    }
    const [odd] = connected(new Odd());
    expect(() => odd.sendString('a')).to.throw(RangeError, /prefixLength must be 1, 2, 3 or 4/);
  });

  it('supports a custom 3-byte prefix', () => {
    class Int24 extends IntNStringReceiver {
      readonly prefixLength: number = 3;
      strings: string[] = [];
      override stringReceived(d: Buffer): void { this.strings.push(d.toString()); }
    }
    const [p, t] = connected(new Int24());
    p.sendString('xyz');
    expect([...t.value()]).to.deep.equal([0, 0, 3, 0x78, 0x79, 0x7a]);
    p.dataReceived(t.value());
    expect(p.strings).to.deep.equal(['xyz']);
  });

  describe('properties', () => {
    const cuts = fc.array(fc.nat({ max: 300 }), { maxLength: 12 });
    for (const [name, Cls, n] of [['Int8', Int8, 1], ['Int16', Int16, 2], ['Int32', Int32, 4]] as const) {
      it(`${name}: any split of valid input yields the strings of the unsplit input`, () => {
        fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 30 }), { maxLength: 8 }), cuts, (ps, cs) => {
          const input = Buffer.concat(ps.map((x) => frame(n, x)));
          const [p] = connected(new Cls());
          feedChunks(p, splitAt(input, cs));
          expect(p.strings).to.deep.equal(ps.map((x) => Buffer.from(x).toString('latin1')));
        }));
      });

      it(`${name}: any split of random bytes yields the unsplit outcome, without throwing, and nothing after the limit`, () => {
        const outcome = (chunks: Buffer[]): unknown => {
          const [p] = connected(new Cls());
          p.MAX_LENGTH = 40;
          feedChunks(p, chunks);
          return { strings: p.strings, limits: p.limits, broken: p.brokenPeer };
        };
        fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), fc.array(fc.uint8Array({ maxLength: 10 })), (junk, more) => {
          const [p] = connected(new Cls());
          p.MAX_LENGTH = 40;
          p.lengthLimitExceeded = (): void => {};
          p.dataReceived(Buffer.from(junk));
          if (!p.brokenPeer) return;
          const before = p.strings.length;
          p.dataReceived(Buffer.concat(more.map((x) => frame(n, x))));
          expect(p.strings.length).to.equal(before);
        }));
        fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), cuts, (input, cs) => {
          expect(outcome(splitAt(input, cs))).to.deep.equal(outcome([Buffer.from(input)]));
        }));
      });
    }
  });
});
