import { expect } from 'chai';
import { setLogObserver, TorsionRangeError } from '@torsion/reactor';
import type { LogEvent } from '@torsion/reactor';
import { LineOnlyReceiver, LineTooLongError } from '@torsion/protocols';
import { chunksOf, everySplit, feedChunks, StringTransport } from '@torsion/reactor/testing';

class Lines extends LineOnlyReceiver {
  lines: string[] = [];
  override lineReceived(line: Buffer): void {
    this.lines.push(line.toString('latin1'));
  }
}

class Tolerant extends Lines {
  override MAX_LENGTH = 8;
  exceeded: string[] = [];
  override lineLengthExceeded(line: Buffer): void {
    this.exceeded.push(line.toString('latin1'));
  }
}

function connected<P extends LineOnlyReceiver>(p: P): { p: P; t: StringTransport } {
  const t = new StringTransport();
  t.connect(p);
  return { p, t };
}

function feed(p: LineOnlyReceiver, ...chunks: string[]): void {
  for (const c of chunks) p.dataReceived(Buffer.from(c, 'latin1'));
}

describe('LineOnlyReceiver', () => {
  it('yields the same lines for every split of the input', () => {
    for (const chunks of everySplit(Buffer.from('ab\r\n\r\nc\r\r\nd\re\r\n', 'latin1'))) {
      const { p } = connected(new Lines());
      feedChunks(p, chunks);
      expect(p.lines).to.deep.equal(['ab', '', 'c\r', 'd\re']);
    }
  });

  it('takes its delimiter from a subclass field and sends lines in one write', () => {
    class Nl extends Lines {
      override delimiter = '\n';
    }
    const { p, t } = connected(new Nl());
    feedChunks(p, chunksOf(Buffer.from('x\ny\r\nz'), 1));
    expect(p.lines).to.deep.equal(['x', 'y\r']);
    p.sendLine('out');
    expect(t.value().toString()).to.equal('out\n');
  });

  it('rejects an empty delimiter and a negative MAX_LENGTH when used', () => {
    class Empty extends Lines {
      override delimiter = Buffer.alloc(0);
    }
    class Negative extends Lines {
      override MAX_LENGTH = -5;
    }
    expect(() => feed(connected(new Empty()).p, 'a')).to.throw(TorsionRangeError, /delimiter is empty/);
    expect(() => feed(connected(new Negative()).p, 'a')).to.throw(RangeError, /got -5/);
  });

  it('applies the MAX_LENGTH rule: exactly MAX_LENGTH with a split delimiter passes, more is reported at once', () => {
    const { p } = connected(new Tolerant());
    feed(p, '12345678\r', '\n', '123456789');
    expect(p.lines).to.deep.equal(['12345678']);
    expect(p.exceeded).to.deep.equal(['123456789']);
    feed(p, 'rest of it\r', '\nafter\r\n');
    expect(p.lines).to.deep.equal(['12345678', 'after']);
  });

  it('by default logs a LineTooLongError and closes the connection', () => {
    const events: LogEvent[] = [];
    const previous = setLogObserver((e) => events.push(e));
    try {
      class Limited extends Lines {
        override MAX_LENGTH = 2;
      }
      const { p, t } = connected(new Limited());
      feed(p, 'ok\r\nlong\r\nno\r\n');
      expect(p.lines).to.deep.equal(['ok']);
      expect(t.disconnecting).to.equal(true);
      expect(events[0]?.error).to.be.instanceOf(LineTooLongError);
    } finally {
      setLogObserver(previous);
    }
  });

  it('stops at loseConnection() inside lineReceived', () => {
    class Quit extends Lines {
      override lineReceived(line: Buffer): void {
        super.lineReceived(line);
        this.transport.loseConnection();
      }
    }
    const { p } = connected(new Quit());
    feed(p, 'a\r\nb\r\n', 'c\r\n');
    expect(p.lines).to.deep.equal(['a']);
  });

  it('holds buffered lines while the transport is paused and delivers them on resume', () => {
    class Pausing extends Lines {
      override lineReceived(line: Buffer): void {
        super.lineReceived(line);
        if (line.toString() === 'p') this.transport.pauseProducing();
      }
    }
    const { p, t } = connected(new Pausing());
    feed(p, 'a\r\np\r\nb\r\nc', '\r\nd\r\n');
    expect(p.lines).to.deep.equal(['a', 'p']);
    t.resumeProducing();
    expect(p.lines).to.deep.equal(['a', 'p', 'b', 'c', 'd']);
  });
});
