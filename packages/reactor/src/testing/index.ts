/**
 * Test doubles for users' own protocols: a manual `Clock`, an in-memory `StringTransport`,
 * a `MemoryReactor`, and a pump joining two protocols in memory.
 *
 * @module
 */
export { Clock } from './clock.js';
export { StringTransport, StringTransportWithDisconnection } from './string-transport.js';
export type { ProducerState, StringTransportOptions } from './string-transport.js';
export { splitAt, chunksOf, everySplit, randomSplit, feedChunks, EVERY_SPLIT_MAX_LENGTH } from './chunking.js';
export type { ChunkReceiver } from './chunking.js';
export { MemoryReactor } from './memory-reactor.js';
export type {
  SSLClientRecord, SSLServerRecord, SystemEventTriggerRecord, TCPClientRecord, TCPServerRecord, UDPServerRecord,
  UNIXClientRecord, UNIXServerRecord,
} from './memory-reactor.js';
export { FakeListeningPort } from './fake-listening-port.js';
export type { MemoryConnection } from './fake-listening-port.js';
export { FakeConnector } from './fake-connector.js';
export type { ConnectorCall, FakeConnectorTimeout } from './fake-connector.js';
export { MemoryReactorClock } from './memory-reactor-clock.js';
export { connectedPair, Pump } from './connected-pair.js';
export type { ConnectedPair, ConnectedPairOptions, PumpClock } from './connected-pair.js';
export { PairedTransport } from './paired-transport.js';
