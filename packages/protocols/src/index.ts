export { Protocol } from './protocol.js';
// Re-exported so protocol code can format addresses without importing the reactor package.
export { formatAddress } from '@torsion/reactor';
export { Factory, ServerFactory, ClientFactory, FactoryNotStartedError } from './factory.js';
export type { ProtocolClass } from './factory.js';
export { DatagramProtocol } from './datagram-protocol.js';
export { LineReceiver } from './line-receiver.js';
export { LineOnlyReceiver } from './line-only-receiver.js';
export { LineTooLongError } from './errors.js';
// policies
export { TimeoutMixin } from './timeout-mixin.js';
export type { TimeoutHost, TimeoutProtocol } from './timeout-mixin.js';
export { ReconnectingClientFactory } from './reconnecting-client-factory.js';
export { WrappingFactory, ProtocolWrapper } from './wrapping-factory.js';
export type { WrapperRegistry, ProtocolWrapperClass } from './wrapping-factory.js';
export { NoConnectorToRetryError } from './policy-errors.js';
export { ThrottlingFactory, ThrottlingProtocol } from './throttling-factory.js';
export type { ThrottlingOptions } from './throttling-factory.js';
export { LimitTotalConnectionsFactory, LimitConnectionsByPeer } from './limit-connections.js';
export type { LimitTotalConnectionsOptions } from './limit-connections.js';
export { NetstringReceiver } from './netstring-receiver.js';
export { IntNStringReceiver, Int8StringReceiver, Int16StringReceiver, Int32StringReceiver } from './int-string-receiver.js';
export { StatefulStringProtocol } from './stateful-string-protocol.js';
export type { StateHandler, StringReceiverLike, StringReceiverClass } from './stateful-string-protocol.js';
export { FileSender } from './file-sender.js';
export type { ChunkTransform } from './file-sender.js';
export {
  NetstringParseError,
  LengthLimitExceededError,
  StringTooLongError,
  UnknownStateError,
  TransferStoppedError,
  FileReadError,
  TransferInProgressError,
} from './string-errors.js';
export { ProcessProtocol } from './process-protocol.js';
