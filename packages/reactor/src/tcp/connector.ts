import * as net from 'node:net';
import type * as tlsTypes from 'node:tls';
import { tls } from '../builtins.js';
import type { Address, IClientFactory, IConnector, IDelayedCall, IProtocol, TLSOptions } from '../interfaces.js';
import { ConnectingCancelledError, ConnectFailedError, TimeoutError } from '../errors.js';
import { log } from '../log.js';
import { describeAddress, hostAddress, peerAddress, type StreamKind } from './addresses.js';
import { connectErrorFrom } from './system-errors.js';
import { StreamTransport } from './stream-transport.js';
import type { TransportReactor } from '../lifecycle/resources.js';

/** What a connector needs from the reactor. @internal */
export interface ConnectorReactor extends TransportReactor {
  callLater(delay: number, fn: () => unknown): IDelayedCall;
}

/** Where and how a connector connects. @internal */
export interface ConnectSpec {
  kind: StreamKind;
  host?: string;
  port?: number;
  path?: string;
  /** Seconds before the attempt fails with `TimeoutError`. */
  timeout: number;
  bindAddress?: { host: string; port?: number };
  tls?: TLSOptions;
}

/**
 * An outgoing connection attempt, as returned by `reactor.connectTCP()`, `connectSSL()` and
 * `connectUNIX()`. The client factory hears, in order: `startFactory` (through `doStart`),
 * `startedConnecting`, `buildProtocol`, the protocol's `connectionMade` ... `connectionLost`,
 * `clientConnectionLost`, then `stopFactory` (through `doStop`); or `clientConnectionFailed` if
 * no connection was made. Calling {@link connect} again from `clientConnectionLost` or
 * `clientConnectionFailed` starts a new attempt (and keeps the factory started).
 *
 * @example
 * ```ts
 * const connector = reactor.connectTCP('127.0.0.1', 8000, new MyClientFactory(), { timeout: 5 });
 * // later
 * connector.disconnect();
 * ```
 */
export class Connector implements IConnector {
  readonly #reactor: ConnectorReactor;
  readonly #factory: IClientFactory;
  readonly #spec: ConnectSpec;
  readonly #destination: Address;
  #state: 'disconnected' | 'connecting' | 'connected' = 'disconnected';
  #factoryStarted = false;
  #socket: net.Socket | undefined;
  /** TLS: the TCP socket under the attempt's TLS socket. */
  #tcp: net.Socket | undefined;
  #timer: IDelayedCall | undefined;
  #transport: StreamTransport | undefined;
  #untrack: (() => void) | undefined;
  /** Bumped at each attempt so events from an abandoned socket are ignored. */
  #attempt = 0;

  /** @internal Use `reactor.connectTCP()` and friends. */
  constructor(reactor: ConnectorReactor, factory: IClientFactory, spec: ConnectSpec) {
    this.#reactor = reactor;
    this.#factory = factory;
    this.#spec = spec;
    this.#destination =
      spec.kind === 'UNIX'
        ? { type: 'UNIX', path: spec.path ?? '' }
        : { type: spec.kind, host: spec.host ?? '', port: spec.port ?? 0 };
  }

  get state(): 'disconnected' | 'connecting' | 'connected' {
    return this.#state;
  }

  getDestination(): Address {
    return this.#destination;
  }

  connect(): void {
    if (this.#state !== 'disconnected') {
      throw new ConnectFailedError(`connect() called while the connector is ${this.#state}: call it only when disconnected.`);
    }
    this.#state = 'connecting';
    if (!this.#factoryStarted) {
      try {
        this.#factory.doStart();
      } catch (err) {
        this.#state = 'disconnected'; // a factory that cannot start makes no attempt
        throw err;
      }
      this.#factoryStarted = true;
    }
    try {
      this.#factory.startedConnecting(this);
    } catch (err) {
      // No attempt was made: leave the connector and the factory as they were before.
      this.#state = 'disconnected';
      this.#maybeStopFactory();
      throw err;
    }
    if (this.#state !== 'connecting') return; // stopConnecting() from startedConnecting
    const attempt = ++this.#attempt;
    const socket = this.#open();
    this.#socket = socket;
    // reactor.stop() abandons attempts still in progress.
    this.#untrack = this.#reactor.track({
      kind: 'connection',
      close: () => {
        this.stopConnecting();
        return Promise.resolve();
      },
      abort: () => this.stopConnecting(),
    });
    this.#timer = this.#reactor.callLater(this.#spec.timeout, () => {
      this.#timer = undefined;
      if (attempt !== this.#attempt) return;
      this.#failed(
        new TimeoutError(
          `Connecting to ${describeAddress(this.#destination)} took longer than ${this.#spec.timeout} s: raise the timeout or check that the peer is reachable.`,
        ),
      );
    });
    socket.once(this.#spec.kind === 'TLS' ? 'secureConnect' : 'connect', () => {
      if (attempt === this.#attempt) this.#connected(socket);
    });
    socket.once('error', (err: Error) => {
      if (attempt === this.#attempt && this.#state === 'connecting') this.#failed(connectErrorFrom(err, describeAddress(this.#destination)));
    });
  }

  #open(): net.Socket {
    const spec = this.#spec;
    if (spec.kind === 'UNIX') return net.connect({ path: spec.path ?? '', allowHalfOpen: true });
    const base = {
      host: spec.host,
      port: spec.port ?? 0,
      allowHalfOpen: spec.kind !== 'TLS',
      // The transport coalesces each turn's writes itself; Nagle would only add delay.
      noDelay: true,
      ...(spec.bindAddress === undefined ? {} : { localAddress: spec.bindAddress.host, localPort: spec.bindAddress.port }),
    };
    if (spec.kind === 'TLS') {
      const servername = spec.tls?.servername ?? (net.isIP(spec.host ?? '') === 0 ? spec.host : undefined);
      // TLS over a TCP socket of our own: abortConnection() resets that one (a TLS socket
      // cannot be reset itself).
      const tcp = net.connect(base);
      this.#tcp = tcp;
      return tls().connect({ ...spec.tls, socket: tcp, ...(servername === undefined ? {} : { servername }) });
    }
    return net.connect(base);
  }

  stopConnecting(): void {
    if (this.#state !== 'connecting') return;
    this.#failed(new ConnectingCancelledError(`Connecting to ${describeAddress(this.#destination)} was cancelled with stopConnecting().`));
  }

  disconnect(): void {
    if (this.#state === 'connecting') this.stopConnecting();
    else if (this.#state === 'connected') this.#transport?.loseConnection();
  }

  #cancelTimer(): void {
    this.#untrack?.();
    this.#untrack = undefined;
    const timer = this.#timer;
    this.#timer = undefined;
    if (timer !== undefined && timer.active()) timer.cancel();
  }

  #failed(reason: Error): void {
    this.#attempt++;
    this.#cancelTimer();
    const socket = this.#socket;
    const tcp = this.#tcp;
    this.#socket = undefined;
    this.#tcp = undefined;
    for (const s of [socket, tcp]) {
      if (s === undefined) continue;
      s.on('error', () => {}); // a late error of an abandoned attempt is of no interest
      s.destroy();
    }
    this.#state = 'disconnected';
    try {
      this.#factory.clientConnectionFailed(this, reason);
    } catch (err) {
      log.error(`clientConnectionFailed() threw for ${describeAddress(this.#destination)}.`, err);
    }
    this.#maybeStopFactory();
  }

  #connected(socket: net.Socket): void {
    this.#cancelTimer();
    const tcp = this.#tcp;
    this.#socket = undefined;
    this.#tcp = undefined;
    this.#state = 'connected';
    const kind = this.#spec.kind;
    const peer = kind === 'UNIX' ? this.#destination : peerAddress(kind, socket);
    const host = hostAddress(kind, socket, '');
    let protocol: IProtocol | null;
    try {
      protocol = this.#factory.buildProtocol(this.#destination);
    } catch (err) {
      log.error(`buildProtocol() threw; dropping the connection to ${describeAddress(peer)}.`, err, {
        peer: describeAddress(peer),
        host: describeAddress(host),
      });
      protocol = null;
    }
    if (protocol === null) {
      socket.destroy();
      tcp?.destroy();
      this.#state = 'disconnected';
      this.#attempt++;
      const reason = new ConnectFailedError(`The factory refused to build a protocol for ${describeAddress(peer)} (buildProtocol returned null or threw).`);
      try {
        this.#factory.clientConnectionFailed(this, reason);
      } catch (err) {
        log.error(`clientConnectionFailed() threw for ${describeAddress(this.#destination)}.`, err);
      }
      this.#maybeStopFactory();
      return;
    }
    const transport = new StreamTransport(
      socket,
      protocol,
      { kind, reactor: this.#reactor, isServer: false, peer, onLost: (reason) => this.#lost(reason), ...(tcp === undefined ? {} : { tcpSocket: tcp }) },
      host,
    );
    this.#transport = transport;
    transport.start();
  }

  #lost(reason: Error): void {
    this.#transport = undefined;
    this.#state = 'disconnected';
    try {
      this.#factory.clientConnectionLost(this, reason);
    } finally {
      // A throw is logged by the transport, with the connection's addresses; the factory still stops.
      this.#maybeStopFactory();
    }
  }

  #maybeStopFactory(): void {
    // A factory that reconnected from its callback keeps running.
    if (this.#state === 'disconnected' && this.#factoryStarted) {
      this.#factoryStarted = false;
      try {
        this.#factory.doStop();
      } catch (err) {
        log.error(`The factory for ${describeAddress(this.#destination)} failed to stop.`, err);
      }
    }
  }
}
