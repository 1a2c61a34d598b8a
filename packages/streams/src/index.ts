/**
 * asyncio-style streams over Torsion transports.
 *
 * @module
 */
export * from './errors.js';
export { StreamReader, DEFAULT_LIMIT } from './stream-reader.js';
export type { StreamReaderOptions, ReadOptions } from './stream-reader.js';
export { StreamWriter } from './stream-writer.js';
export { StreamReaderProtocol } from './stream-reader-protocol.js';
export type { ClientConnectedCallback } from './stream-reader-protocol.js';
export { openConnection, openUnixConnection } from './open-connection.js';
export type { OpenConnectionOptions, StreamsReactor } from './open-connection.js';
export { startServer, startUnixServer } from './start-server.js';
export type { StartServerOptions } from './start-server.js';
export { Server } from './server.js';
export type { ServeForeverOptions } from './server.js';
