/**
 * Every error the reactor can hand a user. Each class extends {@link TorsionError}, has a `name`
 * equal to the class name, and a stable `code` (documented in docs/errors.md) that programs may
 * compare against. Messages say what went wrong and what to do about it.
 *
 * Reasons for a lost connection are always instances of these classes, never strings.
 *
 * @module
 */

/** Options common to every Torsion error. */
export interface TorsionErrorOptions {
  /** The underlying error (a Node `Error` with `errno`/`code`, say), kept as `cause`. */
  cause?: unknown;
}

/**
 * The base of every error Torsion throws or reports.
 *
 * @example
 * ```ts
 * try {
 *   await reactor.listenTCP(8023, factory);
 * } catch (err) {
 *   if (err instanceof TorsionError) console.error(err.code, err.message);   // ERR_CANNOT_LISTEN ...
 * }
 * ```
 */
export class TorsionError extends Error {
  /** A stable, documented identifier such as `ERR_CONNECTION_REFUSED`. */
  readonly code: string;

  constructor(code: string, message: string, options?: TorsionErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

// ---------------------------------------------------------------------------------------------
// Connection closed (reasons given to connectionLost)

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
// Connecting and listening

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
// Time

/**
 * `cancel()` (or `reset()`/`delay()`) on a delayed call that already ran.
 *
 * @example
 * ```ts
 * const call = reactor.callLater(1, tick);
 * // ... later: cancel() on a call that already ran would throw AlreadyCalled
 * if (call.active()) call.cancel();
 * ```
 */
export class AlreadyCalled extends TorsionError {
  constructor(message = 'This delayed call has already run: check active() before cancelling or rescheduling it.') {
    super('ERR_ALREADY_CALLED', message);
  }
}

/**
 * `cancel()` (or `reset()`/`delay()`) on a delayed call that was cancelled.
 *
 * @example
 * ```ts
 * const call = reactor.callLater(1, tick);
 * call.cancel();
 * if (call.active()) call.reset(2);   // reset() on a cancelled call would throw AlreadyCancelled
 * ```
 */
export class AlreadyCancelled extends TorsionError {
  constructor(message = 'This delayed call was already cancelled: check active() before cancelling or rescheduling it.') {
    super('ERR_ALREADY_CANCELLED', message);
  }
}

// ---------------------------------------------------------------------------------------------
// The reactor's life cycle

/**
 * `run()` on a reactor that is already running.
 *
 * @example
 * ```ts
 * const running = reactor.run();   // a second reactor.run() now throws ReactorAlreadyRunning
 * await running;
 * ```
 */
export class ReactorAlreadyRunning extends TorsionError {
  constructor(message = 'The reactor is already running: call run() once, and await it.') {
    super('ERR_REACTOR_ALREADY_RUNNING', message);
  }
}

/**
 * `stop()` on a reactor that is not running.
 *
 * @example
 * ```ts
 * if (reactor.running) await reactor.stop();   // stop() on a stopped reactor throws ReactorNotRunning
 * ```
 */
export class ReactorNotRunning extends TorsionError {
  constructor(message = "Can't stop a reactor that isn't running: check reactor.running first.") {
    super('ERR_REACTOR_NOT_RUNNING', message);
  }
}

/**
 * `run()` on a reactor that has already been stopped.
 *
 * @example
 * ```ts
 * await reactor.run();              // ... until stopped
 * const next = new Reactor();       // reactor.run() again would throw ReactorNotRestartable
 * ```
 */
export class ReactorNotRestartable extends TorsionError {
  constructor(message = 'A stopped reactor cannot be run again: create a new Reactor() instead.') {
    super('ERR_REACTOR_NOT_RESTARTABLE', message);
  }
}

// ---------------------------------------------------------------------------------------------
// Transports and producers

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
// Processes

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
// Bad input

/**
 * An argument was out of its allowed range (a port of 70000, a negative delay).
 *
 * @example
 * ```ts
 * try {
 *   reactor.callLater(-1, tick);
 * } catch (err) {
 *   console.log(err instanceof RangeError, (err as TorsionRangeError).code);   // true 'ERR_OUT_OF_RANGE'
 * }
 * ```
 */
export class TorsionRangeError extends RangeError {
  readonly code = 'ERR_OUT_OF_RANGE';
  constructor(message: string) {
    super(message);
    this.name = 'TorsionRangeError';
  }
}

/**
 * An argument was of the wrong type or shape (a port given as an object, say).
 *
 * @example
 * ```ts
 * try {
 *   reactor.callLater('soon' as unknown as number, tick);
 * } catch (err) {
 *   console.log(err instanceof TypeError, (err as TorsionTypeError).code);   // true 'ERR_INVALID_ARG_TYPE'
 * }
 * ```
 */
export class TorsionTypeError extends TypeError {
  readonly code = 'ERR_INVALID_ARG_TYPE';
  constructor(message: string) {
    super(message);
    this.name = 'TorsionTypeError';
  }
}

/**
 * An endpoint description string could not be parsed (`serverFromString`, `clientFromString`).
 *
 * @example
 * ```ts
 * try {
 *   serverFromString(reactor, 'tcp:http');
 * } catch (err) {
 *   if (err instanceof EndpointSyntaxError) console.error(err.message);   // says what to write instead
 * }
 * ```
 */
export class EndpointSyntaxError extends TorsionError {
  constructor(message: string) {
    super('ERR_BAD_ENDPOINT', message);
  }
}

// ---------------------------------------------------------------------------------------------
// Datagrams

/**
 * A write or connect on a UDP port that has stopped listening.
 *
 * @example
 * ```ts
 * await port.stopListening();
 * port.write('ping', { host: '127.0.0.1', port: 9999 });   // throws PortClosedError
 * ```
 */
export class PortClosedError extends TorsionError {
  constructor(message = 'This UDP port has stopped listening: listen again with reactor.listenUDP() to send.') {
    super('ERR_PORT_CLOSED', message);
  }
}

// ---------------------------------------------------------------------------------------------
// Test doubles (@torsion/reactor/testing)

/**
 * A port was used while not listening: a fake port from `MemoryReactor` asked to accept a
 * connection after `stopListening()`, or a real port's `getHost()` read before it listens.
 *
 * @example
 * ```ts
 * const reactor = new MemoryReactor();
 * const port = await reactor.listenTCP(8023, factory);
 * await port.stopListening();
 * port.accept();   // throws NotListeningError
 * ```
 */
export class NotListeningError extends TorsionError {
  constructor(message = 'This port has stopped listening and accepts no connection: accept before stopListening().') {
    super('ERR_NOT_LISTENING', message);
  }
}

/**
 * A fake connector from `MemoryReactor` was driven from a state where that cannot happen.
 *
 * @example
 * ```ts
 * const connector = new MemoryReactor().connectTCP('127.0.0.1', 8023, factory);
 * connector.succeed();
 * connector.fail();   // throws ConnectorStateError: the attempt is over
 * ```
 */
export class ConnectorStateError extends TorsionError {
  constructor(message = 'The connector is not in a state that allows this: check connector.state first.') {
    super('ERR_CONNECTOR_STATE', message);
  }
}

/**
 * Two protocols joined in memory kept exchanging bytes past the pump's round limit.
 *
 * @example
 * ```ts
 * const { pump } = connectedPair(new Ping(), new Pong());   // two protocols that answer each other
 * pump.flush();   // throws PumpLimitExceededError after maxRounds rounds instead of spinning forever
 * ```
 */
export class PumpLimitExceededError extends TorsionError {
  constructor(message = 'The in-memory pump kept moving bytes past its round limit: the protocols may be ping-ponging forever; raise maxRounds if that is expected.') {
    super('ERR_PUMP_LIMIT', message);
  }
}

// ---------------------------------------------------------------------------------------------
// Deferred and task helpers

/**
 * `callback()` or `errback()` on a Deferred that has already been fired.
 *
 * @example
 * ```ts
 * const d = new Deferred<number>();
 * d.callback(1);
 * d.callback(2);   // throws DeferredAlreadyCalled
 * ```
 */
export class DeferredAlreadyCalled extends TorsionError {
  constructor(
    message = 'This Deferred has already been fired: callback()/errback() may be called once; add callbacks to act on its result instead.',
  ) {
    super('ERR_DEFERRED_ALREADY_CALLED', message);
  }
}

/**
 * The reason a Deferred fails when it is cancelled (and its canceller did not fire it).
 *
 * @example
 * ```ts
 * const d = deferLater(reactor, 10, () => 'done');
 * d.addErrback((err) => {
 *   if (!(err instanceof CancelledError)) throw err;
 *   return 'cancelled';
 * });
 * d.cancel();
 * ```
 */
export class CancelledError extends TorsionError {
  constructor(message = 'The operation was cancelled.', options?: TorsionErrorOptions) {
    super('ERR_CANCELLED', message, options);
  }
}

/**
 * `gatherResults()` failed because one of its Deferreds did: `cause` is that failure.
 *
 * @example
 * ```ts
 * try {
 *   await gatherResults([fetchA(), fetchB()]);
 * } catch (err) {
 *   if (err instanceof FirstError) console.error(`input #${err.index} failed:`, err.cause);
 * }
 * ```
 */
export class FirstError extends TorsionError {
  /** The position of the failed Deferred in the list given to `gatherResults()`. */
  readonly index: number;

  constructor(cause: unknown, index = -1, message?: string) {
    super(
      'ERR_FIRST_ERROR',
      message ?? `Deferred #${index} of the gathered list failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.index = index;
  }
}

/**
 * `LoopingCall.start()` while it is already running.
 *
 * @example
 * ```ts
 * if (!heartbeat.running) heartbeat.start(30);   // start() while running throws LoopingCallAlreadyRunning
 * ```
 */
export class LoopingCallAlreadyRunning extends TorsionError {
  constructor(message = 'This LoopingCall is already running: stop() it before starting it again.') {
    super('ERR_LOOPING_CALL_RUNNING', message);
  }
}

/**
 * `LoopingCall.stop()` (or `reset()`) while it is not running.
 *
 * @example
 * ```ts
 * if (heartbeat.running) heartbeat.stop();   // stop() while not running throws LoopingCallNotRunning
 * ```
 */
export class LoopingCallNotRunning extends TorsionError {
  constructor(message = 'This LoopingCall is not running: check its running field before stopping it.') {
    super('ERR_LOOPING_CALL_NOT_RUNNING', message);
  }
}
// ---------------------------------------------------------------------------------------------
// Processes (timers area)

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
// TLS upgrades (startTLS)

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
