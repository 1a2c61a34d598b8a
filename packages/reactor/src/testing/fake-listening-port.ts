import type { Address, IListeningPort, IProtocol, IProtocolFactory } from '../interfaces.js';
import { NotListeningError } from '../errors.js';
import { StringTransportWithDisconnection } from './string-transport.js';
import type { StringTransportOptions } from './string-transport.js';

/** A protocol joined to the in-memory transport that carries its connection. */
export interface MemoryConnection<P extends IProtocol = IProtocol> {
  readonly protocol: P;
  readonly transport: StringTransportWithDisconnection;
}

let nextClientPort = 50000;

/** A fresh fake ephemeral port number for the peer of an accepted connection. */
export function fakeEphemeralPort(): number {
  nextClientPort = nextClientPort >= 65535 ? 50000 : nextClientPort + 1;
  return nextClientPort;
}

/** The address a connection on a port bound to `address` reports as its own. */
function connectionHost(address: Address): Address {
  if (address.type === 'UNIX' || address.type === 'PROCESS') return address;
  if (address.host === '0.0.0.0') return { ...address, host: '127.0.0.1' };
  if (address.host === '::') return { ...address, host: '::1' };
  return address;
}

/** The address of a made-up peer connecting to `host`. */
function peerOf(host: Address): Address {
  if (host.type === 'UNIX') return { type: 'UNIX', path: '' };
  if (host.type === 'PROCESS') return host;
  return { type: host.type, host: host.host, port: fakeEphemeralPort() };
}

/**
 * The listening port `MemoryReactor.listenTCP` (and its UNIX, TLS and UDP siblings) resolve to.
 * It starts its factory when made and stops it in {@link stopListening}, as a real port does, and
 * lets a test hand the factory a connection with {@link accept}.
 *
 * @example
 * ```ts
 * const reactor = new MemoryReactor();
 * const port = await reactor.listenTCP(8023, Factory.forProtocol(Echo));
 * const { protocol, transport } = port.accept()!;
 * protocol.dataReceived(Buffer.from('hi'));
 * transport.value().toString(); // 'hi'
 * ```
 */
export class FakeListeningPort<A extends Address = Address> implements IListeningPort<A> {
  /** The factory the port was opened with (for UDP: undefined, see {@link protocol}). */
  readonly factory: IProtocolFactory | undefined;
  /** The datagram protocol of a UDP port. */
  readonly protocol: object | undefined;
  /** False once {@link stopListening} was called. */
  listening = true;
  /** Every connection handed out by {@link accept}, in order. */
  readonly connections: MemoryConnection[] = [];
  readonly #address: A;

  constructor(address: A, factory: IProtocolFactory | undefined, protocol?: object) {
    this.#address = address;
    this.factory = factory;
    this.protocol = protocol;
    factory?.doStart();
  }

  getHost(): A {
    return this.#address;
  }

  /** Stop listening: the factory's `doStop()` runs once. Calling it again does nothing. */
  stopListening(): Promise<void> {
    if (this.listening) {
      this.listening = false;
      this.factory?.doStop();
    }
    return Promise.resolve();
  }

  /**
   * A peer connects: build a protocol with the factory (as for a real connection, from the peer's
   * address) and join it to a new {@link StringTransportWithDisconnection}. Returns null when the
   * factory refuses the connection (`buildProtocol` returned null). `options` override the
   * transport's addresses and extra info. The type parameter only narrows the protocol's type
   * for the test (`port.accept<Echo>()`); it is not checked.
   */
  accept<P extends IProtocol = IProtocol>(options: StringTransportOptions = {}): MemoryConnection<P> | null {
    if (!this.listening) throw new NotListeningError();
    if (this.factory === undefined) {
      throw new NotListeningError('A UDP port has no connections to accept: call the datagram protocol directly.');
    }
    const host = options.host ?? connectionHost(this.#address);
    const peer = options.peer ?? peerOf(host);
    const protocol = this.factory.buildProtocol(peer);
    if (protocol === null) return null;
    const transport = new StringTransportWithDisconnection({ ...options, host, peer, protocol });
    const connection = { protocol, transport };
    this.connections.push(connection);
    void protocol.makeConnection(transport);
    return connection as MemoryConnection<P>;
  }
}
