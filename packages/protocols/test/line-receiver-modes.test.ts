import { expect } from 'chai';
import { LineReceiver } from '@torsion/protocols';
import { StringTransport } from '@torsion/reactor/testing';

/** Records lines and raw data as events, in order. */
class Events extends LineReceiver {
  events: string[] = [];
  override lineReceived(line: Buffer): void {
    this.events.push(`line:${line.toString('latin1')}`);
  }
  override rawDataReceived(data: Buffer): void {
    this.events.push(`raw:${data.toString('latin1')}`);
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

function stackDepth(): number {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = Infinity;
  const depth = (new Error().stack ?? '').split('\n').length;
  Error.stackTraceLimit = limit;
  return depth;
}

describe('LineReceiver modes and flow control', () => {
  describe('raw mode', () => {
    it('hands the rest of the chunk and later chunks to rawDataReceived after setRawMode()', () => {
      class Raw extends Events {
        override lineReceived(line: Buffer): void {
          super.lineReceived(line);
          if (line.toString() === 'raw') this.setRawMode();
        }
      }
      const { p } = connected(new Raw());
      feed(p, 'a\r\nraw\r\nxyz\r\n', 'more');
      expect(p.events).to.deep.equal(['line:a', 'line:raw', 'raw:xyz\r\n', 'raw:more']);
    });

    it('re-parses setLineMode(extra) as lines at once, before later input', () => {
      // A length-prefixed body: "BODY n" then n raw bytes, then lines again.
      class Body extends Events {
        #need = 0;
        override lineReceived(line: Buffer): void {
          super.lineReceived(line);
          const m = /^BODY (\d+)$/.exec(line.toString());
          if (m !== null) {
            this.#need = Number(m[1]);
            this.setRawMode();
          }
        }
        override rawDataReceived(data: Buffer): void {
          const take = Math.min(this.#need, data.length);
          super.rawDataReceived(data.subarray(0, take));
          this.#need -= take;
          if (this.#need === 0) this.setLineMode(data.subarray(take));
        }
      }
      const { p } = connected(new Body());
      feed(p, 'BODY 3\r\nabcdef\r\nBODY 2\r\nx', 'yz\r\n');
      expect(p.events).to.deep.equal(['line:BODY 3', 'raw:abc', 'line:def', 'line:BODY 2', 'raw:x', 'raw:y', 'line:z']);
    });

    it('runs 100k mode flips in one chunk without growing the stack', () => {
      const depths: number[] = [];
      class Flip extends LineReceiver {
        lines = 0;
        raws = 0;
        override lineReceived(): void {
          this.lines += 1;
          if (this.lines === 1 || this.lines === 100_000) depths.push(stackDepth());
          this.setRawMode();
        }
        override rawDataReceived(data: Buffer): void {
          this.raws += 1;
          this.setLineMode(data.subarray(1));
        }
      }
      const { p } = connected(new Flip());
      p.dataReceived(Buffer.from('L\r\nR'.repeat(100_000)));
      expect(p.lines).to.equal(100_000);
      expect(p.raws).to.equal(100_000);
      expect(depths).to.have.length(2);
      expect(depths[1]).to.equal(depths[0]);
    });

    it('gives a partial line to rawDataReceived when raw mode is entered between chunks', () => {
      const { p } = connected(new Events());
      feed(p, 'a\r\npart');
      p.setRawMode();
      feed(p, 'ial');
      expect(p.events).to.deep.equal(['line:a', 'raw:part', 'raw:ial']);
    });

    it('does not hand the skipped tail of an over-long line to rawDataReceived', () => {
      class Switch extends Events {
        override MAX_LENGTH = 3;
        override lineLengthExceeded(): void {
          this.setRawMode();
        }
      }
      const { p } = connected(new Switch());
      feed(p, 'abcdef\r', 'raw');
      expect(p.events).to.deep.equal(['raw:raw']);
    });

    it('parses setLineMode(extra) from the raw handler before input not yet delivered', () => {
      // The raw handler reads a 3-byte body and gives back what followed it: those bytes came
      // before anything still buffered, so they must be parsed first.
      class Body3 extends Events {
        override rawDataReceived(data: Buffer): void {
          super.rawDataReceived(data.subarray(0, 3));
          this.setLineMode(data.subarray(3));
        }
      }
      // A partial line held when raw mode is entered between chunks, then a new chunk.
      const a = connected(new Body3()).p;
      feed(a, 'abcdef');
      a.setRawMode();
      feed(a, 'ghi\r\n');
      expect(a.events).to.deep.equal(['raw:abc', 'line:defghi']);

      // Bytes injected with setLineMode(extra) inside lineReceived come after the rest of the
      // chunk, and so after the raw handler's leftover from that rest.
      class InjectThenBody extends Body3 {
        override lineReceived(line: Buffer): void {
          super.lineReceived(line);
          if (line.toString() === 'inject') this.setLineMode('X\r\n');
          if (line.toString() === 'raw') this.setRawMode();
        }
      }
      const b = connected(new InjectThenBody()).p;
      feed(b, 'inject\r\nraw\r\nBBBc\r\nd\r\n');
      expect(b.events).to.deep.equal(['line:inject', 'line:raw', 'raw:BBB', 'line:c', 'line:d', 'line:X']);
    });

    it('keeps setLineMode(extra) calls from one callback in call order, before later input', () => {
      class Inject extends Events {
        override lineReceived(line: Buffer): void {
          super.lineReceived(line);
          if (line.toString() === 'inject') {
            this.setLineMode('x\r\n');
            this.setLineMode('y\r\n');
            this.setRawMode();
          }
        }
        override rawDataReceived(data: Buffer): void {
          super.rawDataReceived(data);
          this.setLineMode();
        }
      }
      const { p } = connected(new Inject());
      feed(p, 'inject\r\nrest');
      expect(p.events).to.deep.equal(['line:inject', 'raw:rest', 'line:x', 'line:y']);
    });

    it('parses setLineMode(extra) called from outside a callback right away', () => {
      const { p } = connected(new Events());
      p.setRawMode();
      feed(p, 'bytes');
      p.setLineMode('x\r\ny');
      feed(p, '\r\n');
      expect(p.events).to.deep.equal(['raw:bytes', 'line:x', 'line:y']);
    });
  });

  describe('pausing', () => {
    class Pausing extends Events {
      pauseOn = 'pause';
      override lineReceived(line: Buffer): void {
        super.lineReceived(line);
        if (line.toString() === this.pauseOn) this.transport.pauseProducing();
      }
    }

    it('delivers no buffered line after transport.pauseProducing() inside lineReceived until resumed', () => {
      const { p, t } = connected(new Pausing());
      feed(p, 'a\r\npause\r\nb\r\nc\r\npar');
      expect(p.events).to.deep.equal(['line:a', 'line:pause']);
      expect(t.producerState).to.equal('paused');
      // A chunk already in flight when the pause happened is held too, in order.
      feed(p, 'tial\r\n');
      expect(p.events).to.deep.equal(['line:a', 'line:pause']);
      t.resumeProducing();
      expect(p.events).to.deep.equal(['line:a', 'line:pause', 'line:b', 'line:c', 'line:partial']);
    });

    it('can pause again while delivering what was held', () => {
      const { p, t } = connected(new Pausing());
      feed(p, 'pause\r\nx\r\npause\r\ny\r\n');
      expect(p.events).to.deep.equal(['line:pause']);
      t.resumeProducing();
      expect(p.events).to.deep.equal(['line:pause', 'line:x', 'line:pause']);
      t.resumeProducing();
      expect(p.events).to.deep.equal(['line:pause', 'line:x', 'line:pause', 'line:y']);
    });

    it('carries on when paused and resumed inside the same callback', () => {
      class Blip extends Events {
        override lineReceived(line: Buffer): void {
          super.lineReceived(line);
          this.transport.pauseProducing();
          this.transport.resumeProducing();
        }
      }
      const { p, t } = connected(new Blip());
      feed(p, 'a\r\nb\r\nc\r\n');
      expect(p.events).to.deep.equal(['line:a', 'line:b', 'line:c']);
      expect(t.producerState).to.equal('producing');
    });

    it('has its own pauseProducing()/resumeProducing() that hold lines and pause the transport', () => {
      class Self extends Events {
        override lineReceived(line: Buffer): void {
          super.lineReceived(line);
          if (line.toString() === 'pause') this.pauseProducing();
        }
      }
      const { p, t } = connected(new Self());
      feed(p, 'pause\r\nnext\r\n');
      expect(t.producerState).to.equal('paused');
      // Someone else resuming the transport does not override the protocol's own pause.
      t.resumeProducing();
      expect(p.events).to.deep.equal(['line:pause']);
      p.resumeProducing();
      expect(p.events).to.deep.equal(['line:pause', 'line:next']);
    });

    it('holds raw data while paused too, and keeps order with later chunks', () => {
      class RawPause extends Events {
        override lineReceived(line: Buffer): void {
          super.lineReceived(line);
          this.setRawMode();
          this.transport.pauseProducing();
        }
      }
      const { p, t } = connected(new RawPause());
      feed(p, 'go\r\nraw1', 'raw2');
      expect(p.events).to.deep.equal(['line:go']);
      t.resumeProducing();
      expect(p.events).to.deep.equal(['line:go', 'raw:raw1', 'raw:raw2']);
    });

    it('stops delivering for good after stopProducing()', () => {
      const { p, t } = connected(new Events());
      p.stopProducing();
      feed(p, 'a\r\n');
      expect(t.producerState).to.equal('stopped');
      expect(p.events).to.deep.equal([]);
    });
  });
});
