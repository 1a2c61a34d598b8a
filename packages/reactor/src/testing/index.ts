/**
 * Test doubles for users' own protocols: a manual `Clock`, an in-memory `StringTransport`,
 * a `MemoryReactor`, and a pump joining two protocols in memory.
 *
 * @module
 */
export {};

export { StringTransport, StringTransportWithDisconnection } from './string-transport.js';
export type { ProducerState, StringTransportOptions } from './string-transport.js';
export { splitAt, chunksOf, everySplit, randomSplit, feedChunks, EVERY_SPLIT_MAX_LENGTH } from './chunking.js';
export type { ChunkReceiver } from './chunking.js';
export { Clock } from './clock.js';
