export { Protocol, formatAddress } from './protocol.js';
export { Factory, ServerFactory, ClientFactory, FactoryNotStartedError } from './factory.js';
export type { ProtocolClass } from './factory.js';
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
