/**
 * The errors of connections and processes: why a connection ended, why connecting or listening
 * failed, misuse of a transport, how a process ended, and failed TLS upgrades.
 *
 * In one module rather than one per area: every module a program loads costs memory (about
 * 35 KB each in Node 20), which counts against the idle-connections memory target.
 *
 * @module
 */
import { TorsionError, type TorsionErrorOptions } from './base.js';

// ---------------------------------------------------------------------------------------------
// The reasons a connection ended, given to `connectionLost`: {@link ConnectionClosed} and its subclasses.
// ---------------------------------------------------------------------------------------------

/**
 * The base of the reasons a connection ended.
 *
 * @example
 * ```ts
 * override connectionLost(reason: Error): void {
 *   if (!(reason instanceof ConnectionClosed)) console.error('dropped because of', reason);
 * }
 * ```
 */
export class ConnectionClosed extends TorsionError {}

/**
 * The connection was closed cleanly (both sides agreed, or the peer sent EOF).
 *
 * @example
 * ```ts
 * override connectionLost(reason: Error): void {
 *   if (reason instanceof ConnectionDone) console.log('closed cleanly');
 * }
 * ```
 */
export class ConnectionDone extends ConnectionClosed {
  constructor(message = 'Connection was closed cleanly.', options?: TorsionErrorOptions) {
    super('ERR_CONNECTION_DONE', message, options);
  }
}

/**
 * The connection was lost in a non-clean fashion (reset by the peer, a socket error...).
 *
 * @example
 * ```ts
 * override connectionLost(reason: Error): void {
 *   if (reason instanceof ConnectionLost) console.warn('the peer vanished:', reason.cause);
 * }
 * ```
 */
export class ConnectionLost extends ConnectionClosed {
  constructor(message = 'Connection to the other side was lost in a non-clean fashion.', options?: TorsionErrorOptions) {
    super('ERR_CONNECTION_LOST', message, options);
  }
}

/**
 * The connection was aborted locally with `abortConnection()`; buffered data was dropped.
 *
 * @example
 * ```ts
 * this.transport.abortConnection();   // connectionLost() follows, with a ConnectionAborted
 * ```
 */
export class ConnectionAborted extends ConnectionClosed {
  constructor(message = 'Connection was aborted locally with abortConnection().', options?: TorsionErrorOptions) {
    super('ERR_CONNECTION_ABORTED', message, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Connecting and listening: why an outgoing connection attempt failed ({@link ConnectError} and its
// subclasses), and why a port could not be listened on.
// ---------------------------------------------------------------------------------------------

/**
 * The base of the reasons an outgoing connection attempt failed.
 *
 * @example
 * ```ts
 * override clientConnectionFailed(connector: IConnector, reason: Error): void {
 *   if (reason instanceof ConnectError) console.error('could not connect:', reason.code);
 * }
 * ```
 */
export class ConnectError extends TorsionError {}

/**
 * The peer refused the connection: nothing listens there.
 *
 * @example
 * ```ts
 * override clientConnectionFailed(connector: IConnector, reason: Error): void {
 *   if (reason instanceof ConnectionRefusedError) reactor.callLater(5, () => connector.connect());
 * }
 * ```
 */
export class ConnectionRefusedError extends ConnectError {
  constructor(
    message = 'Connection was refused by the other side: check that a server is listening at that host and port.',
    options?: TorsionErrorOptions,
  ) {
    super('ERR_CONNECTION_REFUSED', message, options);
  }
}

/**
 * An operation did not finish in the time allowed (a connect timeout, say).
 *
 * @example
 * ```ts
 * reactor.connectTCP('192.0.2.1', 8023, factory, { timeout: 5 });
 * // no answer within 5 s: factory.clientConnectionFailed(connector, TimeoutError)
 * ```
 */
export class TimeoutError extends ConnectError {
  constructor(message = 'The operation timed out: raise the timeout or check that the peer is reachable.', options?: TorsionErrorOptions) {
    super('ERR_TIMEOUT', message, options);
  }
}

/**
 * A host name could not be resolved.
 *
 * @example
 * ```ts
 * reactor.connectTCP('no-such-host.invalid', 8023, factory);
 * // factory.clientConnectionFailed(connector, DNSLookupError)
 * ```
 */
export class DNSLookupError extends ConnectError {
  constructor(message = 'The host name could not be resolved: check its spelling and your resolver.', options?: TorsionErrorOptions) {
    super('ERR_DNS_LOOKUP', message, options);
  }
}

/**
 * A connection attempt was abandoned by the user (`stopConnecting()`, `disconnect()`, an abort signal).
 *
 * @example
 * ```ts
 * const connector = reactor.connectTCP('127.0.0.1', 8023, factory);
 * connector.stopConnecting();   // factory.clientConnectionFailed(connector, ConnectingCancelledError)
 * ```
 */
export class ConnectingCancelledError extends ConnectError {
  constructor(message = 'The connection attempt was cancelled by the user.', options?: TorsionErrorOptions) {
    super('ERR_CONNECTING_CANCELLED', message, options);
  }
}

/**
 * Any other failure to connect, with the system error as `cause`.
 *
 * @example
 * ```ts
 * override clientConnectionFailed(connector: IConnector, reason: Error): void {
 *   if (reason instanceof ConnectFailedError) console.error('connect failed:', reason.cause);
 * }
 * ```
 */
export class ConnectFailedError extends ConnectError {
  constructor(message: string, options?: TorsionErrorOptions) {
    super('ERR_CONNECT_FAILED', message, options);
  }
}

/**
 * A port could not be listened on (in use, no permission, bad interface).
 *
 * @example
 * ```ts
 * try {
 *   await reactor.listenTCP(8023, factory, { interface: '127.0.0.1' });
 * } catch (err) {
 *   if (err instanceof CannotListenError) console.error(`cannot use port ${err.port}: ${err.message}`);
 * }
 * ```
 */
export class CannotListenError extends TorsionError {
  readonly interface: string;
  readonly port: number | string;

  constructor(iface: string, port: number | string, message: string, options?: TorsionErrorOptions) {
    super('ERR_CANNOT_LISTEN', message, options);
    this.interface = iface;
    this.port = port;
  }
}

// ---------------------------------------------------------------------------------------------
// Transports and producers: writing after the write side or the connection closed, a second
// producer, an operation the transport does not support.
// ---------------------------------------------------------------------------------------------

/**
 * `write()` after `writeEof()`: the write side is already closed.
 *
 * @example
 * ```ts
 * transport.write('last words');
 * transport.writeEof();             // a write() from now on throws WriteAfterEofError
 * ```
 */
export class WriteAfterEofError extends TorsionError {
  constructor(message = 'Cannot write after writeEof(): the write side of this connection is closed.') {
    super('ERR_WRITE_AFTER_EOF', message);
  }
}

/**
 * `write()` on a connection whose `connectionLost` has already run: the code holds a stale
 * reference. (Writes while the connection is merely closing, after `loseConnection()` or
 * `abortConnection()`, are dropped silently instead, as a write racing a close is normal.)
 *
 * @example
 * ```ts
 * protocol.transport.loseConnection();
 * // ... later, after protocol.connectionLost() has run:
 * protocol.transport.write('hello?'); // throws WriteAfterCloseError
 * ```
 */
export class WriteAfterCloseError extends TorsionError {
  constructor(
    message = 'Cannot write: this connection is closed and its connectionLost() has run. Stop writing to it there (remove it from any broadcast list).',
  ) {
    super('ERR_WRITE_AFTER_CLOSE', message);
  }
}

/**
 * `registerProducer()` while another producer is registered.
 *
 * @example
 * ```ts
 * transport.unregisterProducer();   // registering a second producer first would throw ProducerAlreadyRegistered
 * transport.registerProducer(next, true);
 * ```
 */
export class ProducerAlreadyRegistered extends TorsionError {
  constructor(
    message = 'A producer is already registered with this transport: call unregisterProducer() before registering another.',
  ) {
    super('ERR_PRODUCER_ALREADY_REGISTERED', message);
  }
}

/**
 * An operation a transport does not support (`writeEof` on TLS 1.2, say).
 *
 * @example
 * ```ts
 * if (transport.canWriteEof()) transport.writeEof();   // on TLS writeEof() throws NotSupportedError
 * else transport.loseConnection();
 * ```
 */
export class NotSupportedError extends TorsionError {
  constructor(message: string) {
    super('ERR_NOT_SUPPORTED', message);
  }
}

// ---------------------------------------------------------------------------------------------
// Processes: how a child process ended (the reason given to `processEnded`), and signalling one
// that has already exited.
// ---------------------------------------------------------------------------------------------

/**
 * The process exited with status 0.
 *
 * @example
 * ```ts
 * override processEnded(reason: Error): void {
 *   if (reason instanceof ProcessDone) console.log('the child succeeded');
 * }
 * ```
 */
export class ProcessDone extends TorsionError {
  readonly exitCode = 0;
  readonly signal: NodeJS.Signals | null = null;

  constructor(message = 'The process exited cleanly with status 0.') {
    super('ERR_PROCESS_DONE', message);
  }
}

/**
 * The process exited with a non-zero status or was killed by a signal.
 *
 * @example
 * ```ts
 * override processEnded(reason: Error): void {
 *   if (reason instanceof ProcessTerminated) console.log('exit status', reason.exitCode, 'signal', reason.signal);
 * }
 * ```
 */
export class ProcessTerminated extends TorsionError {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;

  constructor(exitCode: number | null, signal: NodeJS.Signals | null, message?: string) {
    super(
      'ERR_PROCESS_TERMINATED',
      message ??
        (signal !== null
          ? `The process was killed by signal ${signal}.`
          : `The process exited with status ${String(exitCode)}.`),
    );
    this.exitCode = exitCode;
    this.signal = signal;
  }
}

/**
 * `signalProcess()` on a process that has already exited.
 *
 * @example
 * ```ts
 * if (transport.pid !== null) transport.signalProcess('TERM');   // after the exit: ProcessExitedAlready
 * ```
 */
export class ProcessExitedAlready extends TorsionError {
  constructor(message = 'The process has already exited: there is nothing left to signal.') {
    super('ERR_PROCESS_EXITED_ALREADY', message);
  }
}

// ---------------------------------------------------------------------------------------------
// A child process that could not be started: {@link ProcessSpawnError}, a {@link ProcessTerminated}
// with the system error as `cause`.
// ---------------------------------------------------------------------------------------------

/**
 * A child process could not be started (no such executable, no permission, a bad `cwd`): the
 * reason given to `processExited`/`processEnded`, with the system error as `cause`.
 *
 * @example
 * ```ts
 * override processEnded(reason: Error): void {
 *   if (reason instanceof ProcessSpawnError) console.error('could not start:', reason.cause);   // ENOENT...
 * }
 * ```
 */
export class ProcessSpawnError extends ProcessTerminated {
  override readonly code: string = 'ERR_PROCESS_SPAWN';

  constructor(message: string, options?: TorsionErrorOptions) {
    super(null, null, message);
    if (options?.cause !== undefined) {
      Object.defineProperty(this, 'cause', { value: options.cause, writable: true, configurable: true });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// TLS upgrades (`startTLS()`): a failed handshake, {@link TLSHandshakeError}, which is a
// {@link ConnectionLost}.
// ---------------------------------------------------------------------------------------------

/**
 * A TLS handshake started with `startTLS()` failed: the certificate was not trusted, the peer
 * spoke no TLS, or the connection ended before the handshake completed. `startTLS()`'s promise
 * rejects with it and the connection is dropped with it as the `connectionLost` reason. It is a
 * {@link ConnectionLost} (an unclean end); the TLS or system error is kept as `cause`.
 *
 * @example
 * ```ts
 * try {
 *   await protocol.transport.startTLS({ ca, servername: 'chat.example' });
 * } catch (err) {
 *   if (err instanceof TLSHandshakeError) console.error('TLS failed:', err.cause);
 * }
 * ```
 */
export class TLSHandshakeError extends ConnectionLost {
  override readonly code: string = 'ERR_TLS_HANDSHAKE';

  constructor(
    message = 'The TLS handshake failed: check the certificates (ca, servername, key, cert) and that the peer starts TLS too.',
    options?: TorsionErrorOptions,
  ) {
    super(message, options);
  }
}
