/**
 * asyncio-style streams over Torsion transports.
 *
 * @module
 */
export * from './errors.js';
export { StreamReader, DEFAULT_LIMIT } from './stream-reader.js';
export type { StreamReaderOptions, ReadOptions } from './stream-reader.js';
