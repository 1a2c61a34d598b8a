import type { ITransport, IProtocol, MaybePromise } from '@torsion/reactor';
import { formatAddress } from '@torsion/reactor';
import type { Factory } from './factory.js';

/**
 * The base class of connection-oriented protocols: subclass it and override the callbacks.
 *
 * The reactor calls {@link makeConnection} once (which sets {@link transport} and calls
 * {@link connectionMade}), {@link dataReceived} for each chunk of bytes, and
 * {@link connectionLost} exactly once at the end. A callback that throws, or returns a promise
 * that rejects, drops this connection alone; the error is logged with its addresses.
 *
 * @example
 * ```ts
 * import { Protocol, Factory } from '@torsion/protocols';
 * import { reactor } from '@torsion/reactor';
 *
 * class Echo extends Protocol {
 *   override dataReceived(data: Buffer): void {
 *     this.transport.write(data);
 *   }
 * }
 * await reactor.listenTCP(8000, Factory.forProtocol(Echo), { interface: '127.0.0.1' });
 * ```
 */
export class Protocol implements IProtocol {
  /**
   * The connection's transport, set by {@link makeConnection}. Reading it before the connection
   * is made gives `undefined`.
   */
  transport!: ITransport;
  /**
   * The factory that built this protocol, set by `Factory.buildProtocol`. Subclasses narrow it
   * with `declare factory: MyFactory;`.
   */
  factory: Factory | undefined = undefined;
  /** True from {@link makeConnection} until {@link connectionLost}. */
  connected = false;

  /** Attach the transport and call {@link connectionMade}. Called by the reactor. */
  makeConnection(transport: ITransport): MaybePromise<void> {
    this.connected = true;
    this.transport = transport;
    return this.connectionMade();
  }

  /** The connection is up: greet, start timers, register producers. */
  connectionMade(): MaybePromise<void> {}

  /** Bytes arrived. `data` is the protocol's to keep. */
  dataReceived(_data: Buffer): MaybePromise<void> {}

  /**
   * The peer closed its write side (half-close). Return true to keep the connection open so you
   * can still write; otherwise it is closed and {@link connectionLost} follows with `ConnectionDone`.
   */
  eofReceived(): boolean | void {}

  /** The connection is gone; `reason` is a `ConnectionDone`, `ConnectionLost` or `ConnectionAborted`. */
  connectionLost(_reason: Error): MaybePromise<void> {
    this.connected = false;
  }

  /** The transport's write buffer passed its high-water mark: stop writing until resumed. */
  pauseWriting(): void {}

  /** The transport's write buffer fell to its low-water mark: writing may go on. */
  resumeWriting(): void {}

  /** A short label for log lines: the class name and, when connected, the peer. */
  logPrefix(): string {
    const name = this.constructor.name;
    if (this.transport === undefined) return name;
    return `${name},${formatAddress(this.transport.getPeer())}`;
  }
}
