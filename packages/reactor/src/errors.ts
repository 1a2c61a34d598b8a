/**
 * Every error the reactor can hand a user. Each class extends {@link TorsionError}, has a `name`
 * equal to the class name, and a stable `code` (documented in docs/errors.md) that programs may
 * compare against. Messages say what went wrong and what to do about it.
 *
 * Reasons for a lost connection are always instances of these classes, never strings.
 *
 * The classes live in `./errors/`, one file per area; this file re-exports them all.
 *
 * @module
 */
export * from './errors/base.js';
export * from './errors/connection-closed.js';
export * from './errors/connecting.js';
export * from './errors/time.js';
export * from './errors/lifecycle.js';
export * from './errors/transport.js';
export * from './errors/process.js';
export * from './errors/bad-input.js';
export * from './errors/datagram.js';
export * from './errors/test-doubles.js';
export * from './errors/deferred.js';
export * from './errors/process-spawn.js';
export * from './errors/tls.js';
