import * as fs from 'node:fs';
import * as net from 'node:net';
import type { ConnectTCPOptions, IClientFactory, IProtocolFactory, ListenTCPOptions, TCPAddress, TLSAddress, TLSOptions, UNIXAddress } from '../interfaces.js';
import { TorsionRangeError, TorsionTypeError } from '../errors.js';
import { validateHost, validatePort, validateTimeout } from './addresses.js';
import { Connector, type ConnectorReactor } from './connector.js';
import { ListeningPort } from './listening-port.js';

/** Options for `reactor.listenUNIX()`. */
export interface ListenUNIXOptions {
  /** The listen backlog (default 511). */
  backlog?: number;
}

/** Options for `reactor.connectUNIX()`. */
export interface ConnectUNIXOptions {
  /** Seconds to wait for the connection before failing with `TimeoutError` (default 30). */
  timeout?: number;
}

function validateBacklog(backlog: unknown, what: string): number | undefined {
  if (backlog === undefined) return undefined;
  if (typeof backlog !== 'number' || !Number.isInteger(backlog) || backlog < 0) {
    throw new TorsionRangeError(`${what}: backlog must be a non-negative integer, got ${String(backlog)}.`);
  }
  return backlog;
}

function validateFactory(factory: unknown, what: string, client: boolean): void {
  const f = factory as Partial<IClientFactory> | null;
  if (f === null || typeof f !== 'object' || typeof f.buildProtocol !== 'function' || typeof f.doStart !== 'function') {
    throw new TorsionTypeError(`${what}: expected a protocol factory (a Factory instance), got ${String(factory)}.`);
  }
  if (client && (typeof f.clientConnectionFailed !== 'function' || typeof f.startedConnecting !== 'function')) {
    throw new TorsionTypeError(`${what}: expected a client factory (a ClientFactory instance) with clientConnectionFailed().`);
  }
}

function validatePath(path: unknown, what: string): string {
  if (typeof path !== 'string' || path === '') {
    throw new TorsionTypeError(`${what}: the socket path must be a non-empty string, got ${String(path)}.`);
  }
  return path;
}

/** @internal The body of `Reactor.listenTCP` and `listenSSL`. */
export async function listenStream(reactor: ConnectorReactor, port: number, factory: IProtocolFactory, options: ListenTCPOptions): Promise<ListeningPort<TCPAddress>>;
export async function listenStream(reactor: ConnectorReactor, port: number, factory: IProtocolFactory, options: ListenTCPOptions, tls: TLSOptions): Promise<ListeningPort<TLSAddress>>;
export async function listenStream(
  reactor: ConnectorReactor,
  port: number,
  factory: IProtocolFactory,
  options: ListenTCPOptions,
  tls?: TLSOptions,
): Promise<ListeningPort<TCPAddress | TLSAddress>> {
  const what = tls === undefined ? 'listenTCP' : 'listenSSL';
  validatePort(port, what, true);
  validateFactory(factory, what, false);
  const backlog = validateBacklog(options.backlog, what);
  if (options.interface !== undefined && typeof options.interface !== 'string') {
    throw new TorsionTypeError(`${what}: interface must be a string such as '127.0.0.1', got ${String(options.interface)}.`);
  }
  const spec = { kind: tls === undefined ? ('TCP' as const) : ('TLS' as const), port, interface: options.interface, backlog, tls };
  // The spec's kind fixes the address kind getHost() reports.
  return new ListeningPort<TCPAddress | TLSAddress>(reactor, factory, spec).listen();
}

/** @internal The body of `Reactor.connectTCP` and `connectSSL`. */
export function connectStream(
  reactor: ConnectorReactor,
  host: string,
  port: number,
  factory: IClientFactory,
  options: ConnectTCPOptions,
  tls?: TLSOptions,
): Connector {
  const what = tls === undefined ? 'connectTCP' : 'connectSSL';
  validateHost(host, what);
  validatePort(port, what, false);
  validateFactory(factory, what, true);
  const timeout = validateTimeout(options.timeout ?? 30, what);
  const b = options.bindAddress;
  const bindAddress = b === undefined ? undefined : typeof b === 'string' ? { host: b } : b;
  // Node throws on a local address that is not an IP only once the attempt has begun (the
  // factory started, the connector left 'connecting'): check it before anything starts.
  if (bindAddress !== undefined && (typeof bindAddress.host !== 'string' || net.isIP(bindAddress.host) === 0)) {
    throw new TorsionTypeError(
      `${what}: bindAddress must be an IP address of this machine such as '127.0.0.1' (not a host name), got ${String(bindAddress.host)}.`,
    );
  }
  if (bindAddress?.port !== undefined) validatePort(bindAddress.port, `${what} bindAddress`, true);
  const connector = new Connector(reactor, factory, {
    kind: tls === undefined ? 'TCP' : 'TLS',
    host,
    port,
    timeout,
    bindAddress,
    tls,
  });
  connector.connect();
  return connector;
}

/** Remove `path` if it is a socket nothing listens on (left by a crashed server). */
async function removeStaleSocket(path: string): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.lstat(path);
  } catch {
    return; // nothing there
  }
  if (!stat.isSocket()) return; // not ours to delete: listen() reports EADDRINUSE
  const alive = await new Promise<boolean>((resolve) => {
    const probe = net.connect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => {
      probe.destroy();
      resolve(false);
    });
  });
  if (!alive) await fs.promises.unlink(path).catch(() => undefined);
}

/** @internal The body of `Reactor.listenUNIX`. */
export async function listenUNIX(
  reactor: ConnectorReactor,
  path: string,
  factory: IProtocolFactory,
  options: ListenUNIXOptions,
): Promise<ListeningPort<UNIXAddress>> {
  validatePath(path, 'listenUNIX');
  validateFactory(factory, 'listenUNIX', false);
  const backlog = validateBacklog(options.backlog, 'listenUNIX');
  await removeStaleSocket(path);
  return new ListeningPort<UNIXAddress>(reactor, factory, { kind: 'UNIX', path, backlog }).listen();
}

/** @internal The body of `Reactor.connectUNIX`. */
export function connectUNIX(reactor: ConnectorReactor, path: string, factory: IClientFactory, options: ConnectUNIXOptions): Connector {
  validatePath(path, 'connectUNIX');
  validateFactory(factory, 'connectUNIX', true);
  const timeout = validateTimeout(options.timeout ?? 30, 'connectUNIX');
  const connector = new Connector(reactor, factory, { kind: 'UNIX', path, timeout });
  connector.connect();
  return connector;
}
