export type * from './interfaces.js';
export * from './errors.js';
export * from './log.js';
export { Reactor, reactor } from './reactor.js';
export type { ReactorOptions, ReactorResource } from './reactor.js';
export { UDPPort } from './udp/udp-port.js';
