import type { Socket } from 'node:net';
import type { Address } from '../interfaces.js';
import { TorsionRangeError, TorsionTypeError } from '../errors.js';

/** The kinds of stream transport the reactor makes. */
export type StreamKind = 'TCP' | 'TLS' | 'UNIX';

/** The far end of a connected socket, as an {@link Address} of the given kind. */
export function peerAddress(kind: StreamKind, socket: Socket, unixPath = ''): Address {
  if (kind === 'UNIX') return { type: 'UNIX', path: unixPath };
  return { type: kind, host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
}

/** The near end of a connected socket, as an {@link Address} of the given kind. */
export function hostAddress(kind: StreamKind, socket: Socket, unixPath = ''): Address {
  if (kind === 'UNIX') return { type: 'UNIX', path: unixPath };
  return { type: kind, host: socket.localAddress ?? '', port: socket.localPort ?? 0 };
}

/**
 * `host:port`, `[v6]:port` or a path, for log lines and error messages. Exported from the
 * packages as `formatAddress`.
 *
 * @example
 * ```ts
 * formatAddress({ type: 'TCP', host: '::1', port: 8023 }); // '[::1]:8023'
 * ```
 */
export function describeAddress(addr: Address): string {
  switch (addr.type) {
    case 'TCP':
    case 'TLS':
    case 'UDP':
      return addr.host.includes(':') ? `[${addr.host}]:${addr.port}` : `${addr.host}:${addr.port}`;
    case 'UNIX':
      return addr.path === '' ? '(unnamed UNIX socket)' : addr.path;
    case 'PROCESS':
      return `pid ${String(addr.pid)}`;
  }
}

/** Check a port number: an integer in 0..65535 (0 only where `allowZero`). */
export function validatePort(port: unknown, what: string, allowZero: boolean): number {
  if (typeof port !== 'number') {
    throw new TorsionTypeError(`${what}: the port must be a number, got ${typeof port} (${String(port)}).`);
  }
  const min = allowZero ? 0 : 1;
  if (!Number.isInteger(port) || port < min || port > 65535) {
    throw new TorsionRangeError(
      `${what}: the port must be an integer from ${min} to 65535, got ${String(port)}${allowZero ? ' (0 picks a free port)' : ''}.`,
    );
  }
  return port;
}

/** Check a host name or address argument. */
export function validateHost(host: unknown, what: string): string {
  if (typeof host !== 'string' || host === '') {
    throw new TorsionTypeError(`${what}: the host must be a non-empty string such as '127.0.0.1', got ${String(host)}.`);
  }
  return host;
}

/** Check a timeout in seconds: a positive finite number. */
export function validateTimeout(timeout: unknown, what: string): number {
  if (typeof timeout !== 'number' || !(timeout > 0) || !Number.isFinite(timeout)) {
    throw new TorsionRangeError(`${what}: the timeout must be a positive number of seconds, got ${String(timeout)}.`);
  }
  return timeout;
}
