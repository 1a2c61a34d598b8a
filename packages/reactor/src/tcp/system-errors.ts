import {
  CannotListenError,
  ConnectFailedError,
  ConnectionRefusedError,
  DNSLookupError,
  TimeoutError,
  type ConnectError,
} from '../errors.js';

/** A Node system error: an `Error` with `code`, `syscall`... */
export interface SystemError extends Error {
  code?: string;
  syscall?: string;
  errno?: number;
}

function codeOf(err: unknown): string | undefined {
  return err instanceof Error ? (err as SystemError).code : undefined;
}

/** Turn the error of a failed connection attempt into the typed reason a client factory sees. */
export function connectErrorFrom(err: unknown, where: string): ConnectError {
  const code = codeOf(err);
  const syscall = err instanceof Error ? (err as SystemError).syscall : undefined;
  if (code === 'ECONNREFUSED') {
    return new ConnectionRefusedError(
      `Connection to ${where} was refused: check that a server is listening at that address.`,
      { cause: err },
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NONAME' || syscall === 'getaddrinfo') {
    return new DNSLookupError(`The host name of ${where} could not be resolved (${String(code)}): check its spelling and your resolver.`, {
      cause: err,
    });
  }
  if (code === 'ETIMEDOUT') {
    return new TimeoutError(`Connecting to ${where} timed out in the operating system: check that the peer is reachable.`, { cause: err });
  }
  if (code === 'ENOENT') {
    return new ConnectionRefusedError(`Nothing listens at ${where}: the socket file does not exist.`, { cause: err });
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new ConnectFailedError(`Connecting to ${where} failed: ${detail}.`, { cause: err });
}

/** Turn the error of a failed `listen()` into a {@link CannotListenError} that says what to do. */
export function listenErrorFrom(err: unknown, iface: string, port: number | string): CannotListenError {
  const code = codeOf(err);
  const where = typeof port === 'string' ? port : `${iface === '' ? '(all interfaces)' : iface}:${port}`;
  let advice: string;
  switch (code) {
    case 'EADDRINUSE':
      advice =
        typeof port === 'string'
          ? 'another server already listens on that socket path: stop it or choose another path'
          : 'the address is already in use: stop the program using that port, or choose another port (0 picks a free one)';
      break;
    case 'EACCES':
    case 'EPERM':
      advice =
        typeof port === 'string'
          ? 'permission denied: choose a path in a directory you may write to'
          : 'permission denied: ports below 1024 need privileges, so choose a higher port';
      break;
    case 'EADDRNOTAVAIL':
      advice = 'the interface is not an address of this machine: use one it has, such as 127.0.0.1, or omit it';
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      advice = 'the interface name could not be resolved: give a numeric address such as 127.0.0.1';
      break;
    default:
      advice = `${err instanceof Error ? err.message : String(err)}`;
  }
  return new CannotListenError(iface, port, `Couldn't listen on ${where}: ${advice}.`, { cause: err });
}
