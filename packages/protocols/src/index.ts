export { Protocol, formatAddress } from './protocol.js';
export { Factory, ServerFactory, ClientFactory, FactoryNotStartedError } from './factory.js';
export type { ProtocolClass } from './factory.js';
export { DatagramProtocol } from './datagram-protocol.js';
export { LineReceiver } from './line-receiver.js';
export { LineOnlyReceiver } from './line-only-receiver.js';
export { LineTooLongError } from './errors.js';
