/**
 * Connection limits for servers: `LimitTotalConnectionsFactory` (all peers together) and
 * `LimitConnectionsByPeer` (per peer host).
 *
 * @module
 */
import { log } from '@torsion/reactor';
import type { Address, IProtocolFactory } from '@torsion/reactor';
import { ServerFactory } from './factory.js';
import type { ProtocolClass } from './factory.js';
import { checkPositiveInteger } from './policy-errors.js';
import { ProtocolWrapper, WrappingFactory } from './wrapping-factory.js';
import type { WrapperRegistry } from './wrapping-factory.js';

/** Settings of a {@link LimitTotalConnectionsFactory}. */
export interface LimitTotalConnectionsOptions {
  /** The most connections open at once (default: unlimited). */
  connectionLimit?: number;
  /** The protocol given to connections over the limit; without one they are refused. */
  overflowProtocol?: ProtocolClass;
}

/**
 * A server factory that serves at most {@link connectionLimit} connections at once. A
 * connection over the limit gets an {@link overflowProtocol} (to say "busy, try later") when one
 * is set, and is refused (closed at once) otherwise. Overflow connections count towards the
 * limit while they stay open, as in Twisted.
 *
 * Configure it like any factory, by subclassing or with `forProtocol`. Each protocol is put
 * behind a {@link ProtocolWrapper} so the factory hears when the connection ends; the protocol's
 * `transport` is that wrapper.
 *
 * @example
 * ```ts
 * class Busy extends Protocol {
 *   override connectionMade() { this.transport.write('busy, try again later\r\n'); this.transport.loseConnection(); }
 * }
 * class Limited extends LimitTotalConnectionsFactory {
 *   override protocol = Echo;
 *   override connectionLimit = 100;
 *   override overflowProtocol = Busy;
 * }
 * await reactor.listenTCP(8000, new Limited());
 * ```
 */
export class LimitTotalConnectionsFactory extends ServerFactory implements WrapperRegistry {
  /** The most connections open at once; `undefined` for no limit. Read at each connection. */
  connectionLimit: number | undefined = undefined;
  /** Built (with no arguments) for connections over the limit; `undefined` refuses them. */
  overflowProtocol: ProtocolClass | undefined = undefined;
  /** Connections open now, overflow ones included. */
  connectionCount = 0;

  constructor(options: LimitTotalConnectionsOptions = {}) {
    super();
    if (options.connectionLimit !== undefined) this.connectionLimit = options.connectionLimit;
    if (options.overflowProtocol !== undefined) this.overflowProtocol = options.overflowProtocol;
    this.#validate();
  }

  override doStart(): void {
    this.#validate();
    super.doStart();
  }

  override buildProtocol(addr: Address): ProtocolWrapper | null {
    this.#validate();
    const limit = this.connectionLimit;
    let inner;
    if (limit === undefined || this.connectionCount < limit) {
      inner = super.buildProtocol(addr);
    } else {
      const Overflow = this.overflowProtocol;
      if (Overflow === undefined) {
        log.debug(`LimitTotalConnectionsFactory refused a connection: connectionLimit (${limit}) reached.`, { peer: addr });
        return null;
      }
      inner = new (Overflow as unknown as new () => InstanceType<ProtocolClass>)();
      inner.factory = this;
    }
    if (inner === null) return null;
    this.connectionCount += 1;
    return new ProtocolWrapper(this, inner);
  }

  registerProtocol(_wrapper: ProtocolWrapper): void {}

  unregisterProtocol(_wrapper: ProtocolWrapper): void {
    this.connectionCount = Math.max(0, this.connectionCount - 1);
  }

  #validate(): void {
    if (this.connectionLimit !== undefined) {
      checkPositiveInteger('LimitTotalConnectionsFactory', 'connectionLimit', this.connectionLimit, 'give a whole number of connections, or leave it undefined for no limit');
    }
  }
}

/**
 * A {@link WrappingFactory} that refuses a connection when its peer host already has
 * {@link maxConnectionsPerPeer} connections open (default 5, as in Twisted).
 *
 * Peers are told apart by {@link peerKey}: the host for TCP, TLS and UDP addresses. UNIX-socket
 * peers have no distinguishing address, so they all share one key; override `peerKey` to group
 * peers differently (by /24 network, say). Entries are removed when a peer's last connection
 * ends, so the table holds only peers connected now.
 *
 * @example
 * ```ts
 * const factory = new LimitConnectionsByPeer(Factory.forProtocol(Echo));
 * factory.maxConnectionsPerPeer = 2;
 * await reactor.listenTCP(8000, factory);
 * ```
 */
export class LimitConnectionsByPeer extends WrappingFactory {
  /** The most connections one peer may have open at once. Read at each connection. */
  maxConnectionsPerPeer = 5;
  /** Open connections per peer key. */
  readonly peerConnections = new Map<string, number>();
  #keys = new WeakMap<ProtocolWrapper, string>();

  constructor(wrappedFactory: IProtocolFactory, options: { maxConnectionsPerPeer?: number } = {}) {
    super(wrappedFactory);
    if (options.maxConnectionsPerPeer !== undefined) this.maxConnectionsPerPeer = options.maxConnectionsPerPeer;
    this.#validate();
  }

  /** The key connections are counted under: the host of network addresses. */
  peerKey(addr: Address): string {
    switch (addr.type) {
      case 'TCP':
      case 'TLS':
      case 'UDP':
        return addr.host;
      case 'UNIX':
        return `unix:${addr.path}`;
      case 'PROCESS':
        return 'process';
    }
  }

  override doStart(): void {
    this.#validate();
    super.doStart();
  }

  override buildProtocol(addr: Address): ProtocolWrapper | null {
    this.#validate();
    const key = this.peerKey(addr);
    const count = this.peerConnections.get(key) ?? 0;
    if (count >= this.maxConnectionsPerPeer) {
      log.debug(`LimitConnectionsByPeer refused a connection: ${key} has ${count} open (maxConnectionsPerPeer).`, { peer: addr });
      return null;
    }
    const wrapper = super.buildProtocol(addr);
    if (wrapper === null) return null;
    this.peerConnections.set(key, count + 1);
    this.#keys.set(wrapper, key);
    return wrapper;
  }

  override unregisterProtocol(wrapper: ProtocolWrapper): void {
    super.unregisterProtocol(wrapper);
    const key = this.#keys.get(wrapper);
    if (key === undefined) return;
    this.#keys.delete(wrapper);
    const left = (this.peerConnections.get(key) ?? 1) - 1;
    if (left <= 0) this.peerConnections.delete(key);
    else this.peerConnections.set(key, left);
  }

  #validate(): void {
    checkPositiveInteger('LimitConnectionsByPeer', 'maxConnectionsPerPeer', this.maxConnectionsPerPeer, 'give a whole number of connections per peer');
  }
}
