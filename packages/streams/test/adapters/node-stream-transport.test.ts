import { expect } from 'chai';
import { PassThrough, Writable } from 'node:stream';
import type { IPullProducer, IPushProducer } from '@torsion/reactor';
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
