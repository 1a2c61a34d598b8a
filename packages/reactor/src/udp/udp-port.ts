import type * as dgramTypes from 'node:dgram';
import { dgram } from '../builtins.js';
import { isIP } from 'node:net';
import { CannotListenError, PortClosedError, TorsionRangeError, TorsionTypeError } from '../errors.js';
import type { Data, HostPort, IDatagramProtocol, IUDPTransport, ListenUDPOptions, UDPAddress } from '../interfaces.js';
import { log } from '../log.js';
import type { Reactor } from '../reactor.js';
import { connectErrorFrom } from '../tcp/system-errors.js';

// The largest payload one UDP datagram can carry over IPv4 (65535 - 8 UDP - 20 IP header bytes).
const MAX_DATAGRAM = 65507;

function toBuffer(data: Data): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * A listening UDP port: the transport of a datagram protocol. Made by `reactor.listenUDP()`.
 *
 * A protocol callback that throws (or returns a promise that rejects) is logged with the
 * sender's address, and the port keeps serving: there is no connection to drop.
 *
 * @example
 * ```ts
 * class Echo extends DatagramProtocol {
 *   override datagramReceived(data: Buffer, addr: { host: string; port: number }): void {
 *     this.transport.write(data, addr);
 *   }
 * }
 * const port = await reactor.listenUDP(0, new Echo(), { interface: '127.0.0.1' });
 * console.log(port.getHost());
 * await port.stopListening();
 * ```
 */
export class UDPPort implements IUDPTransport {
  readonly #reactor: Reactor;
  readonly #socket: dgramTypes.Socket;
  readonly #protocol: IDatagramProtocol;
  /** The address last read from the socket: a closed socket no longer knows it. */
  #host: UDPAddress;
  #peer: HostPort | null = null;
  #closing: Promise<void> | null = null;
  #untrack: (() => void) | null = null;

  private constructor(reactor: Reactor, socket: dgramTypes.Socket, protocol: IDatagramProtocol) {
    this.#reactor = reactor;
    this.#socket = socket;
    this.#protocol = protocol;
    const a = socket.address();
    this.#host = { type: 'UDP', host: a.address, port: a.port };
  }

  /** Bind a socket and start `protocol` on it. Use `reactor.listenUDP()` rather than this. */
  static async listen(reactor: Reactor, port: number, protocol: IDatagramProtocol, options: ListenUDPOptions = {}): Promise<UDPPort> {
    if (typeof port !== 'number' || !Number.isInteger(port)) {
      throw new TorsionTypeError(`listenUDP() needs an integer port, got ${JSON.stringify(port)}.`);
    }
    if (port < 0 || port > 65535) throw new TorsionRangeError(`listenUDP() port must be between 0 and 65535, got ${port}.`);
    const iface = options.interface ?? '0.0.0.0';
    const family = isIP(iface);
    if (family === 0) {
      throw new TorsionTypeError(`listenUDP() interface must be a numeric IPv4 or IPv6 address, got ${JSON.stringify(iface)}.`);
    }
    const socket = dgram().createSocket({ type: family === 6 ? 'udp6' : 'udp4', reuseAddr: options.reuseAddress === true });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.close();
        const code = (err as NodeJS.ErrnoException).code;
        const hint = code === 'EADDRINUSE' ? 'the port is in use: choose another or stop the other program' : code === 'EACCES' ? 'ports below 1024 need privileges: choose a higher port' : 'check the interface address';
        reject(new CannotListenError(iface, port, `Cannot listen for UDP on ${iface}:${port}: ${hint} (${err.message}).`, { cause: err }));
      };
      socket.once('error', onError);
      socket.bind(port, iface, () => {
        socket.off('error', onError);
        resolve();
      });
    });
    const udp = new UDPPort(reactor, socket, protocol);
    udp.#start();
    return udp;
  }

  #start(): void {
    const protocol = this.#protocol;
    this.#socket.on('message', (msg, rinfo) => {
      const from = { host: rinfo.address, port: rinfo.port };
      try {
        const r = protocol.datagramReceived(msg, from);
        if (r !== undefined && typeof (r as Promise<void>).then === 'function') {
          (r as Promise<void>).then(undefined, (err: unknown) => this.#failed(err, from));
        }
      } catch (err) {
        this.#failed(err, from);
      }
    });
    this.#socket.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
        this.#call('connectionRefused', () => protocol.connectionRefused?.());
      } else {
        log.warn(`UDP port ${this.#label()}: ${err.message}`, { host: this.getHost() });
      }
    });
    this.#untrack = this.#reactor.track({ kind: 'port', close: () => this.stopListening(), abort: () => void this.stopListening() });
    this.#call('makeConnection', () => protocol.makeConnection(this));
  }

  #label(): string {
    const h = this.getHost();
    return `${h.host}:${h.port}`;
  }

  #failed(err: unknown, from: HostPort): void {
    log.error(`Unhandled error in datagramReceived on UDP port ${this.#label()} (datagram from ${from.host}:${from.port}); the port keeps serving.`, err, {
      host: this.getHost(),
      peer: { type: 'UDP', ...from },
    });
  }

  #call(what: string, fn: () => unknown): void {
    try {
      fn();
    } catch (err) {
      log.error(`Unhandled error in ${what} on UDP port ${this.#label()}.`, err, { host: this.getHost() });
    }
  }

  getHost(): UDPAddress {
    try {
      const a = this.#socket.address();
      this.#host = { type: 'UDP', host: a.address, port: a.port };
    } catch {
      // Closed: the address it had.
    }
    return { ...this.#host };
  }

  write(data: Data, addr?: HostPort): void {
    this.#send(toBuffer(data), addr);
  }

  writeSequence(chunks: Iterable<Data>, addr?: HostPort): void {
    this.#send(Buffer.concat([...chunks].map(toBuffer)), addr);
  }

  #send(buf: Buffer, addr: HostPort | undefined): void {
    if (this.#closing !== null) throw new PortClosedError();
    if (buf.length > MAX_DATAGRAM) {
      throw new TorsionRangeError(`A UDP datagram holds at most ${MAX_DATAGRAM} bytes, got ${buf.length}: split the data or use a stream transport.`);
    }
    const onSent = (err: Error | null): void => {
      if (err !== null && (err as NodeJS.ErrnoException).code !== 'ECONNREFUSED') {
        log.warn(`UDP send from ${this.#label()} failed: ${err.message}`, { host: this.getHost() });
      }
    };
    if (this.#peer !== null) {
      if (addr !== undefined && (addr.host !== this.#peer.host || addr.port !== this.#peer.port)) {
        throw new TorsionTypeError(`This UDP port is connected to ${this.#peer.host}:${this.#peer.port}: write without an address, or to that one.`);
      }
      this.#socket.send(buf, onSent);
      return;
    }
    if (addr === undefined || typeof addr.host !== 'string' || !Number.isInteger(addr.port)) {
      throw new TorsionTypeError('write() on a UDP port needs the address { host, port } to send to, unless the port is connect()ed to a peer.');
    }
    if (addr.port < 1 || addr.port > 65535) throw new TorsionRangeError(`A UDP destination port must be between 1 and 65535, got ${addr.port}.`);
    this.#socket.send(buf, addr.port, addr.host, onSent);
  }

  async connect(host: string, port: number): Promise<void> {
    if (this.#closing !== null) throw new PortClosedError();
    if (this.#peer !== null) throw new TorsionTypeError(`This UDP port is already connected to ${this.#peer.host}:${this.#peer.port}.`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new TorsionRangeError(`connect() port must be between 1 and 65535, got ${port}.`);
    await new Promise<void>((resolve, reject) => {
      // Node's own error (a failed lookup, an IPv6 address on an IPv4 port) as a typed one.
      this.#socket.connect(port, host, (err?: Error) => (err ? reject(connectErrorFrom(err, `${host}:${port}`)) : resolve()));
    });
    this.#peer = { host, port };
  }

  stopListening(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#socket.close(() => {
        this.#untrack?.();
        this.#call('doStop', () => this.#protocol.doStop());
        resolve();
      });
    });
    return this.#closing;
  }

  loseConnection(): Promise<void> {
    return this.stopListening();
  }

  setBroadcastAllowed(on: boolean): void {
    this.#socket.setBroadcast(on);
    this.#broadcast = on;
  }

  #broadcast = false;

  getBroadcastAllowed(): boolean {
    return this.#broadcast;
  }

  joinGroup(group: string, iface?: string): void {
    this.#socket.addMembership(group, iface);
  }

  leaveGroup(group: string, iface?: string): void {
    this.#socket.dropMembership(group, iface);
  }

  setTTL(ttl: number): void {
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 255) throw new TorsionRangeError(`TTL must be an integer from 1 to 255, got ${ttl}.`);
    this.#socket.setMulticastTTL(ttl);
  }

  setLoopbackMode(on: boolean): void {
    this.#socket.setMulticastLoopback(on);
  }
}
