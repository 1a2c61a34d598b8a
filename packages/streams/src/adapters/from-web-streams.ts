import { Readable, Writable } from 'node:stream';
import type { ReadableStream as WebReadableStream, WritableStream as WebWritableStream } from 'node:stream/web';
import type { StreamReader } from '../stream-reader.js';
import type { StreamWriter } from '../stream-writer.js';
import { pairOver, type AdapterOptions } from './from-duplex.js';

/** A Web streams pair, such as the `readable`/`writable` of a `TransformStream` or a WebSocketStream. */
export interface WebStreamPair {
  readable?: WebReadableStream<Uint8Array> | ReadableStream<Uint8Array> | null;
  writable?: WebWritableStream<Uint8Array> | WritableStream<Uint8Array> | null;
}

/**
 * Drive a Web `ReadableStream`/`WritableStream` pair as a reader/writer pair (either half may
 * be left out). Chunks must be bytes (`Uint8Array`). `writer.close()` closes the
 * `WritableStream`; the reader sees EOF when the `ReadableStream` closes.
 *
 * @example
 * ```ts
 * const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
 * const [reader, writer] = fromWebStreams({ readable, writable });
 * writer.write('loop\n');
 * console.log((await reader.readLine()).toString()); // 'loop\n'
 * ```
 */
export function fromWebStreams(pair: WebStreamPair, options: AdapterOptions = {}): [StreamReader, StreamWriter] {
  const readable = pair.readable == null ? null : Readable.fromWeb(pair.readable as WebReadableStream<Uint8Array>);
  const writable = pair.writable == null ? null : Writable.fromWeb(pair.writable as WebWritableStream<Uint8Array>);
  return pairOver({ readable, writable }, options);
}
