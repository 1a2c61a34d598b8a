/**
 * Test doubles for users' own protocols: a manual `Clock`, an in-memory `StringTransport`,
 * a `MemoryReactor`, and a pump joining two protocols in memory.
 *
 * @module
 */
export { Clock } from './clock.js';
