export type * from './interfaces.js';
export * from './errors.js';
export * from './log.js';
export { Reactor, reactor } from './reactor.js';
export type { ReactorOptions, ReactorResource } from './reactor.js';
export { DelayedCall } from './time/delayed-call.js';
export type { SystemEventTriggerId } from './lifecycle/system-event.js';
export { UDPPort } from './udp/udp-port.js';
