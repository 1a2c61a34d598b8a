/**
 * asyncio-style streams over Torsion transports.
 *
 * @module
 */
export * from './errors.js';
export { StreamReader, DEFAULT_LIMIT } from './stream-reader.js';
export type { StreamReaderOptions, ReadOptions } from './read-options.js';
export { StreamWriter } from './stream-writer.js';
export { StreamReaderProtocol } from './stream-reader-protocol.js';
export type { ClientConnectedCallback } from './stream-reader-protocol.js';
export { openConnection, openUnixConnection } from './open-connection.js';
export type { OpenConnectionOptions, StreamsReactor } from './open-connection.js';
export { startServer, startUnixServer } from './start-server.js';
export type { StartServerOptions } from './start-server.js';
export { Server } from './server.js';
export type { ServeForeverOptions } from './server.js';
export { handOverToStreams } from './hand-over.js';
export type { HandOverOptions, HandOverSource } from './hand-over.js';
export { NodeStreamTransport } from './adapters/node-stream-transport.js';
export type { NodeStreamPair } from './adapters/node-stream-transport.js';
export { fromDuplex } from './adapters/from-duplex.js';
export type { AdapterOptions } from './adapters/from-duplex.js';
export { fromWebStreams } from './adapters/from-web-streams.js';
export type { WebStreamPair } from './adapters/from-web-streams.js';
export { createSubprocess, Subprocess } from './subprocess.js';
export type { SubprocessOptions } from './subprocess.js';
