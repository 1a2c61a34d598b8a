/**
 * Node modules that only some programs need, loaded the first time they are used. Loading
 * `node:tls` (with OpenSSL), `node:child_process` and `node:dgram` up front costs several MB
 * of resident memory in every process that imports the reactor, TLS or not.
 *
 * @internal
 * @module
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let dgramModule: typeof import('node:dgram') | undefined;
let childProcessModule: typeof import('node:child_process') | undefined;
let tlsModule: typeof import('node:tls') | undefined;

/** `node:dgram`, loaded on first use. */
export function dgram(): typeof import('node:dgram') {
  return (dgramModule ??= require('node:dgram') as typeof import('node:dgram'));
}

/** `node:child_process`, loaded on first use. */
export function childProcess(): typeof import('node:child_process') {
  return (childProcessModule ??= require('node:child_process') as typeof import('node:child_process'));
}

/** `node:tls`, loaded on first use. */
export function tls(): typeof import('node:tls') {
  return (tlsModule ??= require('node:tls') as typeof import('node:tls'));
}
