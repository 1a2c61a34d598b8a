import { expect } from 'chai';
import fc from 'fast-check';
import { setLogObserver } from '@torsion/reactor';
import type { LogObserver } from '@torsion/reactor';
import { LineOnlyReceiver, LineReceiver } from '@torsion/protocols';
import { feedChunks, splitAt, StringTransport } from '@torsion/reactor/testing';

type Kind = 'LineReceiver' | 'LineOnlyReceiver';

/** Both classes share the surface these tests use; one base type keeps `extends` simple. */
function baseOf(kind: Kind): typeof LineOnlyReceiver {
  return kind === 'LineReceiver' ? (LineReceiver as unknown as typeof LineOnlyReceiver) : LineOnlyReceiver;
}

interface Recorder {
  events: string[];
  dataReceived(data: Buffer): void;
  clearLineBuffer?(): Buffer;
}

/** A receiver of either kind that records lines and over-long reports and keeps the connection. */
function makeRecorder(kind: Kind, delimiter: Buffer, max: number): Recorder {
  const Base = baseOf(kind);
  class R extends Base {
    override delimiter = delimiter;
    override MAX_LENGTH = max;
    events: string[] = [];
    override lineReceived(line: Buffer): void {
      this.events.push(`L${line.toString('hex')}`);
    }
    override lineLengthExceeded(): void {
      this.events.push('X');
    }
  }
  const r = new R();
  new StringTransport().connect(r);
  return r;
}

/** Reference splitter: every complete line of `input` (earliest delimiter first). */
function modelLines(input: Buffer, delimiter: Buffer): string[] {
  const out: string[] = [];
  let pos = 0;
  for (let k = input.indexOf(delimiter, pos); k >= 0; k = input.indexOf(delimiter, pos)) {
    out.push(`L${input.subarray(pos, k).toString('hex')}`);
    pos = k + delimiter.length;
  }
  return out;
}

// Bytes drawn mostly from a tiny alphabet so delimiters (and near-misses) are common.
const byte = fc.oneof(fc.constantFrom(0x61, 0x62, 0x0d, 0x0a), fc.integer({ min: 0, max: 255 }));
const input = fc.array(byte, { maxLength: 200 }).map((a) => Buffer.from(a));
const delimiter = fc.array(fc.constantFrom(0x61, 0x0d, 0x0a), { minLength: 1, maxLength: 3 }).map((a) => Buffer.from(a));
const cuts = fc.array(fc.nat({ max: 200 }), { maxLength: 30 });

let previousLog: LogObserver;
const silent: LogObserver = () => {};

for (const kind of ['LineReceiver', 'LineOnlyReceiver'] as const) {
  describe(`${kind} properties`, () => {
    before(() => {
      previousLog = setLogObserver(silent);
    });
    after(() => {
      setLogObserver(previousLog);
    });

    it('any split of the input yields exactly what the unsplit input yields', () => {
      fc.assert(
        fc.property(input, delimiter, fc.nat({ max: 24 }), cuts, (data, delim, max, at) => {
          const whole = makeRecorder(kind, delim, max);
          whole.dataReceived(data);
          const split = makeRecorder(kind, delim, max);
          for (const chunk of splitAt(data, at)) split.dataReceived(chunk);
          expect(split.events).to.deep.equal(whole.events);
        }),
        { numRuns: 400 },
      );
    });

    it('with a large MAX_LENGTH, delivers what a plain indexOf splitter finds', () => {
      fc.assert(
        fc.property(input, delimiter, cuts, (data, delim, at) => {
          const r = makeRecorder(kind, delim, 16384);
          for (const chunk of splitAt(data, at)) r.dataReceived(chunk);
          expect(r.events).to.deep.equal(modelLines(data, delim));
        }),
        { numRuns: 300 },
      );
    });

    it('random bytes in random chunks never escape as an error, and memory stays bounded', () => {
      const Base = baseOf(kind);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 400 }), cuts, fc.nat({ max: 64 }), (data, at, max) => {
          class P extends Base {
            override MAX_LENGTH = max;
          }
          const p = new P();
          const t = new StringTransport();
          t.connect(p);
          feedChunks(p, splitAt(data, at));
          if (p instanceof LineReceiver && !t.disconnecting) {
            expect((p as LineReceiver).clearLineBuffer().length).to.be.at.most(max + 1);
          }
        }),
        { numRuns: 300 },
      );
    });
  });
}

describe('LineReceiver properties with mode flips', () => {
  /** "R<n>" lines switch to raw mode for n bytes, then back to lines with the rest. */
  class Framed extends LineReceiver {
    override delimiter = '\n';
    events: string[] = [];
    #need = 0;
    #raw: Buffer[] = [];
    override lineReceived(line: Buffer): void {
      this.events.push(`L${line.toString('hex')}`);
      const m = /^R(\d)$/.exec(line.toString('latin1'));
      if (m !== null && Number(m[1]) > 0) {
        this.#need = Number(m[1]);
        this.setRawMode();
      }
    }
    override rawDataReceived(data: Buffer): void {
      const take = Math.min(this.#need, data.length);
      this.#raw.push(data.subarray(0, take));
      this.#need -= take;
      if (this.#need === 0) {
        this.events.push(`R${Buffer.concat(this.#raw).toString('hex')}`);
        this.#raw = [];
        this.setLineMode(data.subarray(take));
      }
    }
  }
  const token = fc.constantFrom('R1\n', 'R3\n', 'x\n', 'ab', '\n', 'R', '2', 'zz\n');

  it('any split yields the same lines and raw records', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), cuts, (tokens, at) => {
        const data = Buffer.from(tokens.join(''), 'latin1');
        const whole = new Framed();
        new StringTransport().connect(whole);
        whole.dataReceived(data);
        const split = new Framed();
        new StringTransport().connect(split);
        for (const chunk of splitAt(data, at)) split.dataReceived(chunk);
        expect(split.events).to.deep.equal(whole.events);
      }),
      { numRuns: 400 },
    );
  });
});
