import type { Duplex } from 'node:stream';
import type { Address } from '@torsion/reactor';
import { StreamReader } from '../stream-reader.js';
import { StreamReaderProtocol } from '../stream-reader-protocol.js';
import type { StreamWriter } from '../stream-writer.js';
import { NodeStreamTransport, type NodeStreamPair } from './node-stream-transport.js';

/** Options for {@link fromDuplex} and {@link fromWebStreams}. */
export interface AdapterOptions {
  /** The reader's limit in bytes (default 64 KiB). */
  limit?: number;
  /** What the transport reports as its peer (default: a `PROCESS` address without pid). */
  peer?: Address;
}

/** @internal Join a reader/writer pair to Node streams. */
export function pairOver(streams: NodeStreamPair, options: AdapterOptions): [StreamReader, StreamWriter] {
  const reader = new StreamReader(options.limit === undefined ? {} : { limit: options.limit });
  const protocol = new StreamReaderProtocol(reader);
  const transport = new NodeStreamTransport({ ...streams, ...(options.peer === undefined ? {} : { peer: options.peer }) });
  void transport.connect(protocol);
  return [reader, protocol.writer!];
}

/**
 * Drive a Node `Duplex` (a `net.Socket` made elsewhere, a `PassThrough`, a compression
 * stream...) as a reader/writer pair. The reader pauses the duplex above twice its limit;
 * `writer.drain()` waits while `duplex.write()` reports a full buffer; `writer.close()` ends
 * the duplex and destroys it once flushed.
 *
 * @example
 * ```ts
 * import * as net from 'node:net';
 * import { fromDuplex } from '@torsion/streams';
 *
 * const [reader, writer] = fromDuplex(net.connect(8000, '127.0.0.1'));
 * writer.write('ping\n');
 * console.log((await reader.readLine()).toString());
 * ```
 */
export function fromDuplex(duplex: Duplex, options: AdapterOptions = {}): [StreamReader, StreamWriter] {
  return pairOver({ readable: duplex, writable: duplex }, options);
}
