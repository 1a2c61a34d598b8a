import { expect } from 'chai';
import { PassThrough, Writable } from 'node:stream';
import { ConnectionLost, type IPullProducer, type IPushProducer } from '@torsion/reactor';
import { Protocol } from '@torsion/protocols';
import { NodeStreamTransport } from '@torsion/streams';

function recordingProducer(): { producer: IPushProducer; events: string[] } {
  const events: string[] = [];
  const producer: IPushProducer = {
    pauseProducing: () => events.push('pause'),
    resumeProducing: () => events.push('resume'),
    stopProducing: () => events.push('stop'),
  };
  return { producer, events };
}

describe('NodeStreamTransport producers', () => {
  it('a registered producer is stopped when the connection is lost (abort, stream error)', async () => {
    for (const end of ['abort', 'error'] as const) {
      const writable = new PassThrough();
      const transport = new NodeStreamTransport({ writable });
      const lost = new Promise<void>((resolve) => {
        const protocol = new Protocol();
        protocol.connectionLost = () => resolve();
        transport.connect(protocol);
      });
      const { producer, events } = recordingProducer();
      transport.registerProducer(producer, true);
      if (end === 'abort') transport.abortConnection();
      else writable.destroy(new Error('gone'));
      await lost;
      expect(events, end).to.deep.equal(['stop']);
    }
  });

  it('asks a pull producer for more after each write, not only after a drain event', async () => {
    // A roomy writable: write() never returns false, so no 'drain' ever comes.
    const got: Buffer[] = [];
    const writable = new Writable({ highWaterMark: 1 << 20, write: (chunk: Buffer, _enc, cb) => { got.push(chunk); cb(); } });
    const transport = new NodeStreamTransport({ writable });
    transport.connect(new Protocol());
    let left = 3;
    const done = new Promise<void>((resolve) => {
      const producer: IPullProducer = {
        resumeProducing: () => {
          transport.write(`chunk ${left}\n`);
          if (--left > 0) return;
          transport.unregisterProducer();
          resolve();
        },
        stopProducing: () => {},
      };
      transport.registerProducer(producer, false);
    });
    await done;
    transport.loseConnection();
    expect(Buffer.concat(got).toString()).to.equal('chunk 3\nchunk 2\nchunk 1\n');
  });

  it('a producer registered after the connection is lost is stopped at once', async () => {
    const transport = new NodeStreamTransport({ writable: new PassThrough() });
    transport.connect(new Protocol());
    transport.abortConnection();
    const { producer, events } = recordingProducer();
    transport.registerProducer(producer, false);
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    expect(events).to.deep.equal(['stop']);
  });
});

describe('NodeStreamTransport closing', () => {
  // A writable whose end fails: at once, after a while, or through a write still in progress.
  const failing = {
    'final() fails at once': () => new Writable({ write: (_c, _e, cb) => cb(), final: (cb) => cb(new Error('end failed')) }),
    'final() fails later': () =>
      new Writable({ write: (_c, _e, cb) => cb(), final: (cb) => setTimeout(() => cb(new Error('end failed')), 5) }),
    'a pending write fails': () => new Writable({ write: (_c, _e, cb) => setTimeout(() => cb(new Error('end failed')), 5) }),
  };
  for (const [how, make] of Object.entries(failing)) {
    for (const close of ['loseConnection()', 'writeEof() then EOF'] as const) {
      it(`reports ConnectionLost, not ConnectionDone, when ${how} during ${close}`, async () => {
        const readable = new PassThrough();
        const transport = new NodeStreamTransport({ readable, writable: make() });
        const reason = new Promise<Error>((resolve) => {
          const protocol = new Protocol();
          protocol.eofReceived = () => true;
          protocol.connectionLost = resolve;
          transport.connect(protocol);
        });
        transport.write('last words');
        if (close === 'loseConnection()') transport.loseConnection();
        else {
          transport.writeEof();
          readable.end();
        }
        const lost = await reason;
        expect(lost).to.be.instanceOf(ConnectionLost);
        expect((lost.cause as Error).message).to.equal('end failed');
      });
    }
  }
});
