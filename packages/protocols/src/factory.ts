import type { Address, IClientFactory, IConnector, IProtocolFactory } from '@torsion/reactor';
import { TorsionError, TorsionTypeError } from '@torsion/reactor';
import type { Protocol } from './protocol.js';

/** A protocol class a factory can build. Its constructor arguments come from {@link Factory.forProtocol}. */
export type ProtocolClass<P extends Protocol = Protocol> = new (...args: never[]) => P;

/**
 * `doStop()` called more often than `doStart()`: a port or connector stopped twice.
 *
 * @example
 * ```ts
 * factory.doStart();
 * factory.doStop();
 * factory.doStop();   // throws FactoryNotStartedError: one doStop() per doStart()
 * ```
 */
export class FactoryNotStartedError extends TorsionError {
  constructor() {
    super('ERR_FACTORY_NOT_STARTED', 'Factory.doStop() was called more times than doStart(): a port or connector was stopped twice.');
  }
}

/**
 * Makes a protocol for each connection. Configure by subclassing (`protocol = MyProtocol`) or
 * with {@link Factory.forProtocol}. Put state shared by all connections (a chat room's members)
 * on the factory.
 *
 * `startFactory()` runs when the first port or connector starts using the factory and
 * `stopFactory()` when the last one stops, however many use it.
 *
 * @example
 * ```ts
 * class Chat extends Factory {
 *   override protocol = ChatProtocol;
 *   readonly members = new Set<ChatProtocol>();
 * }
 * await reactor.listenTCP(8023, new Chat());
 * ```
 */
export class Factory implements IProtocolFactory {
  /** The protocol class built for each connection. Read at each `buildProtocol()`. */
  protocol: ProtocolClass | undefined = undefined;
  /** How many ports and connectors use this factory right now. */
  numPorts = 0;
  #protocolArgs: readonly unknown[] = [];

  /**
   * A factory of this class whose `buildProtocol` makes `new protocol(...args)`.
   *
   * @example
   * ```ts
   * const factory = Factory.forProtocol(Echo);
   * ```
   */
  static forProtocol<F extends Factory, A extends unknown[]>(
    this: new () => F,
    protocol: new (...args: A) => Protocol,
    ...args: A
  ): F {
    const factory = new this();
    factory.protocol = protocol as unknown as ProtocolClass;
    factory.#protocolArgs = args;
    return factory;
  }

  /** Counts users; calls {@link startFactory} for the first. Called by ports and connectors. */
  doStart(): void {
    if (this.numPorts === 0) this.startFactory();
    this.numPorts += 1;
  }

  /** Counts users; calls {@link stopFactory} after the last. Called by ports and connectors. */
  doStop(): void {
    if (this.numPorts === 0) throw new FactoryNotStartedError();
    this.numPorts -= 1;
    if (this.numPorts === 0) this.stopFactory();
  }

  /** Runs once before the first port or connector uses this factory. */
  startFactory(): void {}

  /** Runs once after the last port or connector stops using this factory. */
  stopFactory(): void {}

  /** Make the protocol for a connection from or to `addr`; return null to refuse it. */
  buildProtocol(_addr: Address): Protocol | null {
    const P = this.protocol;
    if (P === undefined) {
      throw new TorsionTypeError(
        `${this.constructor.name}.protocol is not set: assign a Protocol subclass to it, use Factory.forProtocol(), or override buildProtocol().`,
      );
    }
    const p = new (P as unknown as new (...args: unknown[]) => Protocol)(...this.#protocolArgs);
    p.factory = this;
    return p;
  }
}

/**
 * A factory for listening ports.
 *
 * @example
 * ```ts
 * class EchoFactory extends ServerFactory {
 *   override protocol = Echo;
 * }
 * await reactor.listenTCP(8000, new EchoFactory(), { interface: '127.0.0.1' });
 * ```
 */
export class ServerFactory extends Factory {}

/**
 * A factory for outgoing connections: it is also told when connecting starts, fails, or when an
 * established connection is lost.
 *
 * @example
 * ```ts
 * class Greeter extends ClientFactory {
 *   override protocol = Hello;
 *   override clientConnectionFailed(_connector: IConnector, reason: Error): void {
 *     console.error('could not connect:', reason.message);
 *   }
 * }
 * reactor.connectTCP('127.0.0.1', 8000, new Greeter(), { timeout: 5 });
 * ```
 */
export class ClientFactory extends Factory implements IClientFactory {
  /** An attempt started. */
  startedConnecting(_connector: IConnector): void {}
  /** An attempt failed: `reason` is a `ConnectionRefusedError`, `TimeoutError`, `DNSLookupError`... */
  clientConnectionFailed(_connector: IConnector, _reason: Error): void {}
  /** An established connection ended. */
  clientConnectionLost(_connector: IConnector, _reason: Error): void {}
}
