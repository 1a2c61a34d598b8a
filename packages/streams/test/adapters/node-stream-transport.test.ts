import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import type { IPushProducer } from '@torsion/reactor';
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
});
