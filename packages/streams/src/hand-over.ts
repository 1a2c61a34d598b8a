import type { IProtocol, ITransport } from '@torsion/reactor';
import { TorsionTypeError } from '@torsion/reactor';
import { StreamReader } from './stream-reader.js';
import { StreamReaderProtocol } from './stream-reader-protocol.js';
import type { StreamWriter } from './stream-writer.js';

/** A connected protocol whose connection can be handed over; LineReceiver is one. */
export interface HandOverSource extends IProtocol {
  transport: ITransport;
  /** Returns (and forgets) the bytes received but not yet parsed. LineReceiver has it. */
  clearLineBuffer?(): Buffer;
}

/** Options for {@link handOverToStreams}. */
export interface HandOverOptions {
  /** The reader's limit in bytes (default 64 KiB). */
  limit?: number;
  /**
   * Bytes the protocol received but did not consume, for protocols without
   * `clearLineBuffer()`. When given, `clearLineBuffer()` is not called.
   */
  buffered?: Uint8Array;
}

/**
 * Take over a live connection from a protocol — typically a `LineReceiver` after a handshake
 * line — and drive the rest of it with a reader/writer pair, losing or reordering no byte.
 *
 * What the protocol had received but not parsed (`clearLineBuffer()`, or `options.buffered`) is
 * fed to the reader first; from then on the transport's bytes, EOF and flow-control events go to
 * the streams side, and a transport the protocol had paused (`pauseProducing()`) is resumed. The protocol itself hears nothing more except `connectionLost`, which it
 * still gets (after the streams side) so that its clean-up runs. Call it from inside
 * `lineReceived` to switch right after a line, or at any time between events.
 *
 * @example
 * ```ts
 * class Greeter extends LineReceiver {
 *   override delimiter = Buffer.from('\n');
 *   override lineReceived(line: Buffer): void {
 *     if (line.toString() !== 'HELLO') return this.transport.loseConnection();
 *     const [reader, writer] = handOverToStreams(this);
 *     void (async () => {
 *       for await (const l of reader) writer.write(l);
 *       writer.close();
 *     })();
 *   }
 * }
 * ```
 */
export function handOverToStreams(protocol: HandOverSource, options: HandOverOptions = {}): [StreamReader, StreamWriter] {
  const transport = protocol.transport as ITransport | undefined;
  if (transport === undefined) {
    throw new TorsionTypeError('handOverToStreams() needs a connected protocol: call it after connectionMade().');
  }
  const reader = new StreamReader(options.limit === undefined ? {} : { limit: options.limit });
  const streams = new StreamReaderProtocol(reader);
  const leftover = options.buffered ?? protocol.clearLineBuffer?.();
  const wasPaused = !transport.isReading();
  void streams.makeConnection(transport);
  if (leftover !== undefined && leftover.length > 0) reader.feedData(leftover);

  const previousLost = protocol.connectionLost.bind(protocol);
  const redirect: Partial<IProtocol> = {
    dataReceived: (data: Buffer) => streams.dataReceived(data),
    eofReceived: () => streams.eofReceived(),
    pauseWriting: () => streams.pauseWriting(),
    resumeWriting: () => streams.resumeWriting(),
    // The old protocol holds no input any more: nothing to deliver on resume.
    readingResumed: () => {},
    connectionLost: (reason: Error) => {
      streams.connectionLost(reason);
      return previousLost(reason);
    },
  };
  // Own properties shadow the class's methods: the transport calls these from now on.
  for (const [name, fn] of Object.entries(redirect)) {
    Object.defineProperty(protocol, name, { value: fn, configurable: true, writable: true, enumerable: false });
  }
  // Flow control is the reader's from now on: a transport the protocol had paused would leave
  // a waiting read hanging. It stays paused only if the leftover alone is above the reader's
  // mark (then the reader paused it, and reading resumes it).
  if (wasPaused && !transport.disconnecting && (leftover?.length ?? 0) <= 2 * reader.limit) transport.resumeProducing();
  return [reader, streams.writer!];
}
