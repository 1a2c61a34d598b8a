/**
 * Every error the reactor can hand a user. Each class extends {@link TorsionError}, has a `name`
 * equal to the class name, and a stable `code` (documented in docs/errors.md) that programs may
 * compare against. Messages say what went wrong and what to do about it.
 *
 * Reasons for a lost connection are always instances of these classes, never strings.
 *
 * The classes live in `./errors/`: the base class, the errors of connections and processes
 * (`network.ts`), and the rest (`usage.ts`); this file re-exports them all.
 *
 * @module
 */
export * from './errors/base.js';
export * from './errors/network.js';
export * from './errors/usage.js';
