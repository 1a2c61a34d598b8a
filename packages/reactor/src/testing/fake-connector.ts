import type { Address, IClientFactory, IConnector, IDelayedCall, IProtocol, IReactorTime } from '../interfaces.js';
import {
  ConnectFailedError,
  ConnectingCancelledError,
  ConnectionRefusedError,
  ConnectorStateError,
  TimeoutError,
} from '../errors.js';
import { StringTransportWithDisconnection } from './string-transport.js';
import type { StringTransportOptions } from './string-transport.js';
import { fakeEphemeralPort } from './fake-listening-port.js';
import { describeAddress } from '../tcp/addresses.js';
import type { MemoryConnection } from './fake-listening-port.js';

/** How a {@link FakeConnector} times out its attempts: after `timeout` seconds of `clock`. */
export interface FakeConnectorTimeout {
  readonly clock: IReactorTime;
  readonly timeout: number;
}

/** A method of {@link FakeConnector} that code under test called. */
export type ConnectorCall = 'connect' | 'stopConnecting' | 'disconnect';

/**
 * The connector `MemoryReactor.connectTCP` (and `connectUNIX`, `connectSSL`) returns: an
 * outgoing attempt whose outcome the test decides.
 *
 * It behaves like a real connector towards its factory — `doStart()` and `startedConnecting()`
 * when an attempt starts, then `clientConnectionFailed` or, once connected and lost,
 * `clientConnectionLost`, and `doStop()` when an attempt ends without the factory starting
 * another — and records every call the code under test makes to it in {@link calls}. Drive it
 * with {@link succeed}, {@link fail}, and the returned transport's `loseConnection()` /
 * `lose(reason)`. Made by a `MemoryReactorClock`, an attempt still connecting after the connect
 * timeout (`options.timeout`, default 30 s) fails with `TimeoutError` as the clock passes it.
 *
 * @example
 * ```ts
 * const reactor = new MemoryReactorClock();
 * const factory = new MyReconnectingFactory();
 * factory.clock = reactor;
 * const connector = reactor.connectTCP('127.0.0.1', 8023, factory);
 * connector.fail();                  // ConnectionRefusedError
 * reactor.advance(factory.delay);    // the factory retries
 * connector.calls;                   // ['connect']
 * const { transport } = connector.succeed()!;
 * transport.lose();                  // clientConnectionLost(ConnectionLost)
 * ```
 */
export class FakeConnector implements IConnector {
  readonly factory: IClientFactory;
  /** Calls made by the code under test, in order. */
  readonly calls: ConnectorCall[] = [];
  /** How many attempts were started (the first by the reactor, later ones by `connect()`). */
  attempts = 0;
  /** The current connection, once {@link succeed} made one (kept after it is lost). */
  connection: MemoryConnection | undefined = undefined;
  #state: 'disconnected' | 'connecting' | 'connected' = 'disconnected';
  #factoryStarted = false;
  #timer: IDelayedCall | undefined = undefined;
  readonly #destination: Address;
  readonly #timeout: FakeConnectorTimeout | undefined;

  /** Made by `MemoryReactor`, which starts the first attempt at once as a reactor would. */
  constructor(destination: Address, factory: IClientFactory, timeout?: FakeConnectorTimeout) {
    this.#destination = destination;
    this.factory = factory;
    this.#timeout = timeout;
    this.#start();
  }

  get state(): 'disconnected' | 'connecting' | 'connected' {
    return this.#state;
  }

  getDestination(): Address {
    return this.#destination;
  }

  /** Start another attempt; like a real connector, throws `ConnectFailedError` unless disconnected. */
  connect(): void {
    this.calls.push('connect');
    if (this.#state !== 'disconnected') {
      throw new ConnectFailedError(`connect() called while the connector is ${this.#state}: call it only when disconnected.`);
    }
    this.#start();
  }

  /**
   * Abandon the attempt in progress: the factory sees `clientConnectionFailed(ConnectingCancelledError)`.
   * Does nothing unless connecting, as with a real connector.
   */
  stopConnecting(): void {
    this.calls.push('stopConnecting');
    if (this.#state === 'connecting') this.#failed(new ConnectingCancelledError());
  }

  /** Stop connecting, or close the connection (`loseConnection()`), or do nothing when disconnected. */
  disconnect(): void {
    this.calls.push('disconnect');
    if (this.#state === 'connecting') this.#failed(new ConnectingCancelledError());
    else if (this.#state === 'connected') this.connection?.transport.loseConnection();
  }

  /**
   * The attempt succeeds: the factory builds a protocol for the destination, joined to a new
   * {@link StringTransportWithDisconnection}; when that transport is lost the factory hears
   * `clientConnectionLost`. Returns null if the factory refused (`buildProtocol` returned null),
   * which fails the attempt with `ConnectFailedError`, as a real connector does.
   */
  succeed<P extends IProtocol = IProtocol>(options: StringTransportOptions = {}): MemoryConnection<P> | null {
    this.#expectConnecting('succeed');
    this.#cancelTimer();
    const peer = options.peer ?? this.#destination;
    const protocol = this.factory.buildProtocol(peer);
    if (protocol === null) {
      this.#failed(new ConnectFailedError(`The factory refused to build a protocol for ${describeAddress(peer)} (buildProtocol returned null).`));
      return null;
    }
    const host: Address =
      options.host ??
      (peer.type === 'UNIX' || peer.type === 'PROCESS' ? { type: 'UNIX', path: '' } : { type: peer.type, host: '127.0.0.1', port: fakeEphemeralPort() });
    const transport = new StringTransportWithDisconnection({
      ...options,
      peer,
      host,
      protocol,
      onConnectionLost: (reason) => this.#lost(reason),
    });
    this.#state = 'connected';
    this.connection = { protocol, transport };
    void protocol.makeConnection(transport);
    return this.connection as MemoryConnection<P>;
  }

  /** The attempt fails with `reason` (default `ConnectionRefusedError`): `clientConnectionFailed`. */
  fail(reason: Error = new ConnectionRefusedError()): void {
    this.#expectConnecting('fail');
    this.#failed(reason);
  }

  #expectConnecting(what: string): void {
    if (this.#state !== 'connecting') {
      throw new ConnectorStateError(
        `${what}() drives an attempt in progress, but the connector is ${this.#state}: call connect() (or let the factory retry) first.`,
      );
    }
  }

  #start(): void {
    this.#state = 'connecting';
    this.attempts += 1;
    if (!this.#factoryStarted) {
      this.#factoryStarted = true;
      this.factory.doStart();
    }
    this.factory.startedConnecting(this);
    const t = this.#timeout;
    if (t !== undefined && this.#state === 'connecting') {
      this.#timer = t.clock.callLater(t.timeout, () => {
        this.#timer = undefined;
        this.#failed(new TimeoutError(`Connecting took longer than ${t.timeout} s: raise the timeout or check that the peer is reachable.`));
      });
    }
  }

  #cancelTimer(): void {
    const timer = this.#timer;
    this.#timer = undefined;
    if (timer !== undefined && timer.active()) timer.cancel();
  }

  #failed(reason: Error): void {
    this.#cancelTimer();
    this.#state = 'disconnected';
    this.factory.clientConnectionFailed(this, reason);
    this.#stopFactoryIfIdle();
  }

  #lost(reason: Error): void {
    this.#state = 'disconnected';
    this.factory.clientConnectionLost(this, reason);
    this.#stopFactoryIfIdle();
  }

  /** A factory that reconnected from inside its callback keeps running, as with a real connector. */
  #stopFactoryIfIdle(): void {
    if (this.#state === 'disconnected' && this.#factoryStarted) {
      this.#factoryStarted = false;
      this.factory.doStop();
    }
  }
}
