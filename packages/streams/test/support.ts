// Helpers shared by the feed-based streams tests.
import { StringTransport } from '@torsion/reactor/testing';
import { StreamReader, StreamReaderProtocol, type StreamWriter } from '@torsion/streams';

/** A reader/writer pair served by a StreamReaderProtocol over an in-memory transport. */
export function connect(transport = new StringTransport()): { transport: StringTransport; protocol: StreamReaderProtocol; reader: StreamReader; writer: StreamWriter } {
  const reader = new StreamReader();
  const protocol = new StreamReaderProtocol(reader);
  transport.connect(protocol);
  return { transport, protocol, reader, writer: protocol.writer! };
}

/** A promise's outcome without awaiting it, after pending callbacks have run. */
export async function settled<T>(p: Promise<T>): Promise<'pending' | 'done' | 'failed'> {
  let state: 'pending' | 'done' | 'failed' = 'pending';
  p.then(() => (state = 'done'), () => (state = 'failed'));
  await new Promise((r) => setImmediate(r));
  return state;
}

/** The error a promise rejects with; fails if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}
